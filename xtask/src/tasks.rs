//! `test`, `serve` and `bench`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use xshell::{cmd, Shell};

use crate::app;
use crate::run::{check, output, root, run, run_tests, step, Background, Tally};
use crate::setup::{setup, Need};

/// How many cases each property test runs in `test`.
const PROPTEST_CASES: &str = "10000";

pub fn test(sh: &Shell) -> Result<()> {
    setup(sh, Need::Test)?;
    step("formatting");
    run(cmd!(sh, "cargo fmt --all -- --check"))?;
    step("lints (host, and the app and its browser tests for wasm32)");
    // The server with its test hooks (the HTTP tests use them) and without
    // (what ships): each must be clean.
    run(cmd!(
        sh,
        "cargo clippy --workspace --all-targets --features conference-server/test-hooks -- -D warnings"
    ))?;
    run(cmd!(
        sh,
        "cargo clippy -p conference-server --all-targets -- -D warnings"
    ))?;
    run(cmd!(sh, "cargo clippy -p conference-form -p agreement --target wasm32-unknown-unknown --all-targets -- -D warnings"))?;
    // The allocator and send_wrapper have wasm32-only code; their tests run natively.
    run(cmd!(
        sh,
        "cargo clippy -p heap -p send_wrapper --target wasm32-unknown-unknown -- -D warnings"
    ))?;
    step("the shared core builds for the browser on its own");
    run(cmd!(
        sh,
        "cargo build -p conference --target wasm32-unknown-unknown --release"
    ))?;

    step("unit, property and HTTP tests (property tests: 10,000 cases each)");
    let mut tally = Tally::default();
    run_tests(
        cmd!(
            sh,
            "cargo test --workspace --exclude e2e --features conference-server/test-hooks"
        )
        .env("PROPTEST_CASES", PROPTEST_CASES),
        &mut tally,
    )?;

    // The claim the product rests on, measured: the core's answers are the
    // same compiled for the server (x86_64) and for the browser (wasm32).
    crate::fuzz::agreement(sh)?;
    crate::fuzz::smoke(sh)?;

    step("the form in headless Chromium (wasm-bindgen-test)");
    run_tests(
        cmd!(
            sh,
            "cargo test -p conference-form --target wasm32-unknown-unknown"
        )
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        &mut tally,
    )?;

    app::build_from_empty_cargo_home(sh)?;
    app::budget()?;

    step("end to end: the release build, our server, headless Chromium");
    run(cmd!(
        sh,
        "cargo build -p conference-server --features test-hooks"
    ))?;
    // Both suites: the product in English (e2e) and in its other languages.
    run_tests(
        cmd!(sh, "cargo test -p e2e --tests -- --test-threads=1")
            .env("CONFERENCE_DIST", root().join("dist")),
        &mut tally,
    )?;
    // One closing line for the whole run.
    println!("\ntests: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

/// `args` go to the server (`cargo xtask serve -- --listen ...` and
/// `cargo xtask serve --listen ...` alike).
pub fn serve(sh: &Shell, args: &[String]) -> Result<()> {
    // The fault injection of `--test-hooks` is compiled in only on request.
    let features: &[&str] = if args.iter().any(|a| a == "--test-hooks") {
        &["--features", "test-hooks"]
    } else {
        &[]
    };
    // The server needs none of setup's tools: on a new machine it compiles
    // while they install, then beside the bundle (their target folders
    // differ, and the bundle's single-unit LTO leaves a core idle for
    // minutes). Cargo's dev profile: it compiles in half the time of a
    // release build, its password hashing is optimised anyway (the root
    // Cargo.toml), and `cargo xtask test` reuses it. Production builds with
    // `cargo build --release` (README).
    let log = root().join("target/server-build.log");
    step(&format!(
        "building the server in the background (its output: {})",
        log.display()
    ));
    let server_build = Background::start(
        cmd!(sh, "cargo build -p conference-server {features...}"),
        &log,
    )?;
    // The bundle compiled beside the installs needs the target and std's
    // sources first.
    crate::setup::toolchain(sh)?;
    let prebuilds = app::prebuild(sh)?;
    setup(sh, Need::Build)?;
    for prebuild in prebuilds {
        if prebuild.wait().is_err() {
            println!("  (a background build failed: Trunk's build compiles it again and says why)");
        }
    }
    app::build(sh)?;
    server_build.wait().context("building the server")?;
    step("starting the server (Ctrl-C stops it)");
    let server = cmd!(
        sh,
        "cargo run -p conference-server {features...} -- {args...}"
    );
    println!("$ {server}");
    // A std command, so the server keeps the terminal's standard input
    // (`--hash-password` reads it); xshell's `run` would close it.
    let shown = server.to_string();
    let status = Command::from(server)
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    check(&shown, status)
}

pub fn bench(sh: &Shell) -> Result<()> {
    // The browser benchmark loads the release build in Chromium.
    setup(sh, Need::Test)?;
    app::build(sh)?;
    step("validate and encode (criterion)");
    run(cmd!(sh, "cargo bench -p conference"))?;
    http_load(sh)?;
    crate::browser_bench::browser(sh)
}

/// A bounded load on loopback: 10 seconds of `validation=1` creates against
/// the release server with a fresh database, measured by wrk.
fn http_load(sh: &Shell) -> Result<()> {
    step("HTTP load: conferences/create with validation=1 (wrk, 10 s, loopback)");
    if output(cmd!(sh, "wrk --version")).is_none() && !Path::new("/usr/bin/wrk").exists() {
        run(cmd!(sh, "apt-get update -qq"))
            .and_then(|()| run(cmd!(sh, "apt-get install -y -qq wrk")))
            .context("install wrk (Debian package wrk) for the HTTP load benchmark")?;
    }
    let work = std::env::temp_dir().join(format!("conference-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| work.display().to_string())?;
    let server = crate::run::release_server(sh, &work)?;
    let script = work.join("post.lua");
    std::fs::write(
        &script,
        "wrk.method = \"POST\"\n\
         wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n\
         wrk.body = \"auth_username=demo&auth_password=demo&code=123456&talkpin=234567&validation=1\"\n",
    )
    .with_context(|| script.display().to_string())?;
    let url = server.url("/api/json/conferences/create/");
    let result = run(cmd!(sh, "wrk -t2 -c16 -d10s --latency -s {script} {url}"));
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
    result
}
