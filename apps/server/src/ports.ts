/**
 * The ports `npm start` needs, checked before anything starts, so a taken one is named instead of failing deep
 * inside PostgreSQL or uvicorn (a second clone once printed `undefined` and exited).
 *
 * - PORT is never moved: it is the address readers type, the default public URL (so the trusted origin and the
 *   JWT issuer) and where `npm run dev` forwards `/api`. A taken PORT stops the start, naming the port, the
 *   variable and a free port to use instead.
 * - The embedded PostgreSQL's port and the Python backend's port are the server's own business: it hands both
 *   addresses to whoever needs them. Left at their defaults, a taken one is replaced by the next free port and
 *   the move is printed. Set explicitly (someone points psql, or their own tools, at it), a taken one stops the
 *   start like PORT.
 * Not checked: the embedded PostgreSQL's port when DATABASE_URL is set, the backend's when START_BACKEND=false
 * (then whatever listens at BACKEND_URL is the backend the reader runs).
 */
import net from "node:net";
import { StartupError, type Config } from "./config";

// The embedded PostgreSQL and the backend listen on loopback only (embedded.ts, backend/spawn.ts).
const LOOPBACK = "127.0.0.1";
const NEARBY = 20;

/** Whether a listener could bind host:port now. Other failures (an address not on this machine) are thrown. */
export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(false) : reject(error)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The first free port after `from` (at most NEARBY tries, so the move is easy to recognise), else any free one. */
export async function nextFreePort(from: number, host: string, avoid: ReadonlySet<number> = new Set()): Promise<number> {
  for (let port = from + 1; port <= Math.min(from + NEARBY, 65535); port++) {
    if (!avoid.has(port) && (await portIsFree(port, host))) return port;
  }
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(0, host, resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** PORT_IN_USE, naming the port, the variable that moves it and a free port to give it. */
export async function portInUse(port: number, host: string, variable: string, what: string, avoid: ReadonlySet<number> = new Set()) {
  const suggestion = await nextFreePort(port, host, avoid);
  const hint = variable === "PORT" ? " Another `npm start` (from this folder or another clone) may be running: stop it, or choose" : " Choose";
  return new StartupError(
    "PORT_IN_USE",
    `port ${port} on ${host} is already in use, so ${what} cannot listen there.${hint} another port: ${variable}=${suggestion} npm start`,
    78,
  );
}

export interface PortPlan {
  config: Config;
  /** One line per port that was moved, for the start-up output. */
  moved: string[];
}

/** Checks every port this start will listen on; returns the config with moved ports, or throws PORT_IN_USE. */
export async function planPorts(config: Config): Promise<PortPlan> {
  const planned = new Set([config.port]);
  if (!(await portIsFree(config.port, config.host))) throw await portInUse(config.port, config.host, "PORT", "the server", planned);

  const moved: string[] = [];
  let { embeddedPgPort, backendPort, backendUrl } = config;
  if (!config.databaseUrl) {
    if (!(await portIsFree(embeddedPgPort, LOOPBACK))) {
      if (config.embeddedPgPortFixed) throw await portInUse(embeddedPgPort, LOOPBACK, "EMBEDDED_PG_PORT", "the embedded PostgreSQL", planned);
      const port = await nextFreePort(embeddedPgPort, LOOPBACK, planned);
      moved.push(`Port ${embeddedPgPort} is in use: the embedded PostgreSQL takes ${port} (EMBEDDED_PG_PORT sets it)`);
      embeddedPgPort = port;
    }
    planned.add(embeddedPgPort);
  }
  if (config.startBackend) {
    if (!(await portIsFree(backendPort, LOOPBACK))) {
      if (config.backendPortFixed) throw await portInUse(backendPort, LOOPBACK, "BACKEND_PORT", "the Python backend", planned);
      const port = await nextFreePort(backendPort, LOOPBACK, planned);
      moved.push(`Port ${backendPort} is in use: the Python backend takes ${port} (BACKEND_PORT sets it)`);
      backendPort = port;
      backendUrl = `http://${LOOPBACK}:${port}`;
    }
  }
  return { config: Object.freeze({ ...config, embeddedPgPort, backendPort, backendUrl }), moved };
}
