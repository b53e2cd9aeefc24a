import React, { useEffect, useState, type ReactNode } from "react";
import { DEFAULT_PROFILE_FIELDS, type Profile, type ProfileQuestion } from "@textbook-auth/onboarding/client";
import FormError from "@theme/FormError";
import { useAuth, useFormAction } from "@textbook-auth/docusaurus-theme/client";
import type { Props } from "@theme/ProfileForm";

// The questions this site was built with: used only when the server cannot be asked for its own.
const BUILT_IN: ProfileQuestion[] = DEFAULT_PROFILE_FIELDS.map((f) => ({
  name: f.name,
  question: f.question,
  input: f.input,
  options: Object.entries(f.values).map(([value, label]) => ({ value, label })),
}));

/** The reader's earlier answer to each question, when the question still offers it. */
function earlierAnswers(questions: ProfileQuestion[], profile: Profile | null): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const q of questions) {
    const earlier = profile?.[q.name];
    answers[q.name] = typeof earlier === "string" && q.options.some((o) => o.value === earlier) ? earlier : "";
  }
  return answers;
}

/**
 * The profile questions, as the server currently asks them (`GET /profile`): a site that adds a question or changes
 * its values needs no new build of the theme, and a reader asked again sees their earlier answers filled in. The
 * server decides whether the profile is complete.
 */
export default function ProfileForm({ submitLabel, onSaved }: Props): ReactNode {
  const { client, profile } = useAuth();
  const [questions, setQuestions] = useState<ProfileQuestion[] | null>(null);
  const [answers, setAnswers] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!client) return;
    let live = true;
    void client.profile.get().then(({ data }) => {
      if (!live) return;
      const current = data?.questions?.length ? data.questions : BUILT_IN;
      setQuestions(current);
      setAnswers(earlierAnswers(current, data?.profile ?? profile));
    });
    return () => {
      live = false;
    };
    // The questions are read once per form; the session's profile only seeds the answers.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client]);

  const save = useFormAction(async () => {
    if (!client) return;
    const result = await client.profile.update(answers);
    if (!result.error) onSaved?.();
    return result;
  });

  if (!questions) {
    return (
      <p role="status" aria-busy="true">
        Loading the questions…
      </p>
    );
  }
  const set = (name: string, value: string) => setAnswers((a) => ({ ...a, [name]: value }));
  return (
    <form onSubmit={save.onSubmit} aria-label="Reader profile">
      {questions.map((q) =>
        q.input === "radio" ? (
          <fieldset key={q.name} className="margin-bottom--md">
            <legend>{q.question}</legend>
            {q.options.map((o) => (
              <div key={o.value}>
                <label>
                  <input
                    type="radio"
                    name={q.name}
                    value={o.value}
                    checked={answers[q.name] === o.value}
                    onChange={() => set(q.name, o.value)}
                    required
                  />{" "}
                  {o.label}
                </label>
              </div>
            ))}
          </fieldset>
        ) : (
          <div key={q.name} className="margin-bottom--md">
            <label htmlFor={`profile-${q.name}`}>{q.question}</label>
            <select
              id={`profile-${q.name}`}
              name={q.name}
              required
              value={answers[q.name] ?? ""}
              onChange={(e) => set(q.name, e.target.value)}
              style={{ display: "block", padding: "0.5rem", marginTop: "0.25rem" }}
            >
              <option value="" disabled>
                Choose one
              </option>
              {q.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        ),
      )}
      <FormError error={save.error} />
      {save.done && (
        <p role="status" className="alert alert--success">
          Saved.
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={save.busy || !client}>
        {submitLabel}
      </button>
    </form>
  );
}
