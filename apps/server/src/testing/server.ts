/** Starts the real auth server in this process against a test database, on a free 127.0.0.1 port (see stack.ts). */
import { randomBytes } from "node:crypto";
import type { RunningServer } from "../server";
import { startStack } from "./stack";

export const TEST_SECRET = randomBytes(32).toString("base64");

/** `env` is laid over the stack's test environment (no backend behind the proxy, rate limits off). */
export async function startTestServer(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const stack = await startStack({
    node: "in-process",
    databaseUrl,
    secret: TEST_SECRET,
    port: env.PORT ? Number(env.PORT) : undefined,
    env,
  });
  return { ...stack.server!, stop: stack.stop };
}
