//! `cargo xtask <command>`: the project's own build and test commands.
//!
//! - `setup`: installs what is missing (quietly when all is there);
//! - `build`: builds the app into `dist/` and reports its size;
//! - `test`:  every check and test CI runs;
//! - `serve`: builds the app and starts the server with the simulator;
//! - `bench`: the benchmarks;
//! - `size`:  where the bundle's bytes go (twiggy, by crate and module);
//! - `browser-bench`: the browser benchmark step of `bench` on its own;
//! - `fuzz`:  long fuzzing runs of the core.

mod app;
mod browser_bench;
mod fuzz;
mod run;
mod setup;
mod size;
mod tasks;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <setup|build|test|serve|bench|browser-bench|size|fuzz> [args...]
  setup   install everything the build and the tests need (Trunk, wasm-bindgen, Chromium, ...)
  build   build the app into dist/ (release) and report its size
  test    formatting, lints, native tests, property tests, wasm build, browser tests
  serve   build the app and start the server with the simulator (args go to the server)
  bench   run the benchmarks
  browser-bench  cold loads and PIN feedback of dist/ in headless Chromium (medians)
  size    build the bundle with function names kept and print where its bytes go (twiggy)
  fuzz    fuzz the core: [--minutes N] (per target, default 10) [TARGET...];
          `fuzz smoke` (a few seconds each), `fuzz agreement` (native vs wasm32)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup(setup::Need::Test),
        Some("build") => setup::setup(setup::Need::Build)
            .and_then(|()| app::build())
            .and_then(|()| app::budget()),
        Some("test") => tasks::test(),
        Some("serve") => tasks::serve(&args[1..]),
        Some("bench") => tasks::bench(),
        Some("browser-bench") => browser_bench::browser(),
        Some("size") => size::size(),
        Some("fuzz") => fuzz::long(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
