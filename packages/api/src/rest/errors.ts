// REST errors are flat: `{ code, message, issues }` — the tRPC error's code, readable message
// and input issues without tRPC's envelope, and the same shape as the API's other plain-HTTP
// errors (`{ code, message }` for limits and sign-in).
import type { Issue } from "../errors.ts";

export interface RestErrorBody {
  code: string;
  message: string;
  issues: Issue[] | null;
  /** Development mode only. */
  stack?: string;
}

export function errorBody(code: string, message: string, issues: Issue[] | null = null): RestErrorBody {
  return { code, message, issues };
}
