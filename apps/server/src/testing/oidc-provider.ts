/**
 * A real OpenID Connect provider for tests: `oidc-provider` (the certified implementation) with its own development
 * login and consent pages, on 127.0.0.1 and a free port. Any login name signs in; it is the account's `sub` and
 * email. `accounts` marks addresses the provider did not verify.
 *
 * `signInThroughProvider` plays a browser without one: it starts Better-Auth's social sign-in, submits the
 * provider's own forms (or presses its Cancel link) and stops at the first answer on the product's origin after
 * the callback, so a test can read where Better-Auth sent the reader.
 */
import http from "node:http";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider from "oidc-provider";
import { freePort } from "../../../../scripts/test-postgres.mjs";
import type { TestClient } from "./client";

export interface TestAccount {
  /** Default true. */
  emailVerified?: boolean;
  name?: string;
}

export interface RunningProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The env that turns the product's OIDC button on for this provider. */
  env: Record<string, string>;
  /** Token requests the provider answered (each code exchange is one). */
  tokenRequests: () => number;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: {
  /** The product's origin: the client may return only to its `/api/auth/callback/oidc`. */
  productUrl: string;
  name?: string;
  accounts?: Record<string, TestAccount>;
  /** Default: a free one. */
  port?: number;
  /** Default: a random one. */
  clientSecret?: string;
}): Promise<RunningProvider> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "textbook";
  const clientSecret = options.clientSecret ?? randomBytes(24).toString("base64url");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const accounts = options.accounts ?? {};
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${options.productUrl}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({
        sub,
        email: sub,
        email_verified: accounts[sub]?.emailVerified ?? true,
        name: accounts[sub]?.name ?? sub.split("@")[0],
      }),
    }),
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" } as any] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: { devInteractions: { enabled: true } },
  });
  provider.on("server_error", (_ctx: unknown, error: Error) => console.error("oidc-provider:", error));
  let tokens = 0;
  provider.on("grant.success", () => tokens++);
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    issuer,
    clientId,
    clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_NAME: options.name ?? "Test Identity" },
    tokenRequests: () => tokens,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Cookies per origin, as a browser keeps them (paths ignored: sending more is harmless here). */
class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(origin: string): string {
    return [...(this.byOrigin.get(origin) ?? [])].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  store(origin: string, response: Response) {
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    this.byOrigin.set(origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  }
}

export interface ProviderSignIn {
  /** Answer of sign-in/social. */
  start: { status: number; json: any };
  /** Where the callback sent the reader: a path on the product's origin, else the full URL; null when refused. */
  landing: string | null;
  /** The same, resolved as a browser resolves it. */
  landingUrl: URL | null;
  /** The status of the product's last answer: sign-in/social's when it refused, else the callback's. */
  status: number;
}

/**
 * Signs in through the provider the way a browser would. `client` keeps the product's cookies (the session cookie
 * arrives there). `consent: "deny"` presses the consent page's Cancel link.
 */
export async function signInThroughProvider(
  client: TestClient,
  options: { login: string; consent?: "allow" | "deny"; body?: Record<string, unknown> },
): Promise<ProviderSignIn> {
  const start = await client.post("/api/auth/sign-in/social", { provider: "oidc", callbackURL: "/", ...options.body });
  if (start.status !== 200 || typeof start.json?.url !== "string") return { start, landing: null, landingUrl: null, status: start.status };
  const product = new URL(client.baseUrl).origin;
  const jar = new Jar();
  let url = new URL(start.json.url);
  let method = "GET";
  let form: string | undefined;
  // Authorize, login page, login, resume, consent page, consent, resume, callback: about ten steps.
  for (let step = 0; step < 20; step++) {
    const onProduct = url.origin === product;
    const headers = new Headers({ cookie: onProduct ? client.cookieHeader : jar.header(url.origin) });
    if (form !== undefined) headers.set("content-type", "application/x-www-form-urlencoded");
    const response = await fetch(url, { method, headers, body: form, redirect: "manual", signal: AbortSignal.timeout(10_000) });
    if (onProduct) storeInClient(client, response);
    else jar.store(url.origin, response);
    method = "GET";
    form = undefined;
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      // The callback has answered: where it sends the reader is the result.
      if (onProduct) {
        return { start, landing: next.origin === product ? next.pathname + next.search : next.href, landingUrl: next, status: response.status };
      }
      url = next;
      continue;
    }
    if (onProduct) return { start, landing: null, landingUrl: null, status: response.status };
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`unexpected provider page (${response.status}): ${html.slice(0, 300)}`);
    if (prompt === "consent" && options.consent === "deny") {
      const cancel = /<a href="([^"]+)">\[ Cancel \]<\/a>/.exec(html)?.[1];
      if (!cancel) throw new Error("the consent page has no Cancel link");
      url = new URL(cancel.replace(/&amp;/g, "&"), url);
      continue;
    }
    url = new URL(action.replace(/&amp;/g, "&"), url);
    method = "POST";
    form =
      prompt === "login"
        ? new URLSearchParams({ prompt, login: options.login, password: "any password" }).toString()
        : new URLSearchParams({ prompt }).toString();
  }
  throw new Error("the sign-in did not come back to the product within 20 steps");
}

function storeInClient(client: TestClient, response: Response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (/max-age=0/i.test(line) || value === "") client.cookies.delete(name);
    else client.cookies.set(name, value);
  }
}
