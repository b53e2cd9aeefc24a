import type { Config } from "@docusaurus/types";
import type * as Preset from "@docusaurus/preset-classic";
import type { Options as AuthOptions } from "@textbook-auth/docusaurus-theme";

// SITE_BASE_URL and SITE_TRAILING_SLASH exist to check that the theme respects both settings in a real build;
// the product serves the site at "/" with Docusaurus' default trailing-slash behaviour.
const trailingSlash = process.env.SITE_TRAILING_SLASH === "true" ? true : process.env.SITE_TRAILING_SLASH === "false" ? false : undefined;

const auth: AuthOptions = {
  // Same origin as the site: the Node server serves both (decision 2).
  authBaseUrl: "/api/auth",
  protectedRoutes: ["/docs/**", "/backend"],
  publicRoutes: ["/docs/intro"],
};

const config: Config = {
  title: "Python for Builders",
  tagline: "A textbook that knows its reader",
  url: "http://localhost:3000",
  baseUrl: process.env.SITE_BASE_URL ?? "/",
  trailingSlash,
  onBrokenLinks: "throw",
  markdown: { hooks: { onBrokenMarkdownLinks: "throw" } },
  i18n: { defaultLocale: "en", locales: ["en"] },
  // Rspack and SWC instead of webpack and Babel: a build in seconds rather than tens of seconds.
  future: { v4: true, faster: true },
  presets: [
    [
      "classic",
      {
        docs: { sidebarPath: "./sidebars.ts", routeBasePath: "docs" },
        blog: false,
        theme: { customCss: "./src/css/custom.css" },
      } satisfies Preset.Options,
    ],
  ],
  themes: [["@textbook-auth/docusaurus-theme", auth]],
  themeConfig: {
    navbar: {
      title: "Python for Builders",
      items: [
        { type: "docSidebar", sidebarId: "textbook", position: "left", label: "Textbook" },
        { to: "/backend", label: "Backend", position: "left" },
        { type: "custom-auth", position: "right" },
      ],
    },
    footer: { style: "dark", copyright: "Example textbook for the textbook-auth project." },
  } satisfies Preset.ThemeConfig,
};

export default config;
