// Compiles the npm packages into what they publish: packages/<name>/lib/, ES modules with their .d.ts, from src/
// (tsconfig.build.json), plus src/'s other files as they are (the theme's CommonJS loader and .mjs child script, the
// profile fields' JSON). This repository's workspace runs the same lib/ an adopter installs:
// Docusaurus transpiles no TypeScript from node_modules, so the theme must work from JavaScript, and running it that
// way here is how we know it does. Package tests import src/ directly. It also copies the onboarding package's
// contract.json into the Python package (package data: a wheel cannot reach outside its folder).
//
//   node scripts/build-packages.mjs            compile the packages whose sources changed since their last build
//   node scripts/build-packages.mjs --force    compile them all
//
// `npm start`, `npm test`, `npm run dev` and `npm pack` (prepack) run it; a build is skipped while the hash of its
// sources matches the stamp of the last one. Node built-ins only: it runs from scripts/ensure.mjs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** In build order: the theme's types import the onboarding package's. */
export const PACKAGES = ["onboarding", "docusaurus-theme-auth"];
// Outside the packages, so no stamp can end up in a tarball; `npm ci` wiping it only costs one rebuild.
/** A package's tsc passes, in order: the theme's components (second) are typed from what the first wrote. */
export const BUILD_CONFIGS = ["tsconfig.build.json", "tsconfig.build-theme.json"];
const STAMPS = path.join(ROOT, "node_modules", ".cache", "textbook-auth-packages");
const say = (m) => console.log(`[setup] ${m}`);

/** Source files that are not compiled into lib/ (tests, test helpers) and never shipped. */
const isTestOnly = (rel) => /\.test\.tsx?$/.test(rel) || rel.split(path.sep).includes("testing");

function walk(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, base, out);
    else out.push(path.relative(base, p));
  }
  return out.sort();
}

function sourceHash(name) {
  const dir = path.join(ROOT, "packages", name);
  const h = createHash("sha256");
  const inputs = [
    ...walk(path.join(dir, "src")).filter((f) => !isTestOnly(f)).map((f) => path.join(dir, "src", f)),
    path.join(dir, "package.json"),
    ...BUILD_CONFIGS.map((c) => path.join(dir, c)),
    path.join(dir, "tsconfig.json"),
    path.join(ROOT, "tsconfig.json"),
    fileURLToPath(import.meta.url),
  ];
  for (const file of inputs) h.update(path.relative(ROOT, file)).update(existsSync(file) ? readFileSync(file) : "");
  return h.digest("hex");
}

export function buildPackage(name) {
  const dir = path.join(ROOT, "packages", name);
  const lib = path.join(dir, "lib");
  // From scratch: a source file removed since the last build must not live on in lib/.
  rmSync(lib, { recursive: true, force: true });
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  for (const config of BUILD_CONFIGS.filter((c) => existsSync(path.join(dir, c)))) {
    execFileSync(process.execPath, [tsc, "-p", path.join(dir, config)], { cwd: ROOT, stdio: "inherit" });
  }
  // tsc emits only what it compiles: the rest of src/ ships as it is, at the same place relative to the code.
  for (const rel of walk(path.join(dir, "src"))) {
    if (isTestOnly(rel) || /\.tsx?$/.test(rel)) continue; // .d.ts included: the declarations point at src/ for those
    mkdirSync(path.dirname(path.join(lib, rel)), { recursive: true });
    copyFileSync(path.join(dir, "src", rel), path.join(lib, rel));
  }
}

/** The contract's one home, and the copy the Python package ships as package data (pip cannot reach outside it). */
export const CONTRACT = path.join(ROOT, "packages", "onboarding", "src", "contract.json");
export const PYTHON_CONTRACT = path.join(ROOT, "packages", "fastapi-better-auth", "src", "better_auth_fastapi", "contract.json");

/** Writes the Python package's copy of the contract when it differs, so a change of the contract is one edit. */
export function syncContract() {
  const source = readFileSync(CONTRACT);
  if (existsSync(PYTHON_CONTRACT) && readFileSync(PYTHON_CONTRACT).equals(source)) return;
  say("copying packages/onboarding/src/contract.json into the Python package");
  writeFileSync(PYTHON_CONTRACT, source);
}

/** Compiles each package whose sources changed since its last build (all of them with `force`). */
export function ensurePackages({ force = false } = {}) {
  syncContract();
  for (const name of PACKAGES) {
    const want = sourceHash(name);
    const stamp = path.join(STAMPS, `${name}.hash`);
    const lib = path.join(ROOT, "packages", name, "lib");
    if (!force && existsSync(lib) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) continue;
    say(`compiling packages/${name} into lib/ (tsc)`);
    buildPackage(name);
    mkdirSync(STAMPS, { recursive: true });
    writeFileSync(stamp, want);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensurePackages({ force: process.argv.includes("--force") });
}
