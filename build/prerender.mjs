// Trunk's pre_build hook (see Trunk.toml): the form rendered ahead as HTML,
// once per language, into the staging folder's form/, by the app's own
// views compiled natively (src/bin/prerender.rs). Through node, not cargo
// directly, to drop what `cargo xtask build` sets for Trunk's wasm build
// only (std rebuilt for size, panics as aborts): a native build takes
// neither. The cargo home stays as given; the target folder is
// PRERENDER_TARGET_DIR where `cargo xtask` names one (the server's and the
// tests' native folder, whose dev-profile crates this build shares: 20 CPU-s
// of a first run), else Trunk's.
import { execFileSync } from "node:child_process";

const env = { ...process.env };
if (env.PRERENDER_TARGET_DIR) {
  env.CARGO_TARGET_DIR = env.PRERENDER_TARGET_DIR;
}
for (const name of ["RUSTFLAGS", "RUSTC_BOOTSTRAP", "CARGO_UNSTABLE_BUILD_STD", "CARGO_UNSTABLE_BUILD_STD_FEATURES"]) {
  delete env[name];
}
execFileSync("cargo", ["run", "--quiet", "--bin", "prerender"], { stdio: "inherit", env });
