// Trunk's post_build hook (see Trunk.toml). It works in Trunk's staging folder
// ($TRUNK_STAGING_DIR), after index.html is written and before Trunk moves the
// lot to dist/, so a failure here fails the build and no half-made dist ships.
//
// A node program, not `cargo xtask`: the hook runs inside every trunk build,
// also the one from an empty, offline cargo home, where xtask could not be
// compiled; node and terser are there already.
//
// 1. Release only: gives the wasm's imports and hash-named exports short
//    names, in the wasm and in wasm-bindgen's JavaScript (see `shortenNames`),
//    minifies that JavaScript with terser (1.5 KB gzipped less; Trunk's own
//    minifier cannot read that module), and swaps both files' subresource-
//    integrity hashes in index.html for the new ones.
// 2. Always: writes embed.js, the one stable URL a host page loads, from
//    build/embed.js.in with this build's hashed file names.
// 3. Always: one copy of index.html per language (index.html English,
//    index.<lang>.html the others), each with the form rendered ahead in its
//    words (form/<lang>.html, written by Trunk's pre_build hook), its title
//    and description. The language loader (build/i18n.js, with the list of
//    languages read from i18n/*.json) goes inline into each copy's head and
//    into embed.js: it starts fetching the form's words while the wasm
//    downloads, and hands what was typed in the early form to the live one.
//    The copies also get build/page.js: the standalone page's language menu.

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
  const jsPath = join(stage, js);
  const wasmPath = join(stage, wasm);
  const before = [integrity(jsPath), integrity(wasmPath)];
  const { imports, exports } = shortenNames(wasmPath, jsPath);
  console.log(`${wasm}: ${imports} imports, their module and ${exports} exports given short names`);
  const args = [jsPath, "--module", "--compress", "--mangle", "--output", jsPath];
  console.log(`$ terser ${args.join(" ")}`);
  execFileSync(terser, args, { stdio: "inherit" });
  const indexPath = join(stage, "index.html");
  let index = readFileSync(indexPath, "utf8");
  [jsPath, wasmPath].forEach((path, i) => {
    if (!index.includes(before[i])) throw new Error(`index.html has no integrity ${before[i]} for ${path}`);
    index = index.replaceAll(before[i], integrity(path));
  });
  writeFileSync(indexPath, index);
}

/**
 * Gives short names to what wasm-bindgen names with hashes, in the wasm and
 * in its JavaScript; nothing else in either file changes:
 * - the functions the wasm imports from that JavaScript, to a, b, …, Z, aa,
 *   ab, …: wasm-bindgen names each `__wbg_<method>_<16 hex digits>`, and
 *   every name is in both files (about 3.7 KB of each; the hashes do not
 *   compress);
 * - the module they come from, `./conference-form_bg.js`, written before each
 *   of the 100-odd imports, to `a`;
 * - the functions the wasm exports whose names carry a crate hash (the
 *   closures' entry points, `wasm_bindgen_<hash>___convert__closures…`, 70
 *   to 190 bytes each), to $a, $b, …
 * Our own code, as wasm-opt's `--minify-imports` renames only Emscripten's
 * `env` imports. Each import's name and the module's must occur exactly once
 * in the JavaScript, each renamed export at least once, and the new module
 * must compile with the same imports and exports but for their names, or the
 * build fails.
 */
function shortenNames(wasmPath, jsPath) {
  const bytes = readFileSync(wasmPath);
  let script = readFileSync(jsPath, "utf8");
  let at = 8; // after the magic number and the version
  const uleb = () => {
    let value = 0, shift = 0, byte;
    do {
      if (at >= bytes.length) throw new Error(`${wasmPath}: a number runs past the end`);
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const leb = (n) => {
    const out = [];
    do {
      out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return Buffer.from(out);
  };
  const text = () => {
    const length = uleb();
    at += length;
    return bytes.toString("utf8", at - length, at);
  };
  const string = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const short = (n) => (n >= letters.length ? short(Math.floor(n / letters.length) - 1) : "") + letters[n % letters.length];
  // Replaces `name` where the JavaScript uses it: an import as a key of the
  // import object (`name: function…`, exactly once), an export as a
  // property of the instance's exports (`wasm.name`, at least once), the
  // module as the key `"name"` (exactly once). Anything else fails the build,
  // as does an export's new name that the JavaScript already has (imports
  // and the module are keys of their own objects: their names cannot clash).
  const rename = (name, newName, use) => {
    const word = (w) => w.replace(/[^\w]/g, "\\$&");
    const pattern = {
      import: new RegExp(`(?<![\\w$])${word(name)}(?=\\s*:)`, "g"),
      export: new RegExp(`(?<=\\.)${word(name)}(?![\\w$])`, "g"),
      module: new RegExp(`"${word(name)}"(?=\\s*:)`, "g"),
    }[use];
    const found = script.match(pattern)?.length ?? 0;
    if (use === "export" ? found < 1 : found !== 1) throw new Error(`${jsPath}: ${use} ${name} found ${found} times`);
    if (use === "export" && new RegExp(`(?<![\\w$])${word(newName)}(?![\\w$])`).test(script)) {
      throw new Error(`${jsPath} already has ${newName}`);
    }
    script = script.replace(pattern, () => (use === "module" ? `"${newName}"` : newName));
  };
  const glue = "a";
  let glueModule; // wasm-bindgen's, named once
  if (bytes.readUInt32BE(0) !== 0x0061736d) throw new Error(`${wasmPath} is not a wasm module`);
  const parts = [bytes.subarray(0, 8)];
  const counts = { imports: 0, exports: 0 };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = uleb();
    const end = at + size;
    if (end > bytes.length) throw new Error(`${wasmPath}: section ${id} runs past the end`);
    if (id !== 2 && id !== 7) {
      parts.push(bytes.subarray(start, end));
      at = end;
      continue;
    }
    const out = [leb(uleb())];
    while (at < end) {
      if (id === 2) {
        let module = text();
        const name = text();
        const kind = bytes[at];
        const descStart = at++;
        // Only functions (kind 0, a type index) are renamed; anything else
        // would need its own description read, so the build stops.
        if (kind !== 0) throw new Error(`${wasmPath}: import ${name} is not a function`);
        uleb();
        let newName = name;
        // wasm-bindgen's own glue (snippets keep their names).
        if (module.endsWith("_bg.js")) {
          if (glueModule === undefined) {
            glueModule = module;
            rename(module, glue, "module");
          }
          if (module !== glueModule) throw new Error(`${wasmPath}: a second glue module, ${module}`);
          newName = short(counts.imports++);
          rename(name, newName, "import");
          module = glue;
        }
        out.push(string(module), string(newName), bytes.subarray(descStart, at));
      } else {
        const name = text();
        const descStart = at++; // the kind, then an index
        uleb();
        let newName = name;
        if (/^wasm_bindgen_[0-9a-f]{16}_/.test(name)) {
          newName = "$" + short(counts.exports++);
          rename(name, newName, "export");
        }
        out.push(string(newName), bytes.subarray(descStart, at));
      }
    }
    if (at !== end) throw new Error(`${wasmPath}: section ${id} does not end where it says`);
    const body = Buffer.concat(out);
    parts.push(Buffer.from([id]), leb(body.length), body);
  }
  const result = Buffer.concat(parts);
  // The engine's own check: the module is whole, and imports and exports
  // what it did, in the same order and kinds.
  const shape = (wasm) => {
    const m = new WebAssembly.Module(wasm);
    const glued = (i) => (i.module.endsWith("_bg.js") || i.module === glue ? "glue" : i.module);
    return [...WebAssembly.Module.imports(m).map((i) => `${glued(i)} ${i.kind}`), ...WebAssembly.Module.exports(m).map((e) => e.kind)].join();
  };
  if (shape(result) !== shape(bytes)) throw new Error(`${wasmPath}: renaming changed the module`);
  writeFileSync(wasmPath, result);
  writeFileSync(jsPath, script);
  return counts;
}

// Every catalog must parse. The loader gets, per language: its code, its
// own name, the standalone page's words (direction, title, menu label), so
// the page is in its language before any catalog downloads, and the file
// the form's words are fetched from: a compact copy named by its content
// (`de-<hash>.json`, as Trunk names its files), which the server lets
// browsers keep for good, so a second visit asks nothing.
// Each catalog, read once, by language code.
const catalogs = new Map(
  readdirSync(join(root, "i18n"))
    .filter((name) => name.endsWith(".json"))
    .map((name) => [name.slice(0, -".json".length), JSON.parse(readFileSync(join(root, "i18n", name), "utf8"))]),
);
const languages = [...catalogs]
  .map(([code, catalog]) => {
    const name = `${code}.json`;
    const page = [catalog["language"], catalog["dir"], catalog["page.title"], catalog["language.menu"]];
    if (!page.every((s) => typeof s === "string")) throw new Error(`i18n/${name}: language, dir, page.title or language.menu missing`);
    if (code === "en") return [code, ...page, null]; // built into the wasm
    const compact = JSON.stringify(catalog);
    const file = `${code}-${createHash("sha256").update(compact).digest("hex").slice(0, 16)}.json`;
    writeFileSync(join(stage, "i18n", file), compact);
    return [code, ...page, file];
  })
  .sort(([a], [b]) => (a === "en" ? -1 : b === "en" ? 1 : a.localeCompare(b)));
// A function, not a string, as the replacement (a translated title may hold
// `$&`), and no `<` left raw (a catalog's `</script>` would end the script).
const languageLoader = (table) =>
  readFileSync(join(root, "build/i18n.js"), "utf8").replace("__LANGUAGES__", () => JSON.stringify(table).replace(/</g, "\\u003c"));
let i18n = languageLoader(languages);
// embed.js has no page around the form: the languages' own names, titles
// and menu labels stay out of it (0 keeps the places).
let embedI18n = languageLoader(languages.map(([code, , dir, , , file]) => [code, 0, dir, 0, 0, file]));
let page = readFileSync(join(root, "build/page.js"), "utf8");
if (release) {
  // Function names kept: the inline call below and embed.js call them.
  const minify = (code) =>
    execFileSync(terser, ["--compress", "--mangle", "--keep-fnames"], { input: code }).toString().trim();
  i18n = minify(i18n);
  embedI18n = minify(embedI18n);
  page = minify(page);
}
{
  // One copy of the page per language, each with the form rendered ahead
  // in its words (form/<lang>.html, from src/bin/prerender.rs, Trunk's
  // pre_build hook): index.html is English, index.<lang>.html the others.
  // The loader and the page's script go into the head, where the page
  // moves to the visitor's copy before anything is drawn (a static host);
  // after the form, the call that starts the loader.
  const indexPath = join(stage, "index.html");
  // Chromium ignores `integrity` on a preload of the wasm (as=fetch) and
  // warns about it on every load (crbug.com/981419); the module's own
  // preload keeps its hash.
  //
  // The stylesheets go inline: a page that waits for them to be fetched
  // after it has come shows the form one round trip later (measured on the
  // mobile profile: first paint 0.60x live-ready with them as files). They
  // move from files into the page, so a first visit fetches no more bytes,
  // and a second is a 304. embed.js still links form.css.
  const index = readFileSync(indexPath, "utf8").replace(/<link\b[^>]*>/g, (link) => {
    if (/\bas="?fetch\b/.test(link)) return link.replace(/\s+integrity=("[^"]*"|[^\s>]+)/, "");
    const sheet = /\brel="?stylesheet\b/.test(link) && link.match(/\bhref="?\/?((?:page|form)-[0-9a-f]+\.css)/);
    return sheet ? `<style>${readFileSync(join(stage, sheet[1]), "utf8").trim()}</style>` : link;
  });
  if (/rel="?stylesheet/.test(index)) throw new Error("index.html: a stylesheet left as a file");
  const call = `conferenceFormLanguage(document.getElementById("conference-form"),new URL("i18n/",document.baseURI));conferenceFormPage(document.getElementById("conference-form"));conferenceFormFramed(document.getElementById("conference-form"))`;
  const escape = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  // Each place, as Trunk writes it (its release minifier drops quotes).
  const places = {
    html: /<html[^>]*>/,
    title: /<title>[^<]*<\/title>/,
    h1: /(<h1[^>]*\bid="?page-title"?[^>]*>)[^<]*(<\/h1>)/,
    mount: /(<div[^>]*\bid="?conference-form"?[^>]*>)(<\/div>)/,
    body: /<\/body>/,
  };
  for (const [name, pattern] of Object.entries(places)) {
    if (!pattern.test(index)) throw new Error(`index.html: no ${name} where the copies need one (${pattern})`);
  }
  for (const [code, , dir, title] of languages) {
    const description = catalogs.get(code)["page.description"];
    if (typeof description !== "string") throw new Error(`i18n/${code}.json: page.description missing`);
    const form = readFileSync(join(stage, "form", `${code}.html`), "utf8");
    const copy = index
      .replace(places.html, `<html lang="${code}" dir="${dir}">`)
      // The head script right after the title, before the stylesheets: a
      // script after them waits for them, and holds up the parsing of the
      // form behind it (measured: first paint 0.59x live-ready on the
      // mobile profile with it after them).
      .replace(places.title, () => `<title>${escape(title)}</title><meta name="description" content="${escape(description)}"><script>${i18n}\n${page}\nconferenceFormCopy()</script>`)
      .replace(places.h1, (_, open, close) => open + escape(title) + close)
      .replace(places.mount, (_, open, close) => open + form + close)
      .replace(places.body, () => `<script>${call}</script></body>`);
    writeFileSync(join(stage, code === "en" ? "index.html" : `index.${code}.html`), copy);
  }
  console.log(`index.html: the form rendered ahead and the language loader, for ${languages.map(([code]) => code).join(", ")}`);
}

// embed.js's words where even its frame is blocked: English built in, the
// others read from the language's catalog, which the loader fetches anyway.
const english = catalogs.get("en");
const names = { css, js, wasm, i18n: embedI18n, blocked: JSON.stringify(english["embed.blocked"]), open: JSON.stringify(english["embed.open"]) };
const loader = readFileSync(join(root, "build/embed.js.in"), "utf8").replace(
  /\{\{(\w+)\}\}/g,
  (_, key) => names[key] ?? (() => { throw new Error(`embed.js.in: no {{${key}}}`); })(),
);
// Minified in a release: a host page loads it before anything else.
writeFileSync(
  join(stage, "embed.js"),
  release ? execFileSync(terser, ["--module", "--compress", "--mangle"], { input: loader }).toString() : loader,
);
console.log(`embed.js: ${js}, ${wasm}, ${css}`);
