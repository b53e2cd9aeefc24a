/**
 * Throttling of repeated failed sign-ins for one account, on top of the per-address rate limit.
 *
 * Failures are counted per (email, client address) and per email over a rolling window, in PostgreSQL so every
 * server instance sees them. The per-address limit is tight, so guessing from one address stops quickly while the
 * owner can still sign in from another; the per-account limit is loose, and only stops guessing spread over many
 * addresses (it can lock the owner out for one window: the price of stopping a distributed attack).
 */
import { createHash } from "node:crypto";
import type pg from "pg";

export interface ThrottleLimits {
  /** Failures allowed per (email, address) in the window. Default 5. */
  perAddress: number;
  /** Failures allowed per email across all addresses in the window. Default 50. */
  perAccount: number;
  /** Window, in seconds. Default 900. */
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perAddress: 5, perAccount: 50, windowSeconds: 900 };

export const THROTTLE_SCHEMA = `CREATE TABLE IF NOT EXISTS sign_in_failure (
  email text NOT NULL,
  address text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sign_in_failure_email_idx ON sign_in_failure (email, failed_at)`;

// Better-Auth signs up emails of any length, so every length is counted; past 320 characters (the longest real
// address) the key is a digest, so a guess cannot store 64 KiB a row.
const normalise = (email: string) => {
  const key = email.trim().toLowerCase();
  return key.length <= 320 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
};

/** Seconds until the next attempt is allowed, or 0 when it is allowed now. */
export async function retryAfterSeconds(pool: pg.Pool, email: string, address: string, limits = DEFAULT_THROTTLE) {
  const { rows } = await pool.query<{ by_address: string | null; by_account: string | null }>(
    `WITH recent AS (
       SELECT address, failed_at FROM sign_in_failure
       WHERE email = $1 AND failed_at > now() - make_interval(secs => $3)
     )
     SELECT
       (SELECT failed_at FROM recent WHERE address = $2 ORDER BY failed_at DESC OFFSET $4 - 1 LIMIT 1) AS by_address,
       (SELECT failed_at FROM recent ORDER BY failed_at DESC OFFSET $5 - 1 LIMIT 1) AS by_account`,
    [normalise(email), address, limits.windowSeconds, limits.perAddress, limits.perAccount],
  );
  // The N-th most recent failure inside the window decides when the window frees a slot.
  const oldest = [rows[0]?.by_address, rows[0]?.by_account].filter(Boolean).map((d) => new Date(d!).getTime());
  if (oldest.length === 0) return 0;
  const freeAt = Math.max(...oldest) + limits.windowSeconds * 1000;
  return Math.max(1, Math.ceil((freeAt - Date.now()) / 1000));
}

export async function recordFailure(pool: pg.Pool, email: string, address: string) {
  await pool.query(`INSERT INTO sign_in_failure (email, address) VALUES ($1, $2)`, [normalise(email), address]);
}

/** A successful sign-in from an address clears that address's failures (not other addresses'). */
export async function clearFailures(pool: pg.Pool, email: string, address: string) {
  await pool.query(`DELETE FROM sign_in_failure WHERE email = $1 AND (address = $2 OR failed_at < now() - interval '1 day')`, [
    normalise(email),
    address,
  ]);
}
