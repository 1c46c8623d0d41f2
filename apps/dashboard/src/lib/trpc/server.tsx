import * as React from "react";
import { cache } from "react";
import { headers } from "next/headers";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import type { AppRouter } from "@motion/api";
import { runtime } from "@/lib/runtime";
import { makeQueryClient } from "./query-client";

/** One QueryClient per server request. */
export const getQueryClient = cache(makeQueryClient);

/**
 * A tRPC client for server components: it forwards the operator's cookies and hands the
 * request straight to the in-process API handler (no network hop), so server rendering runs
 * the same procedures, auth and role checks as the browser.
 */
const getServerClient = cache(async () => {
  const incoming = await headers();
  const host = incoming.get("host") ?? "127.0.0.1";
  const proto = incoming.get("x-forwarded-proto") ?? "http";
  const forwarded = new Headers();
  for (const name of ["cookie", "authorization", "user-agent"]) {
    const value = incoming.get(name);
    if (value) forwarded.set(name, value);
  }
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${proto}://${host}/api/trpc`,
        transformer: superjson,
        headers: () => Object.fromEntries(forwarded.entries()),
        fetch: (url, init) => runtime().api.handle(new Request(url, init as RequestInit)),
      }),
    ],
  });
});

export async function serverTRPC() {
  return createTRPCOptionsProxy<AppRouter>({ client: await getServerClient(), queryClient: getQueryClient });
}

/** Calls a procedure directly from a server component (for auth gates and redirects). */
export async function serverCaller() {
  return getServerClient();
}

export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED";
}
