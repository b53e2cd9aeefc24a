/**
 * What "a protected page's text" means to the leak check: the passages of a page's own source files (its MDX or
 * Markdown, the text in its React components, the strings of its generated JSON), split into sentences, and
 * compared as words only (lowercased, punctuation and markup dropped) so that escaping in JavaScript or HTML, or a
 * line break, cannot hide a copy. Only sentences of at least MIN_WORDS words count: a short phrase ("For
 * beginners.") proves nothing and appears everywhere.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const MIN_WORDS = 6;

/** Words only: "Read `=` as \"now refers to\"," → "read as now refers to". */
export function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** A built file's content as a reader would see its strings: JavaScript and JSON escapes, HTML entities undone. */
export function decodeEscapes(content: string): string {
  return content
    .replace(/\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (_, a, b, c) => {
      const code = parseInt(a ?? b ?? c, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    })
    .replace(/\\[nrtvfb]/g, " ")
    .replace(/&#(\d+);|&#x([0-9a-fA-F]+);|&([a-z]+);/g, (whole, dec, hex, name) => {
      if (name) return ENTITIES[name] ?? whole;
      const code = dec ? Number(dec) : parseInt(hex, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    });
}

/**
 * Sentences of at least MIN_WORDS words in one run of text, each normalized. A run without whitespace is a name,
 * not prose: a route (`/docs/tutorial-extras/translate-your-site`), a source path, an id. Route names are public by
 * design (the sitemap and the manifest list them), and the bundle's route table carries every one of them, so a
 * long slug would otherwise fail the build of any site that has one (create-docusaurus' own tutorial pages do).
 */
export function sentences(run: string): string[] {
  return run
    .split(/(?<=[.!?;:])\s+|\n\s*\n/)
    .filter((s) => /\S\s+\S/.test(s))
    .map(normalize)
    .filter((s) => s.split(" ").length >= MIN_WORDS);
}

// Copied beside the compiled text.js in lib/build (the build script copies every non-TypeScript file of src/).
const EXTRACTOR = fileURLToPath(new URL("./extract-runs.mjs", import.meta.url));
const TEXT_SOURCE = /\.(mdx?|[cm]?[jt]sx?|json)$/i;

/**
 * The passages (normalized sentences) of each source file that can hold a page's text (Markdown, MDX, JavaScript,
 * TypeScript, JSON); other files have none. Throws if a file cannot be read or parsed: a check that skipped a page
 * it could not read would pass on exactly the pages it does not understand.
 */
export async function passagesOfFiles(files: readonly string[]): Promise<Map<string, string[]>> {
  const wanted = [...new Set(files)].filter((f) => TEXT_SOURCE.test(f));
  const result = new Map<string, string[]>();
  if (!wanted.length) return result;
  const stdout = await new Promise<string>((resolve, reject) => {
    // A plain `node`: no loader of the parent process (jiti, tsx) may touch the ESM-only parsers.
    const child = execFile(process.execPath, [EXTRACTOR], { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: "" } }, (error, out, err) =>
      error ? reject(new Error(`${EXTRACTOR}: ${err || error.message}`)) : resolve(out),
    );
    child.stdin!.end(JSON.stringify(wanted));
  });
  for (const [file, runs] of Object.entries(JSON.parse(stdout) as Record<string, string[] | { error: string }>)) {
    if (!Array.isArray(runs)) throw new Error(`${file}: cannot read its text for the leak check: ${runs.error}`);
    result.set(file, [...new Set(runs.flatMap(sentences))]);
  }
  return result;
}
