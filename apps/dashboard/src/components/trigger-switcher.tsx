"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { Select } from "@/components/ui/select";

/** Switches the trigger (or relation: `label`) in a /<section>/<name> URL, keeping the section. */
export function TriggerSwitcher({ base, current, triggers, label = "Trigger" }: { base: string; current: string; triggers: string[]; label?: string }) {
  const router = useRouter();
  return (
    <Select
      aria-label={label}
      value={current}
      onValueChange={(t) => router.push(`${base}/${encodeURIComponent(t)}`)}
      options={triggers.map((t) => ({ value: t, label: t }))}
      className="min-w-40 font-mono text-xs"
    />
  );
}
