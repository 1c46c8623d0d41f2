// How inferences and feedback look in API responses, shared by the rows, inferences and
// feedback routers.
import { toBool, toDate, toNum, type Provider } from "@motion/db";
import { readJson } from "./common.ts";

export function inferenceItem(i: Record<string, unknown>, provider: Provider) {
  return {
    id: i.id as string,
    rowId: i.rowId as string,
    relation: i.relation as string,
    trigger: i.trigger as string,
    route: i.route as string,
    output: readJson(provider, i.output),
    error: (i.error as string | null) ?? null,
    stateVersion: toNum(i.stateVersion),
    paramsHash: i.paramsHash as string,
    cached: toBool(i.cached),
    latencyMs: toNum(i.latencyMs),
    createdAt: toDate(i.createdAt),
  };
}

export function feedbackItem(f: Record<string, unknown>, provider: Provider) {
  return {
    id: f.id as string,
    inferenceId: f.inferenceId as string,
    label: f.label as "good" | "bad",
    correction: readJson(provider, f.correction),
    note: (f.note as string | null) ?? null,
    actor: f.actor as string,
    createdAt: toDate(f.createdAt),
  };
}
