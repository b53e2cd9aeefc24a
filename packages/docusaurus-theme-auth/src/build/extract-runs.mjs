// Reads a JSON list of source files on stdin and prints {file: [text runs]}: the text nodes of Markdown/MDX (and
// the strings and JSX text of its expressions), of JavaScript/TypeScript, and the strings of JSON. A plain ESM
// script run with `node` by text.ts: the unified packages are ESM only, which the module loaders Docusaurus and
// the tests run the theme under cannot import.
import { readFileSync } from "node:fs";
import { createProcessor } from "@mdx-js/mdx";
import { parse } from "@babel/parser";

const TEXT_NODES = new Set(["text", "code", "inlineCode", "JSXText", "StringLiteral"]);

function collect(node, out, seen = new Set()) {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const child of node) collect(child, out, seen);
    return;
  }
  if ((TEXT_NODES.has(node.type) || node.type === "Literal" || node.type === "mdxJsxAttribute") && typeof node.value === "string") {
    out.push(node.value);
  } else if (node.type === "TemplateElement" && typeof node.value?.cooked === "string") {
    out.push(node.value.cooked);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== "position" && key !== "loc" && value && typeof value === "object") collect(value, out, seen);
  }
}

function strings(value, out) {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
}

function runsOf(file) {
  const source = readFileSync(file, "utf8");
  const ext = file.toLowerCase().split(".").at(-1);
  const out = [];
  if (ext === "md" || ext === "mdx") {
    const body = source.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, "");
    let tree;
    try {
      tree = createProcessor({ format: "mdx" }).parse(body);
    } catch {
      // Markdown that is not valid MDX (Docusaurus' `format: detect` builds .md as CommonMark).
      tree = createProcessor({ format: "md" }).parse(body);
    }
    collect(tree, out);
  } else if (ext === "json") {
    strings(JSON.parse(source), out);
  } else if (["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"].includes(ext)) {
    const plugins = ["ts", "mts", "cts"].includes(ext) ? ["typescript"] : ["jsx", "typescript"];
    collect(parse(source, { sourceType: "unambiguous", plugins, errorRecovery: true }).program, out);
  }
  return out;
}

const files = JSON.parse(readFileSync(0, "utf8"));
const result = {};
for (const file of files) {
  try {
    result[file] = runsOf(file);
  } catch (error) {
    result[file] = { error: String(error?.message ?? error) };
  }
}
process.stdout.write(JSON.stringify(result));
