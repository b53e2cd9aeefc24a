import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../config";
import { resolveSecret } from "./secret";

test("development: a secret is generated once, kept private, and reused on the next start", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "secret-"));
  try {
    const config = loadConfig({ DATA_DIR: dir });
    const first = resolveSecret(config);
    assert.ok(first.length >= 32);
    assert.equal(resolveSecret(loadConfig({ DATA_DIR: dir })), first);
    assert.equal(statSync(path.join(dir, "auth.secret")).mode & 0o077, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a configured secret wins over the generated one", () => {
  const secret = "kQ3v9XbP2mZ7rT1yW8sL4nH6jF0dC5aE";
  assert.equal(resolveSecret(loadConfig({ BETTER_AUTH_SECRET: secret, DATA_DIR: "/nonexistent" })), secret);
});

test("a development secret file replaced by a weak secret is refused, naming the file and BETTER_AUTH_SECRET", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "secret-"));
  try {
    writeFileSync(path.join(dir, "auth.secret"), "changeme\n");
    assert.throws(
      () => resolveSecret(loadConfig({ DATA_DIR: dir })),
      (e: Error) => e instanceof ConfigError && e.message.includes("auth.secret") && e.message.includes("BETTER_AUTH_SECRET"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
