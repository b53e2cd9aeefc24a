import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionCache, type CachedSession } from "./cache";

/** A cache on a clock the test moves by hand. */
function setup(options: { maxEntries?: number; ttlMs?: number } = {}) {
  let now = 1_000_000;
  const cache = new SessionCache<CachedSession>({ ...options, now: () => now });
  return { cache, advance: (ms: number) => (now += ms), at: () => now };
}

const entry = (token: string, userId = "u1", expiresAt = Number.MAX_SAFE_INTEGER): CachedSession => ({ token, userId, expiresAt });

test("nothing is kept or served until notifications are proven to arrive", () => {
  const { cache } = setup();
  cache.put(entry("t"), cache.generation);
  assert.equal(cache.get("t"), undefined);
  cache.trustFor(4_000);
  cache.put(entry("t"), cache.generation);
  assert.equal(cache.get("t")?.token, "t");
});

test("trust is a lease: it lapses on time, and a lapse empties the cache", () => {
  const { cache, advance } = setup();
  cache.trustFor(4_000);
  cache.put(entry("t"), cache.generation);
  advance(4_001);
  assert.equal(cache.get("t"), undefined);
  cache.trustFor(4_000); // renewed after the lapse: what was kept may be stale
  assert.equal(cache.get("t"), undefined);
  assert.equal(cache.size, 0);
});

test("a read that raced a change is not stored", () => {
  const { cache } = setup();
  cache.trustFor(4_000);
  const generation = cache.generation; // a lookup starts...
  cache.forgetToken("t"); // ...the session changes meanwhile...
  cache.put(entry("t"), generation); // ...and the read it made is not kept
  assert.equal(cache.get("t"), undefined);
});

test("a notification forgets its token, or every session of its user", () => {
  const { cache } = setup();
  cache.trustFor(4_000);
  for (const [token, user] of [["a", "u1"], ["b", "u1"], ["c", "u2"]] as const) cache.put(entry(token, user), cache.generation);
  cache.forgetToken("a");
  assert.deepEqual(["a", "b", "c"].map((t) => cache.get(t)?.token), [undefined, "b", "c"]);
  cache.forgetUser("u1");
  assert.deepEqual(["a", "b", "c"].map((t) => cache.get(t)?.token), [undefined, undefined, "c"]);
  cache.clear();
  assert.equal(cache.size, 0);
});

test("an entry never outlives its session's expiry, nor the TTL", () => {
  const { cache, advance, at } = setup({ ttlMs: 60_000 });
  cache.trustFor(1_000_000);
  cache.put(entry("short", "u1", at() + 10_000), cache.generation);
  cache.put(entry("long", "u1"), cache.generation);
  advance(10_000);
  assert.equal(cache.get("short"), undefined);
  assert.equal(cache.get("long")?.token, "long");
  advance(50_000);
  assert.equal(cache.get("long"), undefined);
});

test("bounded: the least recently used entry goes first", () => {
  const { cache } = setup({ maxEntries: 2 });
  cache.trustFor(4_000);
  cache.put(entry("a"), cache.generation);
  cache.put(entry("b"), cache.generation);
  cache.get("a"); // a is now the most recently used
  cache.put(entry("c"), cache.generation);
  assert.deepEqual(["a", "b", "c"].map((t) => cache.get(t)?.token), ["a", undefined, "c"]);
  assert.equal(cache.size, 2);
});
