/** Attack suite against both servers (the Node auth server and the Python backend, directly and through the
 * proxy): forged credentials, named for the attack. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { startTestServer, TEST_SECRET } from "../testing/server";
import { startPythonBackend } from "../testing/backend";
import { freePort } from "../../../../scripts/test-postgres.mjs";
import { TestClient } from "../testing/client";
import { forgedCredentials } from "../testing/forged-credentials";
import type { RunningServer } from "../server";

describe("forged and malformed session credentials", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let backend: Awaited<ReturnType<typeof startPythonBackend>>;
  let valid: string;
  before(async () => {
    db = await createTestDatabase();
    const backendPort = await freePort();
    server = await startTestServer(db.url, { BACKEND_URL: `http://127.0.0.1:${backendPort}` }); // migrates first
    backend = await startPythonBackend({ port: backendPort, databaseUrl: db.url, secret: TEST_SECRET, publicUrl: server.url });
    const c = new TestClient(server.url);
    await c.signUp("attacked@example.com");
    await c.post("/api/auth/profile", { pythonProficiency: "beginner", developerRole: "student" });
    valid = c.cookies.get("better-auth.session_token")!;
  });
  after(async () => {
    await backend.stop();
    await server.stop();
    await db.drop();
  });

  test("control: the genuine cookie and bearer token are accepted", async () => {
    const carriers: Record<string, string>[] = [{ cookie: `better-auth.session_token=${valid}` }, { authorization: `Bearer ${valid}` }];
    for (const headers of carriers) {
      const r = await fetch(server.url + "/api/auth/get-session", { headers });
      assert.equal((await r.json())?.user?.email, "attacked@example.com");
      for (const base of [backend.url, server.url]) {
        const me = await fetch(base + "/api/me", { headers });
        assert.equal(me.status, 200, base);
      }
    }
  });

  test("a corpus of 1,000+ forged cookies and Authorization headers sent to both servers: none accepted, none answered with a 5xx", async () => {
    const corpus = forgedCredentials(valid);
    assert.ok(corpus.length >= 1000, `corpus has ${corpus.length}`);
    const failures: string[] = [];
    // Bounded: a fixed corpus, 8 requests in flight.
    for (let i = 0; i < corpus.length; i += 8) {
      await Promise.all(
        corpus.slice(i, i + 8).map(async ({ name, headers }) => {
          const session = await fetch(server.url + "/api/auth/get-session", { headers });
          const body = await session.text();
          if (session.status >= 500) failures.push(`${name}: get-session ${session.status}`);
          else if (body.includes("attacked@example.com")) failures.push(`${name}: get-session accepted`);
          const profile = await fetch(server.url + "/api/auth/profile", { headers });
          if (profile.status !== 401) failures.push(`${name}: profile ${profile.status}`);
          // The Python backend, on its own port and through the Node proxy.
          for (const [where, base] of [["python", backend.url], ["proxy", server.url]] as const) {
            const me = await fetch(base + "/api/me", { headers });
            const body = await me.json().catch(() => null);
            if (me.status !== 401 || body?.code !== "UNAUTHENTICATED") failures.push(`${name}: ${where} /api/me ${me.status}`);
          }
        }),
      );
    }
    assert.deepEqual(failures, []);
  });
});

describe("open redirects through Better-Auth's endpoints", () => {
  const HOSTILE = ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "https:evil.example", "http://127.0.0.1.evil.example/"];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startTestServer(db.url);
    await new TestClient(server.url).signUp("redirect@example.com", "a long password 1");
  });
  after(async () => {
    await server.stop();
    await db.drop();
  });

  for (const target of HOSTILE) {
    test(`callbackURL ${JSON.stringify(target)} is refused by sign-in and sign-up`, async () => {
      const c = new TestClient(server.url);
      const signIn = await c.post("/api/auth/sign-in/email", { email: "redirect@example.com", password: "a long password 1", callbackURL: target });
      assert.equal(signIn.status, 403, signIn.text);
      const signUp = await c.post("/api/auth/sign-up/email", { email: `r${Math.random()}@example.com`, password: "a long password 1", name: "R", callbackURL: target });
      assert.equal(signUp.status, 403, signUp.text);
      assert.equal(c.cookies.size, 0, "no session was created");
    });
  }
});
