// The Compare page's params-variant pick (from the URL) and one variant's figures on a version.
import type { VersionOutcomes } from "./components/outcomes-compare";

export interface VariantPick {
  a: string;
  b: string;
  version: number;
}

/** `va`/`vb` name variants ("default" is the trigger's own params), `vv` the version; defaults: default vs the first variant, on active. */
export function variantPick(params: URLSearchParams, names: readonly string[], active: number | null, versions: readonly number[]): VariantPick | null {
  if (names.length < 2) return null;
  const known = (n: string | null) => (n !== null && names.includes(n) ? n : null);
  const a = known(params.get("va")) ?? "default";
  const b = known(params.get("vb")) ?? names.find((n) => n !== a)!;
  const raw = Number(params.get("vv"));
  const version = params.get("vv") !== null && Number.isInteger(raw) && versions.includes(raw) ? raw : (active ?? versions[0] ?? null);
  return version === null ? null : { a, b, version };
}

const EMPTY = { inferences: 0, errors: 0, errorRate: null, cached: 0, cacheHitRate: null, latencyMs: null, feedback: { good: 0, bad: 0, corrected: 0, labeled: 0, goodRate: null, interval: null } };

/** The figures of one params hash on a version (zeros when that hash served nothing there). */
export function variantFigures(version: { byParams: readonly (VersionOutcomes & { paramsHash: string })[] }, hash: string | null): VersionOutcomes {
  return version.byParams.find((p) => p.paramsHash === hash) ?? EMPTY;
}
