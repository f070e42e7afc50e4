//! `test`, `serve` and `bench`.

use crate::app;
use crate::run::{cmd, root, run, run_tests, sh, step, Result, Tally};
use crate::setup::{setup, Need};

/// How many cases each property test runs in `test`.
const PROPTEST_CASES: &str = "10000";

pub fn test() -> Result {
    setup(Need::Test)?;
    step("formatting");
    run(sh("cargo fmt --all -- --check"))?;
    step("lints (host, and the app and its browser tests for wasm32)");
    run(sh("cargo clippy --workspace --all-targets -- -D warnings"))?;
    run(sh("cargo clippy -p conference-form -p agreement --target wasm32-unknown-unknown --all-targets -- -D warnings"))?;
    step("the shared core builds for the browser on its own");
    run(sh(
        "cargo build -p conference --target wasm32-unknown-unknown --release",
    ))?;

    step("unit, property and HTTP tests (property tests: 10,000 cases each)");
    let mut tests = sh("cargo test --workspace --exclude e2e");
    tests.env("PROPTEST_CASES", PROPTEST_CASES);
    let mut tally = Tally::default();
    run_tests(tests, &mut tally)?;

    // The claim the product rests on, measured: the core's answers are the
    // same compiled for the server (x86_64) and for the browser (wasm32).
    crate::fuzz::agreement()?;
    crate::fuzz::smoke()?;

    step("the form in headless Chromium (wasm-bindgen-test)");
    let mut wasm = sh("cargo test -p conference-form --target wasm32-unknown-unknown");
    wasm.env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    run_tests(wasm, &mut tally)?;

    app::build_from_empty_cargo_home()?;
    app::budget()?;

    step("end to end: the release build, our server, headless Chromium");
    run(sh("cargo build -p conference-server"))?;
    // Both suites: the product in English (e2e) and in its other languages.
    let mut e2e = sh("cargo test -p e2e --tests -- --test-threads=1");
    e2e.env("CONFERENCE_DIST", root().join("dist"));
    run_tests(e2e, &mut tally)?;
    // One closing line for the whole run.
    println!("\ntests: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

pub fn serve(args: &[String]) -> Result {
    setup(Need::Build)?;
    // The server compiles alongside the bundle (their target folders differ,
    // and the bundle's single-unit LTO leaves a core idle for minutes).
    let log = root().join("target/server-build.log");
    std::fs::create_dir_all(root().join("target")).map_err(|e| e.to_string())?;
    let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    step(&format!(
        "building the server alongside the app (its output: {})",
        log.display()
    ));
    let mut server_build = sh("cargo build --release -p conference-server")
        .stdout(file.try_clone().map_err(|e| e.to_string())?)
        .stderr(file)
        .spawn()
        .map_err(|e| format!("could not start cargo build: {e}"))?;
    let app = app::build();
    let server = server_build.wait().map_err(|e| e.to_string())?;
    app?;
    if !server.success() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(format!("building the server failed ({server}):\n{text}"));
    }
    step("starting the server (Ctrl-C stops it)");
    let mut server = sh("cargo run --release -p conference-server --");
    // `cargo xtask serve -- --listen ...` and `cargo xtask serve --listen ...` alike.
    server.args(args.iter().skip_while(|a| *a == "--"));
    run(server)
}

pub fn bench() -> Result {
    // The browser benchmark loads the release build in Chromium.
    setup(Need::Test)?;
    app::build()?;
    step("validate and encode (criterion)");
    run(sh("cargo bench -p conference"))?;
    http_load()?;
    crate::browser_bench::browser()
}

/// A bounded load on loopback: 10 seconds of `validation=1` creates against
/// the release server with a fresh database, measured by wrk.
fn http_load() -> Result {
    step("HTTP load: conferences/create with validation=1 (wrk, 10 s, loopback)");
    if crate::run::output("wrk", &["--version"]).is_none()
        && std::path::Path::new("/usr/bin/wrk").metadata().is_err()
    {
        run(cmd("apt-get", &["update", "-qq"]))
            .and_then(|()| run(cmd("apt-get", &["install", "-y", "-qq", "wrk"])))
            .map_err(|e| {
                format!("{e}: install wrk (Debian package wrk) for the HTTP load benchmark")
            })?;
    }
    let work = std::env::temp_dir().join(format!("conference-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let server = crate::run::release_server(&work)?;
    let script = work.join("post.lua");
    std::fs::write(
        &script,
        "wrk.method = \"POST\"\n\
         wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n\
         wrk.body = \"auth_username=demo&auth_password=demo&code=123456&talkpin=234567&validation=1\"\n",
    )
    .map_err(|e| e.to_string())?;
    let url = server.url("/api/json/conferences/create/");
    let result = run(cmd(
        "wrk",
        &[
            "-t2",
            "-c16",
            "-d10s",
            "--latency",
            "-s",
            &script.to_string_lossy(),
            &url,
        ],
    ));
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
    result
}
