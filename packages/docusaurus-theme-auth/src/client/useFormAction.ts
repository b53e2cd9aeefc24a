import { useCallback, useState, type FormEvent } from "react";
import { toDisplayError, type DisplayError } from "./errors.js";

/**
 * One form's submit state: busy while the request runs, the error by code when it fails, `done` when it succeeded.
 * The fields stay as typed whatever happens: a failed submit never clears what the reader wrote.
 */
export function useFormAction<T>(action: () => Promise<{ data?: T | null; error?: unknown } | undefined | void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const [done, setDone] = useState<T | true | null>(null);

  const run = useCallback(async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = await action();
      if (result?.error) setError(toDisplayError(result.error));
      else setDone(result?.data ?? true);
    } catch (failure) {
      setError(toDisplayError(failure));
    } finally {
      setBusy(false);
    }
  }, [action]);

  const onSubmit = useCallback(
    (event?: FormEvent) => {
      event?.preventDefault();
      void run();
    },
    [run],
  );

  return { busy, error, done, run, onSubmit, setError, reset: () => (setDone(null), setError(null)) };
}
