import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { freePort } from "../../../scripts/test-postgres.mjs";
import { StartupError, loadConfig, type Config } from "./config";
import { nextFreePort, planPorts, portIsFree } from "./ports";

async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const isPortInUse = (variable: string) => (e: unknown) =>
  e instanceof StartupError && e.code === "PORT_IN_USE" && e.exitCode === 78 && new RegExp(`\\b${variable}=\\d+`).test(e.message);

describe("planPorts", () => {
  let taken: Awaited<ReturnType<typeof occupy>>;
  let config: Config;
  before(async () => {
    taken = await occupy();
    // The defaults (5433, 8000) belong to the developer's own npm start: the test puts a taken port in their place.
    config = loadConfig({ NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(await freePort()) });
    assert.equal(config.embeddedPgPortFixed, false);
    assert.equal(config.backendPortFixed, false);
  });
  after(() => taken.close());

  test("a taken default port of the embedded PostgreSQL moves to a free one, and says so", async () => {
    const plan = await planPorts({ ...config, embeddedPgPort: taken.port, backendPort: await freePort() });
    assert.notEqual(plan.config.embeddedPgPort, taken.port);
    assert.equal(await portIsFree(plan.config.embeddedPgPort, "127.0.0.1"), true);
    assert.equal(plan.moved.length, 1);
    assert.match(plan.moved[0]!, /EMBEDDED_PG_PORT/);
  });

  test("a taken default port of the backend moves, and the proxy's BACKEND_URL follows it", async () => {
    const plan = await planPorts({ ...config, databaseUrl: "postgres://x/y", backendPort: taken.port });
    assert.notEqual(plan.config.backendPort, taken.port);
    assert.equal(plan.config.backendUrl, `http://127.0.0.1:${plan.config.backendPort}`);
    assert.match(plan.moved[0]!, /BACKEND_PORT/);
  });

  test("a taken port that was set explicitly stops the start, naming its variable", async () => {
    await assert.rejects(planPorts({ ...config, embeddedPgPort: taken.port, embeddedPgPortFixed: true }), isPortInUse("EMBEDDED_PG_PORT"));
    await assert.rejects(
      planPorts({ ...config, databaseUrl: "postgres://x/y", backendPort: taken.port, backendPortFixed: true }),
      isPortInUse("BACKEND_PORT"),
    );
  });

  test("a taken PORT always stops the start: it is the address readers use", async () => {
    await assert.rejects(planPorts({ ...config, port: taken.port }), isPortInUse("PORT"));
  });

  test("ports of parts that do not start are not checked", async () => {
    const plan = await planPorts({ ...config, databaseUrl: "postgres://x/y", embeddedPgPort: taken.port, startBackend: false, backendPort: taken.port });
    assert.equal(plan.config.embeddedPgPort, taken.port);
    assert.equal(plan.config.backendPort, taken.port);
    assert.deepEqual(plan.moved, []);
  });

  test("nextFreePort skips ports already planned for another part", async () => {
    const start = taken.port;
    const first = await nextFreePort(start, "127.0.0.1");
    const second = await nextFreePort(start, "127.0.0.1", new Set([first]));
    assert.notEqual(second, first);
    assert.equal(await portIsFree(second, "127.0.0.1"), true);
    assert.equal(await portIsFree(taken.port, "127.0.0.1"), false);
  });
});
