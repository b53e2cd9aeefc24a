// Installs whatever is missing, and nothing that is already there: npm packages (from package-lock.json),
// the Python virtualenv (from requirements.lock), and the site's production build.
// Node built-ins only: this runs on a fresh clone before node_modules exists.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePackages } from "./build-packages.mjs";

export { ensurePackages };
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts });
const say = (m) => console.log(`[setup] ${m}`);

function hashFiles(files) {
  const h = createHash("sha256");
  for (const f of files) h.update(f).update(existsSync(path.join(ROOT, f)) ? readFileSync(path.join(ROOT, f)) : "");
  return h.digest("hex");
}

export function ensureNodeModules() {
  const stamp = path.join(ROOT, "node_modules", ".lock-hash");
  const want = hashFiles(["package-lock.json"]);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  say("installing npm packages (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
  writeFileSync(stamp, want);
}

const PY_INPUTS = ["requirements.lock", "packages/fastapi-better-auth/pyproject.toml", "apps/backend/pyproject.toml"];

export function ensureVenv() {
  const python = path.join(ROOT, ".venv", "bin", "python");
  const stamp = path.join(ROOT, ".venv", ".lock-hash");
  if (!existsSync(path.join(ROOT, "requirements.lock"))) return;
  const want = hashFiles(PY_INPUTS);
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  if (!existsSync(python)) {
    say("creating the Python virtualenv (.venv)");
    run("python3", ["-m", "venv", ".venv"]);
  }
  say("installing Python packages (requirements.lock)");
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.lock"]);
  forgetOldPythonPackage(python);
  // No build isolation: the hatchling pinned in requirements.lock builds them, with nothing fetched.
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation",
    "-e", "packages/fastapi-better-auth", "-e", "apps/backend"]);
  writeFileSync(stamp, want);
}

/**
 * A virtualenv made before the rename still has the package as better-auth-fastapi (the name an unrelated PyPI
 * project owns), installed by setuptools, which also left *.egg-info folders in the source tree: two installed
 * distributions would then claim the module. Removed once; a fresh clone has none of it.
 */
function forgetOldPythonPackage(python) {
  const installed = spawnSync(python, ["-m", "pip", "show", "--quiet", "better-auth-fastapi"], { cwd: ROOT, stdio: "ignore" });
  if (installed.status === 0) run(python, ["-m", "pip", "uninstall", "--quiet", "--yes", "better-auth-fastapi"]);
  for (const stale of ["packages/fastapi-better-auth/src/better_auth_fastapi.egg-info", "apps/backend/textbook_backend.egg-info"]) {
    rmSync(path.join(ROOT, stale), { recursive: true, force: true });
  }
}

// The programs the tests run, from Debian's packages: the browser, and the balancer and pooler of the deployment tests.
const SYSTEM_PACKAGES = [
  ["/usr/bin/chromium", "chromium"],
  ["/usr/sbin/haproxy", "haproxy"],
  ["/usr/sbin/pgbouncer", "pgbouncer"],
  // The cross-origin browser test makes a throwaway certificate with the openssl command.
  ["/usr/bin/openssl", "openssl"],
];

/** Installs the missing ones with apt-get when this runs as root (CI, these machines); otherwise says what to install. */
export function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter(([program]) => !existsSync(program)).map(([, name]) => name);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    throw new Error(`The tests need these Debian packages: ${missing.join(" ")} (apt-get install -y ${missing.join(" ")})`);
  }
  say(`installing ${missing.join(", ")} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update"], { env });
  run("apt-get", ["install", "-y", ...missing], { env });
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // lib/ counts: the site is built from the packages' compiled lib/, not from their src/.
    if (["node_modules", "build", ".docusaurus", "e2e"].includes(entry.name)) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const SITE_INPUTS = ["apps/site", "packages/docusaurus-theme-auth", "packages/onboarding/src"];

/** Builds the site when it is missing or older than any of its sources. */
export function ensureSiteBuild() {
  if (!existsSync(path.join(ROOT, "apps/site/docusaurus.config.ts"))) return;
  ensurePackages();
  // The theme writes the protection manifest last, and only when the build's leak check passed: a build that
  // failed half-way (or leaked) is built again, never served.
  const marker = path.join(ROOT, "apps/site/build/protected-manifest.json");
  const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  const sources = Math.max(...SITE_INPUTS.map((d) => newestMtime(path.join(ROOT, d))));
  if (built >= sources) return;
  say("building the site (docusaurus build)");
  run("npm", ["run", "build", "--silent", "-w", "@textbook-auth/site"]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureNodeModules();
  ensurePackages();
  ensureVenv();
  if (process.argv.includes("--site")) ensureSiteBuild();
}
