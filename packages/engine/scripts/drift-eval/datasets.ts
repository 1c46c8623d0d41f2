// Real public data sets with timestamps from the vega-datasets package, cut into time
// partitions. None is used elsewhere in the project (flights is the bench's data set).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { partitionKeyFunction } from "../../src/drift/partition-key.ts";

export type Row = Record<string, string | number | null>;

export interface Dataset {
  name: string;
  /** Partitions in time order; each a list of rows. */
  partitions: { key: string; rows: Row[] }[];
  numeric: string[];
  categorical: string[];
}

const require = createRequire(import.meta.url);

function dataFile(name: string): string {
  // The package exports only its JS entry; its data files sit beside it.
  return path.join(path.dirname(path.dirname(require.resolve("vega-datasets"))), "data", name);
}

/** Plain CSV (no quoted fields in these files; checked below). */
function readCsv(name: string): Record<string, string>[] {
  const text = fs.readFileSync(dataFile(name), "utf8");
  if (text.includes('"')) throw new Error(`${name} has quoted fields; this reader does not handle them`);
  const [head, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0);
  const names = head!.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    if (cells.length !== names.length) throw new Error(`${name}: a line has ${cells.length} cells, expected ${names.length}`);
    return Object.fromEntries(names.map((n, i) => [n, cells[i]!]));
  });
}

/**
 * Month partitions (through the engine's own partition keys), each month joined with the
 * following ones until it holds at least `minRows` rows: months of a few rows say nothing.
 */
function partitionByMonth(rows: Row[], dateField: string, minRows: number): Dataset["partitions"] {
  const keyOf = partitionKeyFunction({ by: dateField, granularity: "month" });
  const months = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row, new Date(0));
    const { [dateField]: _date, ...rest } = row;
    let list = months.get(key);
    if (!list) months.set(key, (list = []));
    list.push(rest);
  }
  const out: Dataset["partitions"] = [];
  let pending: Row[] = [];
  let first = "";
  for (const key of [...months.keys()].sort()) {
    if (pending.length === 0) first = key;
    pending.push(...months.get(key)!);
    if (pending.length >= minRows) {
      out.push({ key: first, rows: pending });
      pending = [];
    }
  }
  if (pending.length > 0 && out.length > 0) out[out.length - 1]!.rows.push(...pending);
  return out;
}

/** FAA wildlife strikes 1990–2002: 10,000 rows, 4 numeric and 9 categorical columns. */
export function birdstrikes(minRows = 150): Dataset {
  const numeric = ["Cost Other", "Cost Repair", "Cost Total $", "Speed IAS in knots"];
  const raw = readCsv("birdstrikes.csv");
  const rows = raw.map((r) => {
    const row: Row = {};
    for (const [k, v] of Object.entries(r)) row[k] = numeric.includes(k) ? (v === "" ? null : Number(v)) : v === "" ? null : v;
    return row;
  });
  const categorical = Object.keys(raw[0]!).filter((k) => k !== "Flight Date" && !numeric.includes(k));
  return { name: "birdstrikes", partitions: partitionByMonth(rows, "Flight Date", minRows), numeric, categorical };
}

/** European football results 2013–2017: 6,508 matches, 2 numeric and 3 categorical columns. */
export function football(minRows = 120): Dataset {
  const raw = JSON.parse(fs.readFileSync(dataFile("football.json"), "utf8")) as Row[];
  return {
    name: "football",
    partitions: partitionByMonth(raw, "date", minRows),
    numeric: ["home_score", "away_score"],
    categorical: ["division", "home_team", "away_team"],
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Films released 1990–2010 (2,900 of the file's 3,201; earlier years hold a few films each and
 * later dates are two-digit-year errors): 8 numeric columns (grosses, budget, ratings, votes,
 * running time; many nulls, heavy tails) and 6 categorical. Title is left out: an identifier.
 */
export function movies(minRows = 100): Dataset {
  const numeric = ["US Gross", "Worldwide Gross", "US DVD Sales", "Production Budget", "Running Time min", "Rotten Tomatoes Rating", "IMDB Rating", "IMDB Votes"];
  const categorical = ["MPAA Rating", "Distributor", "Source", "Major Genre", "Creative Type", "Director"];
  const raw = JSON.parse(fs.readFileSync(dataFile("movies.json"), "utf8")) as Record<string, string | number | null>[];
  const rows: Row[] = [];
  for (const r of raw) {
    // "Jun 12 1998": read by hand, not through Date.parse's locale-dependent guessing.
    const m = /^([A-Z][a-z]{2}) (\d{1,2}) (\d{4})$/.exec(String(r["Release Date"]));
    if (!m || !MONTHS.includes(m[1]!)) continue;
    const year = Number(m[3]);
    if (year < 1990 || year > 2010) continue;
    const row: Row = { released: `${m[3]}-${String(MONTHS.indexOf(m[1]!) + 1).padStart(2, "0")}-${m[2]!.padStart(2, "0")}` };
    for (const c of numeric) row[c] = typeof r[c] === "number" ? r[c] : null;
    for (const c of categorical) row[c] = typeof r[c] === "string" && r[c] !== "" ? r[c] : null;
    rows.push(row);
  }
  return { name: "movies", partitions: partitionByMonth(rows, "released", minRows), numeric, categorical };
}

/**
 * Daily weather of Seattle and New York 2012–2015 (2,922 rows; month partitions of ~61 rows):
 * 4 numeric columns (precipitation, zero-inflated; temperatures and wind, strongly seasonal) and
 * 2 categorical. Added as a second tuning set in the third round: its clean partitions move with
 * the seasons (snow only in winter), the kind of real change the birdstrikes split rarely shows.
 */
export function weather(minRows = 50): Dataset {
  const numeric = ["precipitation", "temp_max", "temp_min", "wind"];
  const rows: Row[] = readCsv("weather.csv").map((r) => {
    const row: Row = { date: r.date!, location: r.location || null, weather: r.weather || null };
    for (const c of numeric) row[c] = r[c] === "" || r[c] === undefined ? null : Number(r[c]);
    return row;
  });
  return { name: "weather", partitions: partitionByMonth(rows, "date", minRows), numeric, categorical: ["location", "weather"] };
}

/**
 * A year of clean, i.i.d. daily partitions (the bench's synthetic year: 35 numeric columns of
 * bounded uniform integers, 15 categorical with 3–17 equally likely values): every flag on it is
 * a false alarm. `rows` per partition.
 */
export function syntheticYear(rows = 100, seed = 1): Dataset {
  let state = seed;
  const random = () => ((state = (state * 16807) % 2147483647) - 1) / 2147483646;
  const numeric = Array.from({ length: 35 }, (_, c) => `n${c}`);
  const categorical = Array.from({ length: 15 }, (_, c) => `s${c}`);
  const partitions: Dataset["partitions"] = [];
  for (let d = 0; d < 365; d++) {
    const list: Row[] = [];
    for (let r = 0; r < rows; r++) {
      const row: Row = {};
      for (let c = 0; c < 35; c++) row[`n${c}`] = Math.round(100 * random() * (c + 1));
      for (let c = 0; c < 15; c++) row[`s${c}`] = `v${Math.floor(random() * (3 + c))}`;
      list.push(row);
    }
    partitions.push({ key: new Date(Date.UTC(2001, 0, 1 + d)).toISOString().slice(0, 10), rows: list });
  }
  return { name: `synthetic-${rows}`, partitions, numeric, categorical };
}
