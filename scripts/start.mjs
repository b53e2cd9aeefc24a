// `npm start`: install what is missing, build the site if stale, then run the auth server, which starts
// PostgreSQL (embedded unless DATABASE_URL is set), migrates, starts the Python backend and prints the URL.
import { spawn } from "node:child_process";
import { ensureNodeModules, ensurePackages, ensureSiteBuild, ensureVenv, ROOT } from "./ensure.mjs";

ensureNodeModules();
ensurePackages();
ensureVenv();
ensureSiteBuild();

const server = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], { cwd: ROOT, stdio: "inherit" });
// Forward Ctrl-C / SIGTERM so the server stops PostgreSQL and the backend cleanly before we exit.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
