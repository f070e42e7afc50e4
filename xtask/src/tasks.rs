//! `test`, `serve` and `bench`.

use crate::app;
use crate::run::{cmd, root, run, step, Result};
use crate::setup::setup;

/// How many cases each property test runs in `test`.
const PROPTEST_CASES: &str = "10000";

pub fn test() -> Result {
    setup()?;
    step("formatting");
    run(cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    step("lints (host, and the app and its browser tests for wasm32)");
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
    run(cmd(
        "cargo",
        &[
            "clippy",
            "-p",
            "conference-form",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    step("the shared core builds for the browser on its own");
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

    step("unit, property and HTTP tests (property tests: 10,000 cases each)");
    let mut tests = cmd("cargo", &["test", "--workspace", "--exclude", "e2e"]);
    tests.env("PROPTEST_CASES", PROPTEST_CASES);
    run(tests)?;

    step("the form in headless Chromium (wasm-bindgen-test)");
    let mut wasm = cmd(
        "cargo",
        &[
            "test",
            "-p",
            "conference-form",
            "--target",
            "wasm32-unknown-unknown",
        ],
    );
    wasm.env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    run(wasm)?;

    app::build()?;
    app::budget()?;

    step("end to end: the release build, our server, headless Chromium");
    run(cmd("cargo", &["build", "-p", "conference-server"]))?;
    let mut e2e = cmd("cargo", &["test", "-p", "e2e", "--", "--test-threads=1"]);
    e2e.env("CONFERENCE_DIST", root().join("dist"));
    run(e2e)
}

pub fn serve(args: &[String]) -> Result {
    setup()?;
    app::build()?;
    step("starting the server (Ctrl-C stops it)");
    let mut server = cmd(
        "cargo",
        &["run", "--release", "-p", "conference-server", "--"],
    );
    server.args(args);
    run(server)
}

pub fn bench() -> Result {
    run(cmd("cargo", &["bench", "-p", "conference"]))
}
