/**
 * Throttling of repeated failed sign-ins for one account, on top of the per-address rate limit: a Better-Auth plugin
 * (`signInThrottle`) whose hooks see the body as Better-Auth parsed it, so the account counted is the account whose
 * password is checked, whatever the encoding (JSON or form, repeated fields).
 *
 * Failures are counted per (email, client address) and per email over a rolling window, in PostgreSQL so every
 * server instance sees them. The per-address limit is tight, so guessing from one address stops quickly while the
 * owner can still sign in from another; the per-account limit is loose, and only stops guessing spread over many
 * addresses (it can lock the owner out for one window: the price of stopping a distributed attack).
 *
 * The contract: every attempt is counted as a failure *before* its password is checked (`reserveAttempt`), and the
 * count is given back only when the attempt succeeds or never reached the password (`releaseAttempt`). Checking a
 * limit first and recording the failure after lets every concurrent guess pass the check before any is recorded
 * (measured: 80 concurrent guesses got 57 password checks against a limit of 50). So N concurrent guesses never check
 * more passwords than the limits allow, across any number of server instances.
 *
 * Addresses are keyed as Better-Auth's own rate limiter keys them (`normalizeIP`): IPv4-mapped IPv6 as IPv4, other
 * IPv6 by its /64, since one subscriber is typically handed a whole /64 and could otherwise rotate through 2^64
 * addresses.
 */
import { createHash } from "node:crypto";
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, getIP, isAPIError } from "better-auth/api";
import { defineRequestState } from "@better-auth/core/context";
import { defineErrorCodes } from "@better-auth/core/utils/error-codes";
import { normalizeIP } from "@better-auth/core/utils/ip";
import type pg from "pg";
import { SERVER_ERRORS } from "../http/errors";

export interface ThrottleLimits {
  /** Failures allowed per (email, address) in the window. Default 5. */
  perAddress: number;
  /** Failures allowed per email across all addresses in the window. Default 50. */
  perAccount: number;
  /** Window, in seconds. Default 900. */
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perAddress: 5, perAccount: 50, windowSeconds: 900 };

/** Advisory lock namespace (the two-int4 key space, apart from the migration's single bigint lock). */
const LOCK_NAMESPACE = 7_340_222;

// A reservation is a failure row written before the password is checked; `id` lets a release delete exactly it.
// The function takes a per-account advisory lock before it counts. It must be a VOLATILE function (or a second
// statement in one transaction): under READ COMMITTED a single statement's snapshot is taken before it waits for
// the lock, so a plain `INSERT ... SELECT` behind the lock would still count without the rows the previous lock
// holder just committed. Inside a VOLATILE PL/pgSQL function each statement takes a fresh snapshot, after the lock.
// The lock is transaction-scoped, so it is released when the single statement's transaction ends, and it works
// through a transaction pooler.
export const THROTTLE_SCHEMA = `CREATE TABLE IF NOT EXISTS sign_in_failure (
  email text NOT NULL,
  address text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sign_in_failure_email_idx ON sign_in_failure (email, failed_at);
ALTER TABLE sign_in_failure ADD COLUMN IF NOT EXISTS id bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX IF NOT EXISTS sign_in_failure_id_idx ON sign_in_failure (id);
CREATE OR REPLACE FUNCTION sign_in_reserve(p_email text, p_address text, p_per_address int, p_per_account int, p_window_seconds int)
RETURNS TABLE (reservation bigint, retry_after int)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  since timestamptz;
  by_address timestamptz;
  by_account timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(p_email));
  since := clock_timestamp() - make_interval(secs => p_window_seconds);
  -- The N-th most recent failure inside the window, when there is one, is what holds the limit.
  SELECT f.failed_at INTO by_address FROM sign_in_failure f
    WHERE f.email = p_email AND f.address = p_address AND f.failed_at > since
    ORDER BY f.failed_at DESC OFFSET p_per_address - 1 LIMIT 1;
  SELECT f.failed_at INTO by_account FROM sign_in_failure f
    WHERE f.email = p_email AND f.failed_at > since
    ORDER BY f.failed_at DESC OFFSET p_per_account - 1 LIMIT 1;
  IF by_address IS NULL AND by_account IS NULL THEN
    INSERT INTO sign_in_failure (email, address, failed_at) VALUES (p_email, p_address, clock_timestamp())
      RETURNING id INTO reservation;
    retry_after := 0;
  ELSE
    reservation := NULL;
    retry_after := greatest(1, ceil(extract(epoch FROM
      greatest(by_address, by_account) + make_interval(secs => p_window_seconds) - clock_timestamp()))::int);
  END IF;
  RETURN NEXT;
END
$fn$`;

// Better-Auth signs up emails of any length, so every length is counted; past 320 characters (the longest real
// address) the key is a digest, so a guess cannot store 64 KiB a row.
const normalise = (email: string) => {
  const key = email.trim().toLowerCase();
  return key.length <= 320 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`;
};

/** The key an address is counted under: the same one Better-Auth's rate limiter uses (IPv6 by its /64). */
export const addressKey = (address: string) => normalizeIP(address, { ipv6Subnet: 64 });

export type Reservation = { allowed: true; id: string } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one attempt as a failure before its password is checked, atomically with the limit check: allowed only
 * while both limits have room, then holding one slot until `releaseAttempt` gives it back.
 */
export async function reserveAttempt(pool: pg.Pool | pg.PoolClient, email: string, address: string, limits = DEFAULT_THROTTLE): Promise<Reservation> {
  const { rows } = await pool.query<{ reservation: string | null; retry_after: number }>(
    `SELECT reservation, retry_after FROM sign_in_reserve($1, $2, $3, $4, $5)`,
    [normalise(email), addressKey(address), limits.perAddress, limits.perAccount, limits.windowSeconds],
  );
  const row = rows[0]!;
  return row.reservation === null ? { allowed: false, retryAfterSeconds: row.retry_after } : { allowed: true, id: row.reservation };
}

/**
 * Gives a reserved slot back: the attempt did not fail. After a successful sign-in the address's earlier failures
 * for that account are cleared too (not other addresses'), with any failure older than a day.
 */
export async function releaseAttempt(pool: pg.Pool, id: string, success?: { email: string; address: string }) {
  if (!success) {
    await pool.query(`DELETE FROM sign_in_failure WHERE id = $1`, [id]);
    return;
  }
  await pool.query(
    `DELETE FROM sign_in_failure WHERE id = $1 OR (email = $2 AND (address = $3 OR failed_at < now() - interval '1 day'))`,
    [id, normalise(success.email), addressKey(success.address)],
  );
}

/** The plugin's one code; its status and words are the server's table's (one home for both). */
export const THROTTLE_ERROR_CODES = defineErrorCodes({ TOO_MANY_ATTEMPTS: SERVER_ERRORS.TOO_MANY_ATTEMPTS.message });

export interface SignInThrottleOptions {
  pool: pg.Pool;
  /** Default DEFAULT_THROTTLE: 5 per (email, address), 50 per email, over 900 s. */
  limits?: ThrottleLimits;
}

type Held = { id: string; email: string; address: string };

// The slot a before hook took, for the after hook of the same request (Better-Auth's per-request store).
const heldSlot = defineRequestState<Held | null>(() => null);

// Only HTTP sign-ins: a server-side `auth.api.signInEmail()` call has no client to throttle.
const isSignIn = (ctx: { path?: string; request?: Request }) => ctx.path === "/sign-in/email" && ctx.request !== undefined;

/**
 * Failed sign-ins are counted per account and address; past the limit the password is not even checked. Each attempt
 * is counted before the password is checked (hooks.before, after Better-Auth's origin check and rate limit) and
 * given back unless it may have been a wrong password (hooks.after), so concurrent guesses cannot all pass the limit
 * at once. The address is Better-Auth's own (`getIP`), so the throttle and its rate limiter count the same client.
 */
export const signInThrottle = ({ pool, limits = DEFAULT_THROTTLE }: SignInThrottleOptions) =>
  ({
    id: "sign-in-throttle",
    hooks: {
      before: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const email = (ctx.body as { email?: unknown } | undefined)?.email;
            // No email string: the endpoint's body schema refuses it (400) before any password check.
            if (typeof email !== "string") return;
            const address = getIP(ctx.request!, ctx.context.options) ?? "unknown";
            const reservation = await reserveAttempt(pool, email, address, limits);
            if (!reservation.allowed) {
              const { code, message } = THROTTLE_ERROR_CODES.TOO_MANY_ATTEMPTS;
              throw new APIError("TOO_MANY_REQUESTS", { code, message }, { "retry-after": String(reservation.retryAfterSeconds) });
            }
            await heldSlot.set({ id: reservation.id, email, address });
          }),
        },
      ],
      after: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const held = await heldSlot.get();
            if (!held) return;
            await heldSlot.set(null);
            // 401 is a wrong password (or an unknown account, counted alike so the limit tells nothing about which
            // emails exist): the slot stays used. Other 4xx are refusals before any password check (body schema,
            // callback checks). A thrown non-API error (the database gone) never reaches here: the slot is kept, as
            // the failure may have come after the check.
            const returned: unknown = ctx.context.returned;
            const status = isAPIError(returned) ? returned.statusCode : 200;
            if (status < 400) await releaseAttempt(pool, held.id, { email: held.email, address: held.address });
            else if (status < 500 && status !== 401) await releaseAttempt(pool, held.id);
          }),
        },
      ],
    },
    $ERROR_CODES: THROTTLE_ERROR_CODES,
  }) satisfies BetterAuthPlugin;
