/** One input problem the API reported (`error.data.issues` of a BAD_REQUEST). */
export interface InputIssue {
  path: (string | number)[];
  message: string;
  /** Row/params index the engine validated (absent for the procedure's own input schema). */
  index?: number;
}

/** The tRPC error code of an error from a query or mutation (`error.data.code`), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { data?: { code?: unknown } } | null | undefined)?.data?.code;
  return typeof code === "string" ? code : undefined;
}

/** The issues of a BAD_REQUEST, or [] for any other error. */
export function inputIssues(error: unknown): InputIssue[] {
  const issues = (error as { data?: { issues?: unknown } } | null | undefined)?.data?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((raw): InputIssue[] => {
    if (typeof raw !== "object" || raw === null) return [];
    const { path, message, index } = raw as { path?: unknown; message?: unknown; index?: unknown };
    return [{
      path: Array.isArray(path) ? path.filter((p): p is string | number => typeof p === "string" || typeof p === "number") : [],
      message: typeof message === "string" ? message : "invalid",
      ...(typeof index === "number" ? { index } : {}),
    }];
  });
}

/** `["a", 0, "b"]` → `a[0].b`; the empty path is the whole value. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(whole value)";
  return path.reduce<string>((out, p) => (typeof p === "number" ? `${out}[${p}]` : out ? `${out}.${p}` : p), "");
}

/** Issues of one form's fields keyed by their first path element (`email`, `password`, …); the rest under "". */
export function issuesByField(issues: readonly InputIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = typeof i.path[0] === "string" ? i.path[0] : "";
    out[key] ??= i.message;
  }
  return out;
}
