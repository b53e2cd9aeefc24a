/**
 * The gate's session check without a database: the cookie's signature, the cookie header, and the batching of
 * lookups (every request answered by a query that started after it arrived; a failing query fails its requests).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { cookieValue, readerLevel, standingBatcher, standingFromLookup } from "./reader-access";
import { verifySignedValue as verifiedToken } from "../sessions/signed-cookie";

const SECRET = "a".repeat(16) + "b".repeat(16);
const sign = (token: string, secret = SECRET) => encodeURIComponent(`${token}.${createHmac("sha256", secret).update(token).digest("base64")}`);

/** A pool whose queries resolve when the test says so, recording the tokens each one asked for. */
function fakePool(standings: Record<string, boolean>) {
  const queries: { tokens: string[]; release: () => void }[] = [];
  return {
    queries,
    pool: {
      query: (_text: string, values?: unknown[]) =>
        new Promise<{ rows: any[]; rowCount: number }>((resolve, reject) => {
          const tokens = values![0] as string[];
          queries.push({
            tokens,
            release: () => {
              if (tokens.includes("boom")) return reject(new Error("connection refused"));
              const rows = tokens.filter((t) => t in standings).map((t) => ({ token: t, complete: standings[t] }));
              resolve({ rows, rowCount: rows.length });
            },
          });
        }),
    },
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("verifiedToken (forged credentials)", () => {
  it("accepts Better-Auth's signed value and nothing else", () => {
    assert.equal(verifiedToken(sign("tok123"), SECRET), "tok123");
    assert.equal(verifiedToken(sign("tok123", "another secret, also long enough!"), SECRET), null);
    assert.equal(verifiedToken("tok123", SECRET), null);
    assert.equal(verifiedToken(sign("tok123").replace("tok123", "tok124"), SECRET), null);
    assert.equal(verifiedToken(`${sign("tok123")}AA`, SECRET), null);
    assert.equal(verifiedToken("%E0%A4%A", SECRET), null);
  });

  it("reads the session cookie by exact name", () => {
    assert.equal(cookieValue("a=1; better-auth.session_token=v; b=2", "better-auth.session_token"), "v");
    assert.equal(cookieValue("xbetter-auth.session_token=v", "better-auth.session_token"), null);
    assert.equal(cookieValue(undefined, "x"), null);
  });
});

describe("standingBatcher", () => {
  it("one query per batch; requests arriving meanwhile wait for a later query", async () => {
    const { pool, queries } = fakePool({ a: true, b: false, c: true });
    const lookup = standingBatcher(pool);
    const first = lookup("a");
    const second = lookup("b");
    const third = lookup("c");
    await tick();
    // Two queries may run at once: the first two requests each started one; the third waits for a free slot.
    assert.deepEqual(queries.map((q) => q.tokens), [["a"], ["b"]]);
    const fourth = lookup("a");
    queries[0]!.release();
    assert.deepEqual(await first, { profileComplete: true });
    await tick();
    assert.deepEqual(queries[2]!.tokens, ["c", "a"], "the waiting requests share the next query");
    queries[1]!.release();
    queries[2]!.release();
    assert.deepEqual(await second, { profileComplete: false });
    assert.deepEqual(await third, { profileComplete: true });
    assert.deepEqual(await fourth, { profileComplete: true });
  });

  it("a token with no live session is null; a failed query rejects its requests only", async () => {
    const { pool, queries } = fakePool({});
    const lookup = standingBatcher(pool);
    const none = lookup("nobody");
    const broken = lookup("boom");
    await tick();
    queries.forEach((q) => q.release());
    assert.equal(await none, null);
    await assert.rejects(broken, /connection refused/);
  });
});

describe("standingFromLookup", () => {
  it("a live session's profile completion; an expired or unknown session is none", async () => {
    const row = (expiresIn: number, complete: boolean | null) => ({
      session: { expiresAt: new Date(Date.now() + expiresIn) },
      profile: complete === null ? null : { onboardingCompleted: complete },
    });
    const rows: Record<string, unknown> = { live: row(60_000, true), half: row(60_000, null), old: row(-1, true) };
    const standingOf = standingFromLookup({ byToken: async (t) => (rows[t] ?? null) as never });
    assert.deepEqual(await standingOf("live"), { profileComplete: true });
    assert.deepEqual(await standingOf("half"), { profileComplete: false });
    assert.equal(await standingOf("old"), null);
    assert.equal(await standingOf("nobody"), null);
  });
});

describe("readerLevel", () => {
  it("public without a valid cookie (no query), else the standing's level", async () => {
    const { pool, queries } = fakePool({ done: true, half: false });
    const level = readerLevel(standingBatcher(pool), SECRET, "better-auth.session_token");
    assert.equal(await level(undefined), "public");
    assert.equal(await level(`better-auth.session_token=${sign("done").slice(0, -3)}`), "public");
    assert.equal(queries.length, 0);
    const results = [
      level(`better-auth.session_token=${sign("done")}`),
      level(`better-auth.session_token=${sign("half")}`),
      level(`better-auth.session_token=${sign("gone")}`),
    ];
    for (let i = 0; i < 3; i++) {
      await tick();
      queries.forEach((q) => q.release());
    }
    assert.deepEqual(await Promise.all(results), ["complete-profile", "signed-in", "public"]);
  });
});
