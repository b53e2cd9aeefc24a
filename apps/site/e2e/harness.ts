/**
 * Runs the real product for browser tests (startProduct, over the shared stack module) and headless Chromium from
 * the system package.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startStack } from "../../server/src/testing/stack";

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
 * Signs a new reader up through the API in `context` (its pages share the cookies) and, with `profile`, completes
 * onboarding: a test that needs a reader makes its own instead of inheriting one from the test before it.
 */
export async function signUpReader(
  context: BrowserContext,
  product: Pick<Product, "url">,
  options: { label: string; name?: string; profile?: { pythonProficiency: string; developerRole: string } },
): Promise<{ email: string; password: string }> {
  const headers = { origin: product.url };
  const email = uniqueEmail(options.label);
  const password = "correct horse battery staple";
  const up = await context.request.post(`${product.url}/api/auth/sign-up/email`, { data: { email, password, name: options.name ?? "Reader" }, headers });
  if (up.status() !== 200) throw new Error(`sign-up answered ${up.status()}: ${await up.text()}`);
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
