/**
 * The Better-Auth client with the onboarding plugin's client half, so `profile.get()` / `profile.update()` are
 * typed and a profile change refreshes the session (and with it `user.profileComplete`).
 */
import { createAuthClient } from "better-auth/react";
import { onboardingClient } from "@textbook-auth/onboarding/client";

export function createTextbookAuthClient(baseURL: string) {
  return createAuthClient({ baseURL, plugins: [onboardingClient()] });
}

export type TextbookAuthClient = ReturnType<typeof createTextbookAuthClient>;

const clients = new Map<string, TextbookAuthClient>();

/**
 * One client per base URL for the page's lifetime: the session atom lives in the client, and two clients would
 * fetch the session twice and disagree while one of them refreshes.
 */
export function getAuthClient(authBaseUrl: string, origin: string): TextbookAuthClient {
  const baseURL = new URL(authBaseUrl, origin).href.replace(/\/$/, "");
  let client = clients.get(baseURL);
  if (!client) {
    client = createTextbookAuthClient(baseURL);
    clients.set(baseURL, client);
  }
  return client;
}
