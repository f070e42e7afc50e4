// Validates the agreement corpus with the core compiled to wasm32, under
// Node's V8 (the engine Chromium runs the form in), and writes its lines.
// usage: node run.mjs agreement.wasm COUNT OUT
import { readFileSync, writeFileSync } from "node:fs";

const [wasm, count, out] = process.argv.slice(2);
// The module imports nothing: no JavaScript glue stands between the two.
const { instance } = await WebAssembly.instantiate(readFileSync(wasm), {});
const { memory, agreement_lines, agreement_len } = instance.exports;
const ptr = agreement_lines(Number(count));
writeFileSync(out, new Uint8Array(memory.buffer, ptr, agreement_len()));
