/**
 * The origin's security headers, from one source: Hono's `secureHeaders` with the options below. Proxied `/api/*`
 * answers skip Hono (see app.ts), so the same header values are read once from the middleware and applied there too.
 */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";

// Hono's defaults (nosniff, X-Frame-Options, COOP/CORP, HSTS: ignored by browsers over http), except the referrer
// policy: with `no-referrer` browsers send `Origin: null` on same-origin POSTs, which the CSRF checks of both
// servers refuse. No CSP: Docusaurus pages carry inline scripts.
export const securityHeaders = () =>
  secureHeaders({ crossOriginEmbedderPolicy: false, referrerPolicy: "strict-origin-when-cross-origin" });

/** The headers `securityHeaders()` sets, as a plain record. */
export async function securityHeaderValues(): Promise<Record<string, string>> {
  const app = new Hono().use(securityHeaders()).get("/", (c) => c.body(null));
  return Object.fromEntries((await app.request("/")).headers);
}
