import { useEffect, useState } from "react";
import { useAuth } from "./context.js";
import type { TextbookAuthClient } from "./authClient.js";

/** What the server can do for this site (GET <authBaseUrl>/account/features). */
export interface AccountFeatures {
  /** Mail can be sent: password reset, address confirmation and email change by link. */
  mail: boolean;
  /** Sign-in waits until the address is confirmed (EMAIL_NOT_VERIFIED). */
  emailVerificationRequired: boolean;
}

const loaded = new WeakMap<TextbookAuthClient, Promise<AccountFeatures | null>>();

/**
 * The server's features, asked once per page load; null until known (and when the server cannot say), so pages
 * show mail-only controls only once the server has said it can send mail.
 */
export function useAccountFeatures(): AccountFeatures | null {
  const { client } = useAuth();
  const [features, setFeatures] = useState<AccountFeatures | null>(null);
  useEffect(() => {
    if (!client) return;
    let request = loaded.get(client);
    if (!request) {
      request = client
        .$fetch<AccountFeatures>("/account/features", { method: "GET" })
        .then(({ data }) => data ?? null)
        .catch(() => null);
      loaded.set(client, request);
    }
    let live = true;
    void request.then((value) => live && setFeatures(value));
    return () => {
      live = false;
    };
  }, [client]);
  return features;
}
