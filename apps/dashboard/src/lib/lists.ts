// Lists in the API are pages of `{ items, nextCursor }`. Relations and triggers are declared in
// code and few: the console asks for the largest page and says so when there are more.
export const WHOLE_LIST = { limit: 200 } as const;

/** Admin tables page through their lists with "Load more". */
export const ADMIN_PAGE = { limit: 50 } as const;

export const nextPage = (last: { nextCursor: string | null }) => last.nextCursor ?? undefined;
