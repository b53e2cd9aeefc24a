/**
 * The site on another origin, in Chromium, on real host names: the built site on
 * https://docs.textbook.test:<port> (a static server: what a static host does), the auth server on
 * https://auth.textbook.test:<port> (TRUSTED_ORIGINS = the docs origin, COOKIE_DOMAIN = textbook.test), the Python
 * backend also on its own origin https://api.textbook.test:<port>. Chromium maps the names to 127.0.0.1
 * (--host-resolver-rules); each server listens on its own loopback port.
 *
 * Over https (a throwaway self-signed certificate, TLS ended in this process in front of each server, Chromium told
 * to ignore certificate errors), because that is the cookie a deployment uses: with an https PUBLIC_URL Better-Auth
 * sets `__Secure-better-auth.session_token; Domain=textbook.test; Secure; HttpOnly; SameSite=Lax`, and the backend
 * reads that name. Over http the same setup works too (the cookie loses Secure and the prefix; cookies ignore ports,
 * and the sibling hosts are the same site): http/cors.test.ts checks that cookie without a browser.
 *
 * Each test has its own browser context and, where it needs one, its own reader, so any one of them runs alone.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { createServer, type Server } from "node:http";
import { Hono } from "hono";
import { getRequestListener } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Browser, Page } from "playwright-core";
import { freePort } from "../../../scripts/test-postgres.mjs";
import { startOidcProvider, type RunningProvider } from "../../server/src/testing/oidc-provider";
import { contextsPerTest, launchBrowser, ROOT, startProduct, startTestSmtp, step, uniqueEmail, type Product, type TestSmtp } from "./harness";

const HOSTS = ["docs.textbook.test", "auth.textbook.test", "api.textbook.test", "intruder.textbook.test", "elsewhere.example"];
const SESSION_COOKIE = "__Secure-better-auth.session_token";
const CHAPTER = "/docs/variables";
const PASSWORD = "correct horse battery staple";

/** Ends TLS on `port` and pipes each connection to `target` on 127.0.0.1, as a load balancer in front would. */
function tlsFront(port: number, target: number, credentials: { key: Buffer; cert: Buffer }): Promise<tls.Server> {
  const server = tls.createServer(credentials, (client) => {
    const upstream = net.connect(target, "127.0.0.1");
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) socket.on("error", close).on("close", close);
  });
  return new Promise((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve(server)));
}

/** The built site as a static host serves it (no protection: that needs the Node server), plus a blank page. */
function staticHost(siteDir: string): Promise<Server> {
  const app = new Hono();
  app.get("/blank", (c) => c.html("<!doctype html><title>blank</title><p>blank</p>"));
  app.use("/*", serveStatic({ root: siteDir }));
  app.notFound((c) => c.html(readFileSync(path.join(siteDir, "404.html"), "utf8"), 404));
  const server = createServer(getRequestListener(app.fetch));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const close = (server: net.Server | undefined) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/** Runs in the page: each URL fetched with the page's cookies; "blocked" when the browser keeps the answer from it. */
const readAll = (p: Page, urls: string[]) =>
  p.evaluate(
    (list) =>
      Promise.all(
        list.map((url) =>
          fetch(url, { credentials: "include" }).then(
            async (r) => ({ url, status: r.status, body: await r.json() }),
            () => ({ url, status: "blocked" as const, body: null }),
          ),
        ),
      ),
    urls,
  );

describe("the site on a sibling subdomain, the auth server on another", () => {
  let tmp: string;
  let product: Product;
  let idp: RunningProvider;
  let smtp: TestSmtp;
  let browser: Browser;
  const servers: net.Server[] = [];
  let DOCS: string;
  let AUTH: string;
  let API: string;
  let INTRUDER: string;
  let ELSEWHERE: string;

  const contexts = contextsPerTest(() => ({ browser, options: { timeout: 15_000 } }));

  /**
   * Signs a new reader up and onboards them (intermediate, backend) from a page on the docs origin, as the site's
   * forms do: through the browser, because only its resolver knows the test's host names.
   */
  async function signUpOnDocs(page: Page, label: string): Promise<string> {
    const email = uniqueEmail(label);
    await page.goto(`${DOCS}/blank`);
    // (No named helpers inside evaluate: the test's transpiler would wrap them in a function the page lacks.)
    const statuses = await page.evaluate(
      async ({ auth, email, password }) => [
        (await fetch(`${auth}/api/auth/sign-up/email`, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email, password, name: "Sibling Reader" }),
        })).status,
        (await fetch(`${auth}/api/auth/profile`, {
          method: "POST",
          credentials: "include",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ pythonProficiency: "intermediate", developerRole: "backend" }),
        })).status,
      ],
      { auth: AUTH, email, password: PASSWORD },
    );
    assert.deepEqual(statuses, [200, 200], "sign-up and onboarding from the docs origin");
    return email;
  }

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "cross-origin-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=textbook.test",
        "-addext", `subjectAltName=${HOSTS.map((h) => `DNS:${h}`).join(",")}`, "-keyout", path.join(tmp, "key.pem"), "-out", path.join(tmp, "cert.pem")],
      { stdio: "pipe" },
    );
    const credentials = { key: readFileSync(path.join(tmp, "key.pem")), cert: readFileSync(path.join(tmp, "cert.pem")) };
    const [authPort, authTls, docsTls] = [await freePort(), await freePort(), await freePort()];
    AUTH = `https://auth.textbook.test:${authTls}`;
    DOCS = `https://docs.textbook.test:${docsTls}`;
    INTRUDER = `https://intruder.textbook.test:${docsTls}`; // a sibling that is not trusted, served by the same host
    ELSEWHERE = `https://elsewhere.example:${docsTls}`; // another site altogether

    // The site as an adopter builds it for this setup: authBaseUrl on the auth server's origin.
    const siteDir = path.join(tmp, "site");
    execFileSync(
      process.execPath,
      [path.join(ROOT, "node_modules/@docusaurus/core/bin/docusaurus.mjs"), "build", "--out-dir", siteDir],
      { cwd: path.join(ROOT, "apps/site"), env: { ...process.env, SITE_AUTH_ORIGIN: AUTH }, stdio: "pipe" },
    );
    // The auth server serves no site here: an empty folder (it answers its placeholder page).
    const authSite = path.join(tmp, "auth-site");
    mkdirSync(authSite);
    const trusted = { PUBLIC_URL: AUTH, TRUSTED_ORIGINS: DOCS };
    idp = await startOidcProvider({ productUrl: AUTH, name: "Test Identity" });
    smtp = await startTestSmtp();
    [product, browser] = await Promise.all([
      startProduct({
        label: "cross-origin",
        backend: true,
        port: authPort,
        siteDir: authSite,
        env: { ...trusted, COOKIE_DOMAIN: "textbook.test", SMTP_URL: smtp.url, ...idp.env },
        backendEnv: trusted,
      }),
      launchBrowser([`--host-resolver-rules=${HOSTS.map((h) => `MAP ${h} 127.0.0.1`).join(", ")}`, "--ignore-certificate-errors"]),
    ]);
    assert.ok(product.backendUrl, "the Python backend (apps/backend, .venv) is needed");
    const docs = await staticHost(siteDir);
    const apiTls = await freePort();
    API = `https://api.textbook.test:${apiTls}`;
    servers.push(
      docs,
      await tlsFront(authTls, authPort, credentials),
      await tlsFront(docsTls, portOf(docs), credentials),
      await tlsFront(apiTls, Number(new URL(product.backendUrl).port), credentials),
    );
  });

  afterEach(async () => {
    await contexts.closeAll();
  });

  after(async () => {
    await browser?.close();
    for (const server of servers) await close(server);
    await product?.stop();
    await idp?.stop();
    await smtp?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("a visitor on a chapter of the docs origin signs up, onboards and reads it, never leaving the docs origin; the session cookie is the auth server's, for the whole domain", async () => {
    const { context, page } = await contexts.open();
    const email = uniqueEmail("sibling");
    // A host-only session cookie from before COOKIE_DOMAIN was set (a reader of the same auth server, earlier):
    // the sign-up must retire it, or the two would be sent together and count as no session.
    await context.addCookies([{ name: SESSION_COOKIE, value: "left-from-before", url: AUTH, secure: true, httpOnly: true, sameSite: "Lax" }]);
    await step(context, page, "cross-01-sign-in", async () => {
      await page.goto(`${DOCS}${CHAPTER}`);
      await page.waitForURL((u) => u.origin === DOCS && u.pathname === "/sign-in");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
    });
    await step(context, page, "cross-02-sign-up", async () => {
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.waitForURL((u) => u.origin === DOCS && u.pathname === "/sign-up");
      await page.getByLabel("Name").fill("Sibling Reader");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL((u) => u.origin === DOCS && u.pathname === "/onboarding");
    });
    await step(context, page, "cross-03-chapter", async () => {
      await page.locator("input[name=pythonProficiency][value=intermediate]").check();
      await page.locator("select[name=developerRole]").selectOption("backend");
      await page.locator("form[aria-label='Reader profile'] button[type=submit]").click();
      await page.waitForURL((u) => u.origin === DOCS && u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
    });
    await step(context, page, "cross-03b-cookie", async () => {
      // One session cookie (the host-only one from before is retired): Domain=textbook.test, Secure, HttpOnly, Lax.
      const sessions = (await context.cookies()).filter((c) => c.name === SESSION_COOKIE);
      assert.equal(sessions.length, 1, JSON.stringify(sessions));
      assert.deepEqual(
        { domain: sessions[0]!.domain, secure: sessions[0]!.secure, httpOnly: sessions[0]!.httpOnly, sameSite: sessions[0]!.sameSite, path: sessions[0]!.path },
        { domain: ".textbook.test", secure: true, httpOnly: true, sameSite: "Lax", path: "/" },
      );
    });
  });

  // One journey: the backend's own origin must see the progress written through the proxy, the same rows.
  it("the /backend page on the docs origin reads and writes through the auth server's /api proxy, and the backend's own origin answers reads and preflighted writes", async () => {
    const { context, page } = await contexts.open();
    const email = await signUpOnDocs(page, "sibling-backend");
    await step(context, page, "cross-04-backend-page", async () => {
      const answer = page.waitForResponse((r) => r.url() === `${AUTH}/api/me`);
      await page.goto(`${DOCS}/backend`);
      await page.getByTestId("me-status").waitFor();
      assert.equal(await page.getByTestId("me-status").textContent(), "200");
      const me = JSON.parse((await page.getByTestId("me-body").textContent()) ?? "null");
      assert.deepEqual([me.user.email, me.profile.developerRole], [email, "backend"]);
      // Read with Cross-Origin-Resource-Policy: same-origin on it: CORP binds no-cors loads, not CORS reads.
      const headers = (await answer).headers();
      assert.deepEqual([headers["access-control-allow-origin"], headers["cross-origin-resource-policy"]], [DOCS, "same-origin"]);
      await page.getByRole("button", { name: "Mark as read" }).click();
      await page.getByTestId("progress-put-status").waitFor();
      assert.equal(await page.getByTestId("progress-put-status").textContent(), "200");
    });
    await step(context, page, "cross-04b-backend-origin", async () => {
      const [me] = await readAll(page, [`${API}/api/me`]);
      assert.deepEqual([me!.status, me!.body.user.email], [200, email]);
      const write = await page.evaluate(
        (url) =>
          fetch(url, { method: "PUT", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ chapter: "functions", completed: true }) }).then(
            async (r) => ({ status: r.status, chapters: (await r.json()).chapters.map((c: { chapter: string }) => c.chapter) }),
            (e: Error) => ({ status: "blocked", chapters: [String(e)] }),
          ),
        `${API}/api/progress`,
      );
      assert.deepEqual(write, { status: 200, chapters: ["variables", "functions"] });
    });
  });

  it("a page on an untrusted origin reads nothing and writes nothing, even a sibling subdomain that receives the cookie", async () => {
    const { context, page } = await contexts.open();
    const email = await signUpOnDocs(page, "sibling-untrusted");
    for (const origin of [INTRUDER, ELSEWHERE]) {
      const other = await context.newPage();
      try {
        await other.goto(`${origin}/blank`);
        const reads = await readAll(other, [`${AUTH}/api/auth/get-session`, `${AUTH}/api/auth/profile`, `${AUTH}/api/me`, `${API}/api/me`]);
        assert.deepEqual(reads.map((r) => r.status), ["blocked", "blocked", "blocked", "blocked"], origin);
        const failures = new Map<string, string | undefined>();
        other.on("requestfailed", (r) => failures.set(new URL(r.url()).pathname, r.failure()?.errorText));
        // (No named helpers inside evaluate: the test's transpiler would wrap them in a function the page lacks.)
        const attempts = await other.evaluate(async (auth) => ({
          // Needs a preflight, which is refused: the request itself is never sent.
          preflighted: await fetch(`${auth}/api/auth/update-user`, {
            method: "POST",
            credentials: "include",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "Pwned" }),
          }).then((r) => r.type, () => "blocked"),
          // Needs none: sent with the cookie (a sibling is the same site) and refused by Better-Auth's origin check
          // (the reader is still signed in below); its answer is then withheld from the page by CORP: same-origin.
          simple: await fetch(`${auth}/api/auth/sign-out`, { method: "POST", credentials: "include", mode: "no-cors" }).then((r) => r.type, () => "blocked"),
        }), AUTH);
        assert.deepEqual(attempts, { preflighted: "blocked", simple: "blocked" }, origin);
        // The browser's reports come over the protocol after the page's own promise settles: wait for both, bounded.
        for (let i = 0; i < 40 && failures.size < 2; i++) await other.waitForTimeout(50);
        assert.deepEqual(
          Object.fromEntries(failures),
          { "/api/auth/update-user": "net::ERR_FAILED", "/api/auth/sign-out": "net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin" },
          origin,
        );
      } finally {
        await other.close();
      }
    }
    // Still signed in, under the same name.
    const [session] = await readAll(page, [`${AUTH}/api/auth/get-session`]);
    assert.deepEqual([session!.body.user.email, session!.body.user.name], [email, "Sibling Reader"]);
  });

  it("a provider sign-in started on the docs origin comes back to it: onboarding, then the chapter; a refusal to its sign-in page", async () => {
    const { context: fresh, page: tab } = await contexts.open();
    const atProvider = async (login: string) => {
      await tab.waitForURL((u) => u.origin === idp.issuer);
      await tab.getByPlaceholder("Enter any login").fill(login);
      await tab.getByPlaceholder("and password").fill("any password");
      await tab.getByRole("button", { name: "Sign-in" }).click();
    };
    try {
      await step(fresh, tab, "cross-06-provider-onboarding", async () => {
        await tab.goto(`${DOCS}${CHAPTER}`);
        await tab.waitForURL((u) => u.origin === DOCS && u.pathname === "/sign-in");
        await tab.getByRole("button", { name: "Continue with Test Identity" }).click();
        await atProvider("ada@idp.test");
        await tab.getByRole("button", { name: "Continue" }).click();
        await tab.waitForURL((u) => u.origin === DOCS && u.pathname === "/onboarding");
        assert.equal(new URL(tab.url()).searchParams.get("redirect"), CHAPTER);
        await tab.locator("input[name=pythonProficiency][value=advanced]").check();
        await tab.locator("select[name=developerRole]").selectOption("robotics");
        await tab.locator("form[aria-label='Reader profile'] button[type=submit]").click();
        await tab.waitForURL((u) => u.origin === DOCS && u.pathname === CHAPTER);
        await tab.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      });
      await step(fresh, tab, "cross-07-provider-refused", async () => {
        await fresh.clearCookies();
        await tab.goto(`${DOCS}/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
        await tab.getByRole("button", { name: "Continue with Test Identity" }).click();
        await atProvider("refuses@idp.test");
        await tab.getByRole("link", { name: "[ Cancel ]" }).click();
        await tab.waitForURL((u) => u.origin === DOCS && u.pathname === "/sign-in");
        assert.equal(new URL(tab.url()).searchParams.get("redirect"), CHAPTER);
        assert.equal(await tab.getByRole("alert").getAttribute("data-error-code"), "ACCESS_DENIED");
      });
    } finally {
      await fresh.close();
    }
  });

  it("the reader signs out from the docs origin: both servers refuse the session and the cookie is gone", async () => {
    const { context, page } = await contexts.open();
    await signUpOnDocs(page, "sibling-sign-out");
    await step(context, page, "cross-05-signed-out", async () => {
      await page.goto(`${DOCS}${CHAPTER}`);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      await page.getByRole("button", { name: "Sibling Reader" }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      await page.waitForURL((u) => u.origin === DOCS && u.pathname === "/");
      await page.getByRole("link", { name: "Sign in" }).waitFor();
    });
    const reads = await readAll(page, [`${AUTH}/api/auth/get-session`, `${AUTH}/api/me`, `${API}/api/me`]);
    assert.deepEqual(
      reads.map((r) => [r.status, r.body?.code ?? r.body]),
      [[200, null], [401, "UNAUTHENTICATED"], [401, "UNAUTHENTICATED"]],
    );
    assert.deepEqual((await context.cookies()).filter((c) => c.name === SESSION_COOKIE), []);
    await page.goto(`${DOCS}${CHAPTER}`);
    await page.waitForURL((u) => u.origin === DOCS && u.pathname === "/sign-in");
  });

  it("a reset link mailed from the docs origin brings the reader back to the docs origin's reset page", async () => {
    const { context, page } = await contexts.open();
    const email = await signUpOnDocs(page, "sibling-reset");
    await context.clearCookies();
    await step(context, page, "cross-08-forgot", async () => {
      await page.goto(`${DOCS}/forgot-password?email=${encodeURIComponent(email)}`);
      await page.waitForFunction(() => (document.querySelector("#forgot-email") as HTMLInputElement | null)?.value.includes("@"));
      await page.getByRole("button", { name: "Send the link" }).click();
      await page.getByTestId("reset-requested").waitFor();
    });
    const mail = await smtp.next(email, /reset/i);
    const link = mail.links.find((l) => l.startsWith(`${AUTH}/api/auth/reset-password/`));
    assert.ok(link, JSON.stringify(mail.links));
    await step(context, page, "cross-09-reset", async () => {
      await page.goto(link);
      await page.waitForURL((u) => u.origin === DOCS && u.pathname === "/reset-password" && u.searchParams.has("token"));
      await page.getByLabel("New password", { exact: true }).fill(`${PASSWORD} again`);
      await page.getByLabel("New password, again").fill(`${PASSWORD} again`);
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByTestId("password-reset-done").waitFor();
    });
  });
});
