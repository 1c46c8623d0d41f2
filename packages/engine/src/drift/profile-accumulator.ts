// The profile of one partition of one relation: rows are added one at a time (cheaply: no
// allocation per row once the columns are known), and two profiles of the same partition
// merge — from other batches or other processes — into the profile of all their rows.
import { ColumnProfile, type ColumnProfileJSON } from "./column-profile.ts";
import { isWatched, mayHoldWatched, resolveProfileOptions, type ProfileOptions, type ResolvedProfileOptions } from "./profile-options.ts";

export interface ProfileJSON {
  /** Format version. */
  v: 1;
  rows: number;
  columns: Record<string, ColumnProfileJSON>;
  /** Columns not profiled because the relation already had maxColumns. */
  dropped: number;
}

/** A field path seen in rows: its column (if watched) and nested fields (if followed). */
interface PathNode {
  path: string;
  /** Created on the first value that is not an object, so object-valued paths stay columnless. */
  column: ColumnProfile | null;
  watched: boolean;
  /** Whether nested objects at this path may hold watched columns. */
  descend: boolean;
  children: Map<string, PathNode> | null;
}

export class ProfileAccumulator {
  rows = 0;
  /** Columns by dotted path, in first-seen order. */
  readonly columns = new Map<string, ColumnProfile>();
  dropped = 0;
  private readonly root = new Map<string, PathNode>();

  constructor(readonly options: ResolvedProfileOptions) {}

  /** Adds one validated row. Non-object rows are profiled as a single column named "value". */
  add(row: unknown): void {
    this.rows++;
    if (row !== null && typeof row === "object" && !Array.isArray(row) && !(row instanceof Date)) {
      this.visit(row as Record<string, unknown>, this.root, "", 0);
    } else {
      this.addValue(this.node(this.root, "", "value"), row, 0);
    }
  }

  private visit(object: Record<string, unknown>, nodes: Map<string, PathNode>, prefix: string, depth: number): void {
    for (const key in object) {
      const node = nodes.get(key) ?? this.node(nodes, prefix, key);
      const value = object[key];
      if (value === null || value === undefined) continue;
      this.addValue(node, value, depth);
    }
  }

  private addValue(node: PathNode, value: unknown, depth: number): void {
    const column = node.column ?? (node.watched && (typeof value !== "object" || Array.isArray(value) || value instanceof Date) ? this.columnOf(node) : null);
    switch (typeof value) {
      case "number":
        // NaN and ±Infinity are not values: they count as missing.
        if (column && value - value === 0) column.addNumber(value);
        return;
      case "string":
        column?.addString(value);
        return;
      case "boolean":
        column?.addBoolean(value);
        return;
      case "object":
        if (value === null) return;
        if (Array.isArray(value)) {
          if (column && value.length > 0 && typeof value[0] === "number") column.addEmbedding(value);
          return;
        }
        if (value instanceof Date) {
          const time = value.getTime();
          if (column && time - time === 0) column.addNumber(time);
          return;
        }
        if (node.descend && depth < this.options.maxDepth) {
          node.children ??= new Map();
          this.visit(value as Record<string, unknown>, node.children, node.path, depth + 1);
        }
        return;
      default:
    }
  }

  /** First sight of a path: decide once whether it is watched, and create its column. */
  private node(nodes: Map<string, PathNode>, prefix: string, key: string): PathNode {
    const path = prefix ? `${prefix}.${key}` : key;
    const node: PathNode = { path, column: null, watched: isWatched(this.options, path), descend: mayHoldWatched(this.options, path), children: null };
    nodes.set(key, node);
    return node;
  }

  private columnOf(node: PathNode): ColumnProfile | null {
    const existing = this.columns.get(node.path);
    if (existing) return (node.column = existing);
    node.watched = false;
    if (this.columns.size >= this.options.maxColumns) {
      this.dropped++;
      return null;
    }
    const column = new ColumnProfile();
    this.columns.set(node.path, column);
    return (node.column = column);
  }

  /** Adds every row of `other` (a profile of the same partition) into this one. */
  merge(other: ProfileAccumulator): this {
    this.rows += other.rows;
    this.dropped += other.dropped;
    const incoming = [...other.columns].filter(([path]) => !this.columns.has(path));
    for (const [path, column] of other.columns) this.columns.get(path)?.merge(column);
    // Over the cap, keep the columns with the most values (ties by name): independent of merge order.
    const room = this.options.maxColumns - this.columns.size;
    incoming.sort(([pa, a], [pb, b]) => b.count - a.count || (pa < pb ? -1 : 1));
    for (const [i, [path, column]] of incoming.entries()) {
      if (i < room) this.columns.set(path, ColumnProfile.fromJSON(column.toJSON()));
      else this.dropped++;
    }
    return this;
  }

  toJSON(): ProfileJSON {
    const columns: Record<string, ColumnProfileJSON> = {};
    for (const path of [...this.columns.keys()].sort()) columns[path] = this.columns.get(path)!.toJSON();
    return { v: 1, rows: this.rows, columns, dropped: this.dropped };
  }

  static fromJSON(json: ProfileJSON, options: ResolvedProfileOptions): ProfileAccumulator {
    if (json?.v !== 1) throw new Error(`unsupported profile format ${String(json?.v)}`);
    const acc = new ProfileAccumulator(options);
    acc.rows = json.rows;
    acc.dropped = json.dropped;
    for (const [path, column] of Object.entries(json.columns)) acc.columns.set(path, ColumnProfile.fromJSON(column));
    return acc;
  }
}

/** A new, empty profile for one partition. */
export function createAccumulator(options: ProfileOptions = {}): ProfileAccumulator {
  return new ProfileAccumulator(resolveProfileOptions(options));
}

/** The profile of the rows of both (of the same partition); neither input changes. */
export function merge(a: ProfileAccumulator, b: ProfileAccumulator): ProfileAccumulator {
  return ProfileAccumulator.fromJSON(a.toJSON(), a.options).merge(b);
}

/** Merges stored profile JSON (e.g. on write to the database). */
export function mergeProfileJSON(a: ProfileJSON, b: ProfileJSON, options: ProfileOptions = {}): ProfileJSON {
  const resolved = resolveProfileOptions(options);
  return ProfileAccumulator.fromJSON(a, resolved).merge(ProfileAccumulator.fromJSON(b, resolved)).toJSON();
}
