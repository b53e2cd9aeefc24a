/** Why the embedded PostgreSQL did not start is said with a code, never as a bare `undefined`. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../../../scripts/test-postgres.mjs";
import { StartupError } from "../config";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded";

const failsWith = (code: string, exitCode: number) => (e: unknown) => e instanceof StartupError && e.code === code && e.exitCode === exitCode;

describe("embedded PostgreSQL start-up failures", () => {
  let dir: string;
  let running: EmbeddedDatabase | undefined;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "embedded-pg-"));
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user, which must reach its folder
  });
  after(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a second start on data that a running PostgreSQL holds: DATA_DIR_IN_USE", async () => {
    running = await startEmbeddedPostgres({ dir, port: await freePort() });
    await assert.rejects(startEmbeddedPostgres({ dir, port: await freePort() }), failsWith("DATA_DIR_IN_USE", 78));
    await running.stop();
    running = undefined;
  });

  test("PostgreSQL exiting early (its port taken behind our back): EMBEDDED_PG_FAILED with its own words", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startEmbeddedPostgres({ dir, port }), (e: unknown) => {
        assert.ok(failsWith("EMBEDDED_PG_FAILED", 1)(e), String(e));
        // PostgreSQL's log lines are carried: more than our one-line heading.
        assert.ok((e as Error).message.split("\n").length > 1, (e as Error).message);
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  test("control: the same data starts again once nothing is in the way", async () => {
    running = await startEmbeddedPostgres({ dir, port: await freePort() });
  });
});
