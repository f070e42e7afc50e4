//! Installs what the build and the tests need, only what is missing.
//! Versions are pinned here and nowhere else (see ../shared/design.md for why
//! each is what it is).
//!
//! A first run on a new machine spends minutes here (Trunk is compiled from
//! source), so it first says what it will install, why, and about how long
//! it takes; the slow installs then run side by side, each into its own log.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::run::{output, root, run, sh, step, tools_dir, Result};

/// Trunk 0.22 needs a newer rustc than these machines have.
pub const TRUNK: &str = "0.21.14";
/// Minifies wasm-bindgen's JavaScript (Trunk's own minifier cannot read it).
pub const TERSER: &str = "5.51.4";
/// The accessibility checker the browser tests inject into the page.
pub const AXE_CORE: &str = "4.14.1";

/// What the command that calls `setup` goes on to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Build the app (and serve it): no browser needed.
    Build,
    /// Run every test: a browser and its driver too.
    Test,
}

/// One missing piece: what it is, why it is needed, about how long it takes,
/// and the commands that install it.
struct Install {
    /// Its log's name, `target/setup/<name>.log`.
    name: &'static str,
    what: &'static str,
    why: &'static str,
    takes: &'static str,
    commands: Vec<Command>,
}

pub fn setup(need: Need) -> Result {
    // rustup installs one thing at a time and takes seconds: done first, in
    // order, so the slow installs below cannot race it.
    wasm_target()?;
    rust_src()?;
    let missing: Vec<Install> = [
        trunk(),
        wasm_bindgen()?,
        npm_tools()?,
        (need == Need::Test).then(chromium).transpose()?.flatten(),
        (need == Need::Test).then(cargo_fuzz_install).flatten(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    step("installing what is missing (once per machine)");
    for m in &missing {
        println!("  {:<34} {} ({})", m.what, m.why, m.takes);
    }
    println!("  side by side; each one's output goes to target/setup/<name>.log");
    install_all(missing)
}

/// Runs every install at once, each install's commands in order; reports each
/// as it ends and fails if any failed, showing the end of its log.
fn install_all(missing: Vec<Install>) -> Result {
    let logs = root().join("target/setup");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let started = Instant::now();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let running: Vec<_> = missing
            .into_iter()
            .map(|m| {
                let log = logs.join(format!("{}.log", m.name));
                scope.spawn(move || {
                    let result = install_one(m.commands, &log);
                    let took = started.elapsed();
                    match &result {
                        Ok(()) => println!("  done: {} ({})", m.what, minutes(took)),
                        Err(e) => println!("  FAILED: {}: {e}", m.what),
                    }
                    result.map_err(|e| failure(m.what, &e, &log))
                })
            })
            .collect();
        running
            .into_iter()
            .filter_map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())).err())
            .collect()
    });
    if failures.is_empty() {
        println!("  all installed in {}", minutes(started.elapsed()));
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn install_one(commands: Vec<Command>, log: &std::path::Path) -> Result {
    let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    for mut command in commands {
        let shown = format!(
            "{} {}",
            command.get_program().to_string_lossy(),
            command
                .get_args()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let out = file.try_clone().map_err(|e| e.to_string())?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let status = command
            .stdout(out)
            .stderr(err)
            .status()
            .map_err(|e| format!("could not start {shown}: {e}"))?;
        if !status.success() {
            return Err(format!("{shown} failed ({status})"));
        }
    }
    Ok(())
}

/// The error with the last lines of the install's log, where the cause is.
fn failure(what: &str, error: &str, log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    format!(
        "installing {what}: {error}\n--- last lines of {} ---\n{tail}",
        log.display()
    )
}

fn minutes(d: Duration) -> String {
    format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target (the browser's; seconds)");
    run(sh("rustup target add wasm32-unknown-unknown"))
}

/// The standard library's source: the release bundle rebuilds it for size
/// (see `app::build`).
fn rust_src() -> Result {
    let installed = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "rust-src") {
        return Ok(());
    }
    step("installing the rust-src component (the bundle rebuilds std for size; seconds)");
    run(sh("rustup component add rust-src"))
}

fn trunk() -> Option<Install> {
    if output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK)) {
        return None;
    }
    Some(Install {
        name: "trunk",
        what: "Trunk",
        why: "builds the app for the browser",
        takes: "compiled from source: about 7 minutes on 2 cores",
        commands: vec![sh(format!("cargo install --locked trunk@{TRUNK}"))],
    })
}

/// The wasm-bindgen version in Cargo.lock: the CLI must equal it exactly.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next() {
                return Ok(version
                    .trim_start_matches("version = ")
                    .trim_matches('"')
                    .to_owned());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen".into())
}

fn wasm_bindgen() -> Result<Option<Install>> {
    let version = wasm_bindgen_version()?;
    let wanted = format!("wasm-bindgen {version}");
    if output("wasm-bindgen", &["--version"]).is_some_and(|v| v.trim() == wanted)
        && output("wasm-bindgen-test-runner", &["--version"]).is_some_and(|v| v.contains(&version))
    {
        return Ok(None);
    }
    Ok(Some(Install {
        name: "wasm-bindgen",
        what: "wasm-bindgen CLI",
        why: "joins the wasm to JavaScript; runs the browser tests",
        takes: "compiled from source: about 5 minutes",
        // Not --locked: a dependency its lock file names is gone from the registry.
        commands: vec![sh(format!(
            "cargo install wasm-bindgen-cli --version {version}"
        ))],
    }))
}

/// The wasm-opt Trunk asks for: `Trunk.toml`'s `wasm_opt = "version_N"`, the
/// one place it is pinned. The npm package `binaryen` N ships it (Debian's is
/// too old for today's rustc).
fn wasm_opt_version() -> Result<String> {
    let trunk = std::fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|e| format!("Trunk.toml: {e}"))?;
    trunk
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm_opt = \"version_"))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or("Trunk.toml pins no wasm_opt = \"version_N\"".into())
}

/// wasm-opt (npm `binaryen`), terser and axe-core, all into .tools/.
fn npm_tools() -> Result<Option<Install>> {
    let binaryen = wasm_opt_version()?;
    let have_axe = tools_dir()
        .join("node_modules/axe-core/axe.min.js")
        .exists();
    if have_axe
        && output("terser", &["--version"]).is_some_and(|v| v.contains(TERSER))
        && output("wasm-opt", &["--version"])
            .is_some_and(|v| v.contains(&format!("version {binaryen}")))
    {
        return Ok(None);
    }
    // The prefix is a path, which may hold a space: an argument of its own.
    let mut npm = sh(format!(
        "npm install --no-audit --no-fund binaryen@{binaryen}.0.0 terser@{TERSER} axe-core@{AXE_CORE}"
    ));
    npm.arg("--prefix").arg(tools_dir());
    Ok(Some(Install {
        name: "npm",
        what: "wasm-opt, terser, axe-core",
        why: "shrink the wasm and its JavaScript; check accessibility (npm, into .tools/)",
        takes: "about 30 seconds",
        commands: vec![npm],
    }))
}

/// Only the tests need a browser: `serve` and `build` never install one.
fn chromium() -> Result<Option<Install>> {
    let have = |p: &str| std::path::Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(None);
    }
    if output("id", &["-u"]).is_none_or(|id| id.trim() != "0") {
        return Err("Chromium and ChromeDriver are missing: install the Debian packages \
                    `chromium` and `chromium-driver` (sudo apt-get install chromium chromium-driver)"
            .into());
    }
    let mut install = sh("apt-get install -y -qq chromium chromium-driver");
    install.env("DEBIAN_FRONTEND", "noninteractive");
    Ok(Some(Install {
        name: "chromium",
        what: "Chromium and ChromeDriver",
        why: "the browser tests (Debian packages, with apt-get)",
        takes: "about 1 minute",
        commands: vec![sh("apt-get update -qq"), install],
    }))
}

/// cargo-fuzz, for `cargo xtask fuzz` and the fuzz step of `test`.
pub const CARGO_FUZZ: &str = "0.13.2";

/// cargo-fuzz, when it is missing or another version: for the tests' fuzzing
/// step and `cargo xtask fuzz`.
fn cargo_fuzz_install() -> Option<Install> {
    let wanted = format!("cargo-fuzz {CARGO_FUZZ}");
    if output("cargo", &["fuzz", "--version"]).is_some_and(|v| v.trim() == wanted) {
        return None;
    }
    Some(Install {
        name: "cargo-fuzz",
        what: "cargo-fuzz",
        why: "the fuzzing step of the tests (libFuzzer)",
        takes: "compiled from source: about 2 minutes",
        commands: vec![sh(format!(
            "cargo install cargo-fuzz --version {CARGO_FUZZ} --locked"
        ))],
    })
}

/// cargo-fuzz alone, for `cargo xtask fuzz`, which needs nothing else.
pub fn cargo_fuzz() -> Result {
    cargo_fuzz_install().map_or(Ok(()), |i| install_all(vec![i]))
}
