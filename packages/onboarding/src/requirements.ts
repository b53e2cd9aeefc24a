/**
 * The completeness rule as SQL, one expression for every place that decides it: the migration's recomputation of
 * stored profiles and the table's CHECK constraint. A profile is complete when every current question's column
 * holds one of that question's current values. The API's own writes validate the same rule before they store
 * `onboarding_completed = true`, and the Python package reads that column, so both languages agree by construction.
 */
import { createHash } from "node:crypto";
import type { ProfileField } from "./profile-fields.js";

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** `col IS NOT NULL AND col IN (...)` for every question: false, never NULL, for a missing answer. */
export function completenessPredicate(fields: readonly ProfileField[]): string {
  return fields
    .map((f) => `(${ident(f.column)} IS NOT NULL AND ${ident(f.column)} IN (${Object.keys(f.values).map(literal).join(", ")}))`)
    .join(" AND ");
}

/**
 * Identifies a set of requirements: the columns and the accepted values, not the wording or the order, which do not
 * change who is complete.
 */
export function requirementsFingerprint(fields: readonly ProfileField[]): string {
  const canonical = fields
    .map((f) => ({ column: f.column, values: Object.keys(f.values).sort() }))
    .sort((a, b) => (a.column < b.column ? -1 : 1));
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}
