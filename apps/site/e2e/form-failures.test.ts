/**
 * Forms that meet a failure say so by code and stay usable; first of all signing out, which fails visibly the same way from the navbar's menu and from the account page: both buttons go through
 * the theme's one `useSignOut`. Before, the navbar swallowed a failure (the menu closed, nothing else happened, and
 * a reader on a shared computer walked away still signed in), and a request that got no answer at all left both
 * buttons silent. Two real failures: the real server refusing the request (its body rewritten to one Better-Auth's
 * sign-out schema rejects, so the session is kept and the answer is Better-Auth's own error), and a connection that
 * never answers. (Chromium does not let a test rewrite `Origin`, or the origin check would be the refusal.)
 * Then the sign-in, profile and sessions forms, which kept their own submit state: a request with no answer left the
 * button disabled for good and said nothing; they now share `useFormAction` with the account page's other forms.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, startProduct, step, uniqueEmail, type Product } from "./harness";

const NAME = "Sig Nout";
const PASSWORD = "correct horse battery staple";
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

describe("forms that meet a failure: sign-out (navbar and account page alike), sign-in, profile, sessions", () => {
  let product: Product;
  let browser: Browser;

  before(async () => {
    [product, browser] = await Promise.all([startProduct({ label: "form-failures" }), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  /**
   * A fresh context with a reader signed in (through the API; its cookies are the pages'), with a complete profile
   * unless `complete` is false.
   */
  async function reader(complete = true): Promise<{ context: BrowserContext; page: Page; email: string }> {
    const context = await browser.newContext({ baseURL: product.url });
    const headers = { origin: product.url };
    const email = uniqueEmail("form-failures");
    const signUp = await context.request.post("/api/auth/sign-up/email", { data: { email, password: PASSWORD, name: NAME }, headers });
    assert.equal(signUp.status(), 200);
    if (complete) {
      const profile = await context.request.post("/api/auth/profile", { data: { pythonProficiency: "beginner", developerRole: "backend" }, headers });
      assert.equal(profile.status(), 200);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return { context, page, email };
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

  it("sign-in, opened by a full load: a request with no answer is an error by code and the form stays usable", async () => {
    const { context, page, email } = await reader();
    try {
      await context.clearCookies();
      await step(context, page, "form-failures-sign-in-no-answer", async () => {
        await context.route("**/api/auth/sign-in/email", (route) => route.abort("connectionrefused"));
        await page.goto("/sign-in");
        const form = page.getByRole("form", { name: "Sign in" });
        await form.getByLabel("Email").fill(email);
        await form.getByLabel("Password").fill(PASSWORD);
        await form.getByRole("button", { name: "Sign in" }).click();
        await form.getByRole("alert").waitFor();
        assert.equal(await form.getByRole("alert").getAttribute("data-error-code"), "UNKNOWN");
        assert.ok(await form.getByRole("button", { name: "Sign in" }).isEnabled());
        assert.equal(await form.getByLabel("Email").inputValue(), email);
      });
      await step(context, page, "form-failures-sign-in-retry", async () => {
        await context.unroute("**/api/auth/sign-in/email");
        await page.getByRole("form", { name: "Sign in" }).getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL((u) => u.pathname === "/" && u.search === "");
        assert.equal(await signedIn(page), NAME);
      });
    } finally {
      await context.close();
    }
  });

  it("profile form on onboarding: a request with no answer is an error by code and the form stays usable", async () => {
    const { context, page } = await reader(false);
    try {
      await step(context, page, "form-failures-profile-no-answer", async () => {
        await context.route("**/api/auth/profile", (route) => (route.request().method() === "POST" ? route.abort("connectionrefused") : route.continue()));
        await page.goto("/onboarding");
        const form = page.getByRole("form", { name: "Reader profile" });
        await form.getByRole("radio", { name: /^Beginner/ }).check();
        await form.getByLabel("What describes your work best?").selectOption("backend");
        await form.getByRole("button").click();
        await form.getByRole("alert").waitFor();
        assert.equal(await form.getByRole("alert").getAttribute("data-error-code"), "UNKNOWN");
        assert.ok(await form.getByRole("button").isEnabled());
      });
    } finally {
      await context.close();
    }
  });

  it("account page's sessions: a revocation with no answer is an error by code, and a retry signs the other device out", async () => {
    const { context, page, email } = await reader();
    const other = await browser.newContext({ baseURL: product.url });
    try {
      const signIn = await other.request.post("/api/auth/sign-in/email", { data: { email, password: PASSWORD }, headers: { origin: product.url } });
      assert.equal(signIn.status(), 200);
      const sessions = page.locator("[data-section='sessions']");
      const revokeOther = sessions.locator("tr:not([data-current])").getByRole("button", { name: /^Sign out / });
      await step(context, page, "form-failures-revoke-no-answer", async () => {
        await context.route("**/api/auth/revoke-session", (route) => route.abort("connectionrefused"));
        await page.goto("/account");
        await revokeOther.click();
        await sessions.getByRole("alert").waitFor();
        assert.equal(await sessions.getByRole("alert").getAttribute("data-error-code"), "UNKNOWN");
        assert.ok(await revokeOther.isEnabled());
        const stillIn = await other.request.get("/api/auth/get-session");
        assert.notEqual(await stillIn.json(), null);
      });
      await step(context, page, "form-failures-revoke-retry", async () => {
        await context.unroute("**/api/auth/revoke-session");
        await revokeOther.click();
        await sessions.getByRole("status").filter({ hasText: /^Signed out / }).waitFor();
        assert.equal(await revokeOther.count(), 0);
        assert.equal(await (await other.request.get("/api/auth/get-session")).json(), null);
      });
    } finally {
      await other.close();
      await context.close();
    }
  });
});
