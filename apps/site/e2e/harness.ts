/**
 * Runs the real product for browser tests (startProduct, over the shared stack module) and headless Chromium from
 * the system package.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { startStack } from "../../server/src/testing/stack";

import type { TestSmtp } from "../../server/src/testing/smtp";

export { startTestSmtp, type TestSmtp, type ReceivedMail } from "../../server/src/testing/smtp";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const OUTPUT_DIR = path.join(ROOT, "test-output", "e2e");
const SITE_DIR = path.join(ROOT, "apps/site/build");
const BACKEND_DIR = path.join(ROOT, "apps/backend");
const PYTHON = path.join(ROOT, ".venv/bin/python");

export const backendAvailable = () => existsSync(path.join(BACKEND_DIR, "app/main.py")) && existsSync(PYTHON);

export interface Product {
  url: string;
  backendUrl: string | null;
  databaseUrl: string;
  logs: string[];
  /** Stops the Node server and starts it again on the same port, database and secret, with `env` added. */
  restartServer(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the product on a fresh database (apps/server/src/testing/stack.ts, as every test family does), the Node
 * server as a child process serving the built site. `backend: true` also starts the Python backend (when it
 * exists). `port` fixes the Node server's port (when something must know the URL first, such as an OpenID
 * provider's client), and `env` adds variables to the Node server's environment, `backendEnv` to the backend's.
 * The processes' output is kept in test-output/e2e/<label>.log.
 */
export async function startProduct(options: {
  backend?: boolean;
  label: string;
  siteDir?: string;
  port?: number;
  env?: Record<string, string>;
  backendEnv?: Record<string, string>;
}): Promise<Product> {
  if (!options.siteDir && !existsSync(path.join(SITE_DIR, "index.html"))) {
    throw new Error("apps/site/build is missing: run `npm run build -w @textbook-auth/site` (npm test does it)");
  }
  const stack = await startStack({
    node: "process",
    siteDir: options.siteDir ?? SITE_DIR,
    port: options.port,
    backend: Boolean(options.backend && backendAvailable()),
    env: options.env,
    backendEnv: options.backendEnv,
  });
  return {
    url: stack.url!,
    backendUrl: stack.backendUrl,
    databaseUrl: stack.databaseUrl,
    logs: stack.logs,
    restartServer: stack.restartNode,
    async stop() {
      await stack.stop();
      mkdirSync(OUTPUT_DIR, { recursive: true });
      writeFileSync(path.join(OUTPUT_DIR, `${options.label}.log`), stack.logs.join("\n") + "\n");
    },
  };
}

// Debian's chromium as root: no sandbox, and no background services that would call out of the closed network.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** `args`: more Chromium switches (host name mappings, for instance). */
export function launchBrowser(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS, ...args], headless: true });
}

/** A screenshot per key step, and of any failure, under test-output/e2e/. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage: true }).catch(() => {});
}

/** Runs a step; on failure keeps a screenshot and a trace, then rethrows. */
export async function step<T>(context: BrowserContext, page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    await shot(page, name);
    return result;
  } catch (error) {
    await shot(page, `FAILED-${name}`);
    await context.tracing.stop({ path: path.join(OUTPUT_DIR, `FAILED-${name}.trace.zip`) }).catch(() => {});
    throw error;
  }
}

/**
 * A new browser context that records a trace from its start (so step() can keep the trace of a failure), and a page
 * in it with `timeout` (default 10 s) for every wait.
 */
export async function tracedPage(
  browser: Browser,
  options: BrowserContextOptions & { timeout?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const { timeout = 10_000, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  return { context, page };
}

/**
 * Collects the page's uncaught script errors (React reports hydration it had to throw away as one) and, with
 * `console`, its console errors other than the browser's own "Failed to load resource" lines, which tests assert
 * through the UI where they matter.
 */
export function collectPageErrors(page: Page, options: { console?: boolean } = {}): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`${pathOf(page)}: ${error.message}`));
  if (options.console) {
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(`${pathOf(page)}: ${message.text()}`);
    });
  }
  return errors;
}

/**
 * Fresh browser contexts for each test, so no test runs on the cookies or the page another one left: `open()` gives a
 * traced context and page (see tracedPage) whose script errors are collected (see collectPageErrors); `closeAll()`,
 * for afterEach, closes what the test opened and returns those errors. `settings` is read at each open(), after the
 * suite's `before` has started the browser.
 */
export function contextsPerTest(
  settings: () => { browser: Browser; options?: BrowserContextOptions & { timeout?: number }; consoleErrors?: boolean },
) {
  let opened: { context: BrowserContext; errors: string[] }[] = [];
  return {
    async open(): Promise<{ context: BrowserContext; page: Page }> {
      const { browser, options, consoleErrors } = settings();
      const fresh = await tracedPage(browser, options);
      opened.push({ context: fresh.context, errors: collectPageErrors(fresh.page, { console: consoleErrors }) });
      return fresh;
    },
    async closeAll(): Promise<string[]> {
      const closing = opened;
      opened = [];
      for (const { context } of closing) await context.close().catch(() => {});
      return closing.flatMap(({ errors }) => errors);
    },
  };
}

/**
 * Signs a new reader up through the API in `context` (its pages share the cookies) and, with `profile`, completes
 * onboarding: a test that needs a reader makes its own instead of inheriting one from the test before it. Where the
 * product requires a confirmed address, pass `smtp`: the confirmation link that arrives there is opened in `context`,
 * which confirms the address and signs the reader in, as the reader's click in their mail would.
 */
export async function signUpReader(
  context: BrowserContext,
  product: Pick<Product, "url">,
  options: { label: string; name?: string; password?: string; profile?: { pythonProficiency: string; developerRole: string }; smtp?: TestSmtp },
): Promise<{ email: string; password: string }> {
  const headers = { origin: product.url };
  const email = uniqueEmail(options.label);
  const password = options.password ?? "correct horse battery staple";
  const up = await context.request.post(`${product.url}/api/auth/sign-up/email`, { data: { email, password, name: options.name ?? "Reader" }, headers });
  if (up.status() !== 200) throw new Error(`sign-up answered ${up.status()}: ${await up.text()}`);
  if (options.smtp) {
    const mail = await options.smtp.next(email, /confirm/i);
    const link = mail.links.find((l) => l.startsWith(`${product.url}/api/auth/verify-email?`));
    if (!link) throw new Error(`no confirmation link in ${JSON.stringify(mail.links)}`);
    const verified = await context.request.get(link);
    if (verified.status() !== 200) throw new Error(`the confirmation link answered ${verified.status()}`);
  }
  if (options.profile) {
    const r = await context.request.post(`${product.url}/api/auth/profile`, { data: options.profile, headers });
    if (r.status() !== 200) throw new Error(`onboarding answered ${r.status()}: ${await r.text()}`);
  }
  return { email, password };
}

let counter = 0;
export function uniqueEmail(label: string): string {
  counter++;
  return `${label}-${Date.now().toString(36)}-${counter}@readers.test`;
}

/** Path + search of a page's URL, for assertions that do not depend on the port. */
export function pathOf(page: Page): string {
  const u = new URL(page.url());
  return u.pathname + u.search;
}
