import { test } from "node:test";
import assert from "node:assert/strict";
import { createMailer, redactSmtpUrl } from "./mailer";
import { changeEmailMail, linksIn, resetPasswordMail, verifyEmailMail } from "./messages";

test("the start-up line names where mail goes, never the SMTP password", () => {
  assert.equal(redactSmtpUrl("smtp://user:s3cret@mail.example:587"), "smtp://user:***@mail.example:587");
  const smtp = createMailer({ kind: "smtp", url: "smtps://user:s3cret@mail.example:465", from: "a@b.example" });
  assert.ok(!smtp.description.includes("s3cret"));
  assert.match(smtp.description, /SMTP smtps:\/\/user:\*\*\*@mail\.example:465/);
  assert.match(createMailer({ kind: "mailbox", dir: "/tmp/x/mail", from: "a@b.example" }).description, /\/tmp\/x\/mail/);
  const off = createMailer({ kind: "off", reason: "NODE_ENV=production and SMTP_URL is not set" });
  assert.equal(off.enabled, false);
  assert.match(off.description, /off .*SMTP_URL/);
});

test("every message has a plain-text part with its link; the HTML part escapes what it shows", () => {
  const url = "https://book.example/api/auth/verify-email?token=a.b.c&callbackURL=%2Fverify-email";
  for (const mail of [resetPasswordMail("r@example.com", url, 60), verifyEmailMail("r@example.com", url), changeEmailMail("r@example.com", url)]) {
    assert.deepEqual(linksIn(mail.text), [url]);
    assert.ok(mail.html.includes(url.replace(/&/g, "&amp;")));
    assert.ok(!mail.html.includes("&callbackURL"), "raw ampersands in HTML attributes");
  }
});

test("check() says when the SMTP server does not answer, so the start can say it", async () => {
  const dead = createMailer({ kind: "smtp", url: "smtp://127.0.0.1:9", from: "a@b.example" });
  assert.match((await dead.check()) ?? "", /ECONNREFUSED|connect/i);
  await dead.stop();
  assert.equal(await createMailer({ kind: "mailbox", dir: "/tmp/unused", from: "a@b.example" }).check(), null);
});

test("stop() waits for messages still being sent; a failed one is logged, never thrown", async () => {
  const lines: string[] = [];
  const mailer = createMailer({ kind: "smtp", url: "smtp://127.0.0.1:9", from: "a@b.example" }, { log: (l) => lines.push(l) });
  let settled = false;
  mailer.background(mailer.send(verifyEmailMail("r@example.com", "https://book.example/x")).finally(() => (settled = true)));
  await mailer.stop();
  assert.equal(settled, true);
  assert.ok(lines.some((l) => /delivery failed/.test(l)), String(lines));
});
