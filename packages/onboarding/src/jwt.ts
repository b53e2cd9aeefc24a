/**
 * What the JWT plugin's tokens carry for a backend that validates them without a query (the Python package's JWT
 * mode, better_auth_fastapi/jwt_mode.py): who (`email`, `name`; `sub` is Better-Auth's), which session (`sid`, for
 * backends that check revocation), and the profile as it was when the token was issued, with its completion.
 * The claim names are contract.json's `jwt.claims`, which the Python package reads from its copy.
 */
import { JWT_CLAIMS } from "./contract.js";
import { DEFAULT_PROFILE_FIELDS, type ProfileField } from "./profile-fields.js";
import { readProfile } from "./store.js";
import type { Profile, Queryable } from "./types.js";

export interface JwtPayloadOptions {
  /** The PostgreSQL pool holding `user_profile`. */
  pool: Queryable;
  /** The profile questions, as given to the plugin. Default: profile-fields.json. */
  fields?: readonly ProfileField[];
}

export interface OnboardingJwtPayload {
  email: string;
  name: string;
  sid: string;
  profile: Profile | null;
  profileComplete: boolean;
}

/** Better-Auth's `jwt({ jwt: { definePayload } })` for this plugin: `jwt({ jwt: { definePayload: jwtPayload({ pool }) } })`. */
export function jwtPayload({ pool, fields = DEFAULT_PROFILE_FIELDS }: JwtPayloadOptions) {
  return async ({ user, session }: { user: { id: string; email: string; name: string }; session: { id: string } }): Promise<OnboardingJwtPayload> => {
    const profile = await readProfile(pool, user.id, fields);
    const claims = {
      [JWT_CLAIMS.email]: user.email,
      [JWT_CLAIMS.name]: user.name,
      [JWT_CLAIMS.sessionId]: session.id,
      [JWT_CLAIMS.profile]: profile,
      [JWT_CLAIMS.profileComplete]: profile?.onboardingCompleted ?? false,
    };
    return claims as unknown as OnboardingJwtPayload;
  };
}
