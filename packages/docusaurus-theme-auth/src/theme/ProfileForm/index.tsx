import React, { useState, type FormEvent, type ReactNode } from "react";
import {
  DEVELOPER_ROLES,
  DEVELOPER_ROLE_LABELS,
  PYTHON_PROFICIENCIES,
  PYTHON_PROFICIENCY_LABELS,
  type Profile,
} from "@textbook-auth/onboarding/client";
import FormError from "@theme/FormError";
import { useAuth, toDisplayError, type DisplayError } from "@textbook-auth/docusaurus-theme/client";

export interface Props {
  submitLabel: string;
  /** Called after the server accepted the answers (the session refresh is already under way). */
  onSaved?: () => void;
}

/**
 * The two onboarding questions. Values and labels come from the onboarding package (one source shared with the
 * database enums and the API validator); the server decides whether the profile is complete.
 */
export default function ProfileForm({ submitLabel, onSaved }: Props): ReactNode {
  const { client, profile } = useAuth();
  const [proficiency, setProficiency] = useState<string>(profile?.pythonProficiency ?? "");
  const [role, setRole] = useState<string>(profile?.developerRole ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const [saved, setSaved] = useState<Profile | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!client) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    const { data, error: failure } = await client.profile.update({ pythonProficiency: proficiency, developerRole: role });
    setBusy(false);
    if (failure || !data) {
      setError(toDisplayError(failure));
      return;
    }
    setSaved(data.profile);
    onSaved?.();
  }

  return (
    <form onSubmit={onSubmit} aria-label="Reader profile">
      <fieldset className="margin-bottom--md">
        <legend>How well do you know Python?</legend>
        {PYTHON_PROFICIENCIES.map((value) => (
          <div key={value}>
            <label>
              <input
                type="radio"
                name="pythonProficiency"
                value={value}
                checked={proficiency === value}
                onChange={() => setProficiency(value)}
                required
              />{" "}
              {PYTHON_PROFICIENCY_LABELS[value]}
            </label>
          </div>
        ))}
      </fieldset>
      <div className="margin-bottom--md">
        <label htmlFor="profile-role">What describes your work best?</label>
        <select
          id="profile-role"
          name="developerRole"
          required
          value={role}
          onChange={(e) => setRole(e.target.value)}
          style={{ display: "block", padding: "0.5rem", marginTop: "0.25rem" }}
        >
          <option value="" disabled>
            Choose a role
          </option>
          {DEVELOPER_ROLES.map((value) => (
            <option key={value} value={value}>
              {DEVELOPER_ROLE_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      <FormError error={error} />
      {saved && (
        <p role="status" className="alert alert--success">
          Saved.
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={busy || !client}>
        {submitLabel}
      </button>
    </form>
  );
}
