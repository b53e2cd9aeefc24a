/**
 * Mail end to end: the real auth server sends through SMTP_URL to a real SMTP server (smtp-server), and every
 * journey follows the link of the message that arrived, as a reader would. Codes, never prose.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { startTestServer } from "../testing/server";
import { TestClient } from "../testing/client";
import { startTestSmtp, type TestSmtp } from "../testing/smtp";
import type { RunningServer } from "../server";

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";

type Db = Awaited<ReturnType<typeof createTestDatabase>>;

async function query<T extends pg.QueryResultRow = any>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The link of a message that leads to `pathPrefix` on the server. */
function linkTo(server: RunningServer, links: string[], pathPrefix: string): string {
  const link = links.find((l) => l.startsWith(server.url + pathPrefix));
  assert.ok(link, `no link to ${pathPrefix} in ${JSON.stringify(links)}`);
  return link;
}

describe("mail through a real SMTP server", () => {
  let db: Db;
  let smtp: TestSmtp;
  let server: RunningServer;
  before(async () => {
    [db, smtp] = await Promise.all([createTestDatabase(), startTestSmtp()]);
    server = await startTestServer(db.url, { SMTP_URL: smtp.url, MAIL_FROM: "Python for Builders <books@example.test>" });
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
    await db.drop();
  });

  test("sign-up sends a verification message with a plain-text part, a link on PUBLIC_URL, and the From of MAIL_FROM", async () => {
    const c = new TestClient(server.url);
    await c.signUp("verify-me@example.com", PASSWORD);
    const mail = await smtp.next("verify-me@example.com", /confirm your email/i);
    assert.match(mail.from, /books@example\.test/);
    assert.ok(mail.text.length > 0 && mail.html.length > 0, "both a text and an HTML part");
    assert.match(mail.raw, /Content-Type: text\/plain/i);
    const link = linkTo(server, mail.links, "/api/auth/verify-email?");
    assert.ok(mail.html.includes(link.replace(/&/g, "&amp;")), "the HTML part carries the same link");

    let session = await c.get("/api/auth/get-session");
    assert.equal(session.json.user.emailVerified, false);
    // Opened in another browser: the link verifies and signs that browser in (autoSignInAfterVerification).
    const other = new TestClient(server.url);
    const opened = await other.open(link);
    assert.equal(opened.status, 302);
    session = await other.get("/api/auth/get-session");
    assert.equal(session.json.user.email, "verify-me@example.com");
    assert.equal(session.json.user.emailVerified, true);
  });

  test("password reset: the same answer for an unknown address, and no message to it", async () => {
    const c = new TestClient(server.url);
    await c.signUp("known@example.com", PASSWORD);
    const known = await c.post("/api/auth/request-password-reset", { email: "known@example.com", redirectTo: "/reset-password" });
    const unknown = await c.post("/api/auth/request-password-reset", { email: "nobody-here@example.com", redirectTo: "/reset-password" });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, known.status);
    assert.deepEqual(unknown.json, known.json);
    await smtp.next("known@example.com", /reset/i);
    await server.mailSent();
    assert.deepEqual(smtp.to("nobody-here@example.com"), []);
  });

  test("password reset: the link lands on /reset-password, works once, and signs out every session", async () => {
    const reader = new TestClient(server.url);
    await reader.signUp("forgetful@example.com", PASSWORD);
    const elsewhere = new TestClient(server.url);
    assert.equal((await elsewhere.post("/api/auth/sign-in/email", { email: "forgetful@example.com", password: PASSWORD })).status, 200);

    const visitor = new TestClient(server.url);
    assert.equal((await visitor.post("/api/auth/request-password-reset", { email: "forgetful@example.com", redirectTo: "/reset-password" })).status, 200);
    const mail = await smtp.next("forgetful@example.com", /reset/i);
    const opened = await visitor.open(linkTo(server, mail.links, "/api/auth/reset-password/"));
    assert.equal(opened.status, 302);
    const landing = new URL(opened.location!, server.url);
    assert.equal(landing.pathname, "/reset-password");
    const token = landing.searchParams.get("token");
    assert.ok(token);

    const reset = await visitor.post("/api/auth/reset-password", { token, newPassword: NEW_PASSWORD });
    assert.equal(reset.status, 200, reset.text);
    // Single use.
    const again = await visitor.post("/api/auth/reset-password", { token, newPassword: "yet another passphrase" });
    assert.equal(again.status, 400);
    assert.equal(again.json.code, "INVALID_TOKEN");
    const reopened = await visitor.open(linkTo(server, mail.links, "/api/auth/reset-password/"));
    assert.equal(new URL(reopened.location!, server.url).searchParams.get("error"), "INVALID_TOKEN");
    // Every session is gone; the old password no longer works, the new one does.
    assert.equal((await reader.get("/api/auth/get-session")).json, null);
    assert.equal((await elsewhere.get("/api/auth/get-session")).json, null);
    const old = await visitor.post("/api/auth/sign-in/email", { email: "forgetful@example.com", password: PASSWORD });
    assert.equal(old.json.code, "INVALID_EMAIL_OR_PASSWORD");
    assert.equal((await visitor.post("/api/auth/sign-in/email", { email: "forgetful@example.com", password: NEW_PASSWORD })).status, 200);
  });

  test("password reset: an expired link is refused with INVALID_TOKEN", async () => {
    const c = new TestClient(server.url);
    await c.signUp("slow@example.com", PASSWORD);
    await c.post("/api/auth/request-password-reset", { email: "slow@example.com", redirectTo: "/reset-password" });
    const mail = await smtp.next("slow@example.com", /reset/i);
    const link = linkTo(server, mail.links, "/api/auth/reset-password/");
    const token = new URL(link).pathname.split("/").at(-1)!;
    await query(db.url, `UPDATE verification SET "expiresAt" = now() - interval '1 second' WHERE identifier = $1`, [`reset-password:${token}`]);
    const opened = await c.open(link);
    assert.equal(new URL(opened.location!, server.url).searchParams.get("error"), "INVALID_TOKEN");
    const reset = await c.post("/api/auth/reset-password", { token, newPassword: NEW_PASSWORD });
    assert.equal(reset.status, 400);
    assert.equal(reset.json.code, "INVALID_TOKEN");
  });

  test("a reset link names /reset-password even when the request named no page", async () => {
    const c = new TestClient(server.url);
    await c.signUp("no-redirect@example.com", PASSWORD);
    await c.post("/api/auth/request-password-reset", { email: "no-redirect@example.com" });
    const mail = await smtp.next("no-redirect@example.com", /reset/i);
    const opened = await c.open(linkTo(server, mail.links, "/api/auth/reset-password/"));
    assert.equal(new URL(opened.location!, server.url).pathname, "/reset-password");
  });

  test("email change of a verified address: the new address gets the link, and the change waits for it", async () => {
    const c = new TestClient(server.url);
    await c.signUp("old-address@example.com", PASSWORD);
    await c.open(linkTo(server, (await smtp.next("old-address@example.com", /confirm your email/i)).links, "/api/auth/verify-email?"));
    const r = await c.post("/api/auth/change-email", { newEmail: "new-address@example.com", callbackURL: "/verify-email" });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.get("/api/auth/get-session")).json.user.email, "old-address@example.com");
    const mail = await smtp.next("new-address@example.com", /new email/i);
    const opened = await c.open(linkTo(server, mail.links, "/api/auth/verify-email?"));
    assert.equal(new URL(opened.location!, server.url).pathname, "/verify-email");
    const session = (await c.get("/api/auth/get-session")).json;
    assert.equal(session.user.email, "new-address@example.com");
    assert.equal(session.user.emailVerified, true);
  });

  test("email change of an unconfirmed address: at once, and the new address is sent a verification link", async () => {
    const c = new TestClient(server.url);
    await c.signUp("never-confirmed@example.com", PASSWORD);
    await smtp.next("never-confirmed@example.com");
    const r = await c.post("/api/auth/change-email", { newEmail: "confirmed-later@example.com" });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.get("/api/auth/get-session")).json.user.email, "confirmed-later@example.com");
    const mail = await smtp.next("confirmed-later@example.com");
    await c.open(linkTo(server, mail.links, "/api/auth/verify-email?"));
    assert.equal((await c.get("/api/auth/get-session")).json.user.emailVerified, true);
  });

  test("an email change to an address that has an account answers the same and sends nothing", async () => {
    const taken = new TestClient(server.url);
    await taken.signUp("taken@example.com", PASSWORD);
    await smtp.next("taken@example.com");
    const c = new TestClient(server.url);
    await c.signUp("wants-taken@example.com", PASSWORD);
    const r = await c.post("/api/auth/change-email", { newEmail: "taken@example.com" });
    assert.equal(r.status, 200);
    await server.mailSent();
    assert.deepEqual(smtp.to("taken@example.com").filter((m) => /new email/i.test(m.subject)), []);
    assert.equal((await c.get("/api/auth/get-session")).json.user.email, "wants-taken@example.com");
  });

  test("features tell the site that mail is on", async () => {
    const r = await new TestClient(server.url).get("/api/auth/account/features");
    assert.deepEqual(r.json, { mail: true, emailVerificationRequired: false });
  });
});

describe("REQUIRE_EMAIL_VERIFICATION=true", () => {
  let db: Db;
  let smtp: TestSmtp;
  let server: RunningServer;
  before(async () => {
    [db, smtp] = await Promise.all([createTestDatabase(), startTestSmtp()]);
    server = await startTestServer(db.url, { SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: "true" });
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
    await db.drop();
  });

  test("sign-in waits with EMAIL_NOT_VERIFIED; send again mails a new link; the link signs the reader in", async () => {
    const c = new TestClient(server.url);
    const up = await c.post("/api/auth/sign-up/email", { email: "patient@example.com", password: PASSWORD, name: "P" });
    assert.equal(up.status, 200);
    assert.equal(up.json.token, null, "no session before the address is verified");
    await smtp.next("patient@example.com", /confirm/i);

    const early = await c.post("/api/auth/sign-in/email", { email: "patient@example.com", password: PASSWORD });
    assert.equal(early.status, 403);
    assert.equal(early.json.code, "EMAIL_NOT_VERIFIED");
    assert.equal((await c.get("/api/auth/get-session")).json, null);

    const again = await c.post("/api/auth/send-verification-email", { email: "patient@example.com", callbackURL: "/verify-email" });
    assert.equal(again.status, 200);
    const unknown = await c.post("/api/auth/send-verification-email", { email: "ghost@example.com", callbackURL: "/verify-email" });
    assert.deepEqual([unknown.status, unknown.json], [again.status, again.json]);

    const mail = await smtp.next("patient@example.com", /confirm/i);
    const opened = await c.open(linkTo(server, mail.links, "/api/auth/verify-email?"));
    assert.equal(new URL(opened.location!, server.url).pathname, "/verify-email");
    assert.equal((await c.get("/api/auth/get-session")).json.user.emailVerified, true);
    const later = new TestClient(server.url);
    assert.equal((await later.post("/api/auth/sign-in/email", { email: "patient@example.com", password: PASSWORD })).status, 200);
    assert.deepEqual(smtp.to("ghost@example.com"), []);
  });

  test("a broken or expired verification link lands on the callback with the error code", async () => {
    const c = new TestClient(server.url);
    const opened = await c.open(`${server.url}/api/auth/verify-email?token=not-a-token&callbackURL=%2Fverify-email`);
    const landing = new URL(opened.location!, server.url);
    assert.equal(landing.pathname, "/verify-email");
    assert.equal(landing.searchParams.get("error"), "INVALID_TOKEN");
  });

  test("features say verification is required", async () => {
    assert.deepEqual((await new TestClient(server.url).get("/api/auth/account/features")).json, { mail: true, emailVerificationRequired: true });
  });
});

describe("rate limits on every endpoint that sends mail", () => {
  let db: Db;
  let smtp: TestSmtp;
  let server: RunningServer;
  before(async () => {
    [db, smtp] = await Promise.all([createTestDatabase(), startTestSmtp()]);
    server = await startTestServer(db.url, { SMTP_URL: smtp.url, RATE_LIMIT: "true", TRUST_PROXY: "true" });
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
    await db.drop();
  });

  /** Sends `count` requests from one client address; returns the statuses. */
  async function burst(address: string, count: number, send: (headers: Record<string, string>) => Promise<{ status: number; json: any }>) {
    const statuses: number[] = [];
    let last: any;
    for (let i = 0; i < count; i++) {
      const r = await send({ "x-forwarded-for": address });
      statuses.push(r.status);
      last = r.json;
    }
    return { statuses, last };
  }

  test("request-password-reset, send-verification-email, sign-up and change-email answer 429 RATE_LIMITED past their limit", async () => {
    const c = new TestClient(server.url);
    const cases: [string, number, (h: Record<string, string>, i: number) => Promise<{ status: number; json: any }>][] = [
      ["request-password-reset", 3, (h) => c.post("/api/auth/request-password-reset", { email: "victim@example.com" }, h)],
      ["send-verification-email", 3, (h) => c.post("/api/auth/send-verification-email", { email: "victim@example.com" }, h)],
      ["sign-up", 5, (h, i) => c.post("/api/auth/sign-up/email", { email: `many-${i}@example.com`, password: PASSWORD, name: "M" }, h)],
    ];
    for (const [name, limit, send] of cases) {
      let i = 0;
      const { statuses, last } = await burst(`198.51.100.${10 + cases.findIndex((x) => x[0] === name)}`, limit + 1, (h) => send(h, i++));
      assert.ok(statuses.slice(0, limit).every((s) => s !== 429), `${name}: ${statuses}`);
      assert.equal(statuses[limit], 429, `${name}: ${statuses}`);
      assert.equal(last.code, "RATE_LIMITED", name);
    }
    const reader = new TestClient(server.url);
    const address = { "x-forwarded-for": "198.51.100.40" };
    assert.equal((await reader.post("/api/auth/sign-up/email", { email: "changer@example.com", password: PASSWORD, name: "C" }, address)).status, 200);
    const changes: number[] = [];
    for (let i = 0; i < 4; i++) changes.push((await reader.post("/api/auth/change-email", { newEmail: `changed-${i}@example.com` }, address)).status);
    assert.deepEqual(changes.slice(0, 3).map((s) => s === 429), [false, false, false], String(changes));
    assert.equal(changes[3], 429);
  });

  test("one address cannot be flooded from many client addresses: at most 5 messages per recipient", async () => {
    const c = new TestClient(server.url);
    await c.signUp("flooded@example.com", PASSWORD, "F", );
    await smtp.next("flooded@example.com"); // the sign-up's own message counts too
    for (let i = 0; i < 8; i++) {
      const r = await c.post("/api/auth/request-password-reset", { email: "flooded@example.com" }, { "x-forwarded-for": `203.0.113.${i + 1}` });
      assert.equal(r.status, 200);
    }
    await server.mailSent();
    assert.equal(smtp.to("flooded@example.com").length, 5);
  });
});

describe("development mailbox (NODE_ENV=development, no SMTP_URL)", () => {
  let db: Db;
  let server: RunningServer;
  let dataDir: string;
  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "mailbox-"));
    server = await startTestServer(db.url, { NODE_ENV: "development", DATA_DIR: dataDir });
  });
  after(async () => {
    await server.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("each message is kept under DATA_DIR/mail and /dev/mailbox lists it with its link", async () => {
    const c = new TestClient(server.url);
    await c.signUp("dev@example.com", PASSWORD);
    const mailDir = path.join(dataDir, "mail");
    const deadline = Date.now() + 5_000;
    while (!(existsSync(mailDir) && readdirSync(mailDir).some((n) => n.endsWith(".json")))) {
      assert.ok(Date.now() < deadline, "no message in the mailbox");
      await new Promise((r) => setTimeout(r, 50));
    }
    const names = readdirSync(mailDir);
    const eml = names.find((n) => n.endsWith(".eml"))!;
    assert.match(readFileSync(path.join(mailDir, eml), "utf8"), /^To: dev@example\.com$/m);

    const json = await c.get("/dev/mailbox.json");
    assert.equal(json.status, 200);
    const [message] = json.json.messages;
    assert.equal(message.to, "dev@example.com");
    const link = message.links.find((l: string) => l.startsWith(`${server.url}/api/auth/verify-email?`));
    assert.ok(link);
    const page = await c.get("/dev/mailbox");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /text\/html/);
    assert.ok(page.text.includes(link.replace(/&/g, "&amp;")));
    assert.equal(page.headers.get("cache-control"), "no-store");
  });
});

describe("no mail (production, or test without SMTP_URL)", () => {
  let db: Db;
  let server: RunningServer;
  before(async () => {
    db = await createTestDatabase();
    server = await startTestServer(db.url, { NODE_ENV: "production" });
  });
  after(async () => {
    await server.stop();
    await db.drop();
  });

  test("/dev/mailbox is not served in production", async () => {
    const c = new TestClient(server.url);
    assert.equal((await c.get("/dev/mailbox")).status, 404);
    assert.equal((await c.get("/dev/mailbox.json")).status, 404);
  });

  test("reset and verification say they are off, and the site is told", async () => {
    const c = new TestClient(server.url);
    await c.signUp("no-mail@example.com", PASSWORD);
    const reset = await c.post("/api/auth/request-password-reset", { email: "no-mail@example.com" });
    assert.equal(reset.status, 400);
    assert.equal(reset.json.code, "RESET_PASSWORD_DISABLED");
    const verify = await c.post("/api/auth/send-verification-email", { email: "no-mail@example.com" });
    assert.equal(verify.json.code, "VERIFICATION_EMAIL_NOT_ENABLED");
    assert.deepEqual((await c.get("/api/auth/account/features")).json, { mail: false, emailVerificationRequired: false });
    // Without mail nobody's address is confirmed, so a change takes effect at once.
    assert.equal((await c.post("/api/auth/change-email", { newEmail: "still-no-mail@example.com" })).status, 200);
    assert.equal((await c.get("/api/auth/get-session")).json.user.email, "still-no-mail@example.com");
  });
});
