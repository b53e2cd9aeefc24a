/**
 * Typed view of profile-fields.json, the one source of the profile's enum values.
 * The database enum types, the API validator and the site's labels all come from here.
 */
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

/** The PostgreSQL enum types, in the order their values must be declared. */
export const PROFILE_ENUMS = [
  { type: fields.pythonProficiency.enumType, values: PYTHON_PROFICIENCIES as readonly string[] },
  { type: fields.developerRole.enumType, values: DEVELOPER_ROLES as readonly string[] },
] as const;
