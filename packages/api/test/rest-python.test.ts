// The README's Python example, run as written with python3 (standard library only) against a
// real server: what the README promises a Python developer is what happens. docs/api.md carries
// the same block. Without python3 this fails in CI (MOTION_REQUIRE_SERVICES=1 or CI=true) and
// is skipped with a loud warning elsewhere, like the other services tests need.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servicesRequired } from "@motion/db/test-support";
import { openServer, type TestServer } from "./server-harness.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The ```python block between the rest-example markers of a Markdown file. */
function exampleIn(file: string): string {
  const text = readFileSync(`${root}${file}`, "utf8");
  const m = /<!-- rest-example:start[^>]*-->\s*```python\n([\s\S]*?)```\s*<!-- rest-example:end -->/.exec(text);
  if (!m) throw new Error(`${file}: no python block between <!-- rest-example:start --> and <!-- rest-example:end -->`);
  return m[1]!;
}

const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const hasPython = python.status === 0;
if (!hasPython) {
  const message = `python3 is not installed (${python.error?.message ?? python.stderr}); the README's Python example cannot be run`;
  if (servicesRequired()) throw new Error(`${message} [required: MOTION_REQUIRE_SERVICES=1 or CI=true]`);
  console.warn(`\n${"!".repeat(78)}\n!! SKIPPING the Python example: ${message}\n${"!".repeat(78)}\n`);
}

function run(code: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // -I: isolated — no user site-packages, so only the standard library is there to import.
    const child = spawn("python3", ["-I", "-"], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(code);
  });
}

describe.skipIf(!hasPython)("the README's Python example", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await openServer();
  });
  afterAll(async () => s?.close());

  it("is the same in README.md and docs/api.md", () => {
    expect(exampleIn("docs/api.md")).toBe(exampleIn("README.md"));
  });

  it("runs against a real server: adds a row, reads the answer, labels it, rolls back", async () => {
    const key = await s.adminKey();
    // Two fitted versions of `qa`, so the example has something to roll back to.
    await s.api.createCaller(new Headers({ authorization: `Bearer ${key}` })).rows.addMany({ relation: "docs", rows: [{ url: "a", body: "A" }, { url: "b", body: "B" }] });
    const versions = async () => (await s.api.createCaller(new Headers({ authorization: `Bearer ${key}` })).state.versions({ trigger: "qa" })).items.length;
    for (let i = 0; i < 200 && (await versions()) < 3; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await versions()).toBe(3);

    const result = await run(exampleIn("README.md"), { MOTION_URL: s.url, MOTION_API_KEY: key });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(["answer: {'answer': 'A: HOW DO I ROLL BACK?', 'docs': 2} on version 2", "still unlabeled: 0", "rolled back: 2 -> 1", ""].join("\n"));

    // And the server agrees: the label is stored under the key's name, `active` moved.
    const caller = s.api.createCaller(new Headers({ authorization: `Bearer ${key}` }));
    const feedback = await caller.feedback.list({ trigger: "qa" });
    expect(feedback.items).toEqual([expect.objectContaining({ label: "good", actor: expect.stringMatching(/^apikey:admin-/) })]);
    expect(await caller.triggers.get({ trigger: "qa" })).toMatchObject({ activeVersion: 1, latestVersion: 2 });
  });

  it("reports an error the way the example shows: status, code and the readable message", async () => {
    const code = `${exampleIn("README.md").split("\n\n\nrow = ")[0]}\n\ntry:\n    call("POST", "/relations/questions/rows", {"row": {"text": ""}})\nexcept RuntimeError as error:\n    print(error)\n`;
    const result = await run(code, { MOTION_URL: s.url, MOTION_API_KEY: await s.adminKey() });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^400 BAD_REQUEST: row\.text: /);
  });
});
