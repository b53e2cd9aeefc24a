/**
 * The product's messages. Contract: every message has a plain-text part that carries the whole content, link
 * included (mail clients that show no HTML, screen readers, the development mailbox); the HTML part says the same
 * with the link as a button. Links come from Better-Auth, built on PUBLIC_URL (its baseURL), never from a request.
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const APP = "Python for Builders";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function compose(to: string, subject: string, paragraphs: string[], action: { label: string; url: string }, footer: string): OutgoingMail {
  const text = [...paragraphs, `${action.label}:\n${action.url}`, footer, `— ${APP}`].join("\n\n") + "\n";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem">
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:.6rem 1rem;background:#2e8555;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(action.label)}</a></p>
<p style="font-size:.9em">Or open this address: <a href="${escapeHtml(action.url)}">${escapeHtml(action.url)}</a></p>
<p style="font-size:.9em;color:#555">${escapeHtml(footer)}</p>
</body></html>
`;
  return { to, subject, text, html };
}

export function resetPasswordMail(to: string, url: string, expiresInMinutes: number): OutgoingMail {
  return compose(
    to,
    `Reset your ${APP} password`,
    ["Someone (we hope you) asked to reset the password of your account.", `The link works once, for ${expiresInMinutes} minutes. Resetting signs you out everywhere.`],
    { label: "Choose a new password", url },
    "If you did not ask for this, ignore this message: your password stays as it is.",
  );
}

export function verifyEmailMail(to: string, url: string): OutgoingMail {
  return compose(
    to,
    `Confirm your email address for ${APP}`,
    ["Confirm that this address is yours to finish setting up your account."],
    { label: "Confirm my address", url },
    "If you did not create an account, ignore this message.",
  );
}

export function changeEmailMail(to: string, url: string): OutgoingMail {
  return compose(
    to,
    `Confirm your new email address for ${APP}`,
    ["You asked to use this address for your account. It takes effect once you confirm it; until then the old address stays."],
    { label: "Use this address", url },
    "If you did not ask for this, ignore this message: nothing changes.",
  );
}

/** Every http(s) link in a text part, in order: what the development mailbox lists and tests follow. */
export function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
}
