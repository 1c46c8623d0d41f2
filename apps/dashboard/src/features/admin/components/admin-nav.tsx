"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { KeyRound, ScrollText, Users } from "lucide-react";
import { cn } from "@/lib/utils";

const TABS = [
  { href: "/admin/users", label: "Users", icon: Users },
  { href: "/admin/api-keys", label: "API keys", icon: KeyRound },
  { href: "/admin/audit", label: "Audit log", icon: ScrollText },
] as const;

/** The admin area's sections, as tabs under the page header (links, so each has a URL). */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Admin" className="mt-3 inline-flex h-8 items-center gap-0.5 rounded-md bg-muted p-0.5">
      {TABS.map(({ href, label, icon: Icon }) => {
        const active = pathname.startsWith(href);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "inline-flex h-7 items-center gap-1.5 rounded-[5px] px-2.5 text-xs font-medium text-muted-foreground transition-colors hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none [&_svg]:size-3.5",
              active && "bg-card text-foreground shadow-xs",
            )}
          >
            <Icon /> {label}
          </Link>
        );
      })}
    </nav>
  );
}
