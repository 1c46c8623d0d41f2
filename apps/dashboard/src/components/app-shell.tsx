"use client";
import * as React from "react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { Activity, Database, GitBranch, Hammer, ListChecks, LogOut, Menu, MessagesSquare, Moon, ShieldCheck, Sun, Tags, TrendingUp } from "lucide-react";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetTitle } from "@/components/ui/sheet";
import { Tooltip } from "@/components/ui/tooltip";
import { useMe } from "@/features/auth/role";

const NAV = [
  { href: "/", label: "Overview", icon: Activity },
  { href: "/relations", label: "Relations", icon: Database },
  { href: "/inferences", label: "Inferences", icon: MessagesSquare },
  { href: "/review", label: "Review", icon: Tags },
  { href: "/queues", label: "Queues", icon: ListChecks },
  { href: "/state", label: "State", icon: GitBranch },
  { href: "/fits", label: "Fits", icon: Hammer },
  { href: "/drift", label: "Drift", icon: TrendingUp },
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
    <div className="flex h-14 items-center gap-2 border-b px-4">
      <div className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <Activity className="size-4" />
      </div>
      <div className="min-w-0 leading-tight">
        <div className="text-sm font-semibold">Motion</div>
        <div className="truncate text-xs text-muted-foreground" title={`app: ${appName}`}>{appName}</div>
      </div>
    </div>
  );
}

/** The sidebar's content: brand, links, who is signed in. Shared by the wide sidebar and the narrow screen's sheet. */
function NavPanel({ appName, onNavigate }: { appName: string; onNavigate?: () => void }) {
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
      <Brand appName={appName} />
      <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 p-2">
        {[...NAV, ...(me.role === "admin" ? [ADMIN_NAV] : [])].map(({ href, label, icon: Icon }) => {
          const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
          return (
            <Link
              key={href}
              href={href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm text-muted-foreground transition-colors hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none",
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

/**
 * A sidebar from `md` up; below it (phones, 390 px) a top bar whose menu opens the same
 * navigation as a sheet, so pages get the whole width.
 */
export function AppShell({ appName, children }: { appName: string; children: React.ReactNode }) {
  const pathname = usePathname();
  const [menu, setMenu] = React.useState(false);
  React.useEffect(() => setMenu(false), [pathname]);
  return (
    <div className="flex min-h-screen">
      <aside className="sticky top-0 hidden h-screen w-56 shrink-0 flex-col border-r bg-card/60 md:flex">
        <NavPanel appName={appName} />
      </aside>
      <main className="min-w-0 flex-1">
        <div className="sticky top-0 z-40 flex h-12 items-center gap-2 border-b bg-card px-2 md:hidden">
          <Button variant="ghost" size="icon" onClick={() => setMenu(true)} aria-label="Open navigation" data-testid="nav-menu">
            <Menu />
          </Button>
          <span className="text-sm font-semibold">Motion</span>
          <span className="min-w-0 truncate text-xs text-muted-foreground">{appName}</span>
        </div>
        <Sheet open={menu} onOpenChange={setMenu}>
          <SheetContent aria-describedby={undefined} className="right-auto left-0 max-w-64 border-r border-l-0">
            <SheetTitle className="sr-only">Navigation</SheetTitle>
            <NavPanel appName={appName} onNavigate={() => setMenu(false)} />
          </SheetContent>
        </Sheet>
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, description, actions, children }: { title: React.ReactNode; description?: React.ReactNode; actions?: React.ReactNode; children?: React.ReactNode }) {
  return (
    <header className="border-b bg-card/30 px-4 py-4 sm:px-6">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 md:flex-nowrap">
        <div className="min-w-0">
          <h1 className="text-lg font-semibold tracking-tight">{title}</h1>
          {description && <p className="mt-0.5 text-sm text-muted-foreground">{description}</p>}
        </div>
        {actions && <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div>}
      </div>
      {children}
    </header>
  );
}
