/** `npm run migrate`: applies every migration (idempotent) and exits. */
import { loadConfig, loadDotEnv } from "../config";
import { startEmbeddedPostgres } from "../database/embedded";
import { createPool } from "../database/pool";
import { migrate } from "../database/migrate";
import { authOptions } from "../auth/auth";
import { resolveSecret } from "../auth/secret";

loadDotEnv();
const config = loadConfig();
const embedded = config.databaseUrl
  ? undefined
  : await startEmbeddedPostgres({ dir: config.dataDir, port: config.embeddedPgPort });
const pool = createPool(config.databaseUrl ?? embedded!.url, 2);
try {
  await migrate(pool, authOptions(config, pool, resolveSecret(config)));
  console.log("Migrations applied");
} finally {
  await pool.end();
  await embedded?.stop();
}
