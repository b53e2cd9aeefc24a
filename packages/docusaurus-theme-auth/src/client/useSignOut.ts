import { useCallback, useRef, useState } from "react";
import { useAuth } from "./context.js";
import { toDisplayError, type DisplayError } from "./errors.js";
import { useNavigate } from "./navigation.js";

/**
 * Signing out, for every button that does it (the navbar's menu, the account page), with one failure handling: a
 * failure is shown, never swallowed, whether the server answered an error or the request never got an answer (a
 * dropped connection makes the client throw). A reader on a shared computer who clicks "Sign out" and sees nothing
 * happen would walk away believing the session is gone.
 *
 * `leaving` is true from the click until a failure: the page the reader leaves sees them turn into a visitor first,
 * and must not send them to sign-in on the way out.
 */
export function useSignOut(): {
  signOut: (then: string) => Promise<boolean>;
  error: DisplayError | null;
  busy: boolean;
  leaving: { current: boolean };
} {
  const { client } = useAuth();
  const navigate = useNavigate();
  const leaving = useRef(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const [busy, setBusy] = useState(false);

  const signOut = useCallback(
    async (then: string) => {
      if (!client) return false;
      leaving.current = true;
      setError(null);
      setBusy(true);
      let failure: unknown = null;
      try {
        failure = (await client.signOut()).error ?? null;
      } catch (thrown) {
        failure = thrown ?? new Error("sign-out failed");
      } finally {
        setBusy(false);
      }
      if (failure) {
        leaving.current = false;
        const shown = toDisplayError(failure);
        setError({ code: shown.code, message: `You are still signed in: signing out failed. ${shown.message}` });
        return false;
      }
      navigate(then);
      return true;
    },
    [client, navigate],
  );

  return { signOut, error, busy, leaving };
}
