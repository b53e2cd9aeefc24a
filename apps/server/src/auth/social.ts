/**
 * Sign-in with GitHub, Google and any OpenID Connect provider, each on only when its keys are set (config.ts).
 *
 * Contract with the site (packages/docusaurus-theme-auth, SocialSignIn): `GET /api/auth/providers` answers
 * `{ "providers": [{ "id": "github", "name": "GitHub" }, ...] }`, public, in the order the buttons appear. The site
 * reads it at run time, so one build serves deployments with different keys. A button calls Better-Auth's own
 * `POST /api/auth/sign-in/social` with that `id`; the provider sends the reader back to `/api/auth/callback/<id>`.
 */
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { createAuthEndpoint } from "better-auth/api";
import { genericOAuth } from "better-auth/plugins";
import type { SocialProviders } from "../config";

/** Better-Auth's provider id for the OIDC_* provider: its callback is `/api/auth/callback/oidc`. */
export const OIDC_PROVIDER_ID = "oidc";

export interface SignInProvider {
  id: string;
  name: string;
}

/** The buttons, in order: the configured ones only. */
export function signInProviders(providers: SocialProviders): SignInProvider[] {
  const list: SignInProvider[] = [];
  if (providers.github) list.push({ id: "github", name: "GitHub" });
  if (providers.google) list.push({ id: "google", name: "Google" });
  if (providers.oidc) list.push({ id: OIDC_PROVIDER_ID, name: providers.oidc.name });
  return list;
}

/** Better-Auth's built-in providers. */
export function socialProviderOptions(providers: SocialProviders): NonNullable<BetterAuthOptions["socialProviders"]> {
  return {
    ...(providers.github && { github: { ...providers.github } }),
    ...(providers.google && { google: { ...providers.google } }),
  };
}

/** The generic OAuth plugin for the OIDC_* provider (none without it) and the providers endpoint. */
export function socialPlugins(providers: SocialProviders): BetterAuthPlugin[] {
  const plugins: BetterAuthPlugin[] = [providersEndpoint(signInProviders(providers))];
  const oidc = providers.oidc;
  if (oidc) {
    plugins.push(
      genericOAuth({
        config: [
          {
            providerId: OIDC_PROVIDER_ID,
            name: oidc.name,
            discoveryUrl: `${oidc.issuer}/.well-known/openid-configuration`,
            clientId: oidc.clientId,
            clientSecret: oidc.clientSecret,
            scopes: ["openid", "email", "profile"],
            // Identity comes from the ID token's claims: without the issuer's keys from discovery an unverified token
            // could name anyone. Better-Auth skips the provider until discovery succeeds (retried at each sign-in).
            requireIdTokenVerification: true,
            // Signing out of the textbook must not sign the reader out of their identity provider (and a redirect
            // to another origin from /api/auth/sign-out is refused by the server anyway, see http/redirects.ts).
            disableProviderLogout: true,
          },
        ],
      }) as BetterAuthPlugin,
    );
  }
  return plugins;
}

function providersEndpoint(list: SignInProvider[]) {
  const body = { providers: list };
  return {
    id: "sign-in-providers",
    endpoints: {
      signInProviders: createAuthEndpoint("/providers", { method: "GET", metadata: { isAction: false } }, async (ctx) =>
        ctx.json(body),
      ),
    },
  } satisfies BetterAuthPlugin;
}
