/**
 * Accessibility of every auth page: axe-core (the engine, injected into the real page) finds no serious or critical
 * violation, in the light and the dark colour mode, in the state a reader meets each page in (a visitor on sign-in
 * and sign-up, with the provider buttons and a provider error shown; an incomplete reader on onboarding; a reader on
 * the account page). Pages another part of the product may add (forgot and reset password) are checked when the
 * built site has them. A screenshot of each page in each mode is kept in test-output/e2e/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { AxeResults } from "axe-core";
import { freePort } from "../../../scripts/test-postgres.mjs";
import { startOidcProvider, type RunningProvider } from "../../server/src/testing/oidc-provider";
import { launchBrowser, ROOT, shot, signUpReader, startProduct, type Product } from "./harness";

const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SITE_DIR = path.join(ROOT, "apps/site/build");
const MODES = ["light", "dark"] as const;
type Mode = (typeof MODES)[number];
type Who = "visitor" | "incomplete" | "reader";

interface AuthPage {
  name: string;
  path: string;
  who: Who;
  /** What shows the page is rendered and hydrated for this reader. */
  ready: (page: Page) => Promise<void>;
}

const enabled = (page: Page, name: string | RegExp) => async () => {
  const button = page.getByRole("button", { name, exact: typeof name === "string" });
  await button.waitFor();
  await page.waitForFunction((el) => !(el as HTMLButtonElement).disabled, await button.elementHandle());
};

const PAGES: AuthPage[] = [
  { name: "sign-in", path: "/sign-in?redirect=%2Fdocs%2Fvariables", who: "visitor", ready: async (p) => {
    await enabled(p, "Sign in")();
    await p.getByRole("button", { name: "Continue with Test Identity" }).waitFor();
  } },
  { name: "sign-in-provider-error", path: "/sign-in?redirect=%2Fdocs%2Fvariables&error=access_denied", who: "visitor", ready: async (p) => {
    await enabled(p, "Sign in")();
    await p.getByRole("alert").waitFor();
  } },
  { name: "sign-up", path: "/sign-up", who: "visitor", ready: async (p) => {
    await enabled(p, "Create account")();
    await p.getByRole("button", { name: "Continue with Test Identity" }).waitFor();
  } },
  { name: "onboarding", path: "/onboarding?redirect=%2Fdocs%2Fvariables", who: "incomplete", ready: (p) => enabled(p, "Continue")() },
  { name: "account", path: "/account", who: "reader", ready: (p) => enabled(p, "Save profile")() },
];
// Added by the email part of the product when it is there: checked as a visitor once their page is built.
for (const name of ["forgot-password", "reset-password"]) {
  if (existsSync(path.join(SITE_DIR, name, "index.html")) || existsSync(path.join(SITE_DIR, `${name}.html`))) {
    PAGES.push({ name, path: `/${name}`, who: "visitor", ready: async (p) => {
      await p.getByRole("heading", { level: 1 }).waitFor();
      await p.waitForFunction(() => !document.querySelector("main button[type=submit][disabled]"));
    } });
  }
}

/**
 * Switches the site to `mode` with the navbar's own toggle, as a reader would; Docusaurus then keeps the choice for
 * the rest of the browser context. (The toggle cycles through the modes, so a few presses at most.)
 */
async function useColorMode(page: Page, mode: Mode): Promise<void> {
  for (let press = 0; press < 4; press++) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) === mode) return;
    await page.getByRole("button", { name: /dark and light mode/ }).click();
  }
  throw new Error(`the site did not switch to ${mode} mode`);
}

describe("accessibility of the auth pages (axe-core)", () => {
  let idp: RunningProvider;
  let product: Product;
  let browser: Browser;
  const contexts = new Map<string, BrowserContext>();

  /** A browser context per reader state and colour mode; Docusaurus keeps the mode in localStorage "theme". */
  async function contextFor(who: Who, mode: Mode): Promise<BrowserContext> {
    const key = `${who}-${mode}`;
    const existing = contexts.get(key);
    if (existing) return existing;
    const context = await browser.newContext({ baseURL: product.url, colorScheme: mode });
    if (who !== "visitor") {
      const profile = who === "reader" ? { pythonProficiency: "beginner", developerRole: "student" } : undefined;
      await signUpReader(context, product, { label: `a11y-${key}`, name: "Ada Reader", profile });
    }
    contexts.set(key, context);
    return context;
  }

  before(async () => {
    const port = await freePort();
    idp = await startOidcProvider({ productUrl: `http://127.0.0.1:${port}`, name: "Test Identity" });
    [product, browser] = await Promise.all([startProduct({ label: "accessibility", port, env: idp.env }), launchBrowser()]);
  });

  after(async () => {
    for (const context of contexts.values()) await context.close().catch(() => {});
    await browser?.close();
    await product?.stop();
    await idp?.stop();
  });

  for (const authPage of PAGES) {
    for (const mode of MODES) {
      it(`${authPage.name}, ${mode} mode: no serious or critical violation`, async () => {
        const context = await contextFor(authPage.who, mode);
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        try {
          await page.goto(authPage.path);
          await authPage.ready(page);
          await useColorMode(page, mode);
          await shot(page, `a11y-${authPage.name}-${mode}`);
          await page.addScriptTag({ path: AXE_SCRIPT });
          const results = (await page.evaluate(() => (window as any).axe.run(document, { resultTypes: ["violations"] }))) as AxeResults;
          const blocking = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
          const report = blocking.map(
            (v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ")}`).join("\n    ")}`,
          );
          assert.equal(blocking.length, 0, `${authPage.name} (${mode}):\n  ${report.join("\n  ")}`);
        } catch (error) {
          await shot(page, `FAILED-a11y-${authPage.name}-${mode}`);
          throw error;
        } finally {
          await page.close();
        }
      });
    }
  }
});
