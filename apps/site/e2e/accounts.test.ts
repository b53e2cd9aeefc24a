/**
 * Accounts in a real browser, with real mail: the product sends through SMTP_URL to a real SMTP server in the test,
 * and every journey opens the link of the message that arrived (confirmation at sign-up with
 * REQUIRE_EMAIL_VERIFICATION=true, password reset, email change), as a reader clicking it in their mail would. Then
 * the account page: sessions (another browser signed out from here), password, export, deletion. Each test has its
 * own browser context and its own reader, so any one of them runs alone.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext } from "playwright-core";
import { contextsPerTest, launchBrowser, signUpReader, startProduct, startTestSmtp, step, uniqueEmail, type Product, type TestSmtp } from "./harness";

const CHAPTER = "/docs/data";
const CHAPTER_TITLE = "Lists and dictionaries";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a fresh passphrase for the reader";
const BEGINNER = { pythonProficiency: "beginner", developerRole: "data_science" };

/** The one link in a message that leads to `prefix` on the product. */
function linkTo(product: Product, links: string[], prefix: string): string {
  const link = links.find((l) => l.startsWith(product.url + prefix));
  assert.ok(link, `no link to ${prefix} in ${JSON.stringify(links)}`);
  return link;
}

describe("accounts with real mail", () => {
  let product: Product;
  let smtp: TestSmtp;
  let browser: Browser;
  const contexts = contextsPerTest(() => ({ browser, options: { baseURL: product.url, acceptDownloads: true } }));

  /** A confirmed reader who has onboarded (beginner, data science), signed in within `context`. */
  const confirmedReader = (context: BrowserContext, label: string) => signUpReader(context, product, { label, name: "Mae Ling", profile: BEGINNER, smtp });

  before(async () => {
    smtp = await startTestSmtp();
    [product, browser] = await Promise.all([
      startProduct({ backend: true, label: "accounts", env: { SMTP_URL: smtp.url, REQUIRE_EMAIL_VERIFICATION: "true" } }),
      launchBrowser(),
    ]);
  });

  // A script error on any page a test opened fails that test.
  afterEach(async () => assert.deepEqual(await contexts.closeAll(), [], "a page reported a script error"));

  after(async () => {
    await browser?.close();
    await product?.stop();
    await smtp?.stop();
  });

  it("sign-in says which chapter the reader came for", async () => {
    const { context, page } = await contexts.open();
    await step(context, page, "accounts-01-sign-in-reason", async () => {
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/sign-in");
      const reason = page.getByTestId("sign-in-reason");
      await reason.waitFor();
      assert.equal((await reason.textContent())?.trim(), `Sign in to read ${CHAPTER_TITLE}.`);
      assert.equal(await reason.locator("em").textContent(), CHAPTER_TITLE);
    });
  });

  it("sign-up waits for the confirmation link, which signs the reader in and goes on to onboarding and the chapter", async () => {
    const { context, page } = await contexts.open();
    const email = uniqueEmail("mail");
    await step(context, page, "accounts-02-check-inbox", async () => {
      // From the chapter's sign-in page, so the way back to the chapter comes along.
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/sign-in");
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.waitForURL((u) => u.pathname === "/sign-up");
      await page.getByLabel("Name").fill("Mae Ling");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("sign-up-awaiting").waitFor();
    });
    const first = await smtp.next(email, /confirm/i);
    await step(context, page, "accounts-03-not-verified", async () => {
      // Signing in before opening it: a clear code, the input kept, and a button that sends the link again.
      await page.goto(`/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.locator("[data-error-code=EMAIL_NOT_VERIFIED]").waitFor();
      assert.equal(await page.getByLabel("Email").inputValue(), email);
      assert.equal(await page.getByLabel("Password").inputValue(), PASSWORD);
      await page.getByRole("button", { name: "Send the link again" }).click();
      await page.getByRole("status").filter({ hasText: "We sent a new link" }).waitFor();
    });
    // A second message (two tokens signed in the same second may be equal: Better-Auth's are JWTs).
    const again = await smtp.next(email, /confirm/i);
    assert.notEqual(again, first);
    await step(context, page, "accounts-04-verified", async () => {
      await page.goto(linkTo(product, again.links, "/api/auth/verify-email?"));
      await page.waitForURL((u) => u.pathname === "/verify-email");
      await page.getByTestId("email-verified").waitFor();
      await page.getByRole("link", { name: "Continue" }).click();
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
      await page.getByRole("radio", { name: "Beginner: new to Python" }).check();
      await page.getByLabel("What describes your work best?").selectOption("data_science");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: CHAPTER_TITLE }).waitFor();
    });
  });

  it("the account page shows the address as confirmed", async () => {
    const { context, page } = await contexts.open();
    await confirmedReader(context, "confirmed");
    await step(context, page, "accounts-05-account", async () => {
      await page.goto("/account");
      const state = page.getByTestId("account-email-state");
      await state.waitFor();
      assert.equal(await state.getAttribute("data-verified"), "true");
    });
  });

  it("changing the email: the new address gets the link, and the change happens when it is opened", async () => {
    const { context, page } = await contexts.open();
    const { email } = await confirmedReader(context, "mail");
    const newEmail = uniqueEmail("moved");
    await step(context, page, "accounts-06-email-change-sent", async () => {
      await page.goto("/account");
      await page.getByLabel("New email address").fill(newEmail);
      await page.getByRole("button", { name: "Change email" }).click();
      await page.getByTestId("email-change-sent").waitFor();
      assert.equal(await page.getByTestId("account-email").textContent(), email);
    });
    const mail = await smtp.next(newEmail, /new email/i);
    await step(context, page, "accounts-07-email-changed", async () => {
      await page.goto(linkTo(product, mail.links, "/api/auth/verify-email?"));
      await page.waitForURL((u) => u.pathname === "/verify-email");
      await page.getByTestId("email-verified").filter({ hasText: newEmail }).waitFor();
      await page.goto("/account");
      await page.getByTestId("account-email").filter({ hasText: newEmail }).waitFor();
    });
  });

  it("forgot password: the reset link sets a new password once, which then signs in, and the old link is refused", async () => {
    const { context, page } = await contexts.open();
    const { email } = await confirmedReader(context, "forgot");
    let resetLink = "";
    await step(context, page, "accounts-08-forgot", async () => {
      await page.goto("/account");
      await page.getByRole("main").getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/");
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(email);
      await page.getByRole("link", { name: "Forgot password?" }).click();
      await page.waitForURL((u) => u.pathname === "/forgot-password");
      // The address typed on the sign-in page comes along.
      await page.waitForFunction(() => (document.querySelector("#forgot-email") as HTMLInputElement | null)?.value.includes("@"));
      assert.equal(await page.getByLabel("Email").inputValue(), email);
      await page.getByRole("button", { name: "Send the link" }).click();
      await page.getByTestId("reset-requested").waitFor();
    });
    const mail = await smtp.next(email, /reset/i);
    resetLink = linkTo(product, mail.links, "/api/auth/reset-password/");
    await step(context, page, "accounts-09-reset", async () => {
      await page.goto(resetLink);
      await page.waitForURL((u) => u.pathname === "/reset-password" && u.searchParams.has("token"));
      await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel("New password, again").fill("not the same one");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.locator("[data-error-code=PASSWORDS_DIFFER]").waitFor();
      assert.equal(await page.getByLabel("New password", { exact: true }).inputValue(), NEW_PASSWORD, "input kept on error");
      await page.getByLabel("New password, again").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByTestId("password-reset-done").waitFor();
    });
    await step(context, page, "accounts-10-reset-link-used", async () => {
      await page.goto(resetLink);
      await page.waitForURL((u) => u.pathname === "/reset-password" && u.searchParams.get("error") === "INVALID_TOKEN");
      await page.locator("[data-error-code=INVALID_TOKEN]").waitFor();
    });
    await step(context, page, "accounts-10b-new-password-signs-in", async () => {
      // The new password is the one that works now; the old one is refused.
      const signIn = (password: string) =>
        page.request.post("/api/auth/sign-in/email", { data: { email, password }, headers: { origin: product.url } }).then(async (r) => [r.status(), (await r.json()).code]);
      assert.deepEqual(await signIn(PASSWORD), [401, "INVALID_EMAIL_OR_PASSWORD"]);
      assert.deepEqual(await signIn(NEW_PASSWORD), [200, undefined]);
    });
  });

  it("sign-in works with the keyboard alone", async () => {
    const { context, page } = await contexts.open();
    const { email } = await confirmedReader(context, "keyboard");
    await context.clearCookies();
    await step(context, page, "accounts-11-keyboard-sign-in", async () => {
      await page.goto(`/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
      const emailField = page.getByLabel("Email");
      await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
      await page.waitForFunction(() => !(document.querySelector("form[aria-label='Sign in'] button[type=submit]") as HTMLButtonElement).disabled);
      // From the page's start, Tab reaches the email field, then the password, then the button.
      await page.locator("body").focus();
      for (let i = 0; i < 40 && !(await emailField.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
      assert.ok(await emailField.evaluate((el) => el === document.activeElement), "Tab never reached the email field");
      await page.keyboard.type(email);
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "auth-password");
      await page.keyboard.type("a wrong password entirely");
      await page.keyboard.press("Enter");
      await page.locator("[data-error-code=INVALID_EMAIL_OR_PASSWORD]").waitFor();
      assert.equal(await emailField.inputValue(), email, "input kept on error");
      await page.getByLabel("Password").focus();
      await page.keyboard.press("Control+A");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
      await page.waitForURL((u) => u.pathname === CHAPTER);
    });
  });

  it("sessions: another browser is listed, signed out from here, and refused at once", async () => {
    const { context, page } = await contexts.open();
    const { email } = await confirmedReader(context, "sessions");
    const other = await browser.newContext({ baseURL: product.url });
    try {
      const otherPage = await other.newPage();
      await otherPage.goto("/sign-in");
      await otherPage.getByLabel("Email").fill(email);
      await otherPage.getByLabel("Password").fill(PASSWORD);
      await otherPage.getByRole("button", { name: "Sign in", exact: true }).click();
      await otherPage.waitForURL((u) => u.pathname === "/");
      const before = await otherPage.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()));
      assert.equal(before.user.email, email);

      await step(context, page, "accounts-12-sessions", async () => {
        await page.goto("/account");
        const rows = page.getByTestId("session-list").locator("tbody tr");
        await rows.nth(1).waitFor();
        assert.equal(await rows.count(), 2);
        assert.equal(await page.locator("tr[data-current=true]").getByText("This device").count(), 1);
        await page.locator("tr:not([data-current])").getByRole("button", { name: /^Sign out / }).click();
        await page.getByRole("status").filter({ hasText: "Signed out" }).waitFor();
        await page.waitForFunction(() => document.querySelectorAll("[data-testid=session-list] tbody tr").length === 1);
      });
      const after = await otherPage.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()));
      assert.equal(after, null);
      if (product.backendUrl) {
        const me = await otherPage.evaluate(() => fetch("/api/me").then((r) => r.status));
        assert.equal(me, 401);
      }
    } finally {
      await other.close();
    }
  });

  it("export: a JSON download of the account, profile, sessions, sign-in methods and the backend's data", async () => {
    const { context, page } = await contexts.open();
    const { email } = await confirmedReader(context, "export");
    await step(context, page, "accounts-13-export", async () => {
      await page.goto("/account");
      const download = page.waitForEvent("download");
      await page.getByRole("link", { name: "Download my data" }).click();
      const file = await download;
      assert.match(file.suggestedFilename(), /^textbook-account-\d{4}-\d{2}-\d{2}\.json$/);
      const data = JSON.parse(readFileSync((await file.path())!, "utf8"));
      assert.equal(data.user.email, email);
      assert.equal(data.user.emailVerified, true);
      assert.equal(data.profile.pythonProficiency, "beginner");
      assert.equal(data.sessions.length, 1);
      assert.equal(data.accounts[0].providerId, "credential");
      if (product.backendUrl) assert.deepEqual(data.backend, { readingProgress: [] });
    });
  });

  it("delete: after the password, the account is gone and its session refused", async () => {
    const { context, page } = await contexts.open();
    const { email } = await confirmedReader(context, "delete");
    await step(context, page, "accounts-14-delete", async () => {
      await page.goto("/account");
      const form = page.locator("form[aria-label='Delete your account']");
      await form.getByRole("checkbox").check();
      await form.getByRole("button", { name: "Delete my account" }).click();
      // The browser's own validation keeps the form until the password is there; then a wrong one is refused.
      await form.getByLabel("Your password").fill("not my password");
      await form.getByRole("button", { name: "Delete my account" }).click();
      await form.locator("[data-error-code=INVALID_PASSWORD]").waitFor();
      await form.getByLabel("Your password").fill(PASSWORD);
      await form.getByRole("button", { name: "Delete my account" }).click();
      await page.waitForURL((u) => u.pathname === "/");
      const session = await page.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()));
      assert.equal(session, null);
      const signIn = await page.evaluate(
        ([email, password]) =>
          fetch("/api/auth/sign-in/email", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) }).then((r) => r.json()),
        [email, PASSWORD],
      );
      assert.equal(signIn.code, "INVALID_EMAIL_OR_PASSWORD");
    });
  });

});
