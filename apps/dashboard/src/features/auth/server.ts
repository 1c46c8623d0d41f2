import { cache } from "react";
import { serverCaller } from "@/lib/trpc/server";
import type { Me } from "./role";

/** The signed-in operator for this request (null when signed out); one `auth.me` per request. */
export const getMe = cache(async (): Promise<Me | null> => ((await (await serverCaller()).auth.me.query().catch(() => null)) as Me | null));
