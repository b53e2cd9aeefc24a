import { useEffect, useState, type FormEvent } from "react";
import type { TextbookAuthClient } from "./authClient.js";
import { useAuth } from "./context.js";
import { toDisplayError, type DisplayError } from "./errors.js";
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);

  useEffect(() => {
    if (status === "reader") navigate(target, { replace: true });
    else if (status === "incomplete") navigate(withRedirect(paths.onboarding, target), { replace: true });
  }, [status, target, paths.onboarding, navigate]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!client) return;
    setBusy(true);
    setError(null);
    const { error: failure } = await submit(client);
    setBusy(false);
    if (failure) setError(toDisplayError(failure));
  }

  return { client, paths, target, busy, error, onSubmit };
}
