"use client";
import * as React from "react";
import Link from "next/link";
import { Loader2, ThumbsDown, ThumbsUp } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Kbd } from "@/components/ui/kbd";
import { Label, Textarea } from "@/components/ui/input";
import { JsonView } from "@/components/json-view";
import { RelativeTime } from "@/components/relative-time";
import { formatMs } from "@/lib/time";
import { correctionDraft, parseCorrection } from "../filters";
import { buildCorrection, correctionFields, correctionIssues, initialValues, type IssueLike } from "../correction-fields";
import { CorrectionForm, type CorrectionFormHandle } from "./correction-form";
import { ScoreInputs } from "./score-inputs";
import { initialScoreText, scoreValues, type ScoreConfigLike } from "../score-values";
import type { ReviewItem } from "./review-view";

export interface LabelPanelHandle {
  /** The correction to send (typed as the trigger's schema wants, or parsed from free text) and the note. */
  draft(): { correction?: unknown; note?: string; scores?: Record<string, number | string> };
  reset(): void;
  focusCorrection(): void;
  focusNote(): void;
}

export function LabelPanel({
  item, canLabel, pending, onLabel, localLabel, correctionSchema, issues, ref, scoreConfigs = {},
}: {
  /** Scores the trigger declares besides good/bad (saved with the label). */
  scoreConfigs?: Record<string, ScoreConfigLike>;
  item: ReviewItem;
  /** The trigger's published correction schema (JSON Schema), null: free text / JSON, undefined: not loaded yet. */
  correctionSchema: unknown;
  /** Issues of the last failed label (paths under `correction` are shown at their field). */
  issues?: readonly IssueLike[] | null;
  canLabel: boolean;
  pending: boolean;
  onLabel: (label: "good" | "bad") => void;
  localLabel?: "good" | "bad";
  ref: React.Ref<LabelPanelHandle>;
}) {
  const [editing, setEditing] = React.useState(false);
  const [correction, setCorrection] = React.useState("");
  const [note, setNote] = React.useState("");
  const [showNote, setShowNote] = React.useState(false);
  const correctionRef = React.useRef<HTMLTextAreaElement>(null);
  const noteRef = React.useRef<HTMLTextAreaElement>(null);
  const formRef = React.useRef<CorrectionFormHandle>(null);
  // With a declared schema the correction is a form; without, the output as editable text.
  const fields = React.useMemo(() => correctionFields(correctionSchema), [correctionSchema]);
  // Until the trigger's schema is known, which editor to show (and focus) is not: a busy page
  // that showed the free-text one would swap it for the form under the operator's cursor.
  const schemaKnown = correctionSchema !== undefined;
  const initial = React.useMemo(() => (fields ? initialValues(fields, item.output) : {}), [fields, item.output]);
  // The operator's edits over the initial values (the schema may arrive after the item).
  const [edits, setEdits] = React.useState<Record<string, string>>({});
  const values = React.useMemo(() => ({ ...initial, ...edits }), [initial, edits]);
  const fieldIssues = React.useMemo(() => correctionIssues(issues), [issues]);
  const initialScores = React.useMemo(() => initialScoreText(item.scores), [item.scores]);
  const [scoreEdits, setScoreEdits] = React.useState<Record<string, string>>({});
  const scoreText = React.useMemo(() => ({ ...initialScores, ...scoreEdits }), [initialScores, scoreEdits]);
  const scoreIssues = React.useMemo(() => {
    const out: Record<string, string> = {};
    for (const i of issues ?? []) if (i.path[0] === "scores" && typeof i.path[1] === "string") out[i.path[1]] = i.message;
    return out;
  }, [issues]);
  const hasIssues = Object.keys(fieldIssues).length > 0;
  const showEditor = editing || hasIssues;

  // Focus moves into the editor once it is in the DOM: an effect after the commit that shows it,
  // not a guess of one animation frame (a busy page may not have rendered it by then).
  const focusEditor = React.useRef(false);
  const focusNow = React.useCallback(() => {
    if (fields) formRef.current?.focusFirst();
    else correctionRef.current?.focus();
  }, [fields]);
  React.useEffect(() => {
    if (!showEditor || !focusEditor.current || !schemaKnown) return;
    focusEditor.current = false;
    focusNow();
  }, [showEditor, focusNow, schemaKnown]);
  const startEditing = () => {
    if (showEditor) {
      if (schemaKnown) focusNow();
      else focusEditor.current = true;
      return;
    }
    if (!fields) setCorrection(correctionDraft(item.output));
    focusEditor.current = true;
    setEditing(true);
  };

  React.useImperativeHandle(ref, () => ({
    draft: () => {
      let value: unknown;
      if (fields) value = showEditor ? buildCorrection(fields, values, initial) : undefined;
      else if (editing && correction !== correctionDraft(item.output)) value = parseCorrection(correction, item.output);
      const scores = scoreValues(scoreConfigs, scoreText, initialScores);
      return { ...(value !== undefined ? { correction: value } : {}), ...(note.trim() ? { note: note.trim() } : {}), ...(Object.keys(scores).length ? { scores } : {}) };
    },
    reset: () => {
      setEditing(false);
      setCorrection("");
      setEdits({});
      setScoreEdits({});
      setNote("");
      setShowNote(false);
    },
    focusCorrection: startEditing,
    focusNote: () => {
      setShowNote(true);
      requestAnimationFrame(() => noteRef.current?.focus());
    },
  }));

  const blurOnEscape = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      (e.target as HTMLElement).blur();
    }
  };
  const last = item.feedback.at(-1);
  const label = localLabel ?? last?.label;

  return (
    <Card className="overflow-hidden" data-testid="label-panel" data-inference={item.id}>
      <div className="flex flex-wrap items-center gap-2 border-b bg-muted/30 px-4 py-2.5 text-xs">
        <span className="font-medium">{item.trigger}/{item.route}</span>
        <Badge variant="outline">state v{item.stateVersion}</Badge>
        <span className="text-muted-foreground">{formatMs(item.latencyMs)}</span>
        {item.cached && <Badge variant="secondary">cached</Badge>}
        <AnsweredBy output={item.output} />
        {label && <Badge variant={label === "good" ? "success" : "destructive"} data-testid="current-label">labeled {label}</Badge>}
        <span className="ml-auto text-muted-foreground">
          <Link href={`/relations/${encodeURIComponent(item.relation)}?row=${item.rowId}`} className="hover:underline">row</Link> · <RelativeTime date={item.createdAt} />
        </span>
      </div>
      <div className="grid gap-4 p-4">
        <section>
          <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Input</h3>
          <JsonView value={item.input} maxHeight="10rem" />
        </section>
        <section>
          <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Output</h3>
          {item.error ? <pre className="rounded-md border border-destructive/30 bg-destructive/5 p-3 text-xs whitespace-pre-wrap text-destructive">{item.error}</pre> : <OutputView output={item.output} />}
        </section>
        {item.feedback.length > 0 && (
          <section className="text-xs text-muted-foreground">
            {item.feedback.map((f) => (
              <div key={f.id}>
                <Badge variant={f.label === "good" ? "success" : "destructive"}>{f.label}</Badge> by {f.actor} <RelativeTime date={f.createdAt} />
                {f.note ? ` — ${f.note}` : ""}
              </div>
            ))}
          </section>
        )}
        {canLabel && (
          <>
            {showEditor && fields && (
              <CorrectionForm ref={formRef} trigger={item.trigger} fields={fields} values={values} onChange={(name, v) => setEdits((all) => ({ ...all, [name]: v }))} issues={fieldIssues} />
            )}
            {editing && schemaKnown && !fields && (
              <div className="grid gap-1.5">
                <Label htmlFor="correction">Corrected output <span className="font-normal text-muted-foreground">(saved with the label; esc to leave the field)</span></Label>
                <Textarea id="correction" ref={correctionRef} rows={5} value={correction} onChange={(e) => setCorrection(e.target.value)} onKeyDown={blurOnEscape} />
              </div>
            )}
            <ScoreInputs configs={scoreConfigs} values={scoreText} onChange={(name, v) => setScoreEdits((all) => ({ ...all, [name]: v }))} issues={scoreIssues} />
            {showNote && (
              <div className="grid gap-1.5">
                <Label htmlFor="note">Note</Label>
                <Textarea id="note" ref={noteRef} rows={2} value={note} onChange={(e) => setNote(e.target.value)} onKeyDown={blurOnEscape} placeholder="Why? (optional)" />
              </div>
            )}
            <div className="flex flex-wrap items-center gap-2">
              <Button variant="success" onClick={() => onLabel("good")} disabled={pending} data-testid="label-good">
                {pending ? <Loader2 className="animate-spin" /> : <ThumbsUp />} Good <Kbd className="ml-1 border-white/30 bg-white/15 text-white">g</Kbd>
              </Button>
              <Button variant="destructive" onClick={() => onLabel("bad")} disabled={pending} data-testid="label-bad">
                <ThumbsDown /> Bad <Kbd className="ml-1 border-white/30 bg-white/15 text-white">b</Kbd>
              </Button>
              {!showEditor && (
                <Button variant="outline" onClick={startEditing}>
                  Edit correction <Kbd className="ml-1">e</Kbd>
                </Button>
              )}
              {!showNote && (
                <Button variant="ghost" onClick={() => { setShowNote(true); requestAnimationFrame(() => noteRef.current?.focus()); }}>
                  Add note <Kbd className="ml-1">n</Kbd>
                </Button>
              )}
            </div>
          </>
        )}
      </div>
    </Card>
  );
}

/** Apps that report who answered (`provider`, `model` in the output) get it shown up front. */
function AnsweredBy({ output }: { output: unknown }) {
  const o = output as { provider?: unknown; model?: unknown } | null;
  if (!o || typeof o !== "object" || typeof o.provider !== "string") return null;
  const model = typeof o.model === "string" ? ` · ${o.model}` : "";
  return (
    <Badge variant="outline" title="The provider that produced this output" data-testid="answered-by">
      answered by {o.provider}
      {model}
    </Badge>
  );
}

function OutputView({ output }: { output: unknown }) {
  if (typeof output === "string") return <p className="rounded-md border bg-muted/30 p-3 text-sm whitespace-pre-wrap">{output}</p>;
  const o = output as { answer?: unknown } | null;
  if (o && typeof o === "object" && typeof o.answer === "string") {
    const { answer, ...rest } = o as Record<string, unknown>;
    const sources = citedPages(rest.sources);
    return (
      <div className="space-y-2">
        <p className="rounded-md border bg-muted/30 p-3 text-sm whitespace-pre-wrap" data-testid="output-answer">{answer as string}</p>
        {sources.length > 0 && (
          <ol className="list-decimal space-y-0.5 pl-5 text-xs" aria-label="Sources" data-testid="output-sources">
            {sources.map((s) => (
              <li key={s.url} data-testid="output-source" data-url={s.url}>
                {s.title ? <><span className="font-medium">{s.title}</span> <span className="text-muted-foreground">{s.url}</span></> : s.url}
              </li>
            ))}
          </ol>
        )}
        {Object.keys(rest).length > 0 && (
          <details className="text-xs">
            <summary className="cursor-pointer text-muted-foreground">More fields ({Object.keys(rest).join(", ")})</summary>
            <JsonView value={rest} maxHeight="14rem" className="mt-1.5" />
          </details>
        )}
      </div>
    );
  }
  return <JsonView value={output} maxHeight="16rem" />;
}

/** Distinct pages an output cites (`sources: [{ url, title? }]`), in order; [] for other shapes. */
function citedPages(sources: unknown): { url: string; title: string | null }[] {
  if (!Array.isArray(sources)) return [];
  const seen = new Map<string, string | null>();
  for (const s of sources) {
    const url = (s as { url?: unknown } | null)?.url;
    const title = (s as { title?: unknown } | null)?.title;
    if (typeof url === "string" && !seen.has(url)) seen.set(url, typeof title === "string" ? title : null);
  }
  return [...seen].map(([url, title]) => ({ url, title }));
}
