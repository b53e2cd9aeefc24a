import React, { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import FormError from "@theme/FormError";
import { StatusLabel } from "@theme/AccountSection";
import { describeUserAgent, toDisplayError, useAuth, useFormAction, type DisplayError, type TextbookAuthClient } from "@textbook-auth/docusaurus-theme/client";
import type { Props } from "@theme/SessionList";

// As Better-Auth's client types the list: each session with its token (which revoking one needs).
type ListedSession = NonNullable<Awaited<ReturnType<TextbookAuthClient["listSessions"]>>["data"]>[number];

const when = (value: string | Date) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));

/**
 * The reader's live sessions: browser, address, when it was signed in and last refreshed, this device marked; sign
 * out any other one, or all others at once. A revoked session is refused by the Python backend within
 * milliseconds (its cache is told by the database). Better-Auth lists sessions only to a sign-in of the last day
 * (SESSION_NOT_FRESH otherwise), because the list holds each session's token.
 */
export default function SessionList({ onSignInAgain }: Props): ReactNode {
  const { client, session: current } = useAuth();
  const [sessions, setSessions] = useState<ListedSession[] | null>(null);
  const [listError, setListError] = useState<DisplayError | null>(null);

  const load = useCallback(async () => {
    if (!client) return;
    let answer: Awaited<ReturnType<TextbookAuthClient["listSessions"]>>;
    try {
      answer = await client.listSessions();
    } catch (thrown) {
      // No answer at all: say so, instead of "Loading your sessions…" for good.
      setListError(toDisplayError(thrown));
      return;
    }
    if (answer.error) {
      setListError(toDisplayError(answer.error));
      return;
    }
    setListError(null);
    const list: ListedSession[] = [...(answer.data ?? [])];
    // This device first, then the most recently used.
    list.sort((a, b) => Number(b.id === current?.id) - Number(a.id === current?.id) || +new Date(b.updatedAt) - +new Date(a.updatedAt));
    setSessions(list);
  }, [client, current?.id]);

  useEffect(() => {
    void load();
  }, [load]);

  // One revocation at a time through the theme's one submit state; the list is read again whatever the outcome.
  const pending = useRef<{ run: () => Promise<{ error?: unknown } | undefined>; done: string } | null>(null);
  const revoke = useFormAction(async () => {
    const op = pending.current;
    if (!op) return;
    try {
      const result = await op.run();
      return result?.error ? result : { data: op.done };
    } finally {
      await load();
    }
  });
  const act = (run: () => Promise<{ error?: unknown } | undefined>, done: string) => {
    pending.current = { run, done };
    void revoke.run();
  };
  const busy = revoke.busy;
  const error = revoke.error ?? listError;
  const notice = typeof revoke.done === "string" ? revoke.done : null;

  if (error?.code === "SESSION_NOT_FRESH") {
    return (
      <div>
        <FormError error={error} />
        {onSignInAgain && (
          <button type="button" className="button button--secondary" onClick={onSignInAgain}>
            Sign in again
          </button>
        )}
      </div>
    );
  }
  if (!sessions) return error ? <FormError error={error} /> : <p role="status">Loading your sessions…</p>;
  const others = sessions.filter((s) => s.id !== current?.id);
  return (
    <div>
      <div style={{ overflowX: "auto" }}>
        <table data-testid="session-list">
          <caption className="text--left">Where your account is signed in</caption>
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Address</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last active</th>
              <th scope="col">
                <span style={{ position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" }}>
                  Action
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => {
              const browser = describeUserAgent(s.userAgent);
              const mine = s.id === current?.id;
              return (
                <tr key={s.id} data-session-id={s.id} data-current={mine ? "true" : undefined}>
                  <td>
                    {browser}
                    {mine && (
                      <>
                        {" "}
                        <StatusLabel kind="info">This device</StatusLabel>
                      </>
                    )}
                  </td>
                  <td>{s.ipAddress || "Unknown"}</td>
                  <td>{when(s.createdAt)}</td>
                  <td>{when(s.updatedAt)}</td>
                  <td>
                    {!mine && (
                      <button
                        type="button"
                        className="button button--sm button--secondary"
                        disabled={busy}
                        aria-label={`Sign out ${browser} at ${s.ipAddress || "an unknown address"}, signed in ${when(s.createdAt)}`}
                        onClick={() => act(() => client!.revokeSession({ token: s.token }), `Signed out ${browser}.`)}
                      >
                        Sign out
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <FormError error={error} />
      {notice && (
        <p role="status" className="alert alert--success">
          {notice}
        </p>
      )}
      {others.length > 0 && (
        <button
          type="button"
          className="button button--secondary"
          disabled={busy}
          onClick={() => act(() => client!.revokeOtherSessions(), "Signed out everywhere else.")}
        >
          Sign out everywhere else
        </button>
      )}
    </div>
  );
}
