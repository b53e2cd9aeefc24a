/** The provider buttons' list, fetched once per page load (see providers.ts for the contract). */
import { useEffect, useState } from "react";
import type { TextbookAuthClient } from "./authClient.js";
import { useAuth } from "./context.js";
import { parseProviders, type SignInProvider } from "./providers.js";

// One request per page load and client: sign-in and sign-up show the same list.
const lists = new WeakMap<TextbookAuthClient, Promise<SignInProvider[]>>();

function loadProviders(client: TextbookAuthClient): Promise<SignInProvider[]> {
  let list = lists.get(client);
  if (!list) {
    list = client
      .$fetch<{ providers?: unknown }>("/providers", { method: "GET" })
      .then(({ data, error }) => {
        // No list (an older server, an outage) is no buttons, and the next page asks again.
        if (error) lists.delete(client);
        return parseProviders(data);
      })
      .catch(() => {
        lists.delete(client);
        return [];
      });
    lists.set(client, list);
  }
  return list;
}

/** The providers to offer; null until known (nothing is rendered for them during the static build and hydration). */
export function useSignInProviders(): SignInProvider[] | null {
  const { client } = useAuth();
  const [providers, setProviders] = useState<SignInProvider[] | null>(null);
  useEffect(() => {
    if (!client) return;
    let live = true;
    void loadProviders(client).then((list) => {
      if (live) setProviders(list);
    });
    return () => {
      live = false;
    };
  }, [client]);
  return providers;
}

