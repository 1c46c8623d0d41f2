"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { Dialog as SheetPrimitive } from "radix-ui";
import { Activity, Database, GitBranch, Hammer, LogOut, Menu, Moon, ShieldCheck, Sun, Tags, X } from "lucide-react";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { useMe } from "@/features/auth/role";

const NAV = [
  { href: "/", label: "Overview", icon: Activity },
  { href: "/relations", label: "Relations", icon: Database },
  { href: "/review", label: "Review", icon: Tags },
  { href: "/state", label: "State", icon: GitBranch },
  { href: "/fits", label: "Fits", icon: Hammer },
] as const;

/** Only admins see it (the server refuses the admin procedures to everyone else anyway). */
const ADMIN_NAV = { href: "/admin", label: "Admin", icon: ShieldCheck } as const;

function ThemeToggle() {
  const toggle = () => {
    const dark = document.documentElement.classList.toggle("dark");
    try {
      localStorage.setItem("motion-theme", dark ? "dark" : "light");
    } catch {
      /* private mode */
    }
  };
  return (
    <Tooltip content="Toggle dark mode">
      <Button variant="ghost" size="icon" onClick={toggle} aria-label="Toggle dark mode">
        <Sun className="hidden dark:block" />
        <Moon className="dark:hidden" />
      </Button>
    </Tooltip>
  );
}

function Brand({ appName }: { appName: string }) {
  return (
    <div className="flex min-w-0 items-center gap-2">
      <div className="flex size-7 shrink-0 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <Activity className="size-4" />
      </div>
      <div className="min-w-0 leading-tight">
        <div className="text-sm font-semibold">Motion</div>
        <div className="truncate text-xs text-muted-foreground" title={`app: ${appName}`}>{appName}</div>
      </div>
    </div>
  );
}

/** The navigation and the signed-in operator: in the sidebar from md up, in a drawer below. */
function NavBody({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const router = useRouter();
  const me = useMe();
  const signOut = async () => {
    await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    router.replace("/sign-in");
    router.refresh();
  };
  return (
    <>
      <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 overflow-y-auto p-2">
        {[...NAV, ...(me.role === "admin" ? [ADMIN_NAV] : [])].map(({ href, label, icon: Icon }) => {
          const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
          return (
            <Link
              key={href}
              href={href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm text-muted-foreground transition-colors hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none max-md:py-2.5",
                active && "bg-accent font-medium text-foreground",
              )}
            >
              <Icon className="size-4" />
              {label}
            </Link>
          );
        })}
      </nav>
      <div className="border-t p-3">
        <div className="mb-2 min-w-0">
          <div className="truncate text-xs font-medium" data-testid="me-email">{me.email}</div>
          <Badge variant={me.role === "admin" ? "default" : "secondary"} className="mt-1" data-testid="me-role">{me.role}</Badge>
        </div>
        <div className="flex items-center justify-between">
          <Button variant="ghost" size="sm" onClick={signOut}>
            <LogOut /> Sign out
          </Button>
          <ThemeToggle />
        </div>
      </div>
    </>
  );
}

export function AppShell({ appName, children }: { appName: string; children: React.ReactNode }) {
  const [open, setOpen] = React.useState(false);
  // Narrow screens: the sidebar would take most of the width, so it becomes a drawer. Only one
  // copy is mounted at a time (test ids and the "Main" landmark stay unique).
  const narrow = useNarrow();
  return (
    <div className="flex min-h-screen max-md:flex-col">
      {narrow ? (
        <header className="sticky top-0 z-40 flex h-12 items-center gap-2 border-b bg-card/95 px-3 backdrop-blur">
          <SheetPrimitive.Root open={open} onOpenChange={setOpen}>
            <SheetPrimitive.Trigger asChild>
              <Button variant="ghost" size="icon" aria-label="Open navigation" data-testid="open-nav"><Menu /></Button>
            </SheetPrimitive.Trigger>
            <SheetPrimitive.Portal>
              <SheetPrimitive.Overlay className="fixed inset-0 z-50 bg-black/25" />
              <SheetPrimitive.Content aria-describedby={undefined} className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col border-r bg-card shadow-2xl focus:outline-none" data-testid="nav-drawer">
                <div className="flex h-12 items-center justify-between border-b px-3">
                  <SheetPrimitive.Title asChild><div><Brand appName={appName} /></div></SheetPrimitive.Title>
                  <SheetPrimitive.Close asChild>
                    <Button variant="ghost" size="icon" aria-label="Close navigation"><X /></Button>
                  </SheetPrimitive.Close>
                </div>
                <NavBody onNavigate={() => setOpen(false)} />
              </SheetPrimitive.Content>
            </SheetPrimitive.Portal>
          </SheetPrimitive.Root>
          <Brand appName={appName} />
        </header>
      ) : (
        <aside className="sticky top-0 flex h-screen w-56 shrink-0 flex-col border-r bg-card/60">
          <div className="flex h-14 items-center gap-2 border-b px-4">
            <Brand appName={appName} />
          </div>
          <NavBody />
        </aside>
      )}
      <main className="min-w-0 flex-1">{children}</main>
    </div>
  );
}

/** Below Tailwind's md (768 px). The server renders the sidebar; a phone swaps it before paint. */
function useNarrow(): boolean {
  return React.useSyncExternalStore(
    (onChange) => {
      const query = window.matchMedia("(max-width: 767.98px)");
      query.addEventListener("change", onChange);
      return () => query.removeEventListener("change", onChange);
    },
    () => window.matchMedia("(max-width: 767.98px)").matches,
    () => false,
  );
}

export function PageHeader({ title, description, actions, children }: { title: React.ReactNode; description?: React.ReactNode; actions?: React.ReactNode; children?: React.ReactNode }) {
  return (
    <header className="border-b bg-card/30 px-4 py-4 md:px-6">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="min-w-0">
          <h1 className="text-lg font-semibold tracking-tight">{title}</h1>
          {description && <p className="mt-0.5 text-sm text-muted-foreground">{description}</p>}
        </div>
        {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
      </div>
      {children}
    </header>
  );
}
