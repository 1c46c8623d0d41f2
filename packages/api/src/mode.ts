// Production is the default everywhere: stack traces and internal error messages are shown only
// when a developer opts in with MOTION_ENV=development (or NODE_ENV=development without
// MOTION_ENV). Anything else — unset, "production", "test" — is production.
export function isDevelopment(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.MOTION_ENV ?? env.NODE_ENV) === "development";
}
