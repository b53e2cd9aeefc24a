import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getSwizzleConfig } from "./index";
import { THEME_PAGES } from "./client/paths";

const THEME_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "theme");

/** Every component folder under theme/ ("NavbarItem/AuthNavbarItem" for nested ones). */
function componentsIn(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      const name = prefix + e.name;
      return existsSync(path.join(dir, e.name, "index.tsx")) ? [name] : componentsIn(path.join(dir, e.name), `${name}/`);
    });
}

describe("swizzle config", () => {
  it("offers every page of the page table, with its description", () => {
    const { components } = getSwizzleConfig();
    for (const page of Object.values(THEME_PAGES)) {
      const name = page.component.replace("@theme/", "");
      assert.equal(components[name]?.description, page.description, name);
      assert.equal(components[name]?.actions.eject, "safe", name);
    }
  });

  it("names exactly the components the theme folder holds except the registries (MDXComponents), no more, no less", () => {
    const offered = Object.keys(getSwizzleConfig().components).sort();
    assert.deepEqual(offered, componentsIn(THEME_DIR).filter((c) => c !== "MDXComponents").sort());
  });
});
