// `npm test`: every test, against one real PostgreSQL started for this run.
//   node scripts/test.mjs                 all suites: TypeScript, Python, browser, packages (packed and installed)
//   node scripts/test.mjs FILE...         only these files (*.test.ts with node:test, *.py with pytest)
// Each suite creates its own databases inside that PostgreSQL (TEST_PG_URL), so suites never share state.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { ensureNodeModules, ensurePackages, ensureSiteBuild, ensureSystemPackages, ensureVenv, ROOT } from "./ensure.mjs";

ensureNodeModules();
ensurePackages();
ensureVenv();
ensureSystemPackages();
const { startTestPostgres } = await import("./test-postgres.mjs");

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "build", ".docusaurus", "lib"].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, out);
    else if (e.name.endsWith(".test.ts") || e.name.endsWith(".test.tsx")) out.push(path.relative(ROOT, p));
  }
  return out;
}

const args = process.argv.slice(2);
const all = args.length === 0;
const tsFiles = all ? ["packages", "apps", "deploy"].flatMap((dir) => findTests(path.join(ROOT, dir))) : args.filter((a) => /\.tsx?$/.test(a));
// The packed-install test (packages/install.test.ts) runs alone, after the others: npm installs and a site build beside
// them would take the two cores from tests that measure a 100 ms revocation bound.
const isPackagesTest = (f) => path.resolve(ROOT, f) === path.join(ROOT, "packages", "install.test.ts");
const unitFiles = tsFiles.filter((f) => !f.includes(`${path.sep}e2e${path.sep}`) && !isPackagesTest(f));
const browserFiles = tsFiles.filter((f) => f.includes(`${path.sep}e2e${path.sep}`));
const packagesFiles = tsFiles.filter(isPackagesTest);
const pyTargets = all
  ? ["packages/fastapi-better-auth/tests", "apps/backend/tests"].filter((d) => existsSync(path.join(ROOT, d)))
  : args.filter((a) => a.endsWith(".py") || a.includes("/tests"));

const pg = await startTestPostgres();
const env = { ...process.env, TEST_PG_URL: pg.url, NODE_ENV: "test" };
const results = [];
// Asynchronous on purpose: this process holds the pipes PostgreSQL logs to. Blocked in spawnSync it stopped reading
// them, the pipe filled during a long suite, and PostgreSQL's checkpointer hung writing a log line, and with it every
// DROP DATABASE (seen in CI: test files timing out in their after() hooks).
async function suite(name, cmd, cmdArgs) {
  console.log(`\n=== ${name} ===`);
  const code = await new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, env, stdio: "inherit" });
    child.on("error", () => resolve(1));
    child.on("exit", (status) => resolve(status));
  });
  results.push({ name, ok: code === 0 });
}

try {
  // The client tests' type assertions only mean something if the types are checked.
  if (all) {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    for (const project of ["tsconfig.json", "packages/docusaurus-theme-auth/tsconfig.json", "apps/site/tsconfig.json"]) {
      await suite(`Typecheck ${path.dirname(project) === "." ? "server" : path.dirname(project)}`, process.execPath, [tsc, "-p", project]);
    }
  }
  // The timeout bounds a whole file too (node's runner makes each file a test): the attack suite alone takes a minute.
  if (unitFiles.length) {
    await suite("TypeScript", process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=300000", ...unitFiles]);
  }
  if (pyTargets.length) await suite("Python", path.join(ROOT, ".venv/bin/python"), ["-m", "pytest", "-q", ...pyTargets]);
  if (browserFiles.length) {
    ensureSiteBuild();
    await suite("Browser", process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-timeout=300000", ...browserFiles]);
  }
  if (packagesFiles.length) {
    await suite("Packages", process.execPath, ["--import", "tsx", "--test", "--test-timeout=900000", ...packagesFiles]);
  }
} finally {
  await pg.stop();
}

const failed = results.filter((r) => !r.ok);
console.log(`\nSuites: ${results.map((r) => `${r.name} ${r.ok ? "passed" : "FAILED"}`).join(", ")}`);
console.log(`suites: ${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
