/**
 * The "never rendered" rule: a protected chapter's text must not reach the DOM for a visitor or a reader with an
 * incomplete profile, not even for the moment while the session request is in flight. A MutationObserver
 * installed before any page script reports to the test whenever the chapter's text is in the document; the
 * session request is slowed so that window is wide. A complete reader is the positive control: for them the
 * observer must see the text, after the placeholder.
 *
 * The Node server keeps protected pages' HTML and chunks from such readers altogether (protected-content.test.ts);
 * this suite checks the browser's own gate, the one that remains where a static host serves the site, so it serves
 * a copy of the build without the protection manifest, as a static host would.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser, pathOf, ROOT, shot, signUpReader, startProduct, type Product } from "./harness";

const CHAPTER = "/docs/variables";
// The chapter's first sentence; it appears nowhere else on the site.
const MARKER = "A variable is a name bound to a value";
const SESSION_DELAY_MS = 1500;

interface Observation {
  markerSeenOn: string[];
  placeholderSeenOn: string[];
}

// Runs in the page before any of its scripts. Findings go to sessionStorage, which survives the redirects
// between pages of this origin, so the test reads the whole history at the end. A string, not a function:
// tsx compiles functions with name helpers that do not exist in the page.
const OBSERVER_SCRIPT = `(() => {
  const marker = ${JSON.stringify(MARKER)};
  const seen = { marker: false, placeholder: false };
  const record = (kind) => {
    const all = JSON.parse(sessionStorage.getItem("__observation") || '{"markerSeenOn":[],"placeholderSeenOn":[]}');
    all[kind].push(location.pathname);
    sessionStorage.setItem("__observation", JSON.stringify(all));
  };
  const check = () => {
    const root = document.documentElement;
    if (!root) return;
    if (!seen.marker && (root.textContent || "").includes(marker)) {
      seen.marker = true;
      record("markerSeenOn");
    }
    if (!seen.placeholder && document.querySelector("[data-auth-placeholder]")) {
      seen.placeholder = true;
      record("placeholderSeenOn");
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

async function observation(page: Page): Promise<Observation> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("__observation") ?? '{"markerSeenOn":[],"placeholderSeenOn":[]}'));
}

async function observedContext(browser: Browser, product: Product, options: { sessionDelayMs?: number; sessionStatus?: number } = {}) {
  const context = await browser.newContext({ baseURL: product.url });
  await context.addInitScript(OBSERVER_SCRIPT);
  await context.route("**/api/auth/get-session*", async (route) => {
    if (options.sessionDelayMs) await new Promise((r) => setTimeout(r, options.sessionDelayMs));
    if (options.sessionStatus) {
      await route.fulfill({ status: options.sessionStatus, contentType: "application/json", body: JSON.stringify({ code: "AUTH_UNAVAILABLE", message: "x" }) });
    } else {
      await route.continue();
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page };
}

/** Signs up through the API in this browser context (cookies are shared with its pages). */
async function signUp(context: BrowserContext, product: Product, profile?: { pythonProficiency: string; developerRole: string }) {
  await signUpReader(context, product, { label: "never", name: "Nev", profile });
}

async function failWithShot(page: Page, name: string, fn: () => Promise<void>) {
  try {
    await fn();
    await shot(page, name);
  } catch (error) {
    await shot(page, `FAILED-${name}`);
    throw error;
  }
}

describe("protected content is never rendered before the reader may see it", () => {
  let product: Product;
  let browser: Browser;
  let staticCopy: string;

  before(async () => {
    staticCopy = mkdtempSync(path.join(os.tmpdir(), "site-static-"));
    cpSync(path.join(ROOT, "apps/site/build"), staticCopy, { recursive: true });
    rmSync(path.join(staticCopy, "protected-manifest.json"));
    [product, browser] = await Promise.all([startProduct({ label: "never-rendered", siteDir: staticCopy }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
    if (staticCopy) rmSync(staticCopy, { recursive: true, force: true });
  });

  it("the static HTML of a protected chapter holds only the placeholder", async () => {
    const html = await (await fetch(`${product.url}${CHAPTER}`)).text();
    assert.ok(html.includes("data-auth-placeholder"));
    assert.ok(!html.includes(MARKER));
  });

  it("visitor, slowed session: placeholder, then sign-in; the chapter never appears", async () => {
    const { context, page } = await observedContext(browser, product, { sessionDelayMs: SESSION_DELAY_MS });
    await failWithShot(page, "never-01-visitor", async () => {
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/sign-in", { timeout: SESSION_DELAY_MS + 10_000 });
      assert.equal(pathOf(page), `/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
      assert.deepEqual((await observation(page)).markerSeenOn, []);
      assert.deepEqual((await observation(page)).placeholderSeenOn, [CHAPTER]);
    });
    await context.close();
  });

  it("visitor navigating inside the app from a public page: the chapter never appears", async () => {
    const { context, page } = await observedContext(browser, product);
    await failWithShot(page, "never-02-visitor-client-navigation", async () => {
      await page.goto("/docs/intro");
      await page.getByRole("heading", { level: 1, name: "Introduction" }).waitFor();
      await page.getByRole("link", { name: "Sign in" }).waitFor(); // the session is known: a visitor
      await page.locator(".theme-doc-sidebar-container").getByRole("link", { name: "Variables and values" }).click();
      await page.waitForURL((u) => u.pathname === "/sign-in");
      assert.deepEqual((await observation(page)).markerSeenOn, []);
    });
    await context.close();
  });

  it("incomplete reader, slowed session: placeholder, then onboarding; the chapter never appears", async () => {
    const { context, page } = await observedContext(browser, product, { sessionDelayMs: SESSION_DELAY_MS });
    await signUp(context, product);
    await failWithShot(page, "never-03-incomplete", async () => {
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/onboarding", { timeout: SESSION_DELAY_MS + 10_000 });
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
      assert.deepEqual((await observation(page)).markerSeenOn, []);
      assert.deepEqual((await observation(page)).placeholderSeenOn, [CHAPTER]);
    });
    await context.close();
  });

  it("session endpoint failing: a reader sees a retry placeholder, not the chapter and not a redirect", async () => {
    const { context, page } = await observedContext(browser, product, { sessionStatus: 503 });
    await signUp(context, product, { pythonProficiency: "advanced", developerRole: "backend" });
    await failWithShot(page, "never-04-session-unavailable", async () => {
      await page.goto(CHAPTER);
      await page.locator("[data-auth-placeholder='unavailable']").waitFor();
      assert.equal(pathOf(page), CHAPTER);
      assert.deepEqual((await observation(page)).markerSeenOn, []);
    });
    await context.close();
  });

  it("positive control: a complete reader sees the placeholder first, then the chapter", async () => {
    const { context, page } = await observedContext(browser, product, { sessionDelayMs: SESSION_DELAY_MS });
    await signUp(context, product, { pythonProficiency: "intermediate", developerRole: "frontend" });
    await failWithShot(page, "never-05-reader-control", async () => {
      await page.goto(CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor({ timeout: SESSION_DELAY_MS + 10_000 });
      assert.deepEqual((await observation(page)).placeholderSeenOn, [CHAPTER]);
      assert.deepEqual((await observation(page)).markerSeenOn, [CHAPTER]);
      assert.equal(await page.locator("[data-levels='intermediate advanced']").getAttribute("data-match"), "match");
      assert.equal(await page.locator("[data-roles='frontend fullstack']").getAttribute("data-match"), "match");
    });
    await context.close();
  });
});
