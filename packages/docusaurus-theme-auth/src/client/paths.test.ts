import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sitePath, themePaths } from "./paths";

describe("sitePath", () => {
  it("applies baseUrl", () => {
    assert.equal(sitePath("/", undefined, "/sign-in"), "/sign-in");
    assert.equal(sitePath("/textbook/", undefined, "/sign-in"), "/textbook/sign-in");
  });

  it("applies the trailingSlash setting", () => {
    assert.equal(sitePath("/", true, "/sign-in"), "/sign-in/");
    assert.equal(sitePath("/", false, "/sign-in/"), "/sign-in");
    assert.equal(sitePath("/", undefined, "/sign-in/"), "/sign-in/");
  });

  it("puts the home page at baseUrl", () => {
    assert.equal(themePaths("/textbook/", true, "/onboarding").home, "/textbook/");
    assert.equal(themePaths("/textbook/", true, "/onboarding").onboarding, "/textbook/onboarding/");
  });
});
