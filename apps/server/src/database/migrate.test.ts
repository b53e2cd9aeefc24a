import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase } from "../../../../scripts/test-postgres.mjs";
import { startPgbouncer, type Child } from "../testing/processes";
import { withMigrationLock } from "./migrate";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let bouncer: Child;
before(async () => {
  db = await createTestDatabase();
  bouncer = await startPgbouncer(db.url);
});
after(async () => {
  await bouncer?.stop();
  await db?.drop();
});

/** Three servers migrating at once through `url`: the intervals each spent inside the lock. */
async function concurrentRuns(url: string) {
  const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: url, max: 2 }));
  try {
    return await Promise.all(
      pools.map((pool) =>
        withMigrationLock(pool, async () => {
          const start = Date.now();
          await new Promise((r) => setTimeout(r, 150));
          return [start, Date.now()] as const;
        }),
      ),
    );
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
}

function overlaps(runs: (readonly [number, number])[]) {
  const sorted = [...runs].sort((a, b) => a[0] - b[0]);
  return sorted.slice(1).filter((run, i) => run[0] < sorted[i]![1]).length;
}

for (const [label, url] of [["directly", () => db.url], ["through PgBouncer in transaction mode", () => bouncer.url]] as const) {
  test(`concurrent migrations take turns, ${label}, and leave no lock behind`, async () => {
    const runs = await concurrentRuns(url());
    assert.equal(overlaps(runs), 0, JSON.stringify(runs));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
    await client.end();
    assert.equal(rows[0].n, 0);
  });
}
