/**
 * The strict journey as one pure decision, so it can be tested without a browser:
 *   visitor on a protected page        → sign-in, then back
 *   reader with an incomplete profile  → onboarding, then back
 *   reader with a complete profile     → the page
 * for a page at the default level (`complete-profile`); a `signed-in` page lets an incomplete profile in, a
 * `public` page lets everyone in,
 * and, for the "never rendered" rule, anything not yet known (loading, or the session endpoint failing) shows a
 * neutral placeholder: never the protected content, never a redirect made on a guess.
 */
import { withRedirect } from "./redirect.js";
import type { AccessLevel } from "./routes.js";

export type AuthStatus = "loading" | "unavailable" | "visitor" | "incomplete" | "reader";

/** The fields of better-auth's `useSession()` result the decision needs. */
export interface SessionSnapshot {
  data: { user?: { profileComplete?: boolean } | null } | null | undefined;
  isPending: boolean;
  error?: unknown;
}

export function statusOf(session: SessionSnapshot | null): AuthStatus {
  if (!session) return "loading"; // server rendering: no client exists yet
  const { data, isPending, error } = session;
  if (data?.user) return data.user.profileComplete === true ? "reader" : "incomplete";
  if (isPending) return "loading";
  // A 401 clears the data and is a plain visitor; any other failure leaves us not knowing who this is.
  const status = (error as { status?: number } | null | undefined)?.status;
  if (error && status !== 401) return "unavailable";
  return "visitor";
}

export type Gate = { kind: "render" } | { kind: "wait" } | { kind: "redirect"; to: string };

export interface GatePaths {
  /** The page being opened, with baseUrl, search and hash: where the reader comes back to. */
  current: string;
  signIn: string;
  onboarding: string;
}

/**
 * What a reader in `status` may read for sure: null while that is not known yet (loading, or the session endpoint
 * failing), so callers never decide on a guess.
 */
export function levelOf(status: AuthStatus): AccessLevel | null {
  switch (status) {
    case "reader":
      return "complete-profile";
    case "incomplete":
      return "signed-in";
    case "visitor":
      return "public";
    default:
      return null;
  }
}

export function gateFor(status: AuthStatus, paths: GatePaths, need: AccessLevel = "complete-profile"): Gate {
  if (need === "public") return { kind: "render" };
  switch (status) {
    case "reader":
      return { kind: "render" };
    case "visitor":
      return { kind: "redirect", to: withRedirect(paths.signIn, paths.current) };
    case "incomplete":
      return need === "signed-in" ? { kind: "render" } : { kind: "redirect", to: withRedirect(paths.onboarding, paths.current) };
    default:
      return { kind: "wait" };
  }
}
