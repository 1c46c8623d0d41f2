import { apiKeysRouter } from "./features/apiKeys/router.ts";
import { auditRouter } from "./features/audit/router.ts";
import { driftRouter } from "./features/drift/router.ts";
import { feedbackRouter } from "./features/feedback/router.ts";
import { fitsRouter } from "./features/fits/router.ts";
import { authRouter, healthRouter } from "./features/health/router.ts";
import { inferencesRouter } from "./features/inferences/router.ts";
import { relationsRouter } from "./features/relations/router.ts";
import { reviewRouter } from "./features/review/router.ts";
import { rowsRouter } from "./features/rows/router.ts";
import { schedulesRouter } from "./features/schedules/router.ts";
import { stateRouter } from "./features/state/router.ts";
import { statsRouter } from "./features/stats/router.ts";
import { triggersRouter } from "./features/triggers/router.ts";
import { usersRouter } from "./features/users/router.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  relations: relationsRouter,
  rows: rowsRouter,
  inferences: inferencesRouter,
  feedback: feedbackRouter,
  review: reviewRouter,
  triggers: triggersRouter,
  state: stateRouter,
  fits: fitsRouter,
  schedules: schedulesRouter,
  stats: statsRouter,
  drift: driftRouter,
  users: usersRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
