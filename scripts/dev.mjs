// `npm run dev`: the whole product as `npm start` runs it, plus the Docusaurus dev server with hot reload on
// DEV_PORT (3001), which forwards /api to the Node server so sign-in works as on the one origin.
import { spawn } from "node:child_process";
import { ensureNodeModules, ensureVenv, ROOT } from "./ensure.mjs";

ensureNodeModules();
ensureVenv();
const children = [
  spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], { cwd: ROOT, stdio: "inherit" }),
  spawn("npm", ["run", "dev", "--silent", "-w", "@textbook-auth/site"], { cwd: ROOT, stdio: "inherit" }),
];
console.log(`Writing mode: http://127.0.0.1:${process.env.DEV_PORT ?? 3001} (hot reload)`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => children.forEach((c) => c.kill(signal)));
for (const child of children) child.on("exit", (code) => { children.forEach((c) => c.kill("SIGTERM")); process.exitCode = code ?? 0; });
