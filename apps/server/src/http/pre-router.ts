/**
 * The Node request listener in front of Hono: the two hot paths never pay for Hono or a WHATWG Request.
 *
 * - `GET /api/auth/get-session` is answered from memory or one query when it can be (../sessions/fast-get-session.ts),
 *   else it falls through to Hono and Better-Auth.
 * - A plain `/api/*` path, taken as sent, meaning nothing URL parsing could reinterpret (no `.` or empty segments,
 *   escapes or backslashes, not absolute form) and a first segment other than `auth`, goes straight to the proxy
 *   (adapting it to a Request cost the proxy about a tenth of its CPU). Everything else is Hono's, which never proxies.
 *
 * What Hono's middleware would have added to these answers is added here from values computed once at start: the
 * security headers (security-headers.ts) and CORS (cors.ts). So every answer of the origin carries the same headers
 * whichever path produced it, at no per-request cost.
 */
import { getRequestListener } from "@hono/node-server";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { getCookies } from "better-auth/cookies";
import { createApp, type AppDeps } from "./app";
import { createCorsPolicy } from "./cors";
import { createProxy } from "./proxy";
import { securityHeaderValues } from "./security-headers";
import { applyCredentialRule } from "./session-credential";
import { createFastGetSession, forgetOnWrite, GET_SESSION_PATH } from "../sessions/fast-get-session";

const PLAIN_API_PATH = /^\/api(?:\/[\w~-]+(?:\.[\w~-]+)*)+\/?$/;

export async function createPreRouter(deps: AppDeps): Promise<RequestListener> {
  const securityHeaders = await securityHeaderValues();
  const proxy = createProxy(deps.backendUrl, { maxBodyBytes: deps.proxyMaxBodyBytes, responseHeaders: securityHeaders });
  const cors = await createCorsPolicy(deps.trustedOrigins, securityHeaders);
  const hono = getRequestListener(createApp(deps, cors).fetch);
  // The name Better-Auth reads for this PUBLIC_URL; the backend derives the same one from its PUBLIC_URL.
  const sessionCookie = getCookies(deps.auth.options).sessionToken.name;
  const fastGetSession = await createFastGetSession({ auth: deps.auth, secret: deps.secret, lookup: deps.lookup, responseHeaders: securityHeaders });
  const toHono = (incoming: IncomingMessage, outgoing: ServerResponse) => void hono(incoming, outgoing);
  return (incoming, outgoing) => {
    applyCredentialRule(incoming, sessionCookie);
    const url = incoming.url ?? "";
    if (fastGetSession && url === GET_SESSION_PATH && incoming.method === "GET") {
      fastGetSession(incoming, outgoing, cors.answerHeaders(incoming.headers.origin, "auth")).then(
        (answered) => answered || toHono(incoming, outgoing),
        () => toHono(incoming, outgoing),
      );
      return;
    }
    const end = url.indexOf("?");
    const path = end === -1 ? url : url.slice(0, end);
    if (PLAIN_API_PATH.test(path) && !path.startsWith("/api/auth/") && path !== "/api/auth") {
      if (cors.answerPreflight(incoming, outgoing, "api")) return;
      proxy(incoming, outgoing, incoming.socket.remoteAddress, cors.answerHeaders(incoming.headers.origin, "api")).catch(() => outgoing.destroy());
    } else {
      if (incoming.method === "POST" && path.startsWith("/api/auth/")) forgetOnWrite(incoming, outgoing, deps.lookup, sessionCookie, deps.secret);
      toHono(incoming, outgoing);
    }
  };
}
