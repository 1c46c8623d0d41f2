"use client";
// The correction form of a trigger that declares a correction schema: its fields, rendered
// from the published JSON Schema (see correction-fields.ts), with the API's issues shown under
// the field they name.
import * as React from "react";
import { Input, Label, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { CorrectionField } from "../correction-fields";
import { OptionPicker } from "./option-picker";

export interface CorrectionFormHandle {
  focusFirst(): void;
}

export function CorrectionForm({
  trigger, fields, values, onChange, issues, ref,
}: {
  trigger: string;
  fields: CorrectionField[];
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  /** Messages by field name ("" for the correction as a whole). */
  issues: Record<string, string>;
  ref?: React.Ref<CorrectionFormHandle>;
}) {
  const first = React.useRef<HTMLElement | null>(null);
  const setFirst = React.useCallback((el: HTMLElement | null) => {
    first.current = el;
  }, []);
  React.useImperativeHandle(ref, () => ({ focusFirst: () => first.current?.focus() }));
  const blurOnEscape = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      (e.target as HTMLElement).blur();
    }
  };

  return (
    <fieldset className="grid gap-3 rounded-md border p-3" data-testid="correction-form">
      <legend className="px-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Correction <span className="font-normal normal-case">(saved with the label; esc leaves a field)</span></legend>
      {fields.map((f, i) => {
        const id = `correction-${f.name}`;
        const issue = issues[f.name];
        const hintId = `${id}-hint`;
        const refFor = i === 0 ? setFirst : undefined;
        const value = values[f.name] ?? "";
        return (
          <div key={f.name} className="grid gap-1.5" data-testid={`correction-field-${f.name}`}>
            <Label htmlFor={id}>{f.title}</Label>
            {f.kind === "options" ? (
              <OptionPicker id={id} ref={refFor} trigger={trigger} field={[f.name]} value={value} onChange={(v) => onChange(f.name, v)} invalid={!!issue} describedBy={hintId} />
            ) : f.kind === "enum" ? (
              <Select aria-label={f.title} value={value || "__none"} onValueChange={(v) => onChange(f.name, v === "__none" ? "" : v)} options={[{ value: "__none", label: "—" }, ...f.values.map((v) => ({ value: v, label: v }))]} />
            ) : f.kind === "boolean" ? (
              <Select aria-label={f.title} value={value || "__none"} onValueChange={(v) => onChange(f.name, v === "__none" ? "" : v)} options={[{ value: "__none", label: "—" }, { value: "true", label: "true" }, { value: "false", label: "false" }]} />
            ) : f.kind === "number" ? (
              <Input id={id} ref={refFor} type="number" step={f.integer ? 1 : "any"} value={value} onChange={(e) => onChange(f.name, e.target.value)} onKeyDown={blurOnEscape} aria-invalid={!!issue || undefined} aria-describedby={hintId} />
            ) : f.kind === "text" && !f.multiline ? (
              <Input id={id} ref={refFor} value={value} onChange={(e) => onChange(f.name, e.target.value)} onKeyDown={blurOnEscape} aria-invalid={!!issue || undefined} aria-describedby={hintId} />
            ) : (
              <Textarea id={id} ref={refFor} rows={f.kind === "json" ? 4 : 5} className={f.kind === "json" ? "font-mono text-xs" : undefined} value={value} onChange={(e) => onChange(f.name, e.target.value)} onKeyDown={blurOnEscape} aria-invalid={!!issue || undefined} aria-describedby={hintId} />
            )}
            <p id={hintId} className={issue ? "text-xs text-destructive" : "text-xs text-muted-foreground"} data-testid={issue ? `correction-issue-${f.name}` : undefined}>
              {issue ?? f.description ?? (f.kind === "options" ? `One of the ${f.optionsFrom.relation}` : "")}
            </p>
          </div>
        );
      })}
      {issues[""] && <p className="text-xs text-destructive" data-testid="correction-issue">{issues[""]}</p>}
    </fieldset>
  );
}
