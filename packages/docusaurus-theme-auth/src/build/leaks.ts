/**
 * The build's leak check: every file of the build a reader can get is read, and no passage of a page that reader
 * may not open may appear in it. Public files must hold no protected passage; a `signed-in` file must hold no
 * passage of a `complete-profile` page. Found leaks name the file, the page whose text it carries, and the passage.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { meets, type AccessLevel } from "../client/routes.js";
import { decodeEscapes, normalize } from "./text.js";

/** Files that cannot hold text (they are still protected or not by the manifest, only not read here). */
const BINARY = /\.(png|jpe?g|gif|webp|avif|ico|bmp|tiff?|woff2?|ttf|otf|eot|mp[34]|webm|ogg|wav|pdf|zip|gz|br|wasm)$/i;

export interface Passage {
  route: string;
  level: AccessLevel;
  text: string;
}

export interface Leak {
  file: string;
  route: string;
  passage: string;
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p, base)));
    else if (entry.isFile()) out.push(path.relative(base, p).split(path.sep).join("/"));
  }
  return out;
}

/** Looks passages up by their first three words while walking a file's words once. */
class PassageIndex {
  private byPrefix = new Map<string, Passage[]>();

  constructor(passages: readonly Passage[]) {
    for (const p of passages) {
      const key = p.text.split(" ", 3).join(" ");
      this.byPrefix.set(key, [...(this.byPrefix.get(key) ?? []), p]);
    }
  }

  find(content: string, allowed: (p: Passage) => boolean, markup = false): Passage[] {
    // In HTML a sentence may be cut by inline tags (<em>, <code>): read the text as the browser shows it.
    const shown = markup ? content.replace(/<[^>]*>/g, "") : content;
    const text = ` ${normalize(decodeEscapes(shown))} `;
    const found = new Set<Passage>();
    const words = text.trim().split(" ");
    let offset = 1;
    for (let i = 0; i + 2 < words.length; i++) {
      const candidates = this.byPrefix.get(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
      if (candidates) {
        for (const p of candidates) if (!found.has(p) && !allowed(p) && text.startsWith(` ${p.text} `, offset - 1)) found.add(p);
      }
      offset += words[i]!.length + 1;
    }
    return [...found];
  }
}

/**
 * Reads every file under `outDir` but `skip`; `levelOf` gives the level a reader needs to get a file (public
 * when it is not in the manifest). Returns the leaks and the number of files read.
 */
export async function findLeaks(
  outDir: string,
  passages: readonly Passage[],
  levelOf: (file: string) => AccessLevel,
  skip: (file: string) => boolean = () => false,
): Promise<{ leaks: Leak[]; filesChecked: number }> {
  const index = new PassageIndex(passages);
  const leaks: Leak[] = [];
  let filesChecked = 0;
  for (const file of await listFiles(outDir)) {
    if (skip(file) || BINARY.test(file)) continue;
    filesChecked++;
    const level = levelOf(file);
    const content = await readFile(path.join(outDir, file), "utf8");
    for (const p of index.find(content, (p) => meets(level, p.level), /\.(html?|xml|svg)$/i.test(file))) leaks.push({ file, route: p.route, passage: p.text });
  }
  return { leaks, filesChecked };
}

export function describeLeaks(leaks: readonly Leak[]): string {
  const lines = leaks.slice(0, 20).map((l) => `  ${l.file} carries text of protected route ${l.route}: "${l.passage.slice(0, 100)}"`);
  if (leaks.length > 20) lines.push(`  ... and ${leaks.length - 20} more`);
  return [
    `Protected text found in files that readers who may not open the page can download (${leaks.length}):`,
    ...lines,
    "A public page, a shared chunk or a generated data file carries it. Import the protected content only from protected pages,",
    "or mark the page `access: public` if it is meant to be public.",
  ].join("\n");
}
