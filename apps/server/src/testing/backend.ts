/** Runs the real Python backend for a test, as `npm start` does, and waits until it answers (see stack.ts). */
import { startStack } from "./stack";

export async function startPythonBackend(opts: {
  port: number;
  databaseUrl: string;
  secret: string;
  publicUrl: string;
  trustedOrigins?: readonly string[];
  workers?: number;
  env?: Record<string, string>;
}) {
  const stack = await startStack({
    node: false,
    migrate: false, // the caller's auth server has migrated the database
    databaseUrl: opts.databaseUrl,
    secret: opts.secret,
    publicUrl: opts.publicUrl,
    backend: true,
    backendPort: opts.port,
    workers: opts.workers,
    backendEnv: { ...(opts.trustedOrigins ? { TRUSTED_ORIGINS: opts.trustedOrigins.join(",") } : {}), ...opts.env },
  });
  return { url: stack.backendUrl!, pid: stack.backendPid!, stop: stack.stop };
}
