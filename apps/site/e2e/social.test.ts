/**
 * Signing in with an OpenID Connect provider in a real browser: a real provider (oidc-provider, with its own login
 * and consent pages) on loopback, the real product (Node server, built site, Python backend) configured for it
 * through OIDC_* variables. A reader created this way onboards like any other, a second sign-in is the same reader,
 * the page the reader came from survives the round trip, and a refused consent comes back to sign-in with its code.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { freePort } from "../../../scripts/test-postgres.mjs";
import { startOidcProvider, type RunningProvider } from "../../server/src/testing/oidc-provider";
import { launchBrowser, pathOf, startProduct, step, tracedPage, type Product } from "./harness";

const CHAPTER = "/docs/variables";
const OTHER_CHAPTER = "/docs/functions";
const BUTTON = "Continue with Test Identity";

describe("sign-in with an OpenID Connect provider", () => {
  let idp: RunningProvider;
  let product: Product;
  let browser: Browser;

  before(async () => {
    const port = await freePort();
    idp = await startOidcProvider({ productUrl: `http://127.0.0.1:${port}`, name: "Test Identity" });
    [product, browser] = await Promise.all([
      startProduct({ backend: true, label: "social", port, env: idp.env }),
      launchBrowser(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await product?.stop();
    await idp?.stop();
  });

  const session = (p: Page) => p.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()));

  /** The provider's own development pages: a login form (any login) and a consent form. */
  async function loginAtProvider(p: Page, login: string) {
    await p.waitForURL((u) => u.origin === idp.issuer);
    await p.getByPlaceholder("Enter any login").fill(login);
    await p.getByPlaceholder("and password").fill("any password");
    await p.getByRole("button", { name: "Sign-in" }).click();
  }

  // One journey: the second sign-in is the same reader only because of the first, and the provider sends the reader
  // straight back only because this browser gave it the login and consent then.
  it("a visitor on a chapter signs in with the provider, onboards, reads the chapter (the backend answers 200); a second sign-in is the same reader", async () => {
    const { context, page } = await tracedPage(browser, { baseURL: product.url, timeout: 15_000 });
    let readerId = "";
    try {
      await step(context, page, "social-01-sign-in-page", async () => {
        await page.goto(CHAPTER);
        await page.waitForURL((u) => u.pathname === "/sign-in");
        await page.getByRole("button", { name: BUTTON }).waitFor();
      });
      await step(context, page, "social-02-provider-consent", async () => {
        await page.getByRole("button", { name: BUTTON }).click();
        await loginAtProvider(page, "grace@idp.test");
        await page.getByRole("button", { name: "Continue" }).waitFor();
      });
      await step(context, page, "social-03-onboarding", async () => {
        await page.getByRole("button", { name: "Continue" }).click();
        await page.waitForURL((u) => u.origin === product.url && u.pathname === "/onboarding");
        assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
        await page.getByRole("form", { name: "Reader profile" }).waitFor();
        const s = await session(page);
        assert.equal(s.user.email, "grace@idp.test");
        assert.equal(s.user.profileComplete, false);
        readerId = s.user.id;
        const me = await page.request.get("/api/me");
        assert.equal(me.status(), 403);
        assert.equal((await me.json()).code, "PROFILE_INCOMPLETE");
      });
      await step(context, page, "social-04-chapter", async () => {
        await page.getByLabel("Beginner: new to Python").check();
        await page.getByLabel("What describes your work best?").selectOption("data_science");
        await page.getByRole("button", { name: "Continue" }).click();
        await page.waitForURL((u) => u.pathname === CHAPTER);
        await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
        const me = await page.request.get("/api/me");
        assert.equal(me.status(), 200);
        assert.equal((await me.json()).user.email, "grace@idp.test");
      });
      // The same provider account again: the same reader, back on the page they came from.
      await step(context, page, "social-05-second-sign-in", async () => {
        const out = await page.request.post("/api/auth/sign-out", { headers: { origin: product.url }, data: {} });
        assert.equal(out.status(), 200);
        // In-app navigation this time: the navbar's link, then the chapter link's redirect.
        await page.goto("/");
        await page.goto(OTHER_CHAPTER);
        await page.waitForURL((u) => u.pathname === "/sign-in");
        await page.getByRole("link", { name: "Create an account" }).click();
        await page.waitForURL((u) => u.pathname === "/sign-up");
        assert.equal(new URL(page.url()).searchParams.get("redirect"), OTHER_CHAPTER);
        // The provider remembers its login and the consent given, so it sends the reader straight back.
        await page.getByRole("button", { name: BUTTON }).click();
        await page.waitForURL((u) => u.origin === product.url && u.pathname === OTHER_CHAPTER);
        await page.getByRole("heading", { level: 1, name: "Functions" }).waitFor();
        assert.equal((await session(page)).user.id, readerId);
        assert.equal((await page.request.get("/api/me")).status(), 200);
      });
    } finally {
      await context.close();
    }
  });

  it("a refused consent comes back to sign-in with a code-based message, and keeps the way back", async () => {
    const { context: fresh, page: tab } = await tracedPage(browser, { baseURL: product.url, timeout: 15_000 });
    try {
      await step(fresh, tab, "social-06-consent-refused", async () => {
        await tab.goto(`/sign-in?redirect=${encodeURIComponent(OTHER_CHAPTER)}`);
        await tab.getByRole("button", { name: BUTTON }).click();
        await loginAtProvider(tab, "refuses@idp.test");
        await tab.getByRole("link", { name: "[ Cancel ]" }).click();
        await tab.waitForURL((u) => u.origin === product.url && u.pathname === "/sign-in");
        const url = new URL(tab.url());
        assert.equal(url.searchParams.get("redirect"), OTHER_CHAPTER);
        const alert = tab.getByRole("alert");
        await alert.waitFor();
        assert.equal(await alert.getAttribute("data-error-code"), "ACCESS_DENIED");
        assert.equal(await session(tab), null);
        // The email form is still there, and the provider's own description of the error is not shown.
        await tab.getByRole("button", { name: "Sign in", exact: true }).waitFor();
        assert.ok(!(await alert.textContent())!.includes("End-User aborted"));
      });
    } finally {
      await fresh.close();
    }
  });

  it("the same built site shows no provider button where no keys are set", async () => {
    await product.restartServer({ OIDC_ISSUER: "", OIDC_CLIENT_ID: "", OIDC_CLIENT_SECRET: "", OIDC_NAME: "" });
    const { context: fresh, page: tab } = await tracedPage(browser, { baseURL: product.url, timeout: 30_000 });
    try {
      await step(fresh, tab, "social-07-no-keys", async () => {
        const listed = tab.waitForResponse((r) => r.url().endsWith("/api/auth/providers"));
        await tab.goto("/sign-in");
        assert.deepEqual(await (await listed).json(), { providers: [] });
        await tab.getByRole("button", { name: "Sign in", exact: true }).waitFor();
        assert.equal(await tab.getByRole("button", { name: /^Continue with/ }).count(), 0);
        assert.equal(pathOf(tab), "/sign-in");
      });
    } finally {
      await fresh.close();
    }
  });
});
