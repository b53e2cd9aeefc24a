/**
 * The development mailbox: with NODE_ENV=development and no SMTP_URL, each message is kept as two files under
 * DATA_DIR/mail: `<time>-<id>.eml` (the whole message as it would have gone out, openable in any mail client) and
 * `<time>-<id>.json` (who, what, when, the text part and its links) that /dev/mailbox lists, newest first.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { linksIn, type OutgoingMail } from "./messages";

export interface StoredMail {
  id: string;
  date: string;
  to: string;
  subject: string;
  text: string;
  links: string[];
}

/** The newest messages the page lists; older ones stay on disk. */
const LIST_LIMIT = 200;

export class Mailbox {
  constructor(readonly dir: string) {}

  async keep(mail: OutgoingMail, raw: Buffer): Promise<StoredMail> {
    // Only this user may read them: they hold working sign-in links.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const date = new Date();
    const id = `${date.toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}`;
    const stored: StoredMail = { id, date: date.toISOString(), to: mail.to, subject: mail.subject, text: mail.text, links: linksIn(mail.text) };
    await writeFile(path.join(this.dir, `${id}.eml`), raw, { mode: 0o600 });
    await writeFile(path.join(this.dir, `${id}.json`), JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
    return stored;
  }

  async list(): Promise<StoredMail[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const newest = names.filter((n) => n.endsWith(".json")).sort().reverse().slice(0, LIST_LIMIT);
    const messages = await Promise.all(
      newest.map((n) =>
        readFile(path.join(this.dir, n), "utf8")
          .then((t) => JSON.parse(t) as StoredMail)
          .catch(() => null),
      ),
    );
    return messages.filter((m): m is StoredMail => m !== null);
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The /dev/mailbox page: server-rendered, no script, so it works whatever state the site's build is in. */
export function mailboxPage(messages: StoredMail[], dir: string): string {
  const items = messages
    .map(
      (m) => `<article>
<h2>${escapeHtml(m.subject)}</h2>
<p class="meta">To <strong>${escapeHtml(m.to)}</strong>, <time datetime="${escapeHtml(m.date)}">${escapeHtml(m.date)}</time></p>
<ul>${m.links.map((l) => `<li><a href="${escapeHtml(l)}">${escapeHtml(l)}</a></li>`).join("")}</ul>
<details><summary>Text</summary><pre>${escapeHtml(m.text)}</pre></details>
</article>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Development mailbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
article{border-top:1px solid #ccc;padding:.5rem 0}h2{font-size:1.1rem;margin:.5rem 0}.meta{color:#444;margin:0}
pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}a{word-break:break-all}</style></head>
<body><main>
<h1>Development mailbox</h1>
<p>Mail the server would have sent, newest first (${messages.length}). Kept in <code>${escapeHtml(dir)}</code>.
Set <code>SMTP_URL</code> to send real mail; this page exists only in development.</p>
${items || "<p>No messages yet.</p>"}
</main></body></html>
`;
}
