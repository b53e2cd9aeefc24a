/**
 * Onboarding: a strict reader profile for Better-Auth.
 *
 * - `GET /profile` and `POST /profile` read and write the reader's row in `user_profile` (see schema.ts).
 * - `GET /get-session` is replaced by the same session payload plus `user.profileComplete` and `profile`,
 *   so a front end needs one request to decide where a reader goes; `session.token` is left out.
 * - Nothing a client sends can set the completion flag: sign-up and update-user never touch `user_profile`,
 *   and POST /profile computes the flag itself.
 */
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, getSession, getSessionFromCtx } from "better-auth/api";
import { parseSetCookieHeader, toCookieOptions } from "better-auth/cookies";
import { parseSessionOutput, parseUserOutput } from "better-auth/db";
import * as z from "zod";
import { ONBOARDING_ERROR_CODES } from "./error-codes.js";
import { DEFAULT_PROFILE_FIELDS, type ProfileField } from "./profile-fields.js";
import { readProfile, readSessionWithProfile, toResponse, writeProfile, type SessionRow } from "./store.js";
import type { OnboardingOptions, Profile } from "./types.js";

export { ONBOARDING_ERROR_CODES } from "./error-codes.js";
export {
  CONTRACT,
  COOKIE_PREFIX,
  ERRORS,
  errorCodes,
  JWT_CLAIMS,
  SECURE_SESSION_COOKIE,
  SESSION_CHANGE_PAYLOAD,
  SESSION_COOKIE,
  sessionCookieName,
  type ErrorCode,
} from "./contract.js";
export { jwtPayload, type JwtPayloadOptions, type OnboardingJwtPayload } from "./jwt.js";
export * from "./profile-fields.js";
export { migrateOnboarding, migrateProfileSchema, profileSchemaStatements } from "./schema.js";
export {
  installSessionChangeTriggers,
  sessionChangeStatements,
  SESSION_CHANGE_TABLES,
  SESSION_CHANGE_TRIGGERS,
  SESSION_CHANGES_CHANNEL,
  SESSION_CHANGES_SCHEMA,
} from "./session-changes.js";
export { readProfile, readSessionStandings, readSessionWithProfile, writeProfile, questionsOf } from "./store.js";
export type { SessionRow } from "./store.js";
export { completenessPredicate, requirementsFingerprint } from "./requirements.js";
export type { OnboardingOptions, Profile, ProfileQuestion, ProfileResponse, Queryable } from "./types.js";

/** An answer to every question, each one of its current values. Strict: unknown keys (such as `onboardingCompleted`) are refused, not ignored. */
export function profileInputFor(fields: readonly ProfileField[]) {
  return z.strictObject(Object.fromEntries(fields.map((f) => [f.name, z.enum(Object.keys(f.values) as [string, ...string[]])])));
}

/** The validator for profile-fields.json's questions. */
export const profileInput = profileInputFor(DEFAULT_PROFILE_FIELDS);

function invalidProfile(message: string): APIError {
  return new APIError("BAD_REQUEST", { code: ONBOARDING_ERROR_CODES.INVALID_PROFILE.code, message });
}

/** Turns a zod failure into one sentence that names the field, e.g. `developerRole: must be one of ...`. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") return `Unknown field: ${issue.keys.join(", ")}`;
  const field = issue.path.join(".") || "body";
  if (issue.code === "invalid_value") return `${field}: must be one of ${issue.values.join(", ")}`;
  if (issue.code === "invalid_type" && issue.path.length > 0 && issue.input === undefined) return `${field}: is required`;
  return `${field}: ${issue.message}`;
}

async function requireUserId(ctx: Parameters<typeof getSessionFromCtx>[0]): Promise<string> {
  const session = await getSessionFromCtx(ctx);
  if (!session) {
    throw new APIError("UNAUTHORIZED", {
      code: ONBOARDING_ERROR_CODES.UNAUTHENTICATED.code,
      message: ONBOARDING_ERROR_CODES.UNAUTHENTICATED.message,
    });
  }
  return session.user.id;
}

// The client half exposes /profile as `authClient.profile.get()` / `.update()`; hide the raw path inference.
const CLIENT_ACTION = { isAction: false } as const;

// Built once: constructing an endpoint per request costs as much as the lookup itself.
const betterAuthGetSession = getSession();

type BaseSession = Awaited<ReturnType<typeof getSessionFromCtx>> & {};

/**
 * The session as page scripts receive it: without `token`, the raw session token. Nothing in the browser needs it
 * (the HttpOnly cookie carries the credential), and handing it to every script would undo what HttpOnly is for.
 */
function withoutToken<S extends { token?: unknown }>(session: S): Omit<S, "token"> {
  const { token: _token, ...rest } = session;
  return rest;
}

type EndpointContext = Parameters<typeof getSessionFromCtx>[0];

/**
 * True when no option makes Better-Auth's get-session do more than read the session, its user and (here) the profile:
 * no cookie cache, secondary storage, deferred refresh, or extra user or session fields. Only then may get-session
 * be answered from one query (or from memory, as the auth server does), with Better-Auth kept for everything else.
 */
export function plainSessionOptions(options: BetterAuthOptions): boolean {
  return (
    !options.session?.cookieCache?.enabled &&
    !options.secondaryStorage &&
    !options.session?.deferSessionRefresh &&
    !options.session?.additionalFields &&
    !options.user?.additionalFields &&
    !(options.plugins ?? []).some((p) => p.schema?.user || p.schema?.session)
  );
}

/**
 * Whether Better-Auth itself must answer for this session: it has expired (the cookie is then deleted), or it is due
 * for refresh (its expiry is pushed back and the cookie set again). `sessionConfig` is Better-Auth's context's.
 */
export function needsBetterAuth(
  row: SessionRow,
  sessionConfig: { expiresIn: number; updateAge: number },
  options: BetterAuthOptions,
  now = Date.now(),
): boolean {
  const expiresAt = row.session.expiresAt.valueOf();
  const dueForRefresh = expiresAt - sessionConfig.expiresIn * 1000 + sessionConfig.updateAge * 1000 <= now;
  return expiresAt <= now || (dueForRefresh && !options.session?.disableSessionRefresh);
}

/** get-session's payload for a live session: Better-Auth's session and user output, the profile and its flag. */
export function sessionPayload(options: BetterAuthOptions, row: SessionRow) {
  const session = parseSessionOutput(options, row.session);
  const user = parseUserOutput(options, row.user);
  return { session: withoutToken(session), user: { ...user, profileComplete: row.profile?.onboardingCompleted ?? false }, profile: row.profile };
}

/**
 * The common case of get-session in one query (session, user and profile) instead of three: a signed session
 * cookie, a live session that is not due for refresh, plain options, and no query flag or cookie that makes
 * Better-Auth do more. Anything else returns null and goes through Better-Auth's own handler, which stays the
 * authority on refresh, expiry and cookie clean-up.
 */
async function fastSession(ctx: EndpointContext, pool: OnboardingOptions["pool"], fields: readonly ProfileField[]) {
  const { options, authCookies, secret, sessionConfig } = ctx.context;
  const plain =
    plainSessionOptions(options) &&
    Object.keys(ctx.query ?? {}).length === 0 &&
    !ctx.getCookie(authCookies.sessionData.name) &&
    !ctx.getCookie(authCookies.dontRememberToken.name);
  if (!plain) return null;
  const token = await ctx.getSignedCookie(authCookies.sessionToken.name, secret);
  if (!token) return null;
  const row = await readSessionWithProfile(pool, token, fields);
  if (!row || needsBetterAuth(row, sessionConfig, options)) return null;
  ctx.setHeader("cache-control", "no-store");
  ctx.setHeader("pragma", "no-cache");
  const payload = sessionPayload(options, row);
  // Later hooks and plugins read the session from here, as after Better-Auth's own get-session.
  ctx.context.session = { session: parseSessionOutput(options, row.session), user: parseUserOutput(options, row.user) } as any;
  return payload;
}

export const onboarding = (options: OnboardingOptions) => {
  if (!options?.pool || typeof options.pool.query !== "function") {
    throw new Error("onboarding(): `pool` is required (a node-postgres Pool on the Better-Auth database)");
  }
  const { pool } = options;
  const fields = options.fields ?? DEFAULT_PROFILE_FIELDS;
  const input = profileInputFor(fields);
  const maxBodyBytes = options.maxBodyBytes ?? 1024;

  const rejectBody = (message: string) =>
    Response.json({ code: ONBOARDING_ERROR_CODES.INVALID_PROFILE.code, message }, { status: 400 });

  return {
    id: "onboarding",
    // Runs before Better-Auth parses the body, whose own errors (bad JSON, wrong content type) would not carry
    // INVALID_PROFILE; a body that is not small JSON never reaches the endpoint.
    onRequest: async (request, ctx) => {
      if (request.method !== "POST" || new URL(request.url).pathname !== `${ctx.options.basePath ?? "/api/auth"}/profile`) {
        return;
      }
      if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
        return { response: rejectBody("The body must be JSON (Content-Type: application/json)") };
      }
      const text = await request.clone().text();
      if (new TextEncoder().encode(text).length > maxBodyBytes) return { response: rejectBody(`The body is larger than ${maxBodyBytes} bytes`) };
      try {
        JSON.parse(text);
      } catch {
        return { response: rejectBody("The body is not valid JSON") };
      }
    },
    endpoints: {
      getProfile: createAuthEndpoint("/profile", { method: "GET", requireHeaders: true, metadata: CLIENT_ACTION }, async (ctx) => {
        const userId = await requireUserId(ctx);
        return ctx.json(toResponse(await readProfile(pool, userId, fields), fields));
      }),

      updateProfile: createAuthEndpoint("/profile", { method: "POST", requireHeaders: true, metadata: CLIENT_ACTION }, async (ctx) => {
        const userId = await requireUserId(ctx);
        const body: unknown = ctx.body;
        if (body === null || typeof body !== "object" || Array.isArray(body)) {
          throw invalidProfile("The body must be a JSON object");
        }
        const parsed = input.safeParse(body);
        if (!parsed.success) throw invalidProfile(describe(parsed.error));
        return ctx.json(toResponse(await writeProfile(pool, userId, parsed.data as Record<string, string>, fields), fields));
      }),

      // Same path as Better-Auth's own route: plugin endpoints take precedence, as with customSession.
      getSession: createAuthEndpoint(
        "/get-session",
        // CUSTOM_SESSION tells the client to type the session from this endpoint's return value.
        { method: "GET", requireHeaders: true, metadata: { CUSTOM_SESSION: true } }, async (ctx) => {
        const fast = await fastSession(ctx, pool, fields);
        if (fast) return ctx.json(fast);
        // Better-Auth's own handler does the cookie checks, refresh and cookie-cache work; we add the profile.
        const { headers, response } = (await betterAuthGetSession({
          ...ctx,
          method: "GET",
          asResponse: false,
          returnHeaders: true,
          headers: ctx.headers,
        } as any)) as unknown as { headers: Headers; response: BaseSession | null };
        // Refreshed session cookies must reach the browser as separate Set-Cookie headers.
        for (const cookie of headers.getSetCookie()) {
          for (const [name, attributes] of parseSetCookieHeader(cookie)) {
            ctx.setCookie(name, attributes.value, toCookieOptions(attributes));
          }
        }
        headers.forEach((value, name) => {
          if (name !== "set-cookie") ctx.setHeader(name, value);
        });
        if (!response) return ctx.json(null);
        const profile = await readProfile(pool, response.user.id, fields);
        return ctx.json({
          ...response,
          session: withoutToken(response.session),
          user: { ...response.user, profileComplete: profile?.onboardingCompleted ?? false },
          profile,
        });
      }),
    },
    $ERROR_CODES: ONBOARDING_ERROR_CODES,
    // Read by the migration (apps/server), so the schema is built for the questions this plugin validates.
    options: { fields },
  } satisfies BetterAuthPlugin;
};

export type OnboardingPlugin = ReturnType<typeof onboarding>;
/** What `get-session` carries with this plugin. */
export type SessionProfileFields = { profile: Profile | null; user: { profileComplete: boolean } };
