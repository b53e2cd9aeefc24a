import React, { useCallback, useEffect, useState, type ReactNode } from "react";
import Layout from "@theme/Layout";
import useDocusaurusContext from "@docusaurus/useDocusaurusContext";

/**
 * Shows the whole chain to a person: the browser sends the session cookie to this origin, the Node server proxies
 * /api/* to the Python backend, and the backend validates the session against the shared database.
 * Protected by the theme (protectedRoutes includes "/backend"), so it renders for readers with a complete profile.
 */

interface Result {
  status: number;
  body: unknown;
}

async function call(method: "GET" | "PUT", url: string, body?: unknown): Promise<Result> {
  try {
    // "include": the session cookie also goes to the auth server on a sibling origin (SITE_AUTH_ORIGIN), whose
    // CORS answer lets this page read the reply.
    const response = await fetch(url, {
      method,
      credentials: "include",
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy error page, say): show the text as it came.
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 0, body: { code: "NETWORK_ERROR" } };
  }
}

function ResultBlock({ id, title, result }: { id: string; title: string; result: Result | null }): ReactNode {
  return (
    <section className="margin-bottom--lg" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {result === null ? (
        <p>Loading…</p>
      ) : (
        <>
          <p>
            Status: <strong data-testid={`${id}-status`}>{result.status}</strong>
          </p>
          <pre data-testid={`${id}-body`}>{JSON.stringify(result.body, null, 2)}</pre>
        </>
      )}
    </section>
  );
}

export default function BackendPage(): ReactNode {
  const apiOrigin = String(useDocusaurusContext().siteConfig.customFields?.apiOrigin ?? "");
  const [me, setMe] = useState<Result | null>(null);
  const [progress, setProgress] = useState<Result | null>(null);
  const [saved, setSaved] = useState<Result | null>(null);
  const [chapter, setChapter] = useState("variables");

  const load = useCallback(async () => {
    const [m, p] = await Promise.all([call("GET", `${apiOrigin}/api/me`), call("GET", `${apiOrigin}/api/progress`)]);
    setMe(m);
    setProgress(p);
  }, [apiOrigin]);

  useEffect(() => {
    void load();
  }, [load]);

  async function markRead() {
    setSaved(await call("PUT", `${apiOrigin}/api/progress`, { chapter, completed: true }));
    setProgress(await call("GET", `${apiOrigin}/api/progress`));
  }

  return (
    <Layout title="Backend">
      <main className="container margin-vert--lg">
        <h1>What the Python backend knows about you</h1>
        <ResultBlock id="me" title="GET /api/me" result={me} />
        <ResultBlock id="progress" title="GET /api/progress" result={progress} />
        <section className="margin-bottom--lg">
          <h2>PUT /api/progress</h2>
          <label htmlFor="progress-chapter">Chapter</label>{" "}
          <select id="progress-chapter" value={chapter} onChange={(e) => setChapter(e.target.value)}>
            <option value="variables">Variables and values</option>
            <option value="functions">Functions</option>
            <option value="data">Lists and dictionaries</option>
          </select>{" "}
          <button type="button" className="button button--primary button--sm" onClick={() => void markRead()}>
            Mark as read
          </button>
          {saved && (
            <>
              <p>
                Status: <strong data-testid="progress-put-status">{saved.status}</strong>
              </p>
              <pre data-testid="progress-put-body">{JSON.stringify(saved.body, null, 2)}</pre>
            </>
          )}
        </section>
      </main>
    </Layout>
  );
}
