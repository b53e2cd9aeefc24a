/**
 * The theme under a non-root baseUrl with trailingSlash: true, built for real and served by the real server:
 * every path it builds (sign-in, the redirect target, the home fallback) keeps the base and the slash.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { contextsPerTest, launchBrowser, pathOf, ROOT, signUpReader, startProduct, step, uniqueEmail, type Product } from "./harness";

const BASE = "/textbook/";

describe("baseUrl and trailingSlash", () => {
  let tmp: string;
  let product: Product;
  let browser: Browser;
  // A fresh browser context and page for each test, so no test runs on the cookies another one left.
  const contexts = contextsPerTest(() => ({ browser, options: { baseURL: product.url } }));

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "site-base-url-"));
    // Built into <tmp>/textbook so that the server, serving <tmp> at "/", serves the site under /textbook/.
    execFileSync(
      process.execPath,
      [path.join(ROOT, "node_modules/@docusaurus/core/bin/docusaurus.mjs"), "build", "--out-dir", path.join(tmp, "textbook")],
      { cwd: path.join(ROOT, "apps/site"), env: { ...process.env, SITE_BASE_URL: BASE, SITE_TRAILING_SLASH: "true" }, stdio: "pipe" },
    );
    [product, browser] = await Promise.all([startProduct({ label: "base-url", siteDir: tmp }), launchBrowser()]);
  });

  afterEach(async () => {
    await contexts.closeAll();
  });

  after(async () => {
    await browser?.close();
    await product?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("emits the theme's pages under the base, as folders", () => {
    for (const p of ["sign-in", "sign-up", "onboarding", "account"]) {
      assert.ok(existsSync(path.join(tmp, "textbook", p, "index.html")), p);
    }
  });

  it("a visitor is sent to the based, slashed sign-in page and comes back to the chapter", async () => {
    const { context, page } = await contexts.open();
    await step(context, page, "base-01-sign-in", async () => {
      await page.goto(`${BASE}docs/variables/`);
      await page.waitForURL((u) => u.pathname === `${BASE}sign-in/`);
      assert.equal(new URL(page.url()).searchParams.get("redirect"), `${BASE}docs/variables/`);
    });
    await step(context, page, "base-02-onboarding", async () => {
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.waitForURL((u) => u.pathname === `${BASE}sign-up/`);
      await page.getByLabel("Name").fill("Base Reader");
      await page.getByLabel("Email").fill(uniqueEmail("base"));
      await page.getByLabel("Password").fill("correct horse battery staple");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL((u) => u.pathname === `${BASE}onboarding/`);
      await page.locator("input[name=pythonProficiency][value=advanced]").check();
      await page.locator("select[name=developerRole]").selectOption("robotics");
      await page.locator("form[aria-label='Reader profile'] button[type=submit]").click();
      await page.waitForURL((u) => u.pathname === `${BASE}docs/variables/`);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
    });
  });

  it("a hostile or off-site redirect falls back to the base, not to /", async () => {
    // A complete reader of its own: only a signed-in reader is sent on from sign-in, to the redirect or the base.
    const { context, page } = await contexts.open();
    await signUpReader(context, product, { label: "base-hostile", profile: { pythonProficiency: "advanced", developerRole: "robotics" } });
    for (const target of ["//evil.example", "/docs/variables/"]) {
      await page.goto(`${BASE}sign-in/?redirect=${encodeURIComponent(target)}`);
      await page.waitForURL((u) => u.pathname === BASE);
      assert.equal(pathOf(page), BASE);
    }
  });
});
