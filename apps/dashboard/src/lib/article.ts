/** "a viewer", "an admin": the indefinite article for a word shown after it (roles, kinds). */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}

/** The same, capitalised to start a sentence: "An admin key…". */
export function WithArticle(word: string): string {
  const s = withArticle(word);
  return s[0]!.toUpperCase() + s.slice(1);
}
