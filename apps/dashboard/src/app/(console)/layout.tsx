import { redirect } from "next/navigation";
import { AppShell } from "@/components/app-shell";
import { MeProvider, type Me } from "@/features/auth/role";
import { serverCaller } from "@/lib/trpc/server";
import { runtime } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const me = (await (await serverCaller()).auth.me.query().catch(() => null)) as Me | null;
  if (!me) redirect("/sign-in");
  return (
    <MeProvider me={me}>
      <AppShell appName={runtime().motion.app.name}>{children}</AppShell>
    </MeProvider>
  );
}
