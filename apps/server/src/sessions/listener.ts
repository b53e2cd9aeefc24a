/**
 * Keeps a SessionCache honest, by the same rule as the Python package's listener (better_auth_fastapi/
 * invalidation.py): `LISTEN` on one dedicated connection and forget what each notification names; every heartbeat,
 * check the change triggers are installed and enabled, send a probe notification through the query pool and wait
 * for it on the listening connection. Only a probe that comes back extends the cache's trust, by two heartbeats. That
 * one test covers a dropped or silent connection, a transaction pooler in the path (LISTEN succeeds there, nothing is
 * delivered) and a listen URL naming another database; trust is a lease, so it lapses even if this loop hangs.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { SESSION_CHANGE_PAYLOAD, SESSION_CHANGE_TABLES, SESSION_CHANGE_TRIGGERS, SESSION_CHANGES_CHANNEL } from "../database/session-changes";
import type { CachedSession, SessionCache } from "./cache";

/** Every trigger of the contract on every table of it (this server always has the onboarding plugin's table). */
export const TRIGGERS_INSTALLED = `SELECT count(*) = ${SESSION_CHANGE_TABLES.length * SESSION_CHANGE_TRIGGERS.length} AS installed FROM pg_trigger
WHERE tgname IN (${SESSION_CHANGE_TRIGGERS.map((t) => `'${t}'`).join(", ")}) AND NOT tgisinternal AND tgenabled <> 'D'`;

/**
 * The URL LISTEN should use: a transaction pooler delivers nothing. Neon's pooled host has a direct twin without
 * `-pooler`; for another pooler the caller must give a direct URL (DATABASE_LISTEN_URL), or the cache stays off.
 */
export function listenUrlFor(databaseUrl: string): string | null {
  const url = new URL(databaseUrl);
  if (url.hostname.includes("-pooler.")) {
    url.hostname = url.hostname.replace("-pooler.", ".");
    return url.toString();
  }
  return url.searchParams.get("pgbouncer") === "true" ? null : databaseUrl;
}

export interface ChangeListenerOptions<T extends CachedSession> {
  url: string;
  cache: SessionCache<T>;
  /** Must `pg_notify` the channel with `payload` over another connection (the path lookups take). */
  sendProbe(payload: string): Promise<void>;
  /** How often delivery is proven, in ms; trust lapses two heartbeats after the last proof. Default 2,000. */
  heartbeatMs?: number;
  /** The pause between reconnection attempts, in ms. Default 1,000. */
  retryMs?: number;
  log?: (line: string) => void;
}

export class ChangeListener<T extends CachedSession> {
  private stopping = false;
  private client: pg.Client | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private warnedTriggers = false;
  private readonly heartbeatMs: number;
  private readonly retryMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ChangeListenerOptions<T>) {
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the listener; bounded, so a server's stop (and the child processes it stops after) never waits on it. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.options.cache.stop();
    this.wake?.();
    this.endClient();
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  /** A LISTEN connection has nothing to flush: its socket is closed at once rather than after a goodbye. */
  private endClient(): void {
    const client = this.client;
    this.client = null;
    if (!client) return;
    client.end().catch(() => {});
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.listen();
      } catch (error) {
        if (this.options.cache.enabled && !this.stopping) {
          this.log(`[sessions] memory cache off until the change listener reconnects: ${(error as Error).message}`);
        }
      } finally {
        this.options.cache.stop();
        this.endClient();
      }
      if (!this.stopping) await this.pause(this.retryMs);
    }
  }

  private async listen(): Promise<void> {
    const { cache } = this.options;
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: 3_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      application_name: "textbook-auth listener",
    });
    this.client = client;
    let failed: ((error: Error) => void) | null = null;
    const broken = new Promise<never>((_, reject) => (failed = reject));
    broken.catch(() => {});
    client.on("error", (error) => failed!(error));
    client.on("end", () => failed!(new Error("the listening connection ended")));
    const probes = new Map<string, () => void>();
    client.on("notification", (note) => {
      if (note.channel !== SESSION_CHANGES_CHANNEL) return;
      const nonce = this.apply(note.payload ?? "");
      if (nonce) probes.get(nonce)?.();
    });
    await client.connect();
    await client.query(`LISTEN ${SESSION_CHANGES_CHANNEL}`);
    while (!this.stopping) {
      const { rows } = await this.within(Promise.race([client.query(TRIGGERS_INSTALLED), broken]));
      if (!rows[0]?.installed) {
        cache.stop();
        if (!this.warnedTriggers) this.log("[sessions] memory cache off: the change triggers are missing or disabled; run the migrations");
        this.warnedTriggers = true;
      } else {
        const nonce = randomBytes(8).toString("hex");
        const back = new Promise<void>((resolve) => probes.set(nonce, resolve));
        try {
          await this.within(Promise.race([this.options.sendProbe(JSON.stringify({ [SESSION_CHANGE_PAYLOAD.probe]: nonce })), broken]));
          await this.within(Promise.race([back, broken]), "the probe notification did not come back: is LISTEN going through a pooler?");
        } finally {
          probes.delete(nonce);
        }
        cache.trustFor(2 * this.heartbeatMs);
      }
      await Promise.race([this.pause(this.heartbeatMs), broken]);
    }
  }

  /** Forgets what `payload` names; returns a probe's nonce (probes of other processes change nothing). */
  private apply(payload: string): string | null {
    const { cache } = this.options;
    try {
      const change = JSON.parse(payload) as Record<string, unknown>;
      const { probe, token, user } = {
        probe: change[SESSION_CHANGE_PAYLOAD.probe],
        token: change[SESSION_CHANGE_PAYLOAD.token],
        user: change[SESSION_CHANGE_PAYLOAD.user],
      };
      if (typeof probe === "string") return probe;
      if (typeof token === "string") cache.forgetToken(token);
      else if (typeof user === "string") cache.forgetUser(user);
      else cache.clear(); // {"all": true}: a table was truncated
    } catch {
      cache.clear(); // a payload we cannot read could name anything
    }
    return null;
  }

  private within<V>(promise: Promise<V>, message = "the database did not answer within a heartbeat"): Promise<V> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), this.heartbeatMs)));
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
