/**
 * Every theme page must work when a reader opens it by a full page load (a bookmark, a refresh, a link in a mail),
 * not only after navigating inside the app. Such a load hydrates the prerendered HTML, and React keeps the
 * server's attributes where the first client render differs (the submit buttons stayed `disabled`,
 * and links kept the href built without `?redirect=`). Each page here is opened with page.goto, then reloaded, and
 * its form is completed. Each test has its own browser context and its own reader, so any one of them runs alone.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Locator, Page } from "playwright-core";
import { contextsPerTest, launchBrowser, signUpReader, startProduct, startTestSmtp, step, uniqueEmail, type Product, type TestSmtp } from "./harness";

const CHAPTER = "/docs/variables";
const PASSWORD = "correct horse battery staple";
const READY_MS = 10_000;
const BEGINNER = { pythonProficiency: "beginner", developerRole: "data_science" };

/** A full page load, then a reload: both go through the prerendered HTML and hydration, never in-app navigation. */
async function openDirectly(page: Page, url: string, ready: (page: Page) => Locator): Promise<void> {
  await page.goto(url);
  await waitEnabled(ready(page), `${url} (first load)`);
  await page.reload();
  await waitEnabled(ready(page), `${url} (after reload)`);
}

/**
 * Waits until the control can be used. Filling a form before that would race hydration; a button that never gets
 * there is the bug this file pins, so it fails with that message rather than with a click timeout.
 */
async function waitEnabled(control: Locator, where: string): Promise<void> {
  await control.waitFor({ timeout: READY_MS });
  const deadline = Date.now() + READY_MS;
  while (!(await control.isEnabled())) {
    if (Date.now() > deadline) throw new Error(`${where}: the form's submit button is still disabled ${READY_MS} ms after the page loaded`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("theme pages opened by a full page load", () => {
  let product: Product;
  let smtp: TestSmtp;
  let browser: Browser;
  const contexts = contextsPerTest(() => ({ browser, options: { baseURL: product.url, timeout: READY_MS }, consoleErrors: true }));

  before(async () => {
    // With mail, so the reset and confirmation pages show their forms.
    smtp = await startTestSmtp();
    [product, browser] = await Promise.all([startProduct({ label: "direct-load", env: { SMTP_URL: smtp.url } }), launchBrowser()]);
  });

  // React reports hydration it had to throw away, and script failures, on the page; a direct load must cause
  // neither, so either fails the test that opened the page.
  afterEach(async () => assert.deepEqual(await contexts.closeAll(), [], "a page reported a script or hydration error"));

  after(async () => {
    await browser?.close();
    await product?.stop();
    await smtp?.stop();
  });

  it("sign-up: creates the account and goes on to onboarding, keeping the way back", async () => {
    const { context, page } = await contexts.open();
    const email = uniqueEmail("direct");
    await step(context, page, "direct-01-sign-up", async () => {
      const submit = (p: Page) => p.getByRole("button", { name: "Create account" });
      await openDirectly(page, `/sign-up?redirect=${encodeURIComponent(CHAPTER)}`, submit);
      // The link is an attribute of the prerendered HTML too: it must carry the way back after hydration.
      const signIn = page.getByRole("main").getByRole("link", { name: "Sign in" });
      assert.equal(await signIn.getAttribute("href"), `/sign-in?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.getByLabel("Name").fill("Dee Rect");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await submit(page).click();
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
    });
  });

  it("onboarding: saves the two answers and returns to the chapter", async () => {
    const { context, page } = await contexts.open();
    await signUpReader(context, product, { label: "direct-onboarding" });
    await step(context, page, "direct-02-onboarding", async () => {
      const submit = (p: Page) => p.getByRole("button", { name: "Continue" });
      await openDirectly(page, `/onboarding?redirect=${encodeURIComponent(CHAPTER)}`, submit);
      await page.getByRole("radio", { name: "Beginner: new to Python" }).check();
      await page.getByLabel("What describes your work best?").selectOption("data_science");
      await submit(page).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
    });
  });

  it("account: changes the profile, which a further load shows, and signs out", async () => {
    const { context, page } = await contexts.open();
    const { email } = await signUpReader(context, product, {
      label: "direct-account",
      name: "Dee Rect",
      profile: BEGINNER,
    });
    await step(context, page, "direct-03-account", async () => {
      const submit = (p: Page) => p.getByRole("button", { name: "Save profile" });
      await openDirectly(page, "/account", submit);
      assert.equal(await page.getByTestId("account-email").textContent(), email);
      assert.equal(await page.getByTestId("account-proficiency").getAttribute("data-value"), "beginner");
      await page.getByRole("radio", { name: "Advanced: I ship Python in production" }).check();
      await page.getByLabel("What describes your work best?").selectOption("robotics");
      await submit(page).click();
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      await page.reload();
      await page.getByTestId("account-email").waitFor();
      assert.equal(await page.getByTestId("account-proficiency").getAttribute("data-value"), "advanced");
      assert.equal(await page.getByTestId("account-role").getAttribute("data-value"), "robotics");
    });
    await step(context, page, "direct-03b-account-forms", async () => {
      // Every form of the account page, not only the profile's, is usable after a full load.
      await openDirectly(page, "/account", (p) => p.getByRole("button", { name: "Save name" }));
      assert.equal(await page.getByRole("textbox", { name: "Name", exact: true }).inputValue(), "Dee Rect");
      for (const name of ["Change email", "Change password", "Delete my account"]) {
        assert.ok(await page.getByRole("button", { name, exact: true }).isEnabled(), name);
      }
      await page.getByRole("table").getByText("This device").waitFor();
      await page.getByRole("textbox", { name: "Name", exact: true }).fill("Dee Rected");
      await page.getByRole("button", { name: "Save name" }).click();
      await page.getByRole("status").filter({ hasText: "Your name is saved." }).waitFor();
      await page.reload();
      await page.getByTestId("account-name").filter({ hasText: "Dee Rected" }).waitFor();
    });
    await step(context, page, "direct-04-signed-out", async () => {
      await openDirectly(page, "/account", (p) => p.getByRole("main").getByRole("button", { name: "Sign out" }));
      await page.getByRole("main").getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL((u) => u.pathname === "/" && u.search === "");
      const session = await page.evaluate(() => fetch("/api/auth/get-session").then((r) => r.json()));
      assert.equal(session, null);
    });
  });

  it("sign-in: signs the reader back in and returns to the chapter", async () => {
    const { context, page } = await contexts.open();
    const { email } = await signUpReader(context, product, { label: "direct-sign-in", profile: BEGINNER });
    await context.clearCookies();
    await step(context, page, "direct-05-sign-in", async () => {
      const submit = (p: Page) => p.getByRole("button", { name: "Sign in" });
      await openDirectly(page, `/sign-in?redirect=${encodeURIComponent(CHAPTER)}`, submit);
      const signUp = page.getByRole("main").getByRole("link", { name: "Create an account" });
      assert.equal(await signUp.getAttribute("href"), `/sign-up?redirect=${encodeURIComponent(CHAPTER)}`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await submit(page).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
    });
  });

  it("forgot-password: keeps the address it was given and sends the link", async () => {
    const { context, page } = await contexts.open();
    const { email } = await signUpReader(context, product, { label: "direct-forgot", profile: BEGINNER });
    await step(context, page, "direct-06-forgot-password", async () => {
      const submit = (p: Page) => p.getByRole("button", { name: "Send the link" });
      await openDirectly(page, `/forgot-password?email=${encodeURIComponent(email)}`, submit);
      assert.equal(await page.getByLabel("Email").inputValue(), email);
      await submit(page).click();
      await page.getByTestId("reset-requested").waitFor();
      await smtp.next(email, /reset/i);
    });
  });

  it("reset-password: the token from the query reaches the form; a bad one is refused by code", async () => {
    const { context, page } = await contexts.open();
    await step(context, page, "direct-07-reset-password", async () => {
      const submit = (p: Page) => p.getByRole("button", { name: "Change password" });
      await openDirectly(page, "/reset-password?token=not-a-real-token", submit);
      await page.getByLabel("New password", { exact: true }).fill("a long new password");
      await page.getByLabel("New password, again").fill("a long new password");
      await submit(page).click();
      await page.locator("[data-error-code=INVALID_TOKEN]").waitFor();
      await page.getByRole("link", { name: "Send a new link" }).waitFor();
    });
  });

  it("verify-email: says what went wrong with a link, by code", async () => {
    const { context, page } = await contexts.open();
    await signUpReader(context, product, { label: "direct-verify", profile: BEGINNER });
    await step(context, page, "direct-08-verify-email", async () => {
      await openDirectly(page, "/verify-email?error=TOKEN_EXPIRED", (p) => p.locator("[data-error-code=TOKEN_EXPIRED]"));
      // The reader is signed in here: the way to a new link is the account page.
      await page.getByRole("main").getByRole("link", { name: "Send a new link from your account page" }).waitFor();
    });
  });
});
