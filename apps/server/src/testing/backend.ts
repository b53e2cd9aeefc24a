/** Runs the real Python backend for a test, as `npm start` does, and waits until it answers. */
import { spawnBackend } from "../backend/spawn";

export async function startPythonBackend(opts: {
  port: number;
  databaseUrl: string;
  secret: string;
  publicUrl: string;
  trustedOrigins?: readonly string[];
  workers?: number;
  env?: Record<string, string>;
}) {
  const backend = spawnBackend({ ...opts, logLevel: "warning" });
  const url = `http://127.0.0.1:${opts.port}`;
  for (let i = 0; i < 300; i++) {
    if (backend.child.exitCode !== null) throw new Error(`the Python backend exited with ${backend.child.exitCode}`);
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { url, pid: backend.child.pid!, stop: backend.stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await backend.stop();
  throw new Error("the Python backend did not start in 30 s");
}
