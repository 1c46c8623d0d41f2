import { redirect } from "next/navigation";
import { SignInForm } from "@/features/auth/components/sign-in-form";
import { safeNext } from "@/features/auth/safe-next";
import { serverCaller } from "@/lib/trpc/server";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const me = await (await serverCaller()).auth.me.query().catch(() => null);
  if (me) redirect(safeNext(next));
  return (
    <div className="flex min-h-screen items-center justify-center bg-muted/40 px-4">
      <SignInForm next={safeNext(next)} />
    </div>
  );
}
