/**
 * Composes the product: database (embedded or DATABASE_URL), migrations, Better-Auth, the Hono app, and
 * optionally the Python backend. `stop()` undoes it in reverse order. Used by main.ts and by the tests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./database/embedded";
import { createPool } from "./database/pool";
import { migrate } from "./database/migrate";
import { authOptions, createAuth } from "./auth/auth";
import { resolveSecret } from "./auth/secret";
import { createPreRouter } from "./http/pre-router";
import { createSessionLookup } from "./sessions/lookup";
import { spawnBackend } from "./backend/spawn";
import { createMailer } from "./mail/mailer";

export interface RunningServer {
  url: string;
  port: number;
  databaseUrl: string;
  /** Resolves once mail handed off so far has been sent or has failed (see Mailer.idle). */
  mailSent(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(config: Config, log: (line: string) => void = console.log): Promise<RunningServer> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => log(`stop: ${(e as Error).message}`));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({ dir: config.dataDir, port: config.embeddedPgPort });
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
      log(`Embedded PostgreSQL on 127.0.0.1:${config.embeddedPgPort}, data in ${config.dataDir}`);
    }
    const pool = createPool(databaseUrl, config.databasePoolMax);
    cleanups.push(() => pool.end());
    const secret = resolveSecret(config);
    await migrate(pool, authOptions(config, pool, secret));
    // The per-recipient cap goes with the other limits: tests that send many messages to one address turn it off.
    const mailer = createMailer(config.mail, { log, recipientLimit: config.rateLimit ? undefined : 0 });
    cleanups.push(() => mailer.stop());
    log(mailer.mailbox ? `${mailer.description}; read them at ${config.publicUrl}/dev/mailbox` : mailer.description);
    // Said at start rather than at a reader's first reset; never holds the start (the server may come up later).
    void mailer.check().then((problem) => problem && log(`Mail: the SMTP server does not answer (${problem}); messages fail until it does`));

    if (config.startBackend) {
      const backend = spawnBackend({
        port: config.backendPort,
        databaseUrl,
        secret,
        publicUrl: config.publicUrl,
        trustedOrigins: config.trustedOrigins,
      });
      cleanups.push(backend.stop);
    }

    const lookup = createSessionLookup({
      pool,
      databaseUrl,
      cache: config.sessionCache,
      ttlMs: config.sessionCacheTtlMs,
      listenUrl: config.databaseListenUrl,
      profileFields: config.profileFields,
      log,
    });
    cleanups.push(() => lookup.stop());
    const listener = await createPreRouter({
      auth: createAuth(config, pool, secret, mailer),
      mailbox: mailer.mailbox,
      pool,
      backendUrl: config.backendUrl,
      siteDir: config.siteDir,
      trustProxy: config.trustProxy,
      publicUrl: config.publicUrl,
      trustedOrigins: config.trustedOrigins,
      proxyMaxBodyBytes: config.proxyMaxBodyBytes,
      secret,
      lookup,
    });
    const server = await new Promise<Server>((resolve, reject) => {
      // Slow clients: a connection that never finishes its headers or its request is closed (408), so it cannot hold
      // a socket forever. Node checks both every `connectionsCheckingInterval`.
      const options = {
        headersTimeout: config.headersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
      };
      const s = createServer(options, listener).listen(config.port, config.host, () => resolve(s));
      s.once("error", reject);
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    return { url: `http://${config.host}:${port}`, port, databaseUrl, mailSent: () => mailer.idle(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
