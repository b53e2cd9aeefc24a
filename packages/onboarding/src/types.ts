import type { DeveloperRole, ProfileField, PythonProficiency } from "./profile-fields.js";

/**
 * A reader's profile as the API returns it: one key per question (null when not answered; a value the questions no
 * longer offer is still returned, as the reader's earlier answer), and the completion the server computed.
 */
export interface Profile {
  pythonProficiency: PythonProficiency | null;
  developerRole: DeveloperRole | null;
  /**
   * Written by the server only: true while every current question holds one of its current values. Recomputed by
   * the migration when the questions change.
   */
  onboardingCompleted: boolean;
  updatedAt: string;
  /** Answers to questions a site added. */
  [question: string]: string | boolean | null;
}

/** A question as the site renders it. */
export interface ProfileQuestion {
  name: string;
  question: string;
  input: "radio" | "select";
  options: { value: string; label: string }[];
}

/** `GET` and `POST /api/auth/profile` answer with this. */
export interface ProfileResponse {
  profile: Profile | null;
  complete: boolean;
  /** The current questions, in order: what the onboarding form asks. */
  questions: ProfileQuestion[];
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
  /**
   * The required questions (see `parseProfileFields`). Default: profile-fields.json. The migration must be given the
   * same list (`migrateOnboarding(pool, fields)`); apps/server reads it from this option.
   */
  fields?: readonly ProfileField[];
  /**
   * Answer the common get-session in one query (see internals.ts) instead of through Better-Auth's own get-session
   * plus a profile read. Default true. False makes every answer Better-Auth's: the reference differential tests
   * compare the fast path with.
   */
  fastGetSession?: boolean;
}
