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
