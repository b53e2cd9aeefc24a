/**
 * Everything of the auth server that leans on Better-Auth's internals rather than its documented extension points,
 * in one module, tied to the versions it was checked against: BETTER_AUTH_RANGE (the onboarding plugin's peer range,
 * `~1.7.25`). On a Better-Auth outside it both fast paths switch off and Better-Auth answers everything itself:
 * slower, never wrong.
 *
 * - `withOneRouter`: Better-Auth 1.7's handler rebuilds every endpoint and its router on each request (a
 *   quarter of a get-session's CPU), because a dynamic base URL or trusted-origins function could differ per request.
 *   With static ones, the per-request context it copies is the same every time: this builds it and the router once.
 * - `fastGetSessionRules`: when `GET /get-session` may be answered without Better-Auth (../sessions/fast-get-session.ts)
 *   and with what; the rules themselves are the onboarding plugin's (its internals.ts), which uses them in-process too.
 *
 * The differential test beside this file compares both with Better-Auth's own handler, for the default options and
 * for every option that switches them off.
 */
import type { AuthContext, BetterAuthOptions } from "better-auth";
import { router } from "better-auth/api";
import { runWithAdapter } from "@better-auth/core/context";
import { BETTER_AUTH_RANGE, needsBetterAuth, plainSessionOptions, sessionPayload, supportsInternals } from "@textbook-auth/onboarding";

export { BETTER_AUTH_RANGE, supportsInternals };

type BetterAuthInstance = { handler: (request: Request) => Promise<Response>; $context: Promise<unknown>; options: BetterAuthOptions };

/**
 * Why Better-Auth's own per-request handler is needed for these options, or null when one router may serve every
 * request: a base URL or trusted origins that may change per request, or a Better-Auth outside BETTER_AUTH_RANGE.
 */
export function perRequestRouterNeeded(options: BetterAuthOptions, version: string): string | null {
  if (typeof options.baseURL !== "string") return "a dynamic baseURL";
  if (!Array.isArray(options.trustedOrigins)) return "trustedOrigins given as a function";
  if (!supportsInternals(version)) return `Better-Auth ${version} is outside ${BETTER_AUTH_RANGE}`;
  return null;
}

/** The same instance, its handler replaced by one that reuses one router when the options allow it. */
export function withOneRouter<A extends BetterAuthInstance>(auth: A): A {
  // The version is read from the context (ready at start), so the choice is made once, on the first request.
  const ready = (auth.$context as Promise<AuthContext>).then((ctx) => {
    if (perRequestRouterNeeded(auth.options, ctx.version)) return null;
    // The per-request copy's trusted origins and providers, computed from static options, equal the ones
    // computed at start-up. A plugin that added trusted origins in its init would break that; ours add none.
    const context = Object.create(Object.getPrototypeOf(ctx), Object.getOwnPropertyDescriptors(ctx)) as AuthContext;
    return { context, handler: router(context, auth.options).handler };
  });
  const own = auth.handler;
  return {
    ...auth,
    handler: async (request: Request): Promise<Response> => {
      const one = await ready;
      if (!one) return own(request);
      return runWithAdapter(one.context.adapter, () => one.handler(request));
    },
  };
}

/**
 * The get-session fast path's rules for these options, or null when Better-Auth must answer every get-session:
 * options that make it do more than read a session (see plainSessionOptions), or a Better-Auth outside the range.
 */
export async function fastGetSessionRules(auth: { options: BetterAuthOptions; $context: Promise<unknown> }) {
  const { options } = auth;
  if (!plainSessionOptions(options)) return null;
  const { sessionConfig, version } = (await auth.$context) as AuthContext;
  if (!supportsInternals(version)) return null;
  return {
    sessionConfig,
    needsBetterAuth: (row: Parameters<typeof needsBetterAuth>[0]) => needsBetterAuth(row, sessionConfig, options),
    payload: (row: Parameters<typeof sessionPayload>[1]) => sessionPayload(options, row),
  };
}
