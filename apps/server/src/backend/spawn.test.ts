import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createTestDatabase, freePort } from "../../../../scripts/test-postgres.mjs";
import { startTestServer, TEST_SECRET } from "../testing/server";
import { REPO_ROOT } from "../config";
import { isAlive } from "../testing/processes";


test("the backend stops when the server that started it dies, even by SIGKILL (no orphan keeps its port and database)", async () => {
  const db = await createTestDatabase();
  const server = await startTestServer(db.url); // migrates: the backend needs the auth tables
  const port = await freePort();
  const parent = spawn(
    process.execPath,
    ["--import", "tsx", path.join(REPO_ROOT, "apps/server/src/testing/backend-parent.ts"), String(port), db.url, TEST_SECRET, server.url],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  let backendPid = 0;
  try {
    const [line] = (await once(parent.stdout!, "data")) as [Buffer];
    backendPid = Number(line.toString().trim());
    for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/health`)).status, 200);
    parent.kill("SIGKILL");
    for (let i = 0; i < 100 && isAlive(backendPid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(isAlive(backendPid), false, "the backend outlived its parent");
  } finally {
    parent.kill("SIGKILL");
    if (backendPid && isAlive(backendPid)) process.kill(backendPid, "SIGKILL");
    await server.stop();
    await db.drop();
  }
});
