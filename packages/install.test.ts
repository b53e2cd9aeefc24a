/**
 * The three packages as an adopter gets them: `npm pack` of the theme and the onboarding plugin, `python -m build` of
 * the Python package, each installed outside this repository (a temporary folder: nothing resolves from the
 * workspace's node_modules or .venv) into what an adopter starts from: a fresh `create-docusaurus` TypeScript site
 * and a fresh virtualenv. The site must build with the theme (and type-check, and swizzle a page); the Better-Auth
 * server and the FastAPI app are the minimal examples of the onboarding and Python READMEs, run as written, on a real
 * PostgreSQL: sign-up, 403 before onboarding, 200 after, 401 after sign-out (through the session cache the plugin's
 * migration makes possible). Dependencies come from the registry through the machine's npm and pip caches.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, freePort } from "../scripts/test-postgres.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const MINUTES = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Nothing of this repository's npm run (npm_config_*, npm_package_*) or test runner may steer the scratch installs.
const cleanEnv = (extra: Record<string, string> = {}) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k) && !["INIT_CWD", "NODE_OPTIONS", "NODE_ENV"].includes(k)) env[k] = v;
  }
  return { ...env, ...extra };
};

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 10 * MINUTES }, (error, stdout, stderr) =>
      error ? reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed:\n${stdout}\n${stderr}`.slice(-6000))) : resolve(stdout),
    );
  });
}

/** The first fenced block of `lang` in a README: the minimal working example the README opens with. */
function example(readme: string, lang: string): string {
  const match = readFileSync(path.join(ROOT, readme), "utf8").match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"));
  assert.ok(match, `${readme} has no \`\`\`${lang} example`);
  return match[1]!;
}

interface Server {
  child: ChildProcess;
  output: string[];
}

async function startServer(cmd: string, args: string[], cwd: string, env: Record<string, string>, readyUrl: string): Promise<Server> {
  const child = spawn(cmd, args, { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  for (const end = Date.now() + MINUTES; Date.now() < end; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited with ${child.exitCode}:\n${output.join("").slice(-4000)}`);
    if (await fetch(readyUrl).then((r) => r.ok, () => false)) return { child, output };
  }
  child.kill("SIGKILL");
  throw new Error(`${cmd} was not ready within a minute:\n${output.join("").slice(-4000)}`);
}

async function stop(server: Server | undefined) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once("exit", r));
  server.child.kill("SIGTERM");
  if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
    server.child.kill("SIGKILL");
    await exited;
  }
}

const listing = (tarball: string) => run("tar", ["-tzf", tarball], ROOT).then((out) => out.split("\n").filter(Boolean));

describe("the packages, packed and installed outside the workspace", { timeout: 20 * MINUTES }, () => {
  let tmp: string;
  const dist = () => path.join(tmp, "dist");
  const site = () => path.join(tmp, "site");
  const tarballs: Record<"theme" | "onboarding", string> = { theme: "", onboarding: "" };
  let wheel: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: Server[] = [];

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "textbook-packages-"));
    mkdirSync(dist());
    // prepack compiles lib/ if its sources changed; npm pack prints the tarball's name last.
    for (const [key, dir] of [["onboarding", "onboarding"], ["theme", "docusaurus-theme-auth"]] as const) {
      const out = await run("npm", ["pack", "--silent", "--pack-destination", dist()], path.join(ROOT, "packages", dir));
      tarballs[key] = path.join(dist(), out.trim().split("\n").at(-1)!);
    }
    await run(path.join(ROOT, ".venv/bin/python"), ["-m", "build", "--no-isolation", "--outdir", dist(), "packages/fastapi-better-auth"], ROOT);
    wheel = path.join(dist(), readdirSync(dist()).find((f) => f.endsWith(".whl"))!);

    const npmSide = (async () => {
      await run("npx", ["--yes", "create-docusaurus@3.10.2", "site", "classic", "--typescript", "--skip-install", "--package-manager", "npm"], tmp);
      // The README's install line, with Better-Auth pinned to the version this repository tests, and pg for the server.
      await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarballs.theme, tarballs.onboarding, "better-auth@1.7.25", "pg@8.23.1"], site());
    })();
    const pythonSide = (async () => {
      await run("python3", ["-m", "venv", path.join(tmp, "venv")], tmp);
      await run(path.join(tmp, "venv/bin/pip"), ["install", "--quiet", "--disable-pip-version-check", "-c", path.join(ROOT, "requirements.lock"), wheel, "uvicorn"], tmp);
    })();
    [db] = await Promise.all([createTestDatabase(), npmSide, pythonSide]);
  });

  after(async () => {
    for (const s of servers) await stop(s);
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("the npm tarballs carry lib/, src/, README and LICENSE; no tests, src/testing or tsconfig", async () => {
    const theme = await listing(tarballs.theme);
    for (const file of ["lib/index.js", "lib/index.d.ts", "lib/client/index.js", "lib/manifest.js", "lib/theme/Root/index.js",
      "lib/build/redact-loader.cjs", "lib/build/extract-runs.mjs", "src/theme/SignIn/index.tsx", "src/theme-auth.d.ts", "README.md", "LICENSE"]) {
      assert.ok(theme.includes(`package/${file}`), `theme tarball lacks ${file}`);
    }
    const onboarding = await listing(tarballs.onboarding);
    for (const file of ["lib/index.js", "lib/index.d.ts", "lib/client.js", "lib/profile-fields.json", "lib/contract.json", "lib/contract.js", "lib/jwt.js", "lib/session-changes.js", "README.md", "LICENSE"]) {
      assert.ok(onboarding.includes(`package/${file}`), `onboarding tarball lacks ${file}`);
    }
    for (const file of [...theme, ...onboarding]) {
      assert.doesNotMatch(file, /\.test\.tsx?$|\/testing\/|tsconfig|^package\/test\//, file);
    }
    for (const [name, dir] of [["theme", "docusaurus-theme-auth"], ["onboarding", "onboarding"]]) {
      const manifest = JSON.parse(readFileSync(path.join(site(), "node_modules/@textbook-auth", dir === "onboarding" ? "onboarding" : "docusaurus-theme", "package.json"), "utf8"));
      assert.ok(manifest.license && manifest.repository && manifest.homepage, `${name}: license, repository, homepage`);
      for (const [dep, range] of Object.entries<string>({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        assert.match(range, /^[\^~>]/, `${name}: ${dep} is pinned (${range}), not a range`);
      }
      assert.ok(manifest.peerDependencies["better-auth"], `${name}: better-auth is a peer`);
    }
  });

  it("the wheel is fastapi-better-auth with the module, py.typed, the trigger installer and the contract; building it left the source folder clean", async () => {
    assert.match(path.basename(wheel), /^fastapi_better_auth-[\d.]+-py3-none-any\.whl$/);
    const files = (await run(path.join(ROOT, ".venv/bin/python"), ["-m", "zipfile", "-l", wheel], ROOT)).split("\n");
    for (const file of ["better_auth_fastapi/__init__.py", "better_auth_fastapi/py.typed", "better_auth_fastapi/triggers.py", "better_auth_fastapi/__main__.py", "better_auth_fastapi/contract.json"]) {
      assert.ok(files.some((l) => l.startsWith(file + " ")), `wheel lacks ${file}`);
    }
    // The package data is the onboarding package's contract, byte for byte, as the npm tarball ships it.
    const shipped = await run(path.join(ROOT, ".venv/bin/python"), ["-c", "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read('better_auth_fastapi/contract.json').decode())", wheel], ROOT);
    assert.equal(shipped, readFileSync(path.join(ROOT, "packages/onboarding/src/contract.json"), "utf8"));
    assert.ok(!files.some((l) => /^(tests|fastapi)\//.test(l)), "no tests, and no top-level fastapi/");
    const folder = readdirSync(path.join(ROOT, "packages/fastapi-better-auth"));
    assert.deepEqual(folder.filter((f) => ["build", "dist"].includes(f) || f.endsWith(".egg-info")), []);
    assert.deepEqual(readdirSync(path.join(ROOT, "packages/fastapi-better-auth/src")), ["better_auth_fastapi"]);
  });

  it("a fresh create-docusaurus TypeScript site builds with the theme, type-checks its options, and swizzles a page from src/", async () => {
    const configFile = path.join(site(), "docusaurus.config.ts");
    let config = readFileSync(configFile, "utf8");
    // As the theme's README says: the theme with its options, and the navbar item.
    config = config
      .replace(/^(import type \* as Preset .*)$/m, `$1\nimport type {Options as AuthOptions} from '@textbook-auth/docusaurus-theme';`)
      .replace(/^ {2}presets: \[/m, `  themes: [['@textbook-auth/docusaurus-theme', {publicRoutes: ['/docs/intro']} satisfies AuthOptions]],\n  presets: [`)
      .replace(/^( {6}items: \[)$/m, `$1\n        {type: 'custom-auth', position: 'right'},`);
    assert.match(config, /custom-auth/);
    writeFileSync(configFile, config);
    const docusaurus = path.join(site(), "node_modules/.bin/docusaurus");
    // An ejected page is TypeScript from src/theme (getTypeScriptThemePath), built with the rest.
    await run(docusaurus, ["swizzle", "@textbook-auth/docusaurus-theme", "SignIn", "--typescript", "--eject"], site());
    assert.match(readFileSync(path.join(site(), "src/theme/SignIn/index.tsx"), "utf8"), /: ReactNode/);

    await run(docusaurus, ["build"], site());
    const build = path.join(site(), "build");
    assert.ok(existsSync(path.join(build, "sign-in/index.html")) && existsSync(path.join(build, "onboarding/index.html")));
    const manifest = JSON.parse(readFileSync(path.join(build, "protected-manifest.json"), "utf8"));
    assert.equal(manifest.routes["/docs/intro"], "public");
    assert.equal(manifest.routes["/docs/tutorial-basics/create-a-page"], "complete-profile");
    assert.ok(Object.keys(manifest.files).some((f) => f.startsWith("assets/js/")), "protected chunks are listed");
    await run(path.join(site(), "node_modules/.bin/tsc"), ["-p", "."], site());
    // JavaScript comes from lib/theme, its JSX kept for a person to edit.
    await run(docusaurus, ["swizzle", "@textbook-auth/docusaurus-theme", "AuthField", "--javascript", "--eject"], site());
    assert.match(readFileSync(path.join(site(), "src/theme/AuthField/index.js"), "utf8"), /<label htmlFor=\{id\}>/);
  });

  it("a FastAPI app with the wheel, against a Better-Auth server with the packed plugin: sign-up, 403, onboarding, 200, sign-out, 401", async () => {
    const secret = randomBytes(32).toString("base64");
    const authPort = await freePort();
    const origin = `http://127.0.0.1:${authPort}`;
    const env = { DATABASE_URL: db.url, BETTER_AUTH_SECRET: secret, PUBLIC_URL: origin };
    writeFileSync(path.join(site(), "auth.mjs"), example("packages/onboarding/README.md", "js"));
    servers.push(await startServer(process.execPath, ["auth.mjs"], site(), { ...env, PORT: String(authPort), HOST: "127.0.0.1" }, `${origin}/api/auth/ok`));
    const appDir = path.join(tmp, "api");
    mkdirSync(appDir);
    writeFileSync(path.join(appDir, "app.py"), example("packages/fastapi-better-auth/README.md", "python"));
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    servers.push(await startServer(path.join(tmp, "venv/bin/uvicorn"), ["app:app", "--host", "127.0.0.1", "--port", String(apiPort)], appDir, env, `${api}/api/health`));

    const email = `reader-${randomBytes(4).toString("hex")}@example.com`;
    const signUp = await fetch(`${origin}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify({ email, password: "correct horse battery", name: "Reader" }),
    });
    assert.equal(signUp.status, 200, await signUp.clone().text());
    const cookie = signUp.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="))!.split(";")[0]!;
    const me = () => fetch(`${api}/api/me`, { headers: { cookie } });
    const refused = async (status: number, code: string) => {
      const r = await me();
      assert.equal(r.status, status);
      const body = await r.json();
      assert.deepEqual([Object.keys(body).sort(), body.code], [["code", "message"], code]);
    };

    await refused(403, "PROFILE_INCOMPLETE");
    const onboarding = await fetch(`${origin}/api/auth/profile`, {
      method: "POST",
      headers: { "content-type": "application/json", origin, cookie },
      body: JSON.stringify({ pythonProficiency: "intermediate", developerRole: "data_science" }),
    });
    assert.equal(onboarding.status, 200, await onboarding.clone().text());
    const ok = await me();
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).email, email);
    await fetch(`${api}/api/me`).then(async (r) => assert.equal((await r.json()).code, "UNAUTHENTICATED"));

    // The plugin's migration installed the change triggers: the app's cache turns on, and still hears the sign-out.
    let state = "";
    for (const end = Date.now() + 10_000; Date.now() < end && state !== "on"; await sleep(100)) {
      state = (await (await fetch(`${api}/api/health`)).json()).sessionCache;
    }
    assert.equal(state, "on");
    assert.equal((await me()).status, 200);
    const signOut = await fetch(`${origin}/api/auth/sign-out`, { method: "POST", headers: { "content-type": "application/json", origin, cookie }, body: "{}" });
    assert.equal(signOut.status, 200);
    // The documented bound from a sign-out to the backend refusing it: asked until refused, not once after a fixed
    // sleep; only an answer to a request sent within 100 ms of the sign-out counts.
    const signedOutAt = Date.now();
    let refusedInTime = false;
    for (let sentAt = signedOutAt; !refusedInTime && sentAt - signedOutAt < 100; ) {
      sentAt = Date.now();
      const r = await me();
      refusedInTime = r.status !== 200;
      await r.body?.cancel();
    }
    assert.ok(refusedInTime, "the session was still accepted 100 ms after the sign-out");
    await refused(401, "UNAUTHENTICATED");
  });
});
