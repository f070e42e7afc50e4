// Trunk's pre_build hook (see Trunk.toml): the form rendered ahead as HTML,
// once per language, into the staging folder's form/, by the app's own
// views compiled natively (src/bin/prerender.rs). Through node, not cargo
// directly, to drop what `cargo xtask build` sets for Trunk's wasm build
// only (std rebuilt for size, panics as aborts): a native build takes
// neither. The target folder and cargo home stay as given.
import { execFileSync } from "node:child_process";

const env = { ...process.env };
for (const name of ["RUSTFLAGS", "RUSTC_BOOTSTRAP", "CARGO_UNSTABLE_BUILD_STD", "CARGO_UNSTABLE_BUILD_STD_FEATURES"]) {
  delete env[name];
}
execFileSync("cargo", ["run", "--quiet", "--bin", "prerender"], { stdio: "inherit", env });
