/**
 * How far a request's reader may read, for the protected-content gate, which asks on every protected file a page
 * loads: "public" (no valid session), "signed-in" (a session, profile incomplete) or "complete-profile".
 *
 * The same rule as get-session everywhere else: the session cookie's HMAC signature checks out (constant time,
 * before any query), its session row exists and has not expired, and the profile is complete when its row says so.
 * One indexed query (session ⋈ user ⋈ profile: the onboarding plugin's readSessionWithProfile), read-only: the
 * session is not refreshed here, which get-session does on the page's own request.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { readSessionWithProfile, type Queryable } from "@textbook-auth/onboarding";
import type { AccessLevel } from "@textbook-auth/docusaurus-theme/manifest";
import type { Auth } from "./auth";

export type ReaderLevel = (cookieHeader: string | undefined) => Promise<AccessLevel>;

/** The session token in a Better-Auth cookie value (`token.base64(HMAC-SHA256(secret, token))`, URL-encoded), if signed. */
export function verifiedToken(raw: string, secret: string): string | null {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const encoded = value.slice(dot + 1);
  // Better-Auth's form exactly: standard base64 with padding (Buffer.from would also accept other spellings).
  if (!/^[A-Za-z0-9+/]{43}=$/.test(encoded)) return null;
  const signature = Buffer.from(encoded, "base64");
  const expected = createHmac("sha256", secret).update(token).digest();
  return signature.length === expected.length && timingSafeEqual(signature, expected) ? token : null;
}

/** The value of cookie `name` in a Cookie header (the first one, as Better-Auth reads it). */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function readerLevel(pool: Queryable, secret: string, cookieName: string): ReaderLevel {
  return async (cookieHeader) => {
    const raw = cookieValue(cookieHeader, cookieName);
    const token = raw === null ? null : verifiedToken(raw, secret);
    if (token === null) return "public";
    const row = await readSessionWithProfile(pool, token);
    if (!row || row.session.expiresAt.valueOf() <= Date.now()) return "public";
    return row.profile?.onboardingCompleted ? "complete-profile" : "signed-in";
  };
}

/** The check for this Better-Auth instance: its secret and its session cookie's name (prefixed over HTTPS). */
export function readerLevelFor(auth: Auth, pool: Queryable): ReaderLevel {
  const ready = (auth.$context as Promise<{ secret: string; authCookies: { sessionToken: { name: string } } }>).then((ctx) =>
    readerLevel(pool, ctx.secret, ctx.authCookies.sessionToken.name),
  );
  return async (cookieHeader) => (await ready)(cookieHeader);
}
