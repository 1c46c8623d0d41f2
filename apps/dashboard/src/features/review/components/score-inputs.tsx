"use client";
// The scores a trigger declares, as inputs in the label panel: a 1..N button row for small
// whole-number ranges, a number field otherwise, a select for categories, a text area for text.
import { Input, Label, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { cn } from "@/lib/utils";
import type { ScoreConfigLike } from "../score-values";

export function ScoreInputs({ configs, values, onChange, issues }: {
  configs: Record<string, ScoreConfigLike>;
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  /** Messages by score name from the last refused save. */
  issues: Record<string, string>;
}) {
  const names = Object.keys(configs);
  if (names.length === 0) return null;
  return (
    <fieldset className="grid gap-3 rounded-md border p-3" data-testid="score-inputs">
      <legend className="px-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">Scores</legend>
      {names.map((name) => {
        const config = configs[name]!;
        const id = `score-${name}`;
        const value = values[name] ?? "";
        const small = config.kind === "numeric" && config.integer && config.min !== undefined && config.max !== undefined && config.max - config.min <= 10;
        return (
          <div key={name} className="grid gap-1.5">
            <Label htmlFor={id}>
              {name} {config.description && <span className="font-normal text-muted-foreground">— {config.description}</span>}
            </Label>
            {small && config.kind === "numeric" ? (
              <div className="flex flex-wrap gap-1" role="radiogroup" aria-label={name} id={id}>
                {Array.from({ length: config.max! - config.min! + 1 }, (_, i) => String(config.min! + i)).map((v) => (
                  <button
                    key={v}
                    type="button"
                    role="radio"
                    aria-checked={value === v}
                    onClick={() => onChange(name, value === v ? "" : v)}
                    className={cn("h-8 min-w-8 rounded-md border px-2 text-sm", value === v ? "border-primary bg-primary text-primary-foreground" : "hover:bg-muted")}
                    data-testid={`score-${name}-${v}`}
                  >
                    {v}
                  </button>
                ))}
              </div>
            ) : config.kind === "numeric" ? (
              <Input id={id} type="number" inputMode="decimal" min={config.min} max={config.max} step={config.integer ? 1 : "any"} value={value} onChange={(e) => onChange(name, e.target.value)} className="w-32" />
            ) : config.kind === "categorical" ? (
              <Select aria-label={name} value={value || "__none"} onValueChange={(v) => onChange(name, v === "__none" ? "" : v)} options={[{ value: "__none", label: "—" }, ...config.values.map((v) => ({ value: v, label: v }))]} className="w-full sm:w-56" />
            ) : (
              <Textarea id={id} rows={2} maxLength={config.maxLength} value={value} onChange={(e) => onChange(name, e.target.value)} />
            )}
            {issues[name] && <p className="text-xs text-destructive" role="alert">{issues[name]}</p>}
          </div>
        );
      })}
    </fieldset>
  );
}
