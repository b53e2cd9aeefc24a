import type { DeveloperRole, PythonProficiency } from "./profile-fields.js";

/** A reader's profile as the API returns it. */
export interface Profile {
  pythonProficiency: PythonProficiency | null;
  developerRole: DeveloperRole | null;
  /** Written by the server only: true once both answers hold valid values. */
  onboardingCompleted: boolean;
  updatedAt: string;
}

/** `GET` and `POST /api/auth/profile` answer with this. */
export interface ProfileResponse {
  profile: Profile | null;
  complete: boolean;
}

/** The smallest surface of a `pg` Pool the plugin needs; any node-postgres compatible pool fits. */
export interface Queryable {
  query<R = any>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface OnboardingOptions {
  /** The PostgreSQL pool holding `user_profile`: the same database Better-Auth uses. */
  pool: Queryable;
  /** Largest accepted `POST /profile` body, in bytes of JSON. Default 1024. */
  maxBodyBytes?: number;
}
