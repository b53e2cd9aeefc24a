import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Profile } from "@textbook-auth/onboarding/client";
import { listOf, matchBlock, personalizedBlock, unknownValues } from "./personalize";

describe("personalised blocks", () => {
  it("accepts one value, a comma list or an array", () => {
    assert.deepEqual(listOf("beginner"), ["beginner"]);
    assert.deepEqual(listOf("beginner, intermediate"), ["beginner", "intermediate"]);
    assert.deepEqual(listOf(["advanced"]), ["advanced"]);
  });

  it("reports values outside the enum", () => {
    assert.deepEqual(unknownValues("level", ["beginner", "expert"]), ["expert"]);
    assert.deepEqual(unknownValues("role", ["data_science", "ml"]), ["ml"]);
  });

  it("shows the block only to a reader with a matching profile", () => {
    assert.equal(matchBlock("reader", "beginner", ["beginner"]), "match");
    assert.equal(matchBlock("reader", "advanced", ["beginner"]), "fallback");
    assert.equal(matchBlock("incomplete", "beginner", ["beginner"]), "fallback");
    assert.equal(matchBlock("visitor", null, ["beginner"]), "fallback");
  });

  it("shows neither before the session is known", () => {
    assert.equal(matchBlock("loading", null, ["beginner"]), "pending");
  });

  it("one body for both blocks: each compares its own profile field and lists its values in its own attribute", () => {
    const profile = { pythonProficiency: "beginner", developerRole: "frontend", onboardingCompleted: true, updatedAt: "" } as Profile;
    assert.deepEqual(personalizedBlock("proficiency", "beginner, intermediate", "reader", profile, false), {
      match: "match",
      attributes: { "data-personalized": "proficiency", "data-levels": "beginner intermediate", "data-match": "match" },
    });
    assert.deepEqual(personalizedBlock("role", ["frontend"], "reader", profile, false)?.attributes, {
      "data-personalized": "role",
      "data-roles": "frontend",
      "data-match": "match",
    });
    // Each block reads its own field: a new level changes the proficiency block, not the role block.
    const advanced = { ...profile, pythonProficiency: "advanced" } as Profile;
    assert.equal(personalizedBlock("proficiency", "beginner", "reader", advanced, false), null);
    assert.equal(personalizedBlock("role", "frontend", "reader", advanced, false)?.match, "match");
    assert.equal(personalizedBlock("role", "backend", "reader", profile, false), null);
    assert.equal(personalizedBlock("role", "backend", "reader", profile, true)?.match, "fallback");
    assert.equal(personalizedBlock("role", "frontend", "loading", profile, true), null);
  });

  it("names the block and the prop of an unknown value", () => {
    assert.throws(() => personalizedBlock("proficiency", "guru", "reader", null, false), /<ForProficiency level>: unknown level \["guru"\]/);
    assert.throws(() => personalizedBlock("role", "frontend,ml", "reader", null, false), /<ForRole role>: unknown role \["ml"\]/);
  });
});
