// Starts a throwaway embedded PostgreSQL for running test files by hand; prints its admin URL and runs until
// killed. `npm test` starts its own (scripts/test.mjs).
import { startTestPostgres } from "./test-postgres.mjs";

const pg = await startTestPostgres();
console.log(`TEST_PG_URL=${pg.url}`);
const stop = async () => {
  await pg.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);
