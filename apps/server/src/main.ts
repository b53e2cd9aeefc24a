/** Entry point of `npm start`: validated config, the whole product, a clean stop on Ctrl-C or SIGTERM. */
import { ConfigError, StartupError, loadConfig, loadDotEnv, loopbackAliases, type Config } from "./config";
import { planPorts, portInUse } from "./ports";
import { startServer } from "./server";

/** The addresses to open. The listening socket is printed without a scheme: only trusted origins are links. */
function readyLine(config: Config, port: number): string {
  const also = loopbackAliases(config.publicUrl).filter((origin) => config.trustedOrigins.includes(origin));
  if (also.length) return `Ready: ${config.publicUrl} (or ${also.join(", ")})`;
  return `Ready: ${config.publicUrl} (listening on ${config.host}:${port})`;
}

async function main() {
  loadDotEnv();
  let config = loadConfig();
  // Loud on purpose: a line among the start-up logs is a line nobody reads.
  for (const warning of config.warnings) {
    const rule = "!".repeat(100);
    console.error(`\n${rule}\nWARNING: ${warning}\n${rule}\n`);
  }
  const plan = await planPorts(config);
  config = plan.config;
  for (const line of plan.moved) console.log(line);
  let server;
  try {
    server = await startServer(config);
  } catch (error) {
    // Taken between the check and the listen: the same answer as a port taken before.
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE" && (error as { port?: number }).port === config.port) {
      throw await portInUse(config.port, config.host, "PORT", "the server");
    }
    throw error;
  }
  console.log(readyLine(config, server.port));
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      console.log(`${signal}: stopping`);
      await server.stop();
      process.exit(0);
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  if (error instanceof StartupError) {
    console.error(`${error.code}: ${error.message}`);
    process.exit(error.exitCode);
  }
  // A library that rejects with nothing must not make the whole start-up report "undefined".
  console.error(error ?? new Error("start-up failed without a reason"));
  process.exit(1);
});
