"use client";
import * as React from "react";
import { useMutation } from "@tanstack/react-query";
import { AlertTriangle, Loader2, Pencil, RotateCcw, SlidersHorizontal } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label, Textarea } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import { errorMessage } from "@/components/states";
import { JsonView, previewJson } from "@/components/json-view";
import { errorCode, formatPath } from "@/lib/issues";
import { RequireRole } from "@/features/auth/role";
import { diffParams, paramsDraft, paramsIssues, parseParamsDraft } from "../params";
import { useInvalidateTrigger } from "./state-view";

/** The trigger's per-deployment params; admins edit them as JSON (validated by the trigger's schema on the server). */
export function ParamsCard({ trigger, params, paramsHash }: { trigger: string; params: unknown; paramsHash: string }) {
  const [editing, setEditing] = React.useState(false);
  return (
    <Card data-testid="params-card">
      <CardHeader>
        <div>
          <CardTitle className="flex items-center gap-2"><SlidersHorizontal className="size-4" /> Params</CardTitle>
          <CardDescription>
            Passed to setUp, infer and fit. Cached inferences are keyed by the params hash <span className="font-mono">{paramsHash.slice(0, 12)}</span>.
          </CardDescription>
        </div>
        {!editing && (
          <RequireRole role="admin">
            <Button variant="outline" size="sm" onClick={() => setEditing(true)} data-testid="edit-params">
              <Pencil /> Edit params
            </Button>
          </RequireRole>
        )}
      </CardHeader>
      <CardContent>
        {editing ? <ParamsEditor trigger={trigger} params={params} onDone={() => setEditing(false)} /> : <JsonView value={params} maxHeight="18rem" />}
      </CardContent>
    </Card>
  );
}

function ParamsEditor({ trigger, params, onDone }: { trigger: string; params: unknown; onDone: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateTrigger(trigger);
  const [text, setText] = React.useState(() => paramsDraft(params));
  const parsed = React.useMemo(() => parseParamsDraft(text), [text]);
  const changes = React.useMemo(() => (parsed.ok ? diffParams(params, parsed.value) : []), [parsed, params]);
  const save = useMutation(
    trpc.triggers.setParams.mutationOptions({
      onSuccess: async (result) => {
        toast({ title: `Params of ${trigger} saved`, description: `Hash ${result.paramsHash.slice(0, 12)}; new inferences use them.`, variant: "success" });
        await invalidate();
        onDone();
      },
    }),
  );
  const issues = save.isError ? paramsIssues(save.error) : [];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!parsed.ok) return;
    save.mutate({ trigger, params: parsed.value });
  };
  return (
    <form onSubmit={submit} className="grid gap-3" data-testid="params-editor">
      <div className="grid gap-1.5">
        <Label htmlFor="params-json">Params (JSON object; omitted keys take the schema’s defaults)</Label>
        <Textarea
          id="params-json"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (save.isError) save.reset();
          }}
          spellCheck={false}
          rows={Math.min(24, Math.max(8, text.split("\n").length + 1))}
          className="font-mono text-xs leading-relaxed"
          aria-invalid={!parsed.ok || issues.length > 0}
          aria-describedby="params-errors"
        />
      </div>
      <div id="params-errors" aria-live="polite">
        {!parsed.ok ? (
          <p className="text-xs text-destructive" data-testid="params-parse-error">{parsed.message}</p>
        ) : save.isError ? (
          <div role="alert" data-testid="params-errors" className="rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm text-destructive">
            <p className="flex items-center gap-1.5 font-medium"><AlertTriangle className="size-4" /> {errorCode(save.error) === "BAD_REQUEST" && issues.length ? `The trigger’s schema rejected ${issues.length === 1 ? "this value" : `${issues.length} values`}; nothing was saved` : "Couldn’t save the params"}</p>
            {issues.length > 0 ? (
              <ul className="mt-1.5 space-y-0.5 text-xs">
                {issues.map((i, n) => (
                  <li key={n} data-testid="params-issue"><code className="rounded bg-destructive/10 px-1 font-mono font-medium">{formatPath(i.path)}</code> {i.message}</li>
                ))}
              </ul>
            ) : (
              <p className="mt-0.5 text-xs">{errorMessage(save.error)}</p>
            )}
          </div>
        ) : changes.length > 0 ? (
          <div className="text-xs text-muted-foreground" data-testid="params-changes">
            <span className="font-medium text-foreground">{changes.length} change{changes.length === 1 ? "" : "s"}:</span>{" "}
            {changes.map((c, n) => (
              <span key={c.key}>
                {n > 0 && ", "}
                <code className="font-mono">{c.key}</code> {c.from === undefined ? "(default)" : previewJson(c.from, 40)} → {c.to === undefined ? "(default)" : previewJson(c.to, 40)}
              </span>
            ))}
          </div>
        ) : (
          <p className="text-xs text-muted-foreground">No changes yet.</p>
        )}
      </div>
      <div className="flex items-center gap-2">
        <Button type="button" variant="ghost" size="sm" onClick={() => { setText(paramsDraft(params)); save.reset(); }} disabled={changes.length === 0 && parsed.ok}>
          <RotateCcw /> Reset
        </Button>
        <div className="ml-auto flex gap-2">
          <Button type="button" variant="ghost" size="sm" onClick={onDone}>Cancel</Button>
          <Button type="submit" size="sm" disabled={!parsed.ok || changes.length === 0 || save.isPending} data-testid="save-params">
            {save.isPending && <Loader2 className="animate-spin" />} Save params
          </Button>
        </div>
      </div>
    </form>
  );
}
