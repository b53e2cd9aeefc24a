/**
 * Client half of the onboarding plugin: typed from the server plugin, so `authClient.profile.get()`,
 * `authClient.profile.update({...})` and `useSession()` (with `profile` and `user.profileComplete`) are typed.
 */
import type { BetterAuthClientPlugin } from "better-auth/client";
import type { OnboardingPlugin } from "./index.js";
import { ONBOARDING_ERROR_CODES } from "./error-codes.js";

export { ONBOARDING_ERROR_CODES } from "./error-codes.js";
export * from "./profile-fields.js";
export type { Profile, ProfileQuestion, ProfileResponse } from "./types.js";
import type { ProfileResponse } from "./types.js";

// The argument types of Better-Auth's own plugin contract, by reference: the declaration file then names them as
// Better-Auth does, instead of spelling out $fetch's generic type, which TypeScript cannot match back to it.
type Fetch = Parameters<NonNullable<BetterAuthClientPlugin["getActions"]>>[0];
type Store = Parameters<NonNullable<BetterAuthClientPlugin["getActions"]>>[1];

type ErrorBody = { code: keyof typeof ONBOARDING_ERROR_CODES | (string & {}); message: string };

export const onboardingClient = () =>
  ({
    id: "onboarding",
    $InferServerPlugin: {} as OnboardingPlugin,
    getActions: ($fetch: Fetch, $store: Store) => ({
      profile: {
        get: () => $fetch<ProfileResponse, ErrorBody>("/profile", { method: "GET" }),
        /** An answer to every current question, by question name (see `profile.get()`'s `questions`). */
        update: async (answers: Record<string, string>) => {
          const result = await $fetch<ProfileResponse, ErrorBody>("/profile", { method: "POST", body: answers });
          // atomListeners fire only for calls made through the client's path proxy, not for actions: without
          // this, useSession() would keep reporting the old profile (and profileComplete) until a reload.
          if (!result.error) $store.notify("$sessionSignal");
          return result;
        },
      },
    }),
    atomListeners: [{ matcher: (path) => path === "/profile", signal: "$sessionSignal" }],
    $ERROR_CODES: ONBOARDING_ERROR_CODES,
  }) satisfies BetterAuthClientPlugin;
