import { runtime } from "@/lib/runtime";

export const dynamic = "force-dynamic";

const handler = (request: Request) => runtime().api.handle(request);
export { handler as GET, handler as POST };
