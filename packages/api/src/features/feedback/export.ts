// OpenAI chat fine-tuning JSONL: one {"messages": [...]} per line. Good outputs are kept, bad
// outputs are replaced by their correction, bad outputs without a correction are left out.

export interface LabeledExample {
  inferenceId: string;
  input: unknown;
  output: unknown;
  label: "good" | "bad";
  correction: unknown;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

const USER_FIELDS = ["question", "prompt", "query", "input", "text", "content", "message"];
const ASSISTANT_FIELDS = ["answer", "output", "response", "completion", "text", "content", "message"];

/** A message's text: a string as is, else a well-known string field, else the JSON. */
export function messageText(value: unknown, fields: string[]): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const field of fields) {
      const v = (value as Record<string, unknown>)[field];
      if (typeof v === "string") return v;
    }
  }
  return JSON.stringify(value ?? null);
}

/** The chat of one labeled example, or null when it teaches nothing (bad, no correction). */
export function toChat(example: LabeledExample, system?: string): { messages: ChatMessage[] } | null {
  const answer = example.label === "good" ? example.output : example.correction;
  if (answer === undefined || answer === null) return null;
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: "system", content: system });
  messages.push({ role: "user", content: messageText(example.input, USER_FIELDS) });
  messages.push({ role: "assistant", content: messageText(answer, ASSISTANT_FIELDS) });
  return { messages };
}

export function toOpenAIJsonl(examples: LabeledExample[], system?: string): { content: string; lines: number; skipped: number } {
  const lines: string[] = [];
  let skipped = 0;
  for (const example of examples) {
    const chat = toChat(example, system);
    if (chat) lines.push(JSON.stringify(chat));
    else skipped++;
  }
  return { content: lines.length ? lines.join("\n") + "\n" : "", lines: lines.length, skipped };
}
