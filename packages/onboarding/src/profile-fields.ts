/**
 * The profile questions (profile-fields.json, or a site's own file in the same format) and typed views of the
 * built-in two, whose values the site's personalised blocks name.
 *
 * Contract: a question is `{ column, enumType, question, input: "radio" | "select", values: { key: label } }`
 * under its JSON name; every question is required; a profile is complete when every question's column holds one of
 * the question's current values (see requirements.ts, which turns that rule into SQL).
 */
import * as z from "zod";
import fields from "./profile-fields.json" with { type: "json" };

export const PYTHON_PROFICIENCIES = Object.keys(fields.pythonProficiency.values) as [
  keyof typeof fields.pythonProficiency.values,
  ...(keyof typeof fields.pythonProficiency.values)[],
];
export const DEVELOPER_ROLES = Object.keys(fields.developerRole.values) as [
  keyof typeof fields.developerRole.values,
  ...(keyof typeof fields.developerRole.values)[],
];
export type PythonProficiency = (typeof PYTHON_PROFICIENCIES)[number];
export type DeveloperRole = (typeof DEVELOPER_ROLES)[number];

/** Human-readable labels, for forms and the account page. */
export const PYTHON_PROFICIENCY_LABELS: Record<PythonProficiency, string> = fields.pythonProficiency.values;
export const DEVELOPER_ROLE_LABELS: Record<DeveloperRole, string> = fields.developerRole.values;

/** One required question. `name` is its JSON key and the answer's key in the API. */
export interface ProfileField {
  name: string;
  column: string;
  enumType: string;
  question: string;
  input: "radio" | "select";
  /** value → label, in the order the form offers them. */
  values: Record<string, string>;
}

// SQL identifiers are written into statements (schema.ts), so they are held to plain lower-case names. The reserved
// ones are the table's own columns and the names the one-query session read (store.ts) already selects.
const sqlName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "a lower-case SQL name (letters, digits, _)");
const RESERVED = new Set(["user_id", "onboarding_completed", "created_at", "updated_at", "id", "token", "name", "email", "image", "u_created", "u_updated"]);
const fieldSchema = z.strictObject({
  column: sqlName.refine((c) => !RESERVED.has(c), "names a column the table already has"),
  enumType: sqlName,
  question: z.string().min(1).max(200),
  input: z.enum(["radio", "select"]),
  values: z.record(z.string().regex(/^[a-z0-9_]{1,63}$/, "a value key is lower-case letters, digits and _"), z.string().min(1).max(200)).refine(
    (v) => Object.keys(v).length > 0,
    "at least one value",
  ),
});
const NAME = /^[a-zA-Z][a-zA-Z0-9]{0,62}$/;
const PROFILE_KEYS = new Set(["onboardingCompleted", "updatedAt"]);

/** Validates a questions file's content; throws an Error naming the question and the field that is wrong. */
export function parseProfileFields(json: unknown): ProfileField[] {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Error("the profile questions must be a JSON object");
  const list: ProfileField[] = [];
  for (const [name, spec] of Object.entries(json)) {
    if (name.startsWith("$")) continue; // "$comment"
    if (!NAME.test(name) || PROFILE_KEYS.has(name)) throw new Error(`"${name}": a question's name is a camelCase identifier other than onboardingCompleted and updatedAt`);
    const parsed = fieldSchema.safeParse(spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`"${name}.${issue.path.join(".")}": ${issue.message}`);
    }
    list.push({ name, ...parsed.data });
  }
  if (list.length === 0) throw new Error("the profile questions list no question");
  for (const key of ["column", "enumType"] as const) {
    const seen = new Set<string>();
    for (const f of list) {
      if (seen.has(f[key])) throw new Error(`"${f.name}.${key}": ${f[key]} is used by two questions`);
      seen.add(f[key]);
    }
  }
  return list;
}

/** The questions of profile-fields.json. */
export const DEFAULT_PROFILE_FIELDS: readonly ProfileField[] = Object.freeze(parseProfileFields(fields));
