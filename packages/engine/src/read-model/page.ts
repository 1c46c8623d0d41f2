// Keyset pages of the read model: newest first by the time-sortable id, `nextCursor` the last id.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
