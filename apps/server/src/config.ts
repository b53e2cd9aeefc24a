/**
 * The auth server's configuration: read from the environment once, validated, frozen.
 * Every error names the variable to set. `.env.example` at the repository root lists them all.
 */
import * as z from "zod";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PROFILE_FIELDS, parseProfileFields, type ProfileField } from "@textbook-auth/onboarding/profile-fields";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "on", "off"])
    .optional()
    .transform((v) => (v === undefined ? fallback : ["true", "1", "on"].includes(v)));

const url = z.url({ protocol: /^https?$/ });

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The origin readers use; Better-Auth's base URL, the default trusted origin, JWT `iss`/`aud`. */
  PUBLIC_URL: url.optional(),
  /** Extra trusted origins, comma-separated: exact origins (no wildcards). They also get credentialed CORS. */
  TRUSTED_ORIGINS: z.string().default(""),
  /**
   * The Domain of Better-Auth's cookies (crossSubDomainCookies), for a site on a sibling subdomain: PUBLIC_URL's host
   * or a parent of it, e.g. example.com for auth.example.com. Empty: host-only cookies.
   */
  COOKIE_DOMAIN: z.string().optional(),
  /** PostgreSQL URL; empty means start the embedded PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  // At least 2: a migration holds its lock on one connection while it works on another.
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  BETTER_AUTH_SECRET: z.string().optional(),
  DATA_DIR: z.string().default(".data"),
  /** Port of the embedded PostgreSQL. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  /** Where `/api/*` is proxied: the Python backend. */
  BACKEND_URL: url.optional(),
  BACKEND_PORT: z.coerce.number().int().min(1).max(65535).default(8000),
  /** Start the Python backend as a child process (npm start does; tests start their own). */
  START_BACKEND: bool(true),
  /** The built Docusaurus site to serve. */
  SITE_DIR: z.string().default("apps/site/build"),
  /** Lifetime of JWTs from /api/auth/token (the Python backend's JWT mode), e.g. "15m". */
  JWT_EXPIRATION: z.string().regex(/^\d+\s*(s|m|h)$/, "a duration such as 15m, 90s or 1h").default("15m"),
  /** Rate limits and failed sign-in throttling; only tests turn them off. */
  RATE_LIMIT: bool(true),
  /** Believe X-Forwarded-For (its last entry) for the client address: only behind a proxy you run. */
  TRUST_PROXY: bool(false),
  /** Keep validated sessions in memory, kept honest by the database's change notifications (both servers). */
  SESSION_CACHE: bool(true),
  /** The longest a session is served from memory without a fresh read, in seconds. */
  SESSION_CACHE_TTL: z.coerce.number().positive().max(86_400).default(60),
  /** A direct (non-pooled) database URL for LISTEN; empty: DATABASE_URL, or Neon's direct host for a -pooler URL. */
  DATABASE_LISTEN_URL: z.string().optional(),
  /** Largest request body proxied to the Python backend, in bytes (413 PAYLOAD_TOO_LARGE above it). */
  PROXY_MAX_BODY_BYTES: z.coerce.number().int().min(0).default(1024 * 1024),
  /** A client must finish sending its headers within this many ms, or the connection is closed with 408. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** A client must finish sending its whole request within this many ms, or the connection is closed with 408. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Where mail goes: smtp://user:pass@host:port or smtps://... Unset: the development mailbox, or no mail in production. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL, such as smtp://user:pass@mail.example:587" }).optional(),
  /** The From of every message: an address, or "Name <address>". Default "Textbook <no-reply@PUBLIC_URL's host>". */
  MAIL_FROM: z.string().optional(),
  /** Sign-in waits until the address is verified (403 EMAIL_NOT_VERIFIED). Needs mail. */
  REQUIRE_EMAIL_VERIFICATION: bool(false),
  /** Social sign-in: each provider's button appears only when both of its keys are set. */
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  /** Any OpenID Connect provider, found through its discovery document; OIDC_NAME is the button's label. */
  OIDC_ISSUER: url.optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().max(60).optional(),
  /** The profile questions (JSON in the format of packages/onboarding/src/profile-fields.json); default that file. */
  PROFILE_FIELDS: z.string().optional(),
});

/**
 * How mail leaves the server. `smtp`: SMTP_URL. `mailbox`: development without SMTP_URL, each message kept as a file
 * under `dir` and listed at /dev/mailbox. `off`: no way to send mail (production without SMTP_URL, and tests that do
 * not set one): password reset, email verification and email-change links are unavailable.
 */
export type MailConfig =
  | { kind: "smtp"; url: string; from: string }
  | { kind: "mailbox"; dir: string; from: string }
  | { kind: "off"; reason: string };

export type Config = Readonly<{
  nodeEnv: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string;
  trustedOrigins: string[];
  /** COOKIE_DOMAIN: Better-Auth's cookies carry `Domain=<this>` (every host under it receives them); undefined: host-only. */
  cookieDomain: string | undefined;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  secret: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  /** EMBEDDED_PG_PORT was set: a taken port stops the start instead of moving (see ports.ts). */
  embeddedPgPortFixed: boolean;
  backendUrl: string;
  backendPort: number;
  /** BACKEND_PORT or BACKEND_URL was set: a taken port stops the start instead of moving (see ports.ts). */
  backendPortFixed: boolean;
  startBackend: boolean;
  siteDir: string;
  rateLimit: boolean;
  trustProxy: boolean;
  jwtExpiration: string;
  proxyMaxBodyBytes: number;
  sessionCache: boolean;
  sessionCacheTtlMs: number;
  databaseListenUrl: string | undefined;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  mail: MailConfig;
  /** REQUIRE_EMAIL_VERIFICATION: sign-in answers 403 EMAIL_NOT_VERIFIED until the reader follows the link. */
  requireEmailVerification: boolean;
  /** Sign-in providers besides email and password; absent ones have no keys set. */
  socialProviders: SocialProviders;
  /** The required profile questions (PROFILE_FIELDS, or profile-fields.json). */
  profileFields: readonly ProfileField[];
  /** Problems that do not stop a development start but must be seen (a weak BETTER_AUTH_SECRET); main prints them. */
  warnings: readonly string[];
}>;

export interface OAuthKeys {
  clientId: string;
  clientSecret: string;
}

export interface SocialProviders {
  github?: OAuthKeys;
  google?: OAuthKeys;
  oidc?: OAuthKeys & { issuer: string; name: string };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * A start-up failure the reader can fix, with a stable code (PORT_IN_USE, DATA_DIR_IN_USE, EMBEDDED_PG_FAILED).
 * main.ts prints `CODE: message` and exits with `exitCode`: 78 (EX_CONFIG, as for ConfigError) when setting a
 * variable fixes it.
 */
export class StartupError extends Error {
  override name = "StartupError";
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

// The two names a browser uses for this machine. Only these: [::1] does not reach a server on 127.0.0.1.
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1"];

/** The other loopback spellings of a loopback origin ("http://localhost:3000" → ["http://127.0.0.1:3000"]). */
export function loopbackAliases(origin: string): string[] {
  const url = new URL(origin);
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [];
  return LOOPBACK_HOSTS.filter((host) => host !== url.hostname).map((host) => {
    const alias = new URL(origin);
    alias.hostname = host;
    return alias.origin;
  });
}

// Better-Auth's own fallback secret (better-auth/dist/utils/constants) is long and varied enough to pass the
// other rules, and public.
const PLACEHOLDERS = /^(changeme|change-me|secret|better-auth-secret|better-auth-secret-12345678901234567890|your[-_]?secret.*|x+|0+)$/i;

/** Refuses secrets that are short or low in variety; better-auth signs cookies and JWT keys with it. */
export function checkSecretStrength(secret: string): string | null {
  if (secret.length < 32) return "must be at least 32 characters (generate one with `openssl rand -base64 32`)";
  if (PLACEHOLDERS.test(secret)) return "is a placeholder; generate one with `openssl rand -base64 32`";
  if (new Set(secret).size < 10) return "has too little variety; generate one with `openssl rand -base64 32`";
  return null;
}

/**
 * `.env` at the repository root (`.env.example` says to copy it there), for the variables the environment does not
 * already set; the backend npm start runs inherits them. Never under NODE_ENV=test, so a developer's file cannot
 * change what the tests run.
 */
export function loadDotEnv(file = path.join(REPO_ROOT, ".env")): void {
  if (process.env.NODE_ENV !== "test" && existsSync(file)) process.loadEnvFile(file);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration; set these environment variables:\n${lines.join("\n")}`);
  }
  const e = result.data;
  if (e.NODE_ENV === "production") {
    if (!e.BETTER_AUTH_SECRET) {
      throw new ConfigError("BETTER_AUTH_SECRET is required when NODE_ENV=production (`openssl rand -base64 32`)");
    }
    if (!e.PUBLIC_URL) {
      throw new ConfigError("PUBLIC_URL is required when NODE_ENV=production (the https:// origin readers use)");
    }
    // Over http the session cookie travels in clear and gets neither Secure nor the __Secure- prefix. Only a
    // loopback origin, which no reader elsewhere can reach, is let through (a benchmark, a smoke test).
    const host = new URL(e.PUBLIC_URL).hostname;
    if (e.PUBLIC_URL.startsWith("http:") && !["localhost", "127.0.0.1", "[::1]"].includes(host)) {
      throw new ConfigError(`PUBLIC_URL must be https:// when NODE_ENV=production (it is ${e.PUBLIC_URL})`);
    }
    // Without DATABASE_URL the server would start its embedded PostgreSQL: data on this machine's disk only.
    if (!e.DATABASE_URL) {
      throw new ConfigError("DATABASE_URL is required when NODE_ENV=production (a postgres:// URL; Neon: the pooled URL)");
    }
  }
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).origin;
  const warnings: string[] = [];
  const weakSecret = e.BETTER_AUTH_SECRET ? checkSecretStrength(e.BETTER_AUTH_SECRET) : null;
  if (weakSecret) {
    if (e.NODE_ENV === "production") throw new ConfigError(`BETTER_AUTH_SECRET ${weakSecret}`);
    // An https origin is a deployment readers reach, whatever NODE_ENV says (a forgotten NODE_ENV is the usual
    // way a development setting reaches production); anyone who guesses the secret forges every reader's session.
    if (publicUrl.startsWith("https:")) {
      throw new ConfigError(`BETTER_AUTH_SECRET ${weakSecret}. PUBLIC_URL is ${publicUrl}, so this is a real deployment whatever NODE_ENV says: set a strong BETTER_AUTH_SECRET`);
    }
    warnings.push(
      `BETTER_AUTH_SECRET ${weakSecret}. Anyone who guesses it can sign in as any reader. Tolerated only because ` +
        `NODE_ENV=${e.NODE_ENV} and PUBLIC_URL is ${publicUrl}; with NODE_ENV=production or an https:// PUBLIC_URL the server refuses to start.`,
    );
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError("HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)");
  }
  if (e.DATABASE_LISTEN_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_LISTEN_URL)) {
    throw new ConfigError("DATABASE_LISTEN_URL must be a postgres:// or postgresql:// URL (a direct connection, for LISTEN)");
  }
  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    throw new ConfigError("DATABASE_URL must be a postgres:// or postgresql:// URL (or unset for the embedded PostgreSQL)");
  }
  const trustedOrigins = [publicUrl];
  // npm start listens on 127.0.0.1 and the default public URL says localhost; a reader may open either, and
  // Better-Auth refuses a sign-up from the one it does not trust ("Invalid origin"). Both are this machine, so in
  // development both are trusted. Never in production, where the public URL is the one address.
  if (e.NODE_ENV === "development") trustedOrigins.push(...loopbackAliases(publicUrl));
  for (const raw of e.TRUSTED_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean)) {
    const parsed = url.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`TRUSTED_ORIGINS: "${raw}" is not an http(s) URL`);
    // Better-Auth reads `*` as a wildcard, the backend's CSRF check and CORS as a letter: one list must mean one
    // set of origins on both servers, so each entry is one exact origin.
    if (raw.includes("*")) throw new ConfigError(`TRUSTED_ORIGINS: "${raw}" has a wildcard; list each origin exactly`);
    const origin = new URL(raw).origin;
    if (!trustedOrigins.includes(origin)) trustedOrigins.push(origin);
  }
  const cookieDomain = e.COOKIE_DOMAIN === undefined ? undefined : checkCookieDomain(e.COOKIE_DOMAIN, publicUrl);
  const dataDir = path.resolve(REPO_ROOT, e.DATA_DIR);
  const mail = mailConfig(e, publicUrl, dataDir);
  if (mail.kind === "off") {
    if (e.REQUIRE_EMAIL_VERIFICATION) {
      throw new ConfigError(`REQUIRE_EMAIL_VERIFICATION=true needs mail, and ${mail.reason}: set SMTP_URL, or nobody could ever sign in`);
    }
    if (e.NODE_ENV === "production") {
      warnings.push(`Mail is off: ${mail.reason}. Password reset, email verification and email change by link are unavailable until SMTP_URL is set.`);
    }
  }
  const socialProviders = readSocialProviders(e);
  const profileFields = e.PROFILE_FIELDS ? readProfileFields(path.resolve(REPO_ROOT, e.PROFILE_FIELDS)) : DEFAULT_PROFILE_FIELDS;
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    trustedOrigins,
    cookieDomain,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    secret: e.BETTER_AUTH_SECRET,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    embeddedPgPortFixed: cleaned.EMBEDDED_PG_PORT !== undefined,
    backendUrl: (e.BACKEND_URL ?? `http://127.0.0.1:${e.BACKEND_PORT}`).replace(/\/$/, ""),
    backendPort: e.BACKEND_PORT,
    backendPortFixed: cleaned.BACKEND_PORT !== undefined || e.BACKEND_URL !== undefined,
    startBackend: e.START_BACKEND,
    siteDir: path.resolve(REPO_ROOT, e.SITE_DIR),
    rateLimit: e.RATE_LIMIT,
    trustProxy: e.TRUST_PROXY,
    jwtExpiration: e.JWT_EXPIRATION,
    proxyMaxBodyBytes: e.PROXY_MAX_BODY_BYTES,
    sessionCache: e.SESSION_CACHE,
    sessionCacheTtlMs: e.SESSION_CACHE_TTL * 1000,
    databaseListenUrl: e.DATABASE_LISTEN_URL,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    mail: Object.freeze(mail),
    requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION,
    socialProviders,
    profileFields,
    warnings: Object.freeze(warnings),
  });
}

const MAIL_FROM_ADDRESS = /^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/;

function mailConfig(e: z.infer<typeof schema>, publicUrl: string, dataDir: string): MailConfig {
  const from = e.MAIL_FROM ?? `Textbook <no-reply@${new URL(publicUrl).hostname}>`;
  // A header value: a line break in it would let the variable write other headers.
  if (!MAIL_FROM_ADDRESS.test(from)) throw new ConfigError(`MAIL_FROM must be an address or "Name <address>" on one line (got ${JSON.stringify(from)})`);
  if (e.SMTP_URL) return { kind: "smtp", url: e.SMTP_URL, from };
  if (e.NODE_ENV === "development") return { kind: "mailbox", dir: path.join(dataDir, "mail"), from };
  return { kind: "off", reason: `NODE_ENV=${e.NODE_ENV} and SMTP_URL is not set` };
}

/**
 * COOKIE_DOMAIN must be PUBLIC_URL's host or a parent of it: a browser refuses a cookie whose Domain does not
 * domain-match the host that sets it, so any other value would make every sign-in silently fail. Names only (an IP
 * address takes no Domain cookies), at least two labels (a Domain of `com` or `localhost` is refused by browsers or
 * shared with every site under it). Whether it is a public suffix such as `co.uk` is not checked here: browsers refuse
 * those too (no list is shipped).
 */
function checkCookieDomain(raw: string, publicUrl: string): string {
  const domain = raw.trim().toLowerCase();
  const host = new URL(publicUrl).hostname;
  const fail = (why: string) => new ConfigError(`COOKIE_DOMAIN: "${raw}" ${why}`);
  if (domain.startsWith(".")) throw fail(`starts with a dot; write it without (browsers ignore the dot): COOKIE_DOMAIN=${domain.replace(/^\.+/, "")}`);
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) throw fail("is not a domain name of two labels or more, such as example.com (no scheme, port or path)");
  if (/^[\d.]+$/.test(domain)) throw fail("is an IP address; cookies for an address cannot be shared");
  if (host !== domain && !host.endsWith(`.${domain}`)) {
    throw fail(`is not PUBLIC_URL's host (${host}) or a parent of it: the browser would refuse every cookie the server sets`);
  }
  return domain;
}

/**
 * A provider is on when its variables are all set and off when none is; a half-set group is a mistake that would
 * otherwise hide a button silently, so it stops the start naming what is missing.
 */
function readSocialProviders(e: z.infer<typeof schema>): SocialProviders {
  const group = <K extends keyof typeof e>(names: K[]) => {
    const missing = names.filter((n) => !e[n]);
    if (missing.length === names.length) return false;
    if (missing.length > 0) {
      const set = names.filter((n) => e[n]);
      throw new ConfigError(`${missing.join(" and ")} must be set too: ${set.join(" and ")} ${set.length > 1 ? "are" : "is"} set (set all of ${names.join(", ")}, or none)`);
    }
    return true;
  };
  const providers: SocialProviders = {};
  if (group(["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"])) {
    providers.github = { clientId: e.GITHUB_CLIENT_ID!, clientSecret: e.GITHUB_CLIENT_SECRET! };
  }
  if (group(["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"])) {
    providers.google = { clientId: e.GOOGLE_CLIENT_ID!, clientSecret: e.GOOGLE_CLIENT_SECRET! };
  }
  if (group(["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"])) {
    const issuer = e.OIDC_ISSUER!.replace(/\/+$/, "");
    // Discovery over plain HTTP lets anyone on the path swap the provider's keys and endpoints.
    if (e.NODE_ENV === "production" && !issuer.startsWith("https:")) {
      throw new ConfigError("OIDC_ISSUER must be an https:// URL when NODE_ENV=production");
    }
    providers.oidc = { issuer, clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET!, name: e.OIDC_NAME!.trim() };
  }
  return providers;
}

function readProfileFields(file: string): readonly ProfileField[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`PROFILE_FIELDS: cannot read ${file} as JSON (${(error as Error).message})`);
  }
  try {
    return Object.freeze(parseProfileFields(json));
  } catch (error) {
    throw new ConfigError(`PROFILE_FIELDS: ${file}: ${(error as Error).message}`);
  }
}
