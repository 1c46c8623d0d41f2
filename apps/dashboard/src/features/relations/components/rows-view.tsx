"use client";
import * as React from "react";
import { useQueryStates } from "nuqs";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type VisibilityState } from "@tanstack/react-table";
import { Columns3, Filter, Hourglass, Loader2, Trash2, X } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { WHOLE_LIST } from "@/lib/lists";
import type { RouterOutputs } from "@/lib/trpc/types";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Kbd } from "@/components/ui/kbd";
import {
  DropdownMenu, DropdownMenuCheckboxItem, DropdownMenuContent, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableMessage, TableRow } from "@/components/ui/table";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/states";
import { RelativeTime } from "@/components/relative-time";
import { previewJson } from "@/components/json-view";
import { formatCount } from "@/lib/time";
import { isValidFilterValue, mergeSampledFields, schemaFields, type FieldTypes } from "../fields";
import { FILTER_OPS, rowsListInput, rowsViewParams, rowsViewParamsOf, rowsViewState, type FilterOp, type RowsViewState } from "../url";
import { RowPanel } from "./row-panel";
import { PurgeDialog } from "./purge-dialog";
import { RequireRole } from "@/features/auth/role";

type RowItem = RouterOutputs["rows"]["list"]["items"][number];

const OP_LABEL: Record<FilterOp, string> = { eq: "equals", contains: "contains", gt: ">", lt: "<" };
const RANGE_OPTIONS = [
  { value: "all", label: "All time" },
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "custom", label: "Custom range…" },
];

/** The view in the URL (nuqs): changes replace the history entry, and the table refetches. */
function useViewState(): [RowsViewState, (patch: Partial<RowsViewState>) => void] {
  const [params, setParams] = useQueryStates(rowsViewParams, { history: "replace", scroll: false });
  const state = React.useMemo(() => rowsViewState(params), [params]);
  const update = React.useCallback((patch: Partial<RowsViewState>) => void setParams(rowsViewParamsOf({ ...state, ...patch })), [setParams, state]);
  return [state, update];
}

function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function RowsView({ relation }: { relation: string }) {
  const trpc = useTRPC();
  const [view, setView] = useViewState();
  const relations = useQuery(trpc.relations.list.queryOptions(WHOLE_LIST));
  const described = relations.data?.items.find((r) => r.name === relation);
  const schema = described?.schema;
  const retentionDays = described?.retention?.days ?? null;
  const [purging, setPurging] = React.useState(false);
  // Fields come from the schema and from every row seen so far in this relation, never only
  // from the current page: a filter that matches nothing keeps the picker and the columns.
  const [sampled, setSampled] = React.useState<{ relation: string; types: FieldTypes }>({ relation, types: {} });
  const fields = React.useMemo<FieldTypes>(() => {
    const declared = schemaFields(schema);
    const extra = sampled.relation === relation ? sampled.types : {};
    return { ...declared, ...Object.fromEntries(Object.entries(extra).filter(([k]) => !(k in declared))) };
  }, [schema, sampled, relation]);
  const input = React.useMemo(() => rowsListInput(relation, view, undefined, fields), [relation, view, fields]);
  const rows = useInfiniteQuery(
    trpc.rows.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: (prev) => prev }),
  );
  const { filter, from, to } = input as { filter?: { field: string; op: FilterOp; value: string | number }[]; from?: Date; to?: Date };
  const count = useQuery(trpc.rows.count.queryOptions({ relation, ...(filter ? { filter } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) }));
  const items = React.useMemo(() => rows.data?.pages.flatMap((p) => p.items) ?? [], [rows.data]);

  React.useEffect(() => {
    setSampled((prev) => {
      const base = prev.relation === relation ? prev.types : {};
      const types = mergeSampledFields(base, items.slice(0, 200));
      return types === prev.types ? prev : { relation, types };
    });
  }, [items, relation]);

  const dataKeys = React.useMemo(() => {
    const keys = new Set<string>(Object.keys(fields));
    for (const c of view.cols ?? []) if (!["createdAt", "id", "key"].includes(c)) keys.add(c);
    for (const f of view.filters) keys.add(f.field);
    return [...keys];
  }, [fields, view.cols, view.filters]);

  const columns = React.useMemo<ColumnDef<RowItem>[]>(
    () => [
      {
        id: "createdAt",
        header: "Created",
        cell: ({ row }) => <RelativeTime date={row.original.createdAt} className="text-xs whitespace-nowrap text-muted-foreground" />,
      },
      { id: "id", header: "Id", cell: ({ row }) => <span className="font-mono text-xs text-muted-foreground">{row.original.id.slice(-10)}</span> },
      { id: "key", header: "Key", cell: ({ row }) => <span className="font-mono text-xs">{row.original.key ?? "—"}</span> },
      ...dataKeys.map<ColumnDef<RowItem>>((k) => ({
        id: k,
        header: k,
        cell: ({ row }) => {
          const v = (row.original.data as Record<string, unknown> | null)?.[k];
          return <span className="block max-w-[12rem] truncate md:max-w-[28rem]" title={previewJson(v, 2000)}>{v === undefined ? <span className="text-muted-foreground">—</span> : previewJson(v, 160)}</span>;
        },
      })),
    ],
    [dataKeys],
  );

  const visibility = React.useMemo<VisibilityState>(() => {
    const shown = new Set(view.cols ?? ["createdAt", "key", ...dataKeys.slice(0, 4)]);
    return Object.fromEntries(["createdAt", "id", "key", ...dataKeys].map((c) => [c, shown.has(c)]));
  }, [view.cols, dataKeys]);

  const table = useReactTable({ data: items, columns, state: { columnVisibility: visibility }, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id });
  const visibleCount = table.getVisibleLeafColumns().length;

  const toggleColumn = (id: string, on: boolean) => {
    const current = Object.entries(visibility).filter(([, v]) => v).map(([k]) => k);
    const next = on ? [...current, id] : current.filter((c) => c !== id);
    const order = ["createdAt", "id", "key", ...dataKeys];
    setView({ cols: order.filter((c) => next.includes(c)) });
  };

  // Keyboard: j/k move, Enter opens, Esc handled by the sheet.
  const [cursor, setCursor] = React.useState(-1);
  const bodyRef = React.useRef<HTMLTableSectionElement>(null);
  React.useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (view.row || target.closest("input, textarea, select, [role=dialog], [role=listbox], [role=menu]")) return;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "j" || e.key === "k") {
        e.preventDefault();
        setCursor((c) => Math.max(0, Math.min(items.length - 1, c + (e.key === "j" ? 1 : -1))));
      } else if (e.key === "Enter" && cursor >= 0 && items[cursor]) {
        setView({ row: items[cursor].id });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [items, cursor, view.row, setView]);
  React.useEffect(() => {
    bodyRef.current?.querySelector<HTMLElement>(`[data-index="${cursor}"]`)?.scrollIntoView({ block: "nearest" });
  }, [cursor]);

  return (
    <div className="space-y-3 p-4 md:p-6">
      <Toolbar relation={relation} view={view} setView={setView} dataKeys={dataKeys} fields={fields}>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="outline" size="sm"><Columns3 /> Columns</Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="max-h-80 overflow-y-auto">
            <DropdownMenuLabel>Shown columns</DropdownMenuLabel>
            <DropdownMenuSeparator />
            {table.getAllLeafColumns().map((c) => (
              <DropdownMenuCheckboxItem key={c.id} checked={c.getIsVisible()} onCheckedChange={(v) => toggleColumn(c.id, !!v)} onSelect={(e) => e.preventDefault()}>
                <span className="font-mono text-xs">{c.id}</span>
              </DropdownMenuCheckboxItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
        {retentionDays !== null && (
          <Badge variant="outline" title="Rows older than this are deleted by the relation's retention policy" data-testid="retention-badge">
            <Hourglass /> kept {retentionDays} days
          </Badge>
        )}
        <RequireRole role="admin">
          <Button variant="outline" size="sm" onClick={() => setPurging(true)} data-testid="purge-open">
            <Trash2 /> Delete older rows…
          </Button>
        </RequireRole>
      </Toolbar>

      <div className="overflow-hidden rounded-lg border bg-card">
        <Table data-testid="rows-table">
          <TableHeader>
            {table.getHeaderGroups().map((hg) => (
              <TableRow key={hg.id} className="hover:bg-transparent">
                {hg.headers.map((h) => (
                  <TableHead key={h.id} className={h.id === "createdAt" ? "w-32" : undefined}>
                    {flexRender(h.column.columnDef.header, h.getContext())}
                  </TableHead>
                ))}
              </TableRow>
            ))}
          </TableHeader>
          <TableBody ref={bodyRef}>
            {rows.isPending ? (
              Array.from({ length: 8 }, (_, i) => (
                <TableRow key={i}><TableCell colSpan={visibleCount || 4}><Skeleton className="h-5" /></TableCell></TableRow>
              ))
            ) : rows.isError ? (
              <TableMessage colSpan={visibleCount || 4}><ErrorState error={rows.error} retry={() => rows.refetch()} className="py-2" /></TableMessage>
            ) : items.length === 0 ? (
              <TableMessage colSpan={visibleCount || 4}>
                <EmptyState title={view.filters.length || view.range !== "all" ? "No rows match these filters" : "No rows yet"} className="py-2">
                  {view.filters.length || view.range !== "all" ? "Remove a filter or widen the time range." : "Rows appear here as soon as they are added."}
                </EmptyState>
              </TableMessage>
            ) : (
              table.getRowModel().rows.map((r, i) => (
                <TableRow
                  key={r.id}
                  data-index={i}
                  data-state={view.row === r.id || cursor === i ? "selected" : undefined}
                  className="cursor-pointer"
                  onClick={() => {
                    setCursor(i);
                    setView({ row: r.id });
                  }}
                  data-testid="row"
                >
                  {r.getVisibleCells().map((cell) => (
                    <TableCell key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</TableCell>
                  ))}
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>

      <div className="flex items-center justify-between text-xs text-muted-foreground">
        <span data-testid="rows-summary">
          Showing {formatCount(items.length)}
          {count.data !== undefined && <> of {formatCount(count.data.count)}</>} rows
          {rows.isFetching && !rows.isFetchingNextPage && <Loader2 className="ml-2 inline size-3 animate-spin" />}
        </span>
        <span className="hidden items-center gap-1 md:flex">
          <Kbd>j</Kbd><Kbd>k</Kbd> move <Kbd>↵</Kbd> open <Kbd>esc</Kbd> close
        </span>
        {rows.hasNextPage ? (
          <Button variant="outline" size="sm" onClick={() => rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
            {rows.isFetchingNextPage && <Loader2 className="animate-spin" />} Load more
          </Button>
        ) : (
          <span>{items.length > 0 ? "End of rows" : ""}</span>
        )}
      </div>

      <RowPanel id={view.row} onClose={() => setView({ row: null })} />
      {purging && <PurgeDialog relation={relation} retentionDays={retentionDays} onClose={() => setPurging(false)} />}
    </div>
  );
}

function Toolbar({
  relation, view, setView, dataKeys, fields, children,
}: {
  relation: string;
  view: RowsViewState;
  setView: (patch: Partial<RowsViewState>) => void;
  dataKeys: string[];
  fields: FieldTypes;
  children: React.ReactNode;
}) {
  const [field, setField] = React.useState("");
  const [op, setOp] = React.useState<FilterOp>("contains");
  const [value, setValue] = React.useState("");
  const fieldValue = field || dataKeys[0] || "";
  const fieldType = fields[fieldValue];
  const valid = isValidFilterValue(value, fieldType);
  const add = (e: React.FormEvent) => {
    e.preventDefault();
    if (!fieldValue || !valid) return;
    setView({ filters: [...view.filters, { field: fieldValue, op, value }] });
    setValue("");
  };
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <form onSubmit={add} className="flex flex-wrap items-center gap-1.5" aria-label={`Filter ${relation} rows`}>
          <Filter className="size-4 text-muted-foreground" />
          <Select aria-label="Filter field" value={fieldValue || "_"} onValueChange={setField} options={dataKeys.length ? dataKeys.map((k) => ({ value: k, label: k })) : [{ value: "_", label: "field" }]} className="w-36 font-mono text-xs" />
          <Select aria-label="Filter operator" value={op} onValueChange={(v) => setOp(v as FilterOp)} options={FILTER_OPS.map((o) => ({ value: o, label: OP_LABEL[o] }))} className="w-28" />
          <Input
            aria-label="Filter value"
            placeholder={fieldType === "number" ? "a number" : "value"}
            inputMode={fieldType === "number" ? "decimal" : undefined}
            aria-invalid={value !== "" && !valid}
            title={value !== "" && !valid ? `${fieldValue} is a number field` : undefined}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            className="h-8 w-44"
          />
          <Button type="submit" variant="secondary" size="sm" disabled={!fieldValue || !valid}>Add filter</Button>
        </form>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <Select
            aria-label="Time range"
            value={view.range}
            onValueChange={(v) => setView({ range: v as RowsViewState["range"], ...(v !== "custom" ? { from: null, to: null } : {}) })}
            options={RANGE_OPTIONS}
            className="w-44"
          />
          {children}
        </div>
      </div>
      {(view.range === "custom" || view.filters.length > 0) && (
        <div className="flex flex-wrap items-center gap-1.5">
          {view.filters.map((f, i) => (
            <Badge key={`${f.field}-${i}`} variant="secondary" className="gap-1.5 py-1 pl-2 font-normal text-foreground">
              <span className="font-mono">{f.field}</span> <span className="text-muted-foreground">{OP_LABEL[f.op]}</span> <span className="font-medium">{f.value}</span>
              <button aria-label={`Remove filter ${f.field}`} className="rounded-sm hover:bg-accent" onClick={() => setView({ filters: view.filters.filter((_, j) => j !== i) })}>
                <X />
              </button>
            </Badge>
          ))}
          {view.range === "custom" && (
            <span className="flex items-center gap-1.5 text-xs text-muted-foreground">
              from
              <Input type="datetime-local" aria-label="From" className="h-7 w-auto text-xs" defaultValue={toLocalInput(view.from)} onBlur={(e) => setView({ from: e.target.value ? new Date(e.target.value).toISOString() : null })} />
              to
              <Input type="datetime-local" aria-label="To" className="h-7 w-auto text-xs" defaultValue={toLocalInput(view.to)} onBlur={(e) => setView({ to: e.target.value ? new Date(e.target.value).toISOString() : null })} />
            </span>
          )}
          {view.filters.length > 0 && (
            <Button variant="link" size="sm" className="h-6 px-1 text-xs" onClick={() => setView({ filters: [] })}>Clear filters</Button>
          )}
        </div>
      )}
    </div>
  );
}
