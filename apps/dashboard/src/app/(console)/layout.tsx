import { redirect } from "next/navigation";
import { AppShell } from "@/components/app-shell";
import { MeProvider } from "@/features/auth/role";
import { getMe } from "@/features/auth/server";
import { runtime } from "@/lib/runtime";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const me = await getMe();
  if (!me) redirect("/sign-in");
  return (
    <MeProvider me={me}>
      <AppShell appName={runtime().motion.app.name}>{children}</AppShell>
    </MeProvider>
  );
}
