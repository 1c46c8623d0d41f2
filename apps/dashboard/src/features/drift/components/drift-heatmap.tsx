"use client";
import * as React from "react";
import { cn } from "@/lib/utils";
import { axisLabels, heatColor, heatmapRows, type HeatmapInput } from "../heatmap";

const CELL = 16; // px: the smallest cell that still takes a tap

/**
 * |z| per column (rows) and partition (columns): a cell per comparison, its statistic and value
 * on hover, a ring where it reaches the threshold. Clicking a cell opens the partition; clicking
 * a column name charts that column. Scrolls sideways inside its card when partitions are many.
 */
export function DriftHeatmap({
  heatmap, threshold, selectedPartition, selectedColumn, onPartition, onColumn,
}: {
  heatmap: HeatmapInput;
  threshold: number;
  selectedPartition: string | null;
  selectedColumn: string | null;
  onPartition: (partition: string) => void;
  onColumn: (column: string) => void;
}) {
  const rows = React.useMemo(() => heatmapRows(heatmap, threshold), [heatmap, threshold]);
  const labels = React.useMemo(() => axisLabels(heatmap.partitions, Math.max(2, Math.floor(heatmap.partitions.length / 4))), [heatmap.partitions]);
  const template = `minmax(5.5rem, 10rem) repeat(${heatmap.partitions.length}, minmax(${CELL}px, 1fr))`;
  return (
    <div className="space-y-3">
      <div className="overflow-x-auto pb-1" data-testid="drift-heatmap">
        <div role="grid" aria-label="|z| by column and partition" className="grid gap-px text-xs" style={{ gridTemplateColumns: template, minWidth: `calc(5.5rem + ${heatmap.partitions.length * (CELL + 1)}px)` }}>
          {rows.map((row) => (
            <div role="row" key={row.column} className="contents">
              <button
                type="button"
                role="rowheader"
                onClick={() => onColumn(row.column)}
                title={`Chart ${row.column}`}
                className={cn(
                  "sticky left-0 z-10 truncate bg-card pr-2 text-left font-mono hover:text-primary hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
                  row.column === selectedColumn && "font-semibold text-primary",
                )}
                data-testid={`heatmap-column-${row.column}`}
              >
                {row.column}
              </button>
              {row.cells.map((cell) => (
                <button
                  type="button"
                  role="gridcell"
                  key={cell.partition}
                  title={cell.title}
                  aria-label={cell.title}
                  onClick={() => onPartition(cell.partition)}
                  style={{ background: cell.color, height: CELL }}
                  className={cn(
                    "rounded-[2px] focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
                    cell.over && "ring-1 ring-foreground/70 ring-inset",
                    cell.partition === selectedPartition && "outline-2 outline-offset-1 outline-primary",
                  )}
                  data-testid="heatmap-cell"
                  data-partition={cell.partition}
                  data-column={row.column}
                  data-z={cell.z ?? ""}
                />
              ))}
            </div>
          ))}
          <div aria-hidden />
          {labels.map((label, i) => (
            <div key={heatmap.partitions[i]} aria-hidden className="relative h-16 overflow-visible">
              {label && <span className="absolute top-1 left-1/2 -translate-x-1/2 font-mono [writing-mode:vertical-rl] text-[10px] whitespace-nowrap text-muted-foreground">{label}</span>}
            </div>
          ))}
        </div>
      </div>
      <Legend threshold={threshold} max={heatmap.max} />
    </div>
  );
}

function Legend({ threshold, max }: { threshold: number; max: number }) {
  const top = Math.max(max, threshold);
  const stops = [0, threshold / 2, threshold, top];
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-muted-foreground" data-testid="heatmap-legend">
      <span>|z|</span>
      {stops.map((z, i) => (
        <span key={i} className="inline-flex items-center gap-1">
          <span className={cn("inline-block size-3 rounded-[2px]", z >= threshold && "ring-1 ring-foreground/70 ring-inset")} style={{ background: heatColor(z, threshold, max) }} />
          {z.toFixed(z >= 100 ? 0 : 1)}
          {i === 2 && " (threshold)"}
        </span>
      ))}
      <span className="inline-flex items-center gap-1">
        <span className="inline-block size-3 rounded-[2px] bg-muted" /> not compared
      </span>
    </div>
  );
}
