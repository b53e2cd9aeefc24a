import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeUserAgent } from "./user-agent.js";

describe("describeUserAgent", () => {
  it("names the browser and the system of common user agents", () => {
    const cases: [string, string][] = [
      ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"],
      ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"],
      ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"],
      ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1", "Chrome on iPhone"],
      ["Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"],
      ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome on Linux"],
      ["curl/8.5.0", "curl"],
    ];
    for (const [ua, expected] of cases) assert.equal(describeUserAgent(ua), expected, ua);
  });

  it("says so when there is nothing to read, and shortens what it cannot name", () => {
    assert.equal(describeUserAgent(null), "Unknown browser");
    assert.equal(describeUserAgent(""), "Unknown browser");
    assert.equal(describeUserAgent("x".repeat(100)).length, 58);
  });
});
