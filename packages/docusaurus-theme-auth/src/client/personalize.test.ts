import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { listOf, matchBlock, unknownValues } from "./personalize";

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
});
