// Trunk's post_build hook (see Trunk.toml). It works in Trunk's staging folder
// ($TRUNK_STAGING_DIR), after index.html is written and before Trunk moves the
// lot to dist/, so a failure here fails the build and no half-made dist ships.
//
// A node program, not `cargo xtask`: the hook runs inside every trunk build,
// also the one from an empty, offline cargo home, where xtask could not be
// compiled; node and terser are there already.
//
// 1. Release only: minifies wasm-bindgen's JavaScript with terser (1.5 KB
//    gzipped less; Trunk's own minifier cannot read that module), and swaps
//    the file's subresource-integrity hash in index.html for the new one.
// 2. Always: writes embed.js, the one stable URL a host page loads, from
//    build/embed.js.in with this build's hashed file names.
// 3. Always: the language loader (build/i18n.js, with the list of languages
//    read from i18n/*.json) goes inline into index.html, after the mount
//    element, and into embed.js: it starts fetching the form's words while
//    the wasm downloads. index.html also gets build/page.js: the standalone
//    page's title and language menu.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stage = process.env.TRUNK_STAGING_DIR;
if (!stage) throw new Error("run by Trunk as a hook: TRUNK_STAGING_DIR is not set");

/** The one file in the staging folder whose name matches. */
function built(pattern) {
  const found = readdirSync(stage).filter((name) => pattern.test(name));
  if (found.length !== 1) throw new Error(`want one ${pattern} in ${stage}, found ${found}`);
  return found[0];
}

const js = built(/^conference-form-[0-9a-f]+\.js$/);
const wasm = built(/^conference-form-[0-9a-f]+_bg\.wasm$/);
const css = built(/^form-[0-9a-f]+\.css$/);

/** A subresource-integrity value, as Trunk writes it. */
const integrity = (path) =>
  "sha384-" + createHash("sha384").update(readFileSync(path)).digest("base64");

const release = process.env.TRUNK_PROFILE === "release";
// The copy `cargo xtask setup` pinned, whatever PATH holds.
const terser = join(root, ".tools/node_modules/.bin/terser");
if (release && !existsSync(terser)) throw new Error(`${terser} is missing: run \`cargo xtask setup\` first`);

if (release) {
  const path = join(stage, js);
  const before = integrity(path);
  const args = [path, "--module", "--compress", "--mangle", "--output", path];
  console.log(`$ terser ${args.join(" ")}`);
  execFileSync(terser, args, { stdio: "inherit" });
  const indexPath = join(stage, "index.html");
  const index = readFileSync(indexPath, "utf8");
  if (!index.includes(before)) throw new Error(`index.html has no integrity ${before} for ${js}`);
  writeFileSync(indexPath, index.replaceAll(before, integrity(path)));
}

// Every catalog must parse. The loader gets, per language: its code, its
// own name, the standalone page's words (direction, title, menu label), so
// the page is in its language before any catalog downloads, and the file
// the form's words are fetched from: a compact copy named by its content
// (`de-<hash>.json`, as Trunk names its files), which the server lets
// browsers keep for good, so a second visit asks nothing.
const languages = readdirSync(join(root, "i18n"))
  .filter((name) => name.endsWith(".json"))
  .map((name) => {
    const code = name.slice(0, -".json".length);
    const catalog = JSON.parse(readFileSync(join(root, "i18n", name), "utf8"));
    const page = [catalog["language"], catalog["dir"], catalog["page.title"], catalog["language.menu"]];
    if (!page.every((s) => typeof s === "string")) throw new Error(`i18n/${name}: language, dir, page.title or language.menu missing`);
    if (code === "en") return [code, ...page, null]; // built into the wasm
    const compact = JSON.stringify(catalog);
    const file = `${code}-${createHash("sha256").update(compact).digest("hex").slice(0, 16)}.json`;
    writeFileSync(join(stage, "i18n", file), compact);
    return [code, ...page, file];
  })
  .sort(([a], [b]) => (a === "en" ? -1 : b === "en" ? 1 : a.localeCompare(b)));
let i18n = readFileSync(join(root, "build/i18n.js"), "utf8").replace(
  "__LANGUAGES__",
  JSON.stringify(languages),
);
let page = readFileSync(join(root, "build/page.js"), "utf8");
if (release) {
  // Function names kept: the inline call below and embed.js call them.
  const minify = (code) =>
    execFileSync(terser, ["--compress", "--mangle", "--keep-fnames"], { input: code }).toString().trim();
  i18n = minify(i18n);
  page = minify(page);
}
{
  const indexPath = join(stage, "index.html");
  const index = readFileSync(indexPath, "utf8");
  const call = `conferenceFormLanguage(document.getElementById("conference-form"),new URL("i18n/",document.baseURI));conferenceFormPage(document.getElementById("conference-form"))`;
  if (!index.includes("</body>")) throw new Error("index.html has no </body>");
  writeFileSync(indexPath, index.replace("</body>", `<script>${i18n}\n${page}\n${call}</script></body>`));
  console.log(`index.html: the language loader, for ${languages.map(([code]) => code).join(", ")}`);
}

const names = { css, js, wasm, i18n };
const loader = readFileSync(join(root, "build/embed.js.in"), "utf8").replace(
  /\{\{(\w+)\}\}/g,
  (_, key) => names[key] ?? (() => { throw new Error(`embed.js.in: no {{${key}}}`); })(),
);
writeFileSync(join(stage, "embed.js"), loader);
console.log(`embed.js: ${js}, ${wasm}, ${css}`);
