//! `test`, `serve` and `bench`.

use crate::run::{cmd, run, step, Result};
use crate::setup::setup;

/// How many cases each property test runs in `test`.
const PROPTEST_CASES: &str = "10000";

pub fn test() -> Result {
    setup()?;
    step("formatting");
    run(cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    step("lints");
    run(cmd(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    step("native tests (property tests with 10,000 cases each)");
    let mut tests = cmd("cargo", &["test", "--workspace"]);
    tests.env("PROPTEST_CASES", PROPTEST_CASES);
    run(tests)?;
    step("the shared core builds for the browser");
    run(cmd(
        "cargo",
        &[
            "build",
            "-p",
            "conference",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ],
    ))?;
    Ok(())
}

pub fn serve(_args: &[String]) -> Result {
    setup()?;
    Err("not built yet: the form and the server come with their own issues".into())
}

pub fn bench() -> Result {
    run(cmd("cargo", &["bench", "-p", "conference"]))
}
