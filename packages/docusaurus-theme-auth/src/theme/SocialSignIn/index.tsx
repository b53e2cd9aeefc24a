import React, { useEffect, useState, type ReactNode } from "react";
import { useLocation } from "@docusaurus/router";
import useIsBrowser from "@docusaurus/useIsBrowser";
import FormError from "@theme/FormError";
import {
  providerErrorFromSearch,
  toDisplayError,
  useAuth,
  useForAuthServer,
  useRedirectTarget,
  useSignInProviders,
  withRedirect,
  type DisplayError,
} from "@textbook-auth/docusaurus-theme/client";

/**
 * "Continue with GitHub" and the like, under the sign-in and sign-up forms: only the providers the server has keys
 * for. Every provider sign-in comes back through onboarding (which sends a complete reader straight on to the page
 * they came from), so a reader created this way answers the profile questions like any other; a failure comes back
 * to sign-in with its code, shown here.
 */
export default function SocialSignIn(): ReactNode {
  const { client, paths } = useAuth();
  const here = useForAuthServer();
  const target = useRedirectTarget();
  const providers = useSignInProviders();
  const { search } = useLocation();
  const hydrated = useIsBrowser();
  const returned = hydrated ? providerErrorFromSearch(search) : null;
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<DisplayError | null>(null);

  // Back from the provider's page, the browser may restore this page as it was left: with its buttons busy.
  useEffect(() => {
    const restored = (event: PageTransitionEvent) => {
      if (event.persisted) setBusy(null);
    };
    window.addEventListener("pageshow", restored);
    return () => window.removeEventListener("pageshow", restored);
  }, []);

  async function start(provider: string) {
    if (!client) return;
    setBusy(provider);
    setFailure(null);
    // The auth server redirects to these itself: on another origin it needs them absolute, on this site's origin.
    const back = here(withRedirect(paths.onboarding, target));
    const { error } = await client.signIn.social({
      provider,
      callbackURL: back,
      newUserCallbackURL: back,
      errorCallbackURL: here(withRedirect(paths.signIn, target === paths.home ? null : target)),
    });
    // On success the client is already on its way to the provider; the button stays busy until the page goes.
    if (error) {
      setBusy(null);
      setFailure(toDisplayError(error));
    }
  }

  const error = failure ?? returned;
  if (!providers?.length && !error) return null;
  return (
    <section aria-labelledby="social-sign-in" className="margin-top--lg">
      <h2 id="social-sign-in" style={{ fontSize: "1rem" }}>
        Or continue with
      </h2>
      <FormError error={error} />
      {providers?.map((p) => (
        <button
          key={p.id}
          type="button"
          className="button button--secondary button--block margin-bottom--sm"
          disabled={!client || busy !== null}
          onClick={() => void start(p.id)}
        >
          Continue with {p.name}
        </button>
      ))}
    </section>
  );
}
