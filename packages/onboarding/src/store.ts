/**
 * Profile reads and writes. The completeness rule lives here and in the table's CHECK constraint:
 * a profile is complete when its row exists with both answers set; the flag is computed, never taken from input.
 */
import type { DeveloperRole, PythonProficiency } from "./profile-fields.js";
import type { Profile, ProfileResponse, Queryable } from "./types.js";

interface ProfileRow {
  python_proficiency: PythonProficiency | null;
  developer_role: DeveloperRole | null;
  onboarding_completed: boolean;
  updated_at: Date;
}

const COLUMNS = "python_proficiency, developer_role, onboarding_completed, updated_at";

function toProfile(row: ProfileRow | undefined): Profile | null {
  if (!row) return null;
  return {
    pythonProficiency: row.python_proficiency,
    developerRole: row.developer_role,
    onboardingCompleted: row.onboarding_completed,
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toResponse(profile: Profile | null): ProfileResponse {
  return { profile, complete: profile?.onboardingCompleted ?? false };
}

export async function readProfile(pool: Queryable, userId: string): Promise<Profile | null> {
  const { rows } = await pool.query<ProfileRow>(`SELECT ${COLUMNS} FROM user_profile WHERE user_id = $1`, [userId]);
  return toProfile(rows[0]);
}

/** One statement, so concurrent submissions by one reader serialise on the row and leave one consistent row. */
export async function writeProfile(
  pool: Queryable,
  userId: string,
  answers: { pythonProficiency: PythonProficiency; developerRole: DeveloperRole },
): Promise<Profile> {
  const { rows } = await pool.query<ProfileRow>(
    `INSERT INTO user_profile (user_id, python_proficiency, developer_role, onboarding_completed)
     VALUES ($1, $2, $3, true)
     ON CONFLICT (user_id) DO UPDATE SET
       python_proficiency = EXCLUDED.python_proficiency,
       developer_role = EXCLUDED.developer_role,
       onboarding_completed = true,
       updated_at = now()
     RETURNING ${COLUMNS}`,
    [userId, answers.pythonProficiency, answers.developerRole],
  );
  return toProfile(rows[0])!;
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
export async function readSessionWithProfile(pool: Queryable, token: string): Promise<SessionRow | null> {
  const { rows } = await pool.query(
    `SELECT s.id, s.token, s."userId", s."expiresAt", s."createdAt", s."updatedAt", s."ipAddress", s."userAgent",
            u.name, u.email, u."emailVerified", u.image, u."createdAt" AS u_created, u."updatedAt" AS u_updated,
            ${COLUMNS.split(", ").map((c) => `p.${c}`).join(", ")}
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
    profile: r.updated_at ? toProfile(r) : null,
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
