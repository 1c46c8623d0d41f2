/**
 * The rows view's state lives in the URL so links are shareable:
 *   ?cols=question,answer&f=status~eq~open&f=title~contains~foo&range=1h&row=<id>
 *   range is a preset (15m, 1h, 24h, 7d) or custom with from/to ISO times.
 * The params are nuqs parsers, shared by the server page (prefetch) and the client table, so
 * both ask the API for exactly the same input and the prefetched page hydrates.
 */
import {
  createLoader, createParser, createSerializer, parseAsNativeArrayOf, parseAsString, parseAsStringLiteral,
  type inferParserType, type LoaderInput,
} from "nuqs/server";
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

/** `field~op~value` (the value may itself hold `~`); null for an unknown op, so it is dropped. */
export function parseFilter(s: string): RowFilter | null {
  const [field, op, ...rest] = s.split("~");
  if (!field || !op || !(FILTER_OPS as readonly string[]).includes(op)) return null;
  return { field, op: op as FilterOp, value: rest.join("~") };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** `cols=a,b`: the shown columns in order (an empty value or no `cols` means the default columns). */
const parseAsColumns = createParser<string[]>({
  parse: (s) => (s ? s.split(",").filter(Boolean) : null),
  serialize: (cols) => cols.join(","),
  eq: sameList,
});

const parseAsFilter = createParser<RowFilter>({
  parse: parseFilter,
  serialize: (f) => `${f.field}~${f.op}~${f.value}`,
  eq: (a, b) => a.field === b.field && a.op === b.op && a.value === b.value,
});

/**
 * The URL's search params as nuqs parsers: read by the server page (`parseRowsView`, through
 * a loader) and by the table (`useRowsView`, through `useQueryStates`), so both see one state.
 * `f` repeats, one filter each.
 */
export const rowsViewParams = {
  cols: parseAsColumns,
  f: parseAsNativeArrayOf(parseAsFilter),
  range: parseAsStringLiteral([...(Object.keys(RANGE_PRESETS) as RangePreset[]), "custom"] as const),
  from: parseAsString,
  to: parseAsString,
  row: parseAsString,
};

export type RowsViewParams = inferParserType<typeof rowsViewParams>;

/** The view from the parsed params: `from`/`to` without a known range mean a custom range, else all time. */
export function rowsViewState(params: RowsViewParams): RowsViewState {
  const range = params.range ?? (params.from || params.to ? "custom" : "all");
  return {
    cols: params.cols,
    filters: params.f,
    range,
    from: range === "custom" ? params.from : null,
    to: range === "custom" ? params.to : null,
    row: params.row,
  };
}

/** The params of a view (the inverse of rowsViewState; defaults are left out of the URL). */
export function rowsViewParamsOf(state: RowsViewState): RowsViewParams {
  const custom = state.range === "custom";
  return {
    cols: state.cols,
    f: state.filters,
    range: state.range === "all" ? null : state.range,
    from: custom ? state.from : null,
    to: custom ? state.to : null,
    row: state.row,
  };
}

const loadRowsView = createLoader(rowsViewParams);
const serialize = createSerializer(rowsViewParams);

/** The view in a page's `searchParams` (or any URLSearchParams). */
export function parseRowsView(params: LoaderInput): RowsViewState {
  return rowsViewState(loadRowsView(params));
}

/** `?…` for a view, as the table writes it ("" for the default view). */
export function serializeRowsView(state: RowsViewState): string {
  return serialize(rowsViewParamsOf(state));
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
