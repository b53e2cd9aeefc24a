/**
 * Signing out fails visibly, the same way from the navbar's menu and from the account page: both buttons go through
 * the theme's one `useSignOut`. Before, the navbar swallowed a failure (the menu closed, nothing else happened, and
 * a reader on a shared computer walked away still signed in), and a request that got no answer at all left both
 * buttons silent. Two real failures: the real server refusing the request (its body rewritten to one Better-Auth's
 * sign-out schema rejects, so the session is kept and the answer is Better-Auth's own error), and a connection that
 * never answers. (Chromium does not let a test rewrite `Origin`, or the origin check would be the refusal.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, startProduct, step, uniqueEmail, type Product } from "./harness";

const NAME = "Sig Nout";
const SIGN_OUT = "**/api/auth/sign-out";

type Failure = "refused" | "no answer";

/** Makes this context's sign-out requests fail, as `failure` says, until `context.unroute(SIGN_OUT)`. */
async function failSignOut(context: BrowserContext, failure: Failure) {
  await context.unroute(SIGN_OUT);
  await context.route(SIGN_OUT, (route) =>
    failure === "refused"
      ? route.continue({ postData: JSON.stringify({ callbackURL: 5 }) })
      : route.abort("connectionrefused"),
  );
}

/**
 * Clicks a sign-out button while sign-out fails as `failure` says; the code the page must show: the server's own
 * for a refusal, the theme's UNKNOWN for a request that got no answer (and for a refusal without a code: Better-Auth's
 * body validation answers 400 with a message only).
 */
async function failingClick(page: Page, failure: Failure, click: () => Promise<void>): Promise<string> {
  if (failure === "no answer") {
    await click();
    return "UNKNOWN";
  }
  const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === "/api/auth/sign-out"), click()]);
  assert.equal(response.status(), 400);
  const body = (await response.json()) as { code?: string; message?: string };
  assert.ok(body.message, "a refusal, not an empty answer");
  return body.code ?? "UNKNOWN";
}

describe("sign-out failure handling, navbar and account page alike", () => {
  let product: Product;
  let browser: Browser;

  before(async () => {
    [product, browser] = await Promise.all([startProduct({ label: "sign-out" }), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  /** A fresh context with a complete reader signed in (through the API; its cookies are the pages'). */
  async function reader(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ baseURL: product.url });
    const headers = { origin: product.url };
    const signUp = await context.request.post("/api/auth/sign-up/email", {
      data: { email: uniqueEmail("sign-out"), password: "correct horse battery staple", name: NAME },
      headers,
    });
    assert.equal(signUp.status(), 200);
    const profile = await context.request.post("/api/auth/profile", { data: { pythonProficiency: "beginner", developerRole: "backend" }, headers });
    assert.equal(profile.status(), 200);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return { context, page };
  }

  const signedIn = (page: Page) => page.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()).then((s) => s?.user?.name ?? null));

  it("navbar: a failed sign-out says so by code and leaves the reader signed in; a retry signs out", async () => {
    const { context, page } = await reader();
    try {
      await page.goto("/docs/intro");
      const navbar = page.getByRole("navigation", { name: "Main" });
      for (const failure of ["no answer", "refused"] as const) {
        await step(context, page, `sign-out-navbar-${failure.replace(" ", "-")}`, async () => {
          await failSignOut(context, failure);
          await navbar.getByRole("button", { name: NAME }).click();
          const code = await failingClick(page, failure, () => navbar.getByRole("menuitem", { name: "Sign out" }).click());
          const alert = navbar.getByRole("alert");
          await alert.waitFor();
          assert.equal(await alert.getAttribute("data-error-code"), code);
          assert.equal(new URL(page.url()).pathname, "/docs/intro");
          assert.equal(await signedIn(page), NAME);
        });
      }
      await step(context, page, "sign-out-navbar-retry", async () => {
        await context.unroute(SIGN_OUT);
        await navbar.getByRole("button", { name: NAME }).click();
        await navbar.getByRole("menuitem", { name: "Sign out" }).click();
        await page.waitForURL((u) => u.pathname === "/" && u.search === "");
        await navbar.getByRole("link", { name: "Sign in" }).waitFor();
        assert.equal(await navbar.getByRole("alert").count(), 0);
        assert.equal(await signedIn(page), null);
      });
    } finally {
      await context.close();
    }
  });

  it("account page, reached inside the app: the same failures, the same codes, and the page stays; a retry signs out", async () => {
    const { context, page } = await reader();
    try {
      await page.goto("/docs/intro");
      const navbar = page.getByRole("navigation", { name: "Main" });
      await navbar.getByRole("button", { name: NAME }).click();
      await navbar.getByRole("menuitem", { name: "Account" }).click();
      await page.waitForURL((u) => u.pathname === "/account");
      const section = page.locator("[data-section='sign-out']");
      for (const failure of ["no answer", "refused"] as const) {
        await step(context, page, `sign-out-account-${failure.replace(" ", "-")}`, async () => {
          await failSignOut(context, failure);
          const code = await failingClick(page, failure, () => section.getByRole("button", { name: "Sign out" }).click());
          const alert = section.getByRole("alert");
          await alert.waitFor();
          assert.equal(await alert.getAttribute("data-error-code"), code);
          // Still a reader: the page neither left for the home page nor sent them to sign-in.
          assert.equal(new URL(page.url()).pathname, "/account");
          assert.equal(await signedIn(page), NAME);
        });
      }
      await step(context, page, "sign-out-account-retry", async () => {
        await context.unroute(SIGN_OUT);
        await section.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL((u) => u.pathname === "/" && u.search === "");
        assert.equal(await signedIn(page), null);
      });
    } finally {
      await context.close();
    }
  });
});
