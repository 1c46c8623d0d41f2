"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { Select } from "@/components/ui/select";

/** Switches the trigger in a /<section>/<trigger> URL, keeping the section. */
export function TriggerSwitcher({ base, current, triggers }: { base: string; current: string; triggers: string[] }) {
  const router = useRouter();
  return (
    <Select
      aria-label="Trigger"
      value={current}
      onValueChange={(t) => router.push(`${base}/${encodeURIComponent(t)}`)}
      options={triggers.map((t) => ({ value: t, label: t }))}
      className="min-w-40 font-mono text-xs"
    />
  );
}
