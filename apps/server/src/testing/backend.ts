/** Runs the real Python backend (uvicorn from the repository's .venv) for a test, on a given 127.0.0.1 port. */
import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../config";

export async function startPythonBackend(opts: { port: number; databaseUrl: string; secret: string; publicUrl: string }) {
  const child = spawn(
    path.join(REPO_ROOT, ".venv/bin/python"),
    ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", String(opts.port), "--no-access-log", "--log-level", "warning"],
    {
      cwd: path.join(REPO_ROOT, "apps/backend"),
      env: { ...process.env, DATABASE_URL: opts.databaseUrl, BETTER_AUTH_SECRET: opts.secret, PUBLIC_URL: opts.publicUrl },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the Python backend exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error("the Python backend did not start in 30 s");
}
