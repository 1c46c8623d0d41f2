/**
 * The rows view's state lives in the URL so links are shareable:
 *   ?cols=question,answer&f=status~eq~open&f=title~contains~foo&range=1h&row=<id>
 *   range is a preset (15m, 1h, 24h, 7d) or custom with from/to ISO times.
 * Parsing is shared by the server page (prefetch) and the client table, so both ask the API
 * for exactly the same input and the prefetched page hydrates.
 */
import { filterValue, type FieldTypes } from "./fields";

export const FILTER_OPS = ["eq", "contains", "gt", "lt"] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export interface RowFilter {
  field: string;
  op: FilterOp;
  value: string;
}

export const RANGE_PRESETS = { "15m": 15 * 60_000, "1h": 3600_000, "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000 } as const;
export type RangePreset = keyof typeof RANGE_PRESETS;

export interface RowsViewState {
  cols: string[] | null;
  filters: RowFilter[];
  range: RangePreset | "all" | "custom";
  from: string | null;
  to: string | null;
  row: string | null;
}

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function getAll(params: Params, key: string): string[] {
  if (params instanceof URLSearchParams) return params.getAll(key);
  const v = params[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
const getOne = (params: Params, key: string): string | null => getAll(params, key)[0] ?? null;

export function parseFilter(s: string): RowFilter | null {
  const [field, op, ...rest] = s.split("~");
  if (!field || !op || !(FILTER_OPS as readonly string[]).includes(op)) return null;
  return { field, op: op as FilterOp, value: rest.join("~") };
}

export function parseRowsView(params: Params): RowsViewState {
  const cols = getOne(params, "cols");
  const range = getOne(params, "range");
  const from = getOne(params, "from");
  const to = getOne(params, "to");
  const validRange = range && (range in RANGE_PRESETS || range === "custom") ? (range as RowsViewState["range"]) : from || to ? "custom" : "all";
  return {
    cols: cols ? cols.split(",").filter(Boolean) : null,
    filters: getAll(params, "f").map(parseFilter).filter((f): f is RowFilter => f !== null),
    range: validRange,
    from: validRange === "custom" ? from : null,
    to: validRange === "custom" ? to : null,
    row: getOne(params, "row"),
  };
}

export function serializeRowsView(state: RowsViewState): string {
  const p = new URLSearchParams();
  if (state.cols) p.set("cols", state.cols.join(","));
  for (const f of state.filters) p.append("f", `${f.field}~${f.op}~${f.value}`);
  if (state.range !== "all") p.set("range", state.range);
  if (state.range === "custom") {
    if (state.from) p.set("from", state.from);
    if (state.to) p.set("to", state.to);
  }
  if (state.row) p.set("row", state.row);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/**
 * The time window for the API. Presets are rounded down to the minute so that the server's
 * prefetch and the client's first render compute the same input (and the same query key).
 */
export function timeWindow(state: RowsViewState, now: number = Date.now()): { from?: Date; to?: Date } {
  if (state.range === "all") return {};
  if (state.range === "custom") {
    const from = state.from ? new Date(state.from) : undefined;
    const to = state.to ? new Date(state.to) : undefined;
    return {
      ...(from && Number.isFinite(from.getTime()) ? { from } : {}),
      ...(to && Number.isFinite(to.getTime()) ? { to } : {}),
    };
  }
  const minute = Math.floor(now / 60_000) * 60_000;
  return { from: new Date(minute - RANGE_PRESETS[state.range]) };
}

export const PAGE_SIZE = 50;

/**
 * The API input for the view. `fields` (from the relation's schema) types each filter's value:
 * a number field is compared as a number, so `amount > 20` matches 21, not the text "21".
 */
export function rowsListInput(relation: string, state: RowsViewState, now?: number, fields: FieldTypes = {}) {
  return {
    relation,
    limit: PAGE_SIZE,
    ...(state.filters.length ? { filter: state.filters.map((f) => ({ field: f.field, op: f.op, value: filterValue(f.value, fields[f.field]) })) } : {}),
    ...timeWindow(state, now),
  };
}
