import * as React from "react";
import Link from "next/link";
import { ShieldX } from "lucide-react";
import { Card } from "@/components/ui/card";
import { buttonVariants } from "@/components/ui/button";
import type { Role } from "@/features/auth/role";

/** What a non-admin sees on an admin URL: a plain 403, not a broken page. */
export function Forbidden({ role }: { role: Role | undefined }) {
  return (
    <div className="p-6">
      <Card className="mx-auto mt-10 max-w-md px-6 py-10 text-center" data-testid="forbidden" role="alert">
        <ShieldX className="mx-auto size-8 text-destructive" />
        <p className="mt-3 text-xs font-medium tracking-wide text-muted-foreground uppercase">403 · Forbidden</p>
        <h2 className="mt-1 text-base font-semibold">Admins only</h2>
        <p className="mt-1.5 text-sm text-muted-foreground">
          Users, API keys and the audit log are managed by admins. You are signed in as{" "}
          <span className="font-medium text-foreground">{role ?? "unknown role"}</span>; ask an admin if you need access.
        </p>
        <Link href="/" className={buttonVariants({ variant: "outline", size: "sm", className: "mt-5" })}>Back to the overview</Link>
      </Card>
    </div>
  );
}
