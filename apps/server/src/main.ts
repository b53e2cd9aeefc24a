/** Entry point of `npm start`: validated config, the whole product, a clean stop on Ctrl-C or SIGTERM. */
import { ConfigError, loadConfig } from "./config";
import { startServer } from "./server";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  // Loud on purpose: a line among the start-up logs is a line nobody reads.
  for (const warning of config.warnings) {
    const rule = "!".repeat(100);
    console.error(`\n${rule}\nWARNING: ${warning}\n${rule}\n`);
  }
  const server = await startServer(config);
  console.log(`Ready: ${config.publicUrl} (listening on ${server.url})`);
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

main().catch((error) => {
  // Some configuration is only known at start (the development secret kept under DATA_DIR).
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  console.error(error);
  process.exit(1);
});
