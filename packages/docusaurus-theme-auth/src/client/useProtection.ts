import { useEffect } from "react";
import { useLocation } from "@docusaurus/router";
import { useAuth } from "./context.js";
import { gateFor, type AuthStatus } from "./access.js";
import type { AccessLevel } from "./routes.js";
import { useNavigate } from "./navigation.js";

/**
 * Applies the strict journey to the current page: returns whether the protected content may render, and sends
 * visitors to sign-in and incomplete readers to onboarding (with `?redirect=` back here). `true` means the default
 * level, `complete-profile`; `false` or `"public"` means the page always renders.
 */
export function useProtection(need: boolean | AccessLevel): { render: boolean; status: AuthStatus } {
  const level: AccessLevel = need === true ? "complete-profile" : need === false ? "public" : need;
  const { status, paths } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const gate = gateFor(
    status,
    { current: location.pathname + location.search + location.hash, signIn: paths.signIn, onboarding: paths.onboarding },
    level,
  );
  const target = gate.kind === "redirect" ? gate.to : null;
  useEffect(() => {
    // replace, not push: Back from the sign-in page must not land on the page that redirected there.
    if (target) navigate(target, { replace: true });
  }, [target, navigate]);
  return { render: gate.kind === "render", status };
}
