import { useEffect } from "react";
import type { TextbookAuthClient } from "./authClient.js";
import { useAuth } from "./context.js";
import { useFormAction } from "./useFormAction.js";
import { useNavigate, useRedirectTarget } from "./navigation.js";
import { withRedirect } from "./redirect.js";

/**
 * What the sign-in and sign-up pages share: leave once the session says who this is (a reader to the redirect
 * target, an incomplete reader to onboarding first), and the submit state. Leaving is driven by the session, not by
 * the submit's answer: navigating before the session refreshes would meet the old visitor state and bounce back.
 */
export function useAccountForm(submit: (client: TextbookAuthClient) => Promise<{ error?: unknown }>) {
  const { status, client, paths } = useAuth();
  const target = useRedirectTarget();
  const navigate = useNavigate();
  // The one submit state of the theme's forms: a request that gets no answer is an error too, not a spinner for good.
  const form = useFormAction(async () => (client ? submit(client) : undefined));

  useEffect(() => {
    if (status === "reader") navigate(target, { replace: true });
    else if (status === "incomplete") navigate(withRedirect(paths.onboarding, target), { replace: true });
  }, [status, target, paths.onboarding, navigate]);

  return { client, paths, target, busy: form.busy, error: form.error, onSubmit: form.onSubmit };
}
