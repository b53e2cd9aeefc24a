/**
 * COOKIE_DOMAIN turned on for a deployment readers already use: a reader who signed in before holds a host-only
 * session cookie, and the next sign-in adds the Domain one beside it. The browser sends both to this host, and a
 * session cookie named twice is no session (session-credential.ts), so that reader could not sign in again until the
 * old cookie expired (7 days after its last use). So every answer that sets the session cookie for the domain also
 * expires the host-only one: a Set-Cookie without Domain names only the host-only cookie of that name and path.
 */
import type { MiddlewareHandler } from "hono";

export interface SessionCookie {
  name: string;
  attributes: { secure?: boolean; domain?: string };
}

/** For `/api/auth/*` when the session cookie carries a Domain (Better-Auth's crossSubDomainCookies). */
export function retireHostOnlySessionCookie(cookie: SessionCookie): MiddlewareHandler {
  // Better-Auth's own attributes, so that the browser accepts the deletion (a __Secure- name needs Secure).
  const expiry = `${cookie.name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${cookie.attributes.secure ? "; Secure" : ""}`;
  const prefix = `${cookie.name}=`;
  return async (c, next) => {
    await next();
    const lines = c.res.headers.getSetCookie();
    if (!lines.some((line) => line.startsWith(prefix))) return;
    // First, so that a client whose jar ignores Domain (one cookie per name) still ends with the new cookie.
    c.res.headers.delete("set-cookie");
    for (const line of [expiry, ...lines]) c.res.headers.append("set-cookie", line);
  };
}
