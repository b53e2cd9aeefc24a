/**
 * The auth server's configuration: read from the environment once, validated, frozen.
 * Every error names the variable to set. `.env.example` at the repository root lists them all.
 */
import * as z from "zod";
import path from "node:path";
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
  /** Extra trusted origins, comma-separated. */
  TRUSTED_ORIGINS: z.string().default(""),
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
  /** Largest request body proxied to the Python backend, in bytes (413 PAYLOAD_TOO_LARGE above it). */
  PROXY_MAX_BODY_BYTES: z.coerce.number().int().min(0).default(1024 * 1024),
  /** A client must finish sending its headers within this many ms, or the connection is closed with 408. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** A client must finish sending its whole request within this many ms, or the connection is closed with 408. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
});

export type Config = Readonly<{
  nodeEnv: "development" | "production" | "test";
  host: string;
  port: number;
  publicUrl: string;
  trustedOrigins: string[];
  databaseUrl: string | undefined;
  databasePoolMax: number;
  secret: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  backendUrl: string;
  backendPort: number;
  startBackend: boolean;
  siteDir: string;
  rateLimit: boolean;
  trustProxy: boolean;
  jwtExpiration: string;
  proxyMaxBodyBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

const PLACEHOLDERS = /^(changeme|change-me|secret|better-auth-secret|your[-_]?secret.*|x+|0+)$/i;

/** Refuses secrets that are short or low in variety; better-auth signs cookies and JWT keys with it. */
export function checkSecretStrength(secret: string): string | null {
  if (secret.length < 32) return "must be at least 32 characters (generate one with `openssl rand -base64 32`)";
  if (PLACEHOLDERS.test(secret)) return "is a placeholder; generate one with `openssl rand -base64 32`";
  if (new Set(secret).size < 10) return "has too little variety; generate one with `openssl rand -base64 32`";
  return null;
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
  }
  if (e.BETTER_AUTH_SECRET) {
    const problem = checkSecretStrength(e.BETTER_AUTH_SECRET);
    if (problem && e.NODE_ENV === "production") throw new ConfigError(`BETTER_AUTH_SECRET ${problem}`);
  }
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError("HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)");
  }
  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    throw new ConfigError("DATABASE_URL must be a postgres:// or postgresql:// URL (or unset for the embedded PostgreSQL)");
  }
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).origin;
  const trustedOrigins = [publicUrl];
  for (const raw of e.TRUSTED_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean)) {
    const parsed = url.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`TRUSTED_ORIGINS: "${raw}" is not an http(s) URL`);
    trustedOrigins.push(new URL(raw).origin);
  }
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    trustedOrigins,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    secret: e.BETTER_AUTH_SECRET,
    dataDir: path.resolve(REPO_ROOT, e.DATA_DIR),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    backendUrl: (e.BACKEND_URL ?? `http://127.0.0.1:${e.BACKEND_PORT}`).replace(/\/$/, ""),
    backendPort: e.BACKEND_PORT,
    startBackend: e.START_BACKEND,
    siteDir: path.resolve(REPO_ROOT, e.SITE_DIR),
    rateLimit: e.RATE_LIMIT,
    trustProxy: e.TRUST_PROXY,
    jwtExpiration: e.JWT_EXPIRATION,
    proxyMaxBodyBytes: e.PROXY_MAX_BODY_BYTES,
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
  });
}
