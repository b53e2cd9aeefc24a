/**
 * The strict journey in a real browser against the real product (Node server serving the built site, real
 * PostgreSQL, the Python backend when present): a fresh visitor opening a protected chapter ends up reading it,
 * personalised for the profile they chose, and signing out returns them to the visitor state.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { backendAvailable, launchBrowser, pathOf, startProduct, step, uniqueEmail, type Product } from "./harness";

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
    context = await browser.newContext({ baseURL: product.url });
    await context.tracing.start({ screenshots: true, snapshots: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await context?.tracing.stop().catch(() => {});
    await browser?.close();
    await product?.stop();
  });

  it("sends a visitor who opens a protected chapter to sign-in, with the way back", async () => {
    await step(context, page, "01-visitor-redirected-to-sign-in", async () => {
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/sign-in");
      assert.equal(pathOf(page), `/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    });
  });

  it("signs up, keeping the way back through to onboarding", async () => {
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
  });

  it("an incomplete reader opening any protected page goes to onboarding, then back there", async () => {
    await step(context, page, "04-incomplete-reader-sent-to-onboarding", async () => {
      await page.goto("/docs/functions");
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), "/docs/functions");
      // Back to the journey's chapter: the redirect is rebuilt from the page the reader opens.
      await page.goto(`/onboarding?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.locator("form[aria-label='Reader profile']").waitFor();
    });
  });

  it("finishing onboarding returns to the chapter, personalised for the chosen profile", async () => {
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
  });

  it("the navbar names the reader, and the account page shows the profile", async () => {
    await step(context, page, "07-account", async () => {
      await page.getByRole("button", { name: "Ada Reader" }).click();
      await page.getByRole("menuitem", { name: "Account" }).click();
      await page.waitForURL((u) => u.pathname === "/account");
      assert.equal(await page.getByTestId("account-email").textContent(), email);
      assert.equal(await page.getByTestId("account-proficiency").getAttribute("data-value"), "beginner");
      assert.equal(await page.getByTestId("account-role").getAttribute("data-value"), "data_science");
    });
  });

  it("changing the profile on the account page changes what the chapter shows", async () => {
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
  });

  it("the backend page shows the Python backend's 200 answer for this reader", { skip: !backendAvailable() && "the Python backend (apps/backend, .venv) is missing" }, async () => {
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
  });

  it("signing out returns to the visitor state", async () => {
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
  });

  it("a wrong password is refused with its code, and the way back is kept", async () => {
    await step(context, page, "10b-wrong-password", async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("not the password at all");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByRole("alert").getAttribute("data-error-code"), "INVALID_EMAIL_OR_PASSWORD");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
    });
  });

  it("a returning reader with a complete profile goes straight back to the chapter", async () => {
    await step(context, page, "11-returning-reader", async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
    });
  });

  it("open redirect: a hostile ?redirect= on any theme page lands on this site's home page", async () => {
    const hostile = ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "/%2F%2Fevil.example", "/%5Cevil.example", "%2F%2Fevil.example"];
    for (const pagePath of ["/sign-in", "/sign-up", "/onboarding"]) {
      for (const target of hostile) {
        await page.goto(`${pagePath}?redirect=${encodeURIComponent(target)}`);
        // A complete reader: each page leaves at once, and only for the home page.
        await page.waitForURL((u) => u.pathname === "/" && u.search === "");
        assert.equal(new URL(page.url()).origin, product.url);
      }
    }
    await step(context, page, "12-open-redirect-refused", async () => {});
  });
});
