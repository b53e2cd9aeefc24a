import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { SessionCache, type CachedSession } from "./cache";
import { ChangeListener, listenUrlFor } from "./listener";

test("LISTEN goes to a direct connection: Neon's pooled host is swapped for its direct twin; another pooler gives none", () => {
  assert.equal(
    listenUrlFor("postgresql://u:p@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db?sslmode=require"),
    "postgresql://u:p@ep-cool-1234.eu-central-1.aws.neon.tech/db?sslmode=require",
  );
  assert.equal(listenUrlFor("postgres://u:p@127.0.0.1:5433/db"), "postgres://u:p@127.0.0.1:5433/db");
  assert.equal(listenUrlFor("postgres://u:p@pool.internal:6432/db?pgbouncer=true"), null);
});

test("a server's stop never waits on the listener, even while it connects to a database that does not answer", async () => {
  // Accepts connections and never says a word: PostgreSQL's startup would wait here until connect's own timeout.
  const sockets = new Set<net.Socket>();
  const mute = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((r) => mute.listen(0, "127.0.0.1", r));
  const cache = new SessionCache<CachedSession>();
  const listener = new ChangeListener({
    url: `postgres://u:p@127.0.0.1:${(mute.address() as AddressInfo).port}/db`,
    cache,
    sendProbe: async () => {},
    log: () => {},
  });
  try {
    listener.start();
    for (let i = 0; i < 100 && sockets.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sockets.size, 1, "the listener is connecting");
    const started = performance.now();
    await listener.stop();
    assert.ok(performance.now() - started < 2_500, `stop took ${Math.round(performance.now() - started)} ms`);
    assert.equal(cache.enabled, false);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => mute.close(r));
  }
});
