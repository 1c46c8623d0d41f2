"use client";
// A searchable select for a correction field picked from a relation (`optionsFrom`): typing
// searches the values and their labels through triggers.correctionOptions; arrows move, Enter
// picks, Escape closes. A combobox in the ARIA sense, so screen readers and tests find it by role.
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { Check, Loader2, X } from "lucide-react";
import { useTRPC } from "@/lib/trpc/client";
import { cn } from "@/lib/utils";
import { Input } from "@/components/ui/input";

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = React.useState(value);
  React.useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

export function OptionPicker({
  id, trigger, field, value, onChange, invalid, describedBy, ref,
}: {
  id: string;
  trigger: string;
  field: string[];
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
  describedBy?: string;
  ref?: React.Ref<HTMLInputElement>;
}) {
  const trpc = useTRPC();
  const [open, setOpen] = React.useState(false);
  const [text, setText] = React.useState("");
  const [active, setActive] = React.useState(0);
  const [picked, setPicked] = React.useState<{ value: string; label: string | null } | null>(null);
  const search = useDebounced(text.trim(), 150);
  const options = useQuery({ ...trpc.triggers.correctionOptions.queryOptions({ trigger, field, search: search || undefined, limit: 30 }), enabled: open, placeholderData: (previous) => previous });
  const items = options.data?.items ?? [];
  const listId = `${id}-options`;

  const pick = (item: { value: string; label: string | null }) => {
    setPicked(item);
    onChange(item.value);
    setText("");
    setOpen(false);
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setOpen(true);
      setActive((i) => Math.min(i + 1, Math.max(0, items.length - 1)));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => Math.max(0, i - 1));
    } else if (e.key === "Enter" && open && items[active]) {
      e.preventDefault();
      pick(items[active]!);
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (open) setOpen(false);
      else (e.target as HTMLElement).blur();
    }
  };
  const shown = picked?.value === value ? picked : value ? { value, label: null } : null;

  return (
    <div className="relative">
      {shown && !open ? (
        <div className={cn("flex h-9 items-center gap-2 rounded-md border bg-card px-3 text-sm", invalid && "border-destructive")} data-testid={`${id}-picked`}>
          <span className="min-w-0 flex-1 truncate">
            {shown.label ? <><span className="font-medium">{shown.label}</span> <span className="text-muted-foreground">{shown.value}</span></> : shown.value}
          </span>
          <button type="button" className="text-xs text-muted-foreground hover:underline" onClick={() => setOpen(true)}>change</button>
          <button type="button" aria-label="Clear" className="text-muted-foreground hover:text-foreground" onClick={() => { setPicked(null); onChange(""); }}>
            <X className="size-3.5" />
          </button>
        </div>
      ) : (
        <Input
          id={id}
          ref={ref}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          aria-activedescendant={open && items[active] ? `${listId}-${active}` : undefined}
          autoComplete="off"
          placeholder="Search…"
          value={text}
          onChange={(e) => { setText(e.target.value); setActive(0); setOpen(true); }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={onKeyDown}
          className={cn(invalid && "border-destructive")}
        />
      )}
      {open && (
        <ul id={listId} role="listbox" className="absolute z-40 mt-1 max-h-64 w-full overflow-y-auto rounded-md border bg-card p-1 shadow-lg">
          {options.isPending ? (
            <li className="flex items-center gap-2 px-2 py-1.5 text-sm text-muted-foreground"><Loader2 className="size-3.5 animate-spin" /> Loading…</li>
          ) : options.isError ? (
            <li className="px-2 py-1.5 text-sm text-destructive">{options.error.message}</li>
          ) : items.length === 0 ? (
            <li className="px-2 py-1.5 text-sm text-muted-foreground">No match</li>
          ) : (
            items.map((item, i) => (
              <li
                key={item.value}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(item)}
                onMouseEnter={() => setActive(i)}
                className={cn("flex cursor-pointer items-center gap-2 rounded-sm px-2 py-1.5 text-sm", i === active && "bg-accent")}
              >
                <span className="min-w-0 flex-1 truncate">
                  {item.label ? <><span className="font-medium">{item.label}</span> <span className="text-xs text-muted-foreground">{item.value}</span></> : item.value}
                </span>
                {item.value === value && <Check className="size-3.5 shrink-0" />}
              </li>
            ))
          )}
        </ul>
      )}
    </div>
  );
}
