import type { Config, Plugin } from "@docusaurus/types";
import type * as Preset from "@docusaurus/preset-classic";
import type { Options as AuthOptions } from "@textbook-auth/docusaurus-theme";

// SITE_BASE_URL and SITE_TRAILING_SLASH exist to check that the theme respects both settings in a real build;
// the product serves the site at "/" with Docusaurus' default trailing-slash behaviour.
const trailingSlash = process.env.SITE_TRAILING_SLASH === "true" ? true : process.env.SITE_TRAILING_SLASH === "false" ? false : undefined;

// SITE_AUTH_ORIGIN: the auth server's origin when it is not the site's own (the site on a sibling subdomain, README
// "The site on another origin"); the browser suite builds the site with it. Unset: one origin, the Node server
// serving both (no CORS, first-party cookies).
const authOrigin = process.env.SITE_AUTH_ORIGIN ? new URL(process.env.SITE_AUTH_ORIGIN).origin : "";

const auth: AuthOptions = {
  // Same origin as the site by default: the Node server serves both, so cookies stay first-party.
  authBaseUrl: `${authOrigin}/api/auth`,
  protectedRoutes: ["/docs/**", "/backend"],
  publicRoutes: ["/docs/intro"],
};

/**
 * `npm run dev -w @textbook-auth/site`: Docusaurus' hot-reloading dev server, with /api/* proxied to the running
 * Node server (`npm start`, or DEV_API_TARGET) so the browser still sees one origin. The proxy presents the
 * Node server's own origin in `Origin`, because Better-Auth's CSRF check trusts only the public URL; this is a
 * development convenience on a loopback port, never part of the built site.
 */
function devProxy(): Plugin {
  const target = process.env.DEV_API_TARGET ?? "http://localhost:3000";
  return {
    name: "textbook-dev-proxy",
    // `devServer` is merged into the dev server's options by `docusaurus start`; webpack's types do not list it.
    configureWebpack: (_config, isServer) =>
      isServer
        ? undefined
        : ({
            devServer: {
              proxy: [
                {
                  context: ["/api"],
                  target,
                  changeOrigin: true,
                  onProxyReq: (proxyReq: { getHeader(n: string): unknown; setHeader(n: string, v: string): void }) => {
                    if (proxyReq.getHeader("origin")) proxyReq.setHeader("origin", new URL(target).origin);
                  },
                },
              ],
            },
          } as unknown as ReturnType<NonNullable<Plugin["configureWebpack"]>>),
  };
}

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
  plugins: process.env.DEV_PROXY === "true" ? [devProxy] : [],
  // Where the /backend page calls the Python backend: the auth server's /api proxy ("" = this origin).
  customFields: { apiOrigin: authOrigin },
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
