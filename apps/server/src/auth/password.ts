/**
 * Password storage at the OWASP Password Storage Cheat Sheet minimum or above: argon2id, 19 MiB, 2 iterations,
 * 1 lane. Hashes made with Better-Auth's default (scrypt N=16384, below the OWASP floor) still verify, and are
 * replaced by an argon2id hash the next time the password is verified successfully (sign-in).
 */
import { channel } from "node:diagnostics_channel";
import { Algorithm, hash, verify } from "@node-rs/argon2";
import { verifyPassword as verifyBetterAuthScrypt } from "better-auth/crypto";
import type pg from "pg";

export const ARGON2_PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;

export const hashPassword = (password: string) => hash(password, ARGON2_PARAMS);

/** True for any hash not made with today's parameters (Better-Auth's scrypt, or weaker argon2 settings). */
export const needsRehash = (stored: string) => !stored.startsWith(CURRENT_PREFIX);

export async function verifyAnyPassword(stored: string, password: string): Promise<boolean> {
  if (stored.startsWith("$argon2")) return verify(stored, password).catch(() => false);
  return verifyBetterAuthScrypt({ hash: stored, password }).catch(() => false);
}

/**
 * Every password verification is published here as `{ ok }` (never the password or whose it is): how monitoring
 * sees the rate of password checks, and how the attack suite counts the checks a burst of guesses really caused.
 * Publishing costs nothing while nobody subscribes.
 */
export const passwordVerifications = channel("textbook-auth:password-verify");

/** Better-Auth's `emailAndPassword.password` option, upgrading old hashes in place after a successful verify. */
export function passwordHasher(pool: pg.Pool) {
  return {
    hash: hashPassword,
    async verify({ hash: stored, password }: { hash: string; password: string }) {
      const ok = await verifyAnyPassword(stored, password);
      if (passwordVerifications.hasSubscribers) passwordVerifications.publish({ ok });
      if (ok && needsRehash(stored)) {
        // Salted hashes are unique, so the old hash identifies the one credential row to upgrade.
        await pool.query(`UPDATE account SET password = $1, "updatedAt" = now() WHERE password = $2`, [
          await hashPassword(password),
          stored,
        ]);
      }
      return ok;
    },
  };
}
