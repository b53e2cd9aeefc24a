/**
 * Runs the Python backend (uvicorn, from the repository's virtualenv) as a child of the Node server, with the
 * same database and secret, so `npm start` brings up the whole product. Its output is prefixed with [backend].
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../config";

export function spawnBackend(opts: {
  port: number;
  databaseUrl: string;
  secret: string;
  publicUrl: string;
  /** Every origin the auth server trusts: the backend's CSRF check must accept the same pages. */
  trustedOrigins?: readonly string[];
  /** uvicorn's --log-level; tests use "warning". */
  logLevel?: string;
  /** uvicorn worker processes; each keeps its own session cache and change listener. Default 1. */
  workers?: number;
  /** More environment for the backend (its settings: .env.example). */
  env?: Record<string, string>;
  /** Print the backend's output with a [backend] prefix. Default true; false leaves child.stdout/stderr to the caller. */
  relay?: boolean;
}) {
  const python = path.join(REPO_ROOT, ".venv", "bin", "python");
  if (!existsSync(python)) throw new Error("The Python virtualenv is missing: run `npm start` (it creates .venv)");
  const child: ChildProcess = spawn(
    python,
    [
      ...["-m", "app", "--host", "127.0.0.1", "--port", String(opts.port), "--no-access-log", "--log-level", opts.logLevel ?? "info"],
      ...(opts.workers && opts.workers > 1 ? ["--workers", String(opts.workers)] : []),
    ],
    {
      cwd: path.join(REPO_ROOT, "apps", "backend"),
      env: {
        ...process.env,
        DATABASE_URL: opts.databaseUrl,
        BETTER_AUTH_SECRET: opts.secret,
        PUBLIC_URL: opts.publicUrl,
        ...(opts.trustedOrigins ? { TRUSTED_ORIGINS: opts.trustedOrigins.join(",") } : {}),
        EXIT_WITH_PARENT: "1",
        ...opts.env,
      },
      // stdin stays open for the child's lifetime: its closing tells the backend we are gone (EXIT_WITH_PARENT).
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  const relay = (stream: NodeJS.ReadableStream | null) =>
    stream?.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line.trim()) console.log(`[backend] ${line}`);
    });
  if (opts.relay ?? true) {
    relay(child.stdout);
    relay(child.stderr);
  }
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
