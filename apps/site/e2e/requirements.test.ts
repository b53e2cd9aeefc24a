/**
 * Profile requirements that change, in a real browser: readers with complete profiles, then the site's questions
 * change (a role no longer offered, a new required question) and the auth server restarts on the same database with
 * them (PROFILE_FIELDS), migrating it. Those readers are sent to onboarding with their earlier answers filled in,
 * the backend refuses them with 403 PROFILE_INCOMPLETE, and answering takes them back to the chapter.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, OUTPUT_DIR, ROOT, startProduct, step, uniqueEmail, type Product } from "./harness";

const CHAPTER = "/docs/variables";
const PASSWORD = "correct horse battery staple";

function changedQuestions(): string {
  const fields = JSON.parse(readFileSync(path.join(ROOT, "packages/onboarding/src/profile-fields.json"), "utf8"));
  delete fields.developerRole.values.robotics;
  fields.developerRole.values.embedded = "Embedded engineer";
  fields.preferredEditor = {
    column: "preferred_editor",
    enumType: "preferred_editor",
    question: "Which editor do you use?",
    input: "radio",
    values: { vscode: "VS Code", pycharm: "PyCharm", vim: "Vim" },
  };
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, "requirements-profile-fields.json");
  writeFileSync(file, JSON.stringify(fields, null, 2));
  return file;
}

describe("profile requirements that change", () => {
  let product: Product;
  let browser: Browser;
  const tabs: { context: BrowserContext; page: Page }[] = [];

  /** A reader signed up and onboarded through the API, in a browser context of their own. */
  async function completeReader(answers: { pythonProficiency: string; developerRole: string }) {
    const context = await browser.newContext({ baseURL: product.url });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const headers = { origin: product.url };
    const up = await page.request.post("/api/auth/sign-up/email", { headers, data: { email: uniqueEmail("req"), password: PASSWORD, name: "Reader" } });
    assert.equal(up.status(), 200);
    const profile = await page.request.post("/api/auth/profile", { headers, data: answers });
    assert.equal((await profile.json()).complete, true);
    tabs.push({ context, page });
    return { context, page };
  }

  before(async () => {
    [product, browser] = await Promise.all([startProduct({ backend: true, label: "requirements" }), launchBrowser()]);
  });

  after(async () => {
    for (const { context } of tabs) await context.close().catch(() => {});
    await browser?.close();
    await product?.stop();
  });

  it("readers whose answers no longer satisfy the questions are asked again, with their answers filled in", async () => {
    const robot = await completeReader({ pythonProficiency: "beginner", developerRole: "robotics" });
    const student = await completeReader({ pythonProficiency: "advanced", developerRole: "student" });
    for (const { page } of [robot, student]) {
      await page.goto(CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      assert.equal((await page.request.get("/api/me")).status(), 200);
    }

    await product.restartServer({ PROFILE_FIELDS: changedQuestions() });

    await step(robot.context, robot.page, "requirements-01-full-load", async () => {
      const { page } = robot;
      await page.goto(CHAPTER);
      await page.waitForURL((u) => u.pathname === "/onboarding");
      assert.equal(new URL(page.url()).searchParams.get("redirect"), CHAPTER);
      await page.getByRole("form", { name: "Reader profile" }).waitFor();
      assert.equal(await page.getByLabel("Beginner: new to Python").isChecked(), true);
      // "robotics" is no longer offered: nothing is chosen for the role, and the new question is unanswered.
      assert.equal(await page.getByLabel("What describes your work best?").inputValue(), "");
      assert.equal(await page.getByRole("option", { name: "Robotics engineer" }).count(), 0);
      for (const editor of ["VS Code", "PyCharm", "Vim"]) assert.equal(await page.getByLabel(editor).isChecked(), false);
      const me = await page.request.get("/api/me");
      assert.equal(me.status(), 403);
      assert.equal((await me.json()).code, "PROFILE_INCOMPLETE");
    });

    await step(student.context, student.page, "requirements-02-in-app-navigation", async () => {
      const { page } = student;
      await page.goto("/docs/intro");
      await page.getByRole("heading", { level: 1, name: "Introduction" }).waitFor();
      await page.getByRole("link", { name: "Variables and values" }).first().click();
      await page.waitForURL((u) => u.pathname === "/onboarding");
      await page.getByRole("form", { name: "Reader profile" }).waitFor();
      assert.equal(await page.getByLabel("Advanced: I ship Python in production").isChecked(), true);
      assert.equal(await page.getByLabel("What describes your work best?").inputValue(), "student");
      assert.equal((await page.request.get("/api/me")).status(), 403);
    });

    await step(robot.context, robot.page, "requirements-03-answered", async () => {
      const { page } = robot;
      await page.getByLabel("What describes your work best?").selectOption("embedded");
      await page.getByLabel("Vim").check();
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      await page.getByRole("heading", { level: 1, name: "Variables and values" }).waitFor();
      const me = await page.request.get("/api/me");
      assert.equal(me.status(), 200);
      assert.equal((await me.json()).profile.developerRole, "embedded");
    });

    await step(student.context, student.page, "requirements-04-answered", async () => {
      const { page } = student;
      await page.getByLabel("PyCharm").check();
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL((u) => u.pathname === CHAPTER);
      assert.equal((await page.request.get("/api/me")).status(), 200);
    });
  });
});
