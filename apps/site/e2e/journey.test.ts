/**
 * The strict journey in a real browser against the real product (Node server serving the built site, real
 * PostgreSQL, the Python backend when present): a fresh visitor opening a protected chapter ends up reading it,
 * personalised for the profile they chose, and signing out returns them to the visitor state.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { HOSTILE_REDIRECTS } from "../../../packages/docusaurus-theme-auth/src/testing/hostile-redirects";
import { backendAvailable, launchBrowser, pathOf, shot, signUpReader, startProduct, step, tracedPage, uniqueEmail, type Product } from "./harness";

const CHAPTER = "/docs/variables";
const PASSWORD = "correct horse battery staple";

describe("reader journey", () => {
  let product: Product;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const email = uniqueEmail("journey");

  before(async () => {
    [product, browser] = await Promise.all([startProduct({ backend: true, label: "journey" }), launchBrowser()]);
    ({ context, page } = await tracedPage(browser, { baseURL: product.url }));
  });

  after(async () => {
    await context?.tracing.stop().catch(() => {});
    await browser?.close();
    await product?.stop();
  });

  // One test with steps, not one `it` per step: each step continues from where the previous left the reader (the
  // page, the session, the profile), so run alone or after a failure a later step would test nothing meaningful.
  it("a visitor opening a protected chapter signs up, onboards, reads it personalised, changes the profile, signs out and back in", async (t) => {
    // sends a visitor who opens a protected chapter to sign-in, with the way back
    await step(context, page, "01-visitor-redirected-to-sign-in", async () => {
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/sign-in");
      assert.equal(pathOf(page), `/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    });

    // signs up, keeping the way back through to onboarding
    await step(context, page, "02-sign-up-form", async () => {
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.waitForURL((u) => u.pathname === "/sign-up");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
      await page.getByLabel("Name").fill("Ada Reader");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
    });
    await step(context, page, "03-onboarding", async () => {
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
      await page.locator("form[aria-label='Reader profile']").waitFor();
    });

    // an incomplete reader opening any protected page goes to onboarding, then back there
    await step(context, page, "04-incomplete-reader-sent-to-onboarding", async () => {
      await page.goto("/docs/functions");
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), "/docs/functions");
      // Back to the journey's chapter: the redirect is rebuilt from the page the reader opens.
      await page.goto(`/onboarding?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.locator("form[aria-label='Reader profile']").waitFor();
    });

    // finishing onboarding returns to the chapter, personalised for the chosen profile
    await step(context, page, "05-onboarding-answered", async () => {
      await page.locator("input[name=pythonProficiency][value=beginner]").check();
      await page.locator("select[name=developerRole]").selectOption("data_science");
    });
    await step(context, page, "06-chapter-personalised", async () => {
      await page.locator("form[aria-label='Reader profile'] button[type=submit]").click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      const block = (selector: string) => page.locator(`[data-personalized]${selector}`);
      assert.equal(await block("[data-levels='beginner']").getAttribute("data-match"), "match");
      assert.equal(await block("[data-levels='intermediate advanced']").count(), 0);
      assert.equal(await block("[data-roles='data_science machine_learning']").getAttribute("data-match"), "match");
      assert.equal(await block("[data-roles='frontend fullstack']").count(), 0);
    });

    // the navbar names the reader, and the account page shows the profile
    await step(context, page, "07-account", async () => {
      await page.getByRole("button", { name: "Ada Reader" }).click();
      await page.getByRole("menuitem", { name: "Account" }).click();
      await page.waitForURL((u) => u.pathname === "/account");
      assert.equal(await page.getByTestId("account-email").textContent(), email);
      assert.equal(await page.getByTestId("account-proficiency").getAttribute("data-value"), "beginner");
      assert.equal(await page.getByTestId("account-role").getAttribute("data-value"), "data_science");
    });

    // changing the profile on the account page changes what the chapter shows
    await step(context, page, "07b-profile-changed", async () => {
      await page.locator("input[name=pythonProficiency][value=advanced]").check();
      await page.locator("select[name=developerRole]").selectOption("frontend");
      await page.locator("form[aria-label='Reader profile'] button[type=submit]").click();
      await page.getByRole("status").waitFor();
      await page.waitForFunction(() => document.querySelector("[data-testid=account-proficiency]")?.getAttribute("data-value") === "advanced");
      await page.goto(CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      const block = (selector: string) => page.locator(`[data-personalized]${selector}`);
      // The beginner block's fallback, the advanced block, the frontend block; not the data block.
      assert.equal(await block("[data-levels='beginner']").getAttribute("data-match"), "fallback");
      assert.equal(await block("[data-levels='intermediate advanced']").getAttribute("data-match"), "match");
      assert.equal(await block("[data-roles='frontend fullstack']").getAttribute("data-match"), "match");
      assert.equal(await block("[data-roles='data_science machine_learning']").count(), 0);
    });

    // the backend page shows the Python backend's 200 answer for this reader
    if (!backendAvailable()) t.diagnostic("backend step skipped: the Python backend (apps/backend, .venv) is missing");
    else {
      await step(context, page, "08-backend-page", async () => {
        await page.goto("/backend");
        await page.getByTestId("me-status").waitFor();
        assert.equal(await page.getByTestId("me-status").textContent(), "200");
        const me = JSON.parse((await page.getByTestId("me-body").textContent()) ?? "null");
        assert.equal(me.user.email, email);
        assert.equal(me.profile.pythonProficiency, "advanced");
        assert.equal(me.profile.developerRole, "frontend");
        assert.equal(await page.getByTestId("progress-status").textContent(), "200");
        await page.getByRole("button", { name: "Mark as read" }).click();
        await page.getByTestId("progress-put-status").waitFor();
        assert.equal(await page.getByTestId("progress-put-status").textContent(), "200");
        const progress = JSON.parse((await page.getByTestId("progress-put-body").textContent()) ?? "null");
        assert.deepEqual(progress.chapters.map((c: { chapter: string }) => c.chapter), ["variables"]);
        // Stored by the backend, not just echoed: a fresh load reads it back.
        await page.reload();
        await page.getByTestId("progress-body").waitFor();
        const reloaded = JSON.parse((await page.getByTestId("progress-body").textContent()) ?? "null");
        assert.deepEqual(reloaded.chapters.map((c: { chapter: string }) => c.chapter), ["variables"]);
      });
    }

    // signing out returns to the visitor state
    await step(context, page, "09-signed-out", async () => {
      await page.goto(CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      await page.getByRole("button", { name: "Ada Reader" }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      await page.waitForURL((u) => u.pathname === "/");
      await page.getByRole("link", { name: "Sign in" }).waitFor();
      const session = await page.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()));
      assert.equal(session, null);
    });
    await step(context, page, "10-visitor-again", async () => {
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/sign-in");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
    });

    // a wrong password is refused with its code, and the way back is kept
    await step(context, page, "10b-wrong-password", async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("not the password at all");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByRole("alert").getAttribute("data-error-code"), "INVALID_EMAIL_OR_PASSWORD");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
    });

    // a returning reader with a complete profile goes straight back to the chapter
    await step(context, page, "11-returning-reader", async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
    });
  });

  it("open redirect: every hostile ?redirect= on every theme page leaves the reader on this site", async () => {
    // A context and a complete reader of its own, and no trace: the journey's trace takes a screenshot per
    // navigation, which would multiply the cost of these page loads.
    const attacked = await browser.newContext({ baseURL: product.url });
    await signUpReader(attacked, product, { label: "open-redirect", profile: { pythonProficiency: "beginner", developerRole: "student" } });
    // Any request for another origin is recorded and refused, so a page that tried to leave is caught even though
    // the closed network would make that navigation fail; a javascript: target that ran would open a dialog.
    const foreign: string[] = [];
    const dialogs: string[] = [];
    await attacked.route(
      (url) => url.origin !== product.url,
      (route) => {
        foreign.push(route.request().url());
        return route.abort();
      },
    );
    const home = (u: URL) => u.pathname === "/" && u.search === "";
    // One tab per page, one page load per input. A complete reader: sign-in, sign-up and onboarding leave at once,
    // and only for home. Not the account page: it reads no ?redirect=, so its loads could not fail whatever the
    // sanitiser did.
    const run = async (pagePath: string) => {
      const tab = await attacked.newPage();
      tab.setDefaultTimeout(10_000);
      tab.on("dialog", (dialog) => {
        dialogs.push(`${pagePath}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      for (const { attack, value } of HOSTILE_REDIRECTS) {
        try {
          await tab.goto(`${pagePath}?redirect=${encodeURIComponent(value)}`, { waitUntil: "commit" });
          await tab.waitForURL(home, { waitUntil: "commit" });
          assert.equal(new URL(tab.url()).origin, product.url);
        } catch (error) {
          await shot(tab, `FAILED-12-open-redirect${pagePath.replace("/", "-")}`);
          throw new Error(`${pagePath}?redirect= ${attack}: ${(error as Error).message} (at ${tab.url()})`);
        }
      }
    };
    try {
      await Promise.all(["/sign-in", "/sign-up", "/onboarding"].map(run));
    } finally {
      await attacked.close();
    }
    assert.deepEqual(foreign, []);
    assert.deepEqual(dialogs, []);
  });
});
