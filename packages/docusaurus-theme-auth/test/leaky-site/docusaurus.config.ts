// A deliberately leaking site for the theme's leak check (src/build/leak-check.test.ts): its public teaser page
// imports a protected chapter, so the chapter's text lands in a chunk every visitor can download. Its build must fail.
// FIXTURE_LEAK=off leaves the teaser out: the same site without the leak must build, its chapter's image protected.
import type { Config } from "@docusaurus/types";

const config: Config = {
  title: "Leaky fixture",
  url: "http://localhost:3000",
  baseUrl: "/",
  onBrokenLinks: "throw",
  future: { v4: true, faster: true },
  presets: [
    [
      "classic",
      {
        docs: { routeBasePath: "docs", sidebarPath: false },
        blog: false,
        pages: { exclude: process.env.FIXTURE_LEAK === "off" ? ["teaser.mdx"] : [] },
        theme: {},
      },
    ],
  ],
  themes: [["@textbook-auth/docusaurus-theme", { protectedRoutes: ["/docs/**"] }]],
};

export default config;
