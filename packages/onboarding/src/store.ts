/**
 * Profile reads and writes. The completeness rule lives in requirements.ts (the migration's recomputation and the
 * table's CHECK constraint) and here: a write stores `onboarding_completed = true` only with an answer to every
 * current question, which the endpoint has validated against the current values; the flag is never taken from input.
 */
import { DEFAULT_PROFILE_FIELDS, type ProfileField } from "./profile-fields.js";
import { ident } from "./requirements.js";
import type { Profile, ProfileQuestion, ProfileResponse, Queryable } from "./types.js";

type ProfileRow = Record<string, unknown> & { onboarding_completed: boolean; updated_at: Date };

const columnsOf = (fields: readonly ProfileField[], alias = "") =>
  [...fields.map((f) => `${alias}${ident(f.column)}::text AS ${ident(f.column)}`), `${alias}onboarding_completed`, `${alias}updated_at`].join(", ");

function toProfile(row: ProfileRow | undefined, fields: readonly ProfileField[]): Profile | null {
  if (!row) return null;
  const profile: Record<string, string | boolean | null> = {};
  for (const f of fields) profile[f.name] = (row[f.column] as string | null) ?? null;
  // The built-in questions keep their keys even when a site's own list leaves them out.
  profile.pythonProficiency ??= null;
  profile.developerRole ??= null;
  return { ...profile, onboardingCompleted: row.onboarding_completed, updatedAt: row.updated_at.toISOString() } as Profile;
}

export function questionsOf(fields: readonly ProfileField[]): ProfileQuestion[] {
  return fields.map((f) => ({
    name: f.name,
    question: f.question,
    input: f.input,
    options: Object.entries(f.values).map(([value, label]) => ({ value, label })),
  }));
}

export function toResponse(profile: Profile | null, fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS): ProfileResponse {
  return { profile, complete: profile?.onboardingCompleted ?? false, questions: questionsOf(fields) };
}

export async function readProfile(pool: Queryable, userId: string, fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS): Promise<Profile | null> {
  const { rows } = await pool.query<ProfileRow>(`SELECT ${columnsOf(fields)} FROM user_profile WHERE user_id = $1`, [userId]);
  return toProfile(rows[0], fields);
}

/**
 * Stores an answer to every question (validated by the caller) and the completion, in one statement, so concurrent
 * submissions by one reader serialise on the row and leave one consistent row.
 */
export async function writeProfile(
  pool: Queryable,
  userId: string,
  answers: Record<string, string>,
  fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS,
): Promise<Profile> {
  const columns = fields.map((f) => ident(f.column));
  const values = fields.map((f) => {
    const answer = answers[f.name];
    if (typeof answer !== "string" || !Object.hasOwn(f.values, answer)) throw new Error(`writeProfile: no valid answer to ${f.name}`);
    return answer;
  });
  const { rows } = await pool.query<ProfileRow>(
    `INSERT INTO user_profile (user_id, ${columns.join(", ")}, onboarding_completed)
     VALUES ($1, ${fields.map((f, i) => `$${i + 2}::${ident(f.enumType)}`).join(", ")}, true)
     ON CONFLICT (user_id) DO UPDATE SET
       ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(", ")},
       onboarding_completed = true,
       updated_at = now()
     RETURNING ${columnsOf(fields)}`,
    [userId, ...values],
  );
  return toProfile(rows[0], fields)!;
}

/** Better-Auth's core session and user columns; the fast path is used only when no plugin or option adds any. */
export interface SessionRow {
  session: {
    id: string;
    token: string;
    userId: string;
    expiresAt: Date;
    createdAt: Date;
    updatedAt: Date;
    ipAddress: string | null;
    userAgent: string | null;
  };
  user: { id: string; name: string; email: string; emailVerified: boolean; image: string | null; createdAt: Date; updatedAt: Date };
  profile: Profile | null;
}

/** Session, user and profile in one indexed query; expired rows are returned too, the caller decides. */
export async function readSessionWithProfile(
  pool: Queryable,
  token: string,
  fields: readonly ProfileField[] = DEFAULT_PROFILE_FIELDS,
): Promise<SessionRow | null> {
  const { rows } = await pool.query(
    `SELECT s.id, s.token, s."userId", s."expiresAt", s."createdAt", s."updatedAt", s."ipAddress", s."userAgent",
            u.name, u.email, u."emailVerified", u.image, u."createdAt" AS u_created, u."updatedAt" AS u_updated,
            ${columnsOf(fields, "p.")}
     FROM session s JOIN "user" u ON u.id = s."userId" LEFT JOIN user_profile p ON p.user_id = u.id
     WHERE s.token = $1`,
    [token],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    session: {
      id: r.id,
      token: r.token,
      userId: r.userId,
      expiresAt: r.expiresAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      ipAddress: r.ipAddress,
      userAgent: r.userAgent,
    },
    user: { id: r.userId, name: r.name, email: r.email, emailVerified: r.emailVerified, image: r.image, createdAt: r.u_created, updatedAt: r.u_updated },
    profile: r.updated_at ? toProfile(r, fields) : null,
  };
}

/**
 * Sessions' standing, for checks that need nothing else (the protected-content gate, on every protected file): for
 * each token of a live session (row exists, `"expiresAt" > now()`, decided by the database), whether its user's
 * profile is complete; tokens without one are absent. One indexed query for any number of tokens.
 */
export async function readSessionStandings(pool: Queryable, tokens: readonly string[]): Promise<Map<string, { profileComplete: boolean }>> {
  const { rows } = await pool.query<{ token: string; complete: boolean }>(
    `SELECT s.token, coalesce(p.onboarding_completed, false) AS complete
     FROM session s JOIN "user" u ON u.id = s."userId" LEFT JOIN user_profile p ON p.user_id = u.id
     WHERE s.token = ANY($1::text[]) AND s."expiresAt" > now()`,
    [tokens],
  );
  return new Map(rows.map((r) => [r.token, { profileComplete: r.complete }]));
}
