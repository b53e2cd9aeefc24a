import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { gateFor, statusOf } from "./access";

const paths = { current: "/docs/chapter-1?x=1#h", signIn: "/sign-in", onboarding: "/onboarding" };

describe("statusOf", () => {
  it("is loading during server rendering and while the first request is in flight", () => {
    assert.equal(statusOf(null), "loading");
    assert.equal(statusOf({ data: null, isPending: true }), "loading");
  });

  it("tells visitors, incomplete readers and readers apart", () => {
    assert.equal(statusOf({ data: null, isPending: false }), "visitor");
    assert.equal(statusOf({ data: null, isPending: false, error: { status: 401 } }), "visitor");
    assert.equal(statusOf({ data: { user: { profileComplete: false } }, isPending: false }), "incomplete");
    assert.equal(statusOf({ data: { user: {} }, isPending: false }), "incomplete");
    assert.equal(statusOf({ data: { user: { profileComplete: true } }, isPending: false }), "reader");
  });

  it("does not call a failed session check a visitor", () => {
    assert.equal(statusOf({ data: null, isPending: false, error: { status: 503 } }), "unavailable");
    assert.equal(statusOf({ data: null, isPending: false, error: new TypeError("fetch failed") }), "unavailable");
  });
});

describe("gateFor", () => {
  it("renders only for a reader with a complete profile", () => {
    assert.deepEqual(gateFor("reader", paths), { kind: "render" });
  });

  it("sends a visitor to sign-in with the way back", () => {
    assert.deepEqual(gateFor("visitor", paths), { kind: "redirect", to: "/sign-in?redirect=%2Fdocs%2Fchapter-1%3Fx%3D1%23h" });
  });

  it("sends an incomplete reader to onboarding with the way back", () => {
    assert.deepEqual(gateFor("incomplete", paths), { kind: "redirect", to: "/onboarding?redirect=%2Fdocs%2Fchapter-1%3Fx%3D1%23h" });
  });

  it("waits, rendering nothing protected, while the session is unknown", () => {
    assert.deepEqual(gateFor("loading", paths), { kind: "wait" });
    assert.deepEqual(gateFor("unavailable", paths), { kind: "wait" });
  });
});

describe("gateFor, by the page's level", () => {
  it("a signed-in page lets an incomplete reader in and still sends a visitor to sign-in", () => {
    assert.deepEqual(gateFor("incomplete", paths, "signed-in"), { kind: "render" });
    assert.equal(gateFor("visitor", paths, "signed-in").kind, "redirect");
    assert.deepEqual(gateFor("loading", paths, "signed-in"), { kind: "wait" });
  });

  it("a public page always renders", () => {
    for (const status of ["loading", "unavailable", "visitor", "incomplete", "reader"] as const) {
      assert.deepEqual(gateFor(status, paths, "public"), { kind: "render" });
    }
  });
});
