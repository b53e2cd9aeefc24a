/**
 * Social and OpenID sign-in against the real server and a real OpenID provider (oidc-provider) on loopback:
 * the providers endpoint, new readers going through onboarding like any other, account reuse and linking rules,
 * a refused consent, sign-out, and hostile callback URLs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase, freePort } from "../../../../scripts/test-postgres.mjs";
import { HOSTILE_REDIRECTS } from "../../../../packages/docusaurus-theme-auth/src/testing/hostile-redirects";
import { startTestServer, TEST_SECRET } from "../testing/server";
import { TestClient } from "../testing/client";
import { startPythonBackend } from "../testing/backend";
import { signInThroughProvider, startOidcProvider, type RunningProvider } from "../testing/oidc-provider";
import type { RunningServer } from "../server";

const PROFILE = { pythonProficiency: "beginner", developerRole: "student" };
// What the site's buttons send (SocialSignIn): back through onboarding, errors to sign-in, both keeping the way back.
const JOURNEY = {
  callbackURL: "/onboarding?redirect=%2Fdocs%2Fvariables",
  newUserCallbackURL: "/onboarding?redirect=%2Fdocs%2Fvariables",
  errorCallbackURL: "/sign-in?redirect=%2Fdocs%2Fvariables",
};

describe("GET /api/auth/providers", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  test("lists nothing without keys; the social sign-in then knows no provider", async () => {
    const server = await startTestServer(db.url);
    try {
      const c = new TestClient(server.url);
      const r = await c.get("/api/auth/providers");
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { providers: [] });
      const s = await c.post("/api/auth/sign-in/social", { provider: "github", callbackURL: "/" });
      assert.equal(s.status, 404);
      assert.equal(s.json.code, "PROVIDER_NOT_FOUND");
    } finally {
      await server.stop();
    }
  });

  test("lists the configured ones in button order; GitHub's sign-in leads to GitHub with our callback", async () => {
    const port = await freePort();
    const idp = await startOidcProvider({ productUrl: `http://127.0.0.1:${port}`, name: "University SSO" });
    const server = await startTestServer(db.url, {
      PORT: String(port),
      GITHUB_CLIENT_ID: "gh-id",
      GITHUB_CLIENT_SECRET: "gh-secret",
      GOOGLE_CLIENT_ID: "google-id",
      GOOGLE_CLIENT_SECRET: "google-secret",
      ...idp.env,
    });
    try {
      const c = new TestClient(server.url);
      const r = await c.get("/api/auth/providers");
      assert.deepEqual(r.json, {
        providers: [
          { id: "github", name: "GitHub" },
          { id: "google", name: "Google" },
          { id: "oidc", name: "University SSO" },
        ],
      });
      const s = await c.post("/api/auth/sign-in/social", { provider: "github", ...JOURNEY });
      assert.equal(s.status, 200);
      const url = new URL(s.json.url);
      assert.equal(url.origin, "https://github.com");
      assert.equal(url.searchParams.get("client_id"), "gh-id");
      assert.equal(url.searchParams.get("redirect_uri"), `${server.url}/api/auth/callback/github`);
      // The provider's URL travels in the body; no Location leaves /api/auth/* for another origin.
      assert.equal(s.headers.get("location"), null);
      const o = await c.post("/api/auth/sign-in/social", { provider: "oidc", ...JOURNEY });
      assert.equal(new URL(o.json.url).origin, idp.issuer);
      assert.equal(o.headers.get("location"), null);
    } finally {
      await server.stop();
      await idp.stop();
    }
  });
});

test("a provider unreachable at start-up is found at the first sign-in once it answers", async () => {
  const db = await createTestDatabase();
  const port = await freePort();
  const idpPort = await freePort();
  const issuer = `http://127.0.0.1:${idpPort}`;
  // Nothing listens on the issuer's port yet: discovery fails while the server starts.
  const server = await startTestServer(db.url, {
    PORT: String(port),
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: "textbook",
    OIDC_CLIENT_SECRET: "not yet known",
    OIDC_NAME: "Late SSO",
  });
  let idp: RunningProvider | undefined;
  try {
    const c = new TestClient(server.url);
    assert.deepEqual((await c.get("/api/auth/providers")).json, { providers: [{ id: "oidc", name: "Late SSO" }] });
    idp = await startOidcProvider({ productUrl: server.url, port: idpPort, clientSecret: "not yet known" });
    const { landing } = await signInThroughProvider(c, { login: "late@idp.test", body: JOURNEY });
    assert.equal(landing, JOURNEY.newUserCallbackURL);
    assert.equal((await c.get("/api/auth/get-session")).json.user.email, "late@idp.test");
  } finally {
    await server.stop();
    await idp?.stop();
    await db.drop();
  }
});

describe("OpenID sign-in through a real provider", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let idp: RunningProvider;
  let server: RunningServer;
  let backend: { url: string; stop(): Promise<void> };

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const port = await freePort();
    idp = await startOidcProvider({
      productUrl: `http://127.0.0.1:${port}`,
      accounts: { "unverified@idp.test": { emailVerified: false } },
    });
    const backendPort = await freePort();
    server = await startTestServer(db.url, { PORT: String(port), BACKEND_URL: `http://127.0.0.1:${backendPort}`, ...idp.env });
    backend = await startPythonBackend({ port: backendPort, databaseUrl: db.url, secret: TEST_SECRET, publicUrl: server.url });
  });
  after(async () => {
    await backend?.stop();
    await server?.stop();
    await idp?.stop();
    await pool?.end();
    await db?.drop();
  });

  const accountsOf = async (userId: string) =>
    (await pool.query(`SELECT "providerId" FROM account WHERE "userId" = $1 ORDER BY "providerId"`, [userId])).rows.map((r) => r.providerId);

  test("a new reader is created incomplete and goes to onboarding; the backend refuses them until they answer", async () => {
    const c = new TestClient(server.url);
    const { landing } = await signInThroughProvider(c, { login: "ada@idp.test", body: JOURNEY });
    assert.equal(landing, JOURNEY.newUserCallbackURL);
    const s = await c.get("/api/auth/get-session");
    assert.equal(s.json.user.email, "ada@idp.test");
    assert.equal(s.json.user.emailVerified, true);
    assert.equal(s.json.user.profileComplete, false);
    assert.equal(s.json.profile, null);
    let me = await c.get("/api/me");
    assert.equal(me.status, 403);
    assert.equal(me.json.code, "PROFILE_INCOMPLETE");
    assert.equal((await c.post("/api/auth/profile", PROFILE)).status, 200);
    me = await c.get("/api/me");
    assert.equal(me.status, 200);
    assert.equal(me.json.user.email, "ada@idp.test");
    assert.deepEqual(await accountsOf(s.json.user.id), ["oidc"]);
  });

  test("a second sign-in with the same provider account is the same reader, sent to the callback", async () => {
    const first = new TestClient(server.url);
    await signInThroughProvider(first, { login: "twice@idp.test", body: JOURNEY });
    const id = (await first.get("/api/auth/get-session")).json.user.id;
    const second = new TestClient(server.url);
    const { landing } = await signInThroughProvider(second, { login: "twice@idp.test", body: JOURNEY });
    assert.equal(landing, JOURNEY.callbackURL);
    assert.equal((await second.get("/api/auth/get-session")).json.user.id, id);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "user" WHERE email = 'twice@idp.test'`);
    assert.equal(rows[0].n, 1);
    assert.deepEqual(await accountsOf(id), ["oidc"]);
  });

  test("a refused consent lands on sign-in with access_denied and the way back, and signs no one in", async () => {
    const c = new TestClient(server.url);
    const { landing } = await signInThroughProvider(c, { login: "no@idp.test", consent: "deny", body: JOURNEY });
    const url = new URL(landing!, server.url);
    assert.equal(url.pathname, "/sign-in");
    assert.equal(url.searchParams.get("redirect"), "/docs/variables");
    assert.equal(url.searchParams.get("error"), "access_denied");
    assert.equal((await c.get("/api/auth/get-session")).json, null);
    const { rows } = await pool.query(`SELECT 1 FROM "user" WHERE email = 'no@idp.test'`);
    assert.equal(rows.length, 0);
  });

  describe("account linking (README: Social and OpenID sign-in)", () => {
    test("an email account whose address is not verified is not joined: account_not_linked, no session", async () => {
      const owner = new TestClient(server.url);
      const userId = await owner.signUp("pre@idp.test");
      const c = new TestClient(server.url);
      const { landing } = await signInThroughProvider(c, { login: "pre@idp.test", body: JOURNEY });
      assert.equal(new URL(landing!, server.url).searchParams.get("error"), "account_not_linked");
      assert.equal((await c.get("/api/auth/get-session")).json, null);
      assert.deepEqual(await accountsOf(userId), ["credential"]);
    });

    test("a verified email account is joined when the provider verified the address too", async () => {
      const owner = new TestClient(server.url);
      const userId = await owner.signUp("both@idp.test");
      await pool.query(`UPDATE "user" SET "emailVerified" = true WHERE id = $1`, [userId]);
      const c = new TestClient(server.url);
      const { landing } = await signInThroughProvider(c, { login: "both@idp.test", body: JOURNEY });
      assert.equal(landing, JOURNEY.callbackURL);
      assert.equal((await c.get("/api/auth/get-session")).json.user.id, userId);
      assert.deepEqual(await accountsOf(userId), ["credential", "oidc"]);
    });

    test("an address the provider did not verify joins nothing, even a verified account", async () => {
      const owner = new TestClient(server.url);
      const userId = await owner.signUp("unverified@idp.test");
      await pool.query(`UPDATE "user" SET "emailVerified" = true WHERE id = $1`, [userId]);
      const c = new TestClient(server.url);
      const { landing } = await signInThroughProvider(c, { login: "unverified@idp.test", body: JOURNEY });
      assert.equal(new URL(landing!, server.url).searchParams.get("error"), "account_not_linked");
      assert.deepEqual(await accountsOf(userId), ["credential"]);
    });
  });

  test("signing out ends the session here and sends no one to the provider", async () => {
    const c = new TestClient(server.url);
    await signInThroughProvider(c, { login: "out@idp.test", body: JOURNEY });
    assert.ok((await c.get("/api/auth/get-session")).json.user);
    const r = await c.post("/api/auth/sign-out", {});
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("location"), null);
    assert.equal(r.json.url, undefined);
    assert.equal((await c.get("/api/auth/get-session")).json, null);
  });

  test("open redirect: no hostile callback, error or new-user URL sends the reader off this origin", async () => {
    let refused = 0;
    for (const { attack, value } of HOSTILE_REDIRECTS) {
      for (const field of ["callbackURL", "errorCallbackURL", "newUserCallbackURL"] as const) {
        const c = new TestClient(server.url);
        const body = { ...JOURNEY, [field]: value };
        // A refused consent exercises the error URL; a new login each time exercises the new-user URL.
        const login = `hostile-${refused}-${field}@idp.test`.toLowerCase();
        const consent = field === "errorCallbackURL" ? "deny" : "allow";
        const result = await signInThroughProvider(c, { login, consent, body }).catch((e: Error) => ({ error: e }));
        if ("error" in result) throw new Error(`${attack} in ${field}: ${result.error.message}`);
        if (result.landing === null) {
          assert.ok(result.status >= 400 && result.status < 500, `${attack} in ${field}: ${result.status}`);
          refused++;
          continue;
        }
        assert.equal(result.landingUrl!.origin, server.url, `${attack} in ${field} sent the reader to ${result.landingUrl}`);
      }
    }
    assert.ok(refused > 0);
  });
});
