// `npm run dev`: the whole product as `npm start` runs it, plus the Docusaurus dev server with hot reload on
// DEV_PORT (3001), which forwards /api to the Node server so sign-in works as on the one origin.
import { spawn } from "node:child_process";
import path from "node:path";
import { existsSync } from "node:fs";
import { BUILD_CONFIGS, PACKAGES } from "./build-packages.mjs";
import { ensureNodeModules, ensurePackages, ensureVenv, ROOT } from "./ensure.mjs";

ensureNodeModules();
ensurePackages();
ensureVenv();
// The site runs the packages' compiled lib/ (scripts/build-packages.mjs): recompile on every save, so the dev
// server's hot reload sees a change to the theme or the onboarding plugin as it would a change to the site.
const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const watch = (config) =>
  spawn(process.execPath, [tsc, "-p", config, "--watch", "--preserveWatchOutput"], { cwd: ROOT, stdio: "inherit" });
const children = [
  ...PACKAGES.flatMap((pkg) => BUILD_CONFIGS.map((c) => `packages/${pkg}/${c}`)).filter((c) => existsSync(path.join(ROOT, c))).map(watch),
  spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], { cwd: ROOT, stdio: "inherit" }),
  spawn("npm", ["run", "dev", "--silent", "-w", "@textbook-auth/site"], { cwd: ROOT, stdio: "inherit" }),
];
console.log(`Writing mode: http://127.0.0.1:${process.env.DEV_PORT ?? 3001} (hot reload)`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => children.forEach((c) => c.kill(signal)));
for (const child of children) child.on("exit", (code) => { children.forEach((c) => c.kill("SIGTERM")); process.exitCode = code ?? 0; });
