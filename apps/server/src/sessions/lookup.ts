/**
 * Who a session token belongs to, with the reader's profile: from memory while the change listener proves
 * notifications arrive, else one indexed query. get-session's fast path and the protected-content gate both ask here.
 *
 * Only readers with a complete profile are kept. A change reaches memory by notification, milliseconds after it
 * commits: for a revocation that window is the documented bound, but a reader who has just finished onboarding must
 * never be told once more, from memory, that their profile is incomplete. Incomplete readers are few and brief.
 */
import { readSessionWithProfile, type ProfileField, type SessionRow } from "@textbook-auth/onboarding";
import type pg from "pg";
import { SESSION_CHANGES_CHANNEL } from "../database/session-changes";
import { SessionCache, type CachedSession } from "./cache";
import { ChangeListener, listenUrlFor } from "./listener";

interface Kept extends CachedSession {
  row: SessionRow;
}

export interface SessionLookupOptions {
  pool: pg.Pool;
  /** Keep sessions in memory (SESSION_CACHE). */
  cache: boolean;
  /** The longest a session is served from memory without a fresh read, in ms (SESSION_CACHE_TTL). */
  ttlMs: number;
  /** A direct connection for LISTEN (DATABASE_LISTEN_URL); derived from the pool's URL when absent. */
  listenUrl?: string;
  databaseUrl: string;
  /** The profile questions (config.profileFields), so a profile read here carries every answer. Default: profile-fields.json. */
  profileFields?: readonly ProfileField[];
  log?: (line: string) => void;
}

export interface SessionLookup {
  /** The session, its user and profile, or null; expired sessions are returned too (the caller decides). */
  byToken(token: string): Promise<SessionRow | null>;
  /** Forget a token at once in this process (its own writes need not wait for the notification). */
  forgetToken(token: string): void;
  /** "on" while sessions are served from memory, "off" while notifications are not proven, "disabled". */
  readonly state: "on" | "off" | "disabled";
  stop(): Promise<void>;
}

export function createSessionLookup(options: SessionLookupOptions): SessionLookup {
  const { pool, profileFields } = options;
  const listenUrl = options.listenUrl ?? listenUrlFor(options.databaseUrl);
  if (!options.cache || !listenUrl) {
    if (options.cache) options.log?.("[sessions] memory cache off: LISTEN needs a direct database connection; set DATABASE_LISTEN_URL");
    return {
      byToken: (token) => readSessionWithProfile(pool, token, profileFields),
      forgetToken: () => {},
      state: "disabled",
      stop: async () => {},
    };
  }
  const cache = new SessionCache<Kept>({ ttlMs: options.ttlMs });
  const listener = new ChangeListener({
    url: listenUrl,
    cache,
    // The probe takes the path lookups take, so a probe that comes back proves that path too.
    sendProbe: async (payload) => void (await pool.query("SELECT pg_notify($1, $2)", [SESSION_CHANGES_CHANNEL, payload])),
    log: options.log,
  });
  listener.start();
  return {
    async byToken(token) {
      const kept = cache.get(token);
      if (kept) return kept.row;
      const generation = cache.generation;
      const row = await readSessionWithProfile(pool, token, profileFields);
      if (row?.profile?.onboardingCompleted) {
        cache.put({ token, userId: row.user.id, expiresAt: row.session.expiresAt.valueOf(), row }, generation);
      }
      return row;
    },
    forgetToken: (token) => cache.forgetToken(token),
    get state() {
      return cache.enabled ? "on" : "off";
    },
    stop: () => listener.stop(),
  };
}
