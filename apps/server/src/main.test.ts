/** `npm start`'s entry point as a process: what an operator sees when the secret is weak. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { REPO_ROOT } from "./config";
import { createTestDatabase, freePort } from "../../../scripts/test-postgres.mjs";

/** Runs main.ts until it prints Ready (then stops it with SIGTERM) or exits, within `ms`; its output and exit code. */
async function runMain(env: Record<string, string>, ms = 60_000) {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", START_BACKEND: "false", BACKEND_URL: "http://127.0.0.1:9", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    if (stdout.includes("Ready:")) child.kill("SIGTERM");
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const [code] = await once(child, "exit");
    return { code: code as number | null, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

test("an https:// PUBLIC_URL with a weak BETTER_AUTH_SECRET and NODE_ENV=development does not start: exit 78 naming the variable", async () => {
  const run = await runMain({ NODE_ENV: "development", PUBLIC_URL: "https://book.example", BETTER_AUTH_SECRET: "changeme", PORT: String(await freePort()) });
  assert.equal(run.code, 78, run.stderr);
  assert.match(run.stderr, /^BETTER_AUTH_SECRET /m);
  assert.doesNotMatch(run.stdout, /Ready:/);
});

test("a weak BETTER_AUTH_SECRET on http outside production starts, after a warning banner on stderr naming it", async () => {
  const db = await createTestDatabase();
  try {
    const run = await runMain({
      NODE_ENV: "development",
      BETTER_AUTH_SECRET: "changeme",
      DATABASE_URL: db.url,
      PORT: String(await freePort()),
      RATE_LIMIT: "false",
    });
    assert.match(run.stdout, /Ready:/, run.stderr);
    assert.match(run.stderr, /^!{20,}\nWARNING: BETTER_AUTH_SECRET [^\n]+\n!{20,}$/m);
    // Control: a strong secret starts without it.
    const strong = await runMain({
      NODE_ENV: "development",
      BETTER_AUTH_SECRET: "kQ3v9XbP2mZ7rT1yW8sL4nH6jF0dC5aE",
      DATABASE_URL: db.url,
      PORT: String(await freePort()),
      RATE_LIMIT: "false",
    });
    assert.match(strong.stdout, /Ready:/, strong.stderr);
    assert.doesNotMatch(strong.stderr, /WARNING/);
  } finally {
    await db.drop();
  }
});
