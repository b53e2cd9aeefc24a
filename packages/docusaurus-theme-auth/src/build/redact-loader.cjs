/**
 * Bundler loader for the JSON data Docusaurus generates (route props under `.docusaurus/`): removes the
 * `description` of protected pages. Docusaurus puts every doc's excerpt into its version's props, which every docs
 * page loads, public ones included; a protected chapter's first paragraph would reach every visitor that way.
 * The theme writes the excerpts to redact into a file beside the generated data (option `file`), so a content
 * reload in `docusaurus start` is picked up. Plain CommonJS: the bundler loads loaders with require().
 */
const fs = require("node:fs");

module.exports = function redactProtectedDescriptions(source) {
  const { file } = this.getOptions();
  this.addDependency(file);
  let redact;
  try {
    redact = new Set(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    return source;
  }
  if (redact.size === 0) return source;
  let data;
  try {
    data = JSON.parse(source);
  } catch {
    return source;
  }
  const walk = (value) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        if (key === "description" && typeof v === "string" && redact.has(v)) value[key] = "";
        else walk(v);
      }
    }
  };
  walk(data);
  return JSON.stringify(data);
};
