//! Installs what the build and the tests need, only what is missing.
//! Versions are pinned here and nowhere else, each with its reason.
//!
//! A first run on a new machine spends minutes here (Trunk is compiled from
//! source), so it first says what it will install, why, and about how long
//! it takes; the slow installs then run side by side, each into its own log.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use xshell::{cmd, Cmd, Shell};

use crate::run::{check, detach, output, root, run, step, tools_dir};

/// Trunk 0.22 needs a newer rustc than these machines have.
pub const TRUNK: &str = "0.21.14";
/// Minifies wasm-bindgen's JavaScript (Trunk's own minifier cannot read it).
pub const TERSER: &str = "5.51.4";
/// The accessibility checker the browser tests inject into the page.
pub const AXE_CORE: &str = "4.14.1";
/// cargo-fuzz, for `cargo xtask fuzz` and the fuzz step of `test`.
pub const CARGO_FUZZ: &str = "0.13.2";

/// About how many minutes each tool takes to compile from source on a quiet
/// 2-core machine with `TOOL_PROFILE`: what the list of installs says.
/// Measured in the first `cargo xtask serve` from nothing (a clean clone, an
/// empty cargo home), where both compile side by side with the server and
/// the bundle's crates, in three such runs: Trunk 6m 23s, 6m 37s and 7m 24s,
/// the wasm-bindgen CLI 4m 52s, 5m 06s and 5m 29s (their CPU time alone:
/// about 220 s and 121 s); "listening on" at 6m 53s, 7m 07s and 7m 57s.
const TRUNK_MINUTES: u32 = 7;
const WASM_BINDGEN_MINUTES: u32 = 5;
const CARGO_FUZZ_MINUTES: u32 = 1;

/// How every `cargo install` here compiles. cargo's release profile from the
/// environment overrides the one a package ships (Trunk's has fat LTO and one
/// codegen unit: 12 minutes on 2 cores), and a build tool that runs for
/// seconds gains nothing from that optimisation: no LTO, 16 codegen units,
/// no debug info, no incremental state, and the opt-level of `Opt`.
const TOOL_PROFILE: [(&str, &str); 4] = [
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "0"),
    ("CARGO_PROFILE_RELEASE_INCREMENTAL", "false"),
];

/// A tool's opt-level, by what it does once built (CPU seconds to compile,
/// crates already downloaded, measured on this 2-core machine).
#[derive(Clone, Copy)]
enum Opt {
    /// Runs others and reads small files (Trunk, cargo-fuzz): opt-level 0.
    /// Trunk: 213 s, not 419 s at opt-level 1; `cargo xtask build` took
    /// 19.9 s with it, 19.7 s with the other.
    None,
    /// Works through large files itself: opt-level 0, but 1 for the crates
    /// named, which do that work. The wasm-bindgen CLI rewrites the browser
    /// tests' 15 MB wasm on each test run: with `WASM_BINDGEN_HOT` at 1, it
    /// compiles in 121 s and takes 0.9 s; all at 0, 75 s but 3.5 s; all at
    /// 1, 168 s (193 s with its default TLS) and no faster than the mix.
    Hot(&'static [&'static str]),
}

/// The wasm-bindgen CLI's crates that parse, transform and write the wasm
/// (and the generic containers they fill, which compile in them).
const WASM_BINDGEN_HOT: &[&str] = &[
    "walrus",
    "wasmparser",
    "wasm-encoder",
    "wasm-bindgen-cli-support",
    "wasm-bindgen-shared",
    "gimli",
    "id-arena",
    "leb128",
    "hashbrown",
    "indexmap",
    "rayon",
    "rayon-core",
    "crossbeam-deque",
    "crossbeam-epoch",
    "crossbeam-utils",
    "smallvec",
    "rustc-demangle",
    "fallible-iterator",
    "stable_deref_trait",
    "foldhash",
    "semver",
    "bitflags",
];

/// What the command that calls `setup` goes on to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Build the app (and serve it): no browser needed.
    Build,
    /// Run every test: a browser and its driver too.
    Test,
}

/// One missing piece: what it is, why it is needed, about how long it takes,
/// and the commands that install it, each with the line it is shown as.
struct Install {
    /// Its log's name, `target/setup/<name>.log`.
    name: &'static str,
    what: &'static str,
    why: &'static str,
    takes: String,
    /// Std commands, not xshell's: they run on threads of their own.
    commands: Vec<(String, Command)>,
}

/// The browser's target and std's sources (rustup, seconds): before any
/// build for wasm32, `serve`'s background one included.
pub fn toolchain(sh: &Shell) -> Result<()> {
    wasm_target(sh)?;
    rust_src(sh)
}

pub fn setup(sh: &Shell, need: Need) -> Result<()> {
    // rustup installs one thing at a time and takes seconds: done first, in
    // order, so the slow installs below cannot race it.
    toolchain(sh)?;
    let missing: Vec<Install> = [
        trunk(sh),
        wasm_bindgen(sh)?,
        npm_tools(sh, need)?,
        (need == Need::Test)
            .then(|| chromium(sh))
            .transpose()?
            .flatten(),
        (need == Need::Test)
            .then(|| cargo_fuzz_install(sh))
            .flatten(),
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
fn install_all(missing: Vec<Install>) -> Result<()> {
    let logs = root().join("target/setup");
    std::fs::create_dir_all(&logs).with_context(|| logs.display().to_string())?;
    let started = Instant::now();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let running: Vec<_> = missing
            .into_iter()
            .map(|m| {
                let log = logs.join(format!("{}.log", m.name));
                scope.spawn(move || {
                    let result = install_one(m.commands, &log);
                    match &result {
                        Ok(()) => println!("  done: {} ({})", m.what, minutes(started.elapsed())),
                        Err(e) => println!("  FAILED: {}: {e:#}", m.what),
                    }
                    result.err().map(|e| failure(m.what, &e, &log))
                })
            })
            .collect();
        running
            .into_iter()
            .filter_map(|h| h.join().unwrap_or_else(|_| Some("panicked".into())))
            .collect()
    });
    if !failures.is_empty() {
        bail!(failures.join("\n"));
    }
    println!("  all installed in {}", minutes(started.elapsed()));
    Ok(())
}

fn install_one(commands: Vec<(String, Command)>, log: &Path) -> Result<()> {
    let file = std::fs::File::create(log).with_context(|| log.display().to_string())?;
    for (shown, mut command) in commands {
        let status = command
            .stdout(file.try_clone()?)
            .stderr(file.try_clone()?)
            .status()
            .with_context(|| format!("could not start {shown}"))?;
        check(&shown, status)?;
    }
    Ok(())
}

/// The error with the last lines of the install's log, where the cause is.
fn failure(what: &str, error: &anyhow::Error, log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    format!(
        "installing {what}: {error:#}\n--- last lines of {} ---\n{tail}",
        log.display()
    )
}

fn minutes(d: Duration) -> String {
    format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
}

fn compiled(minutes: u32) -> String {
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("compiled from source: about {minutes} {unit} on 2 cores")
}

/// `cargo install ...` as every install here runs it (see `TOOL_PROFILE`).
fn cargo_install(command: Cmd, opt: Opt) -> (String, Command) {
    let mut command = command
        .envs(TOOL_PROFILE)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0");
    if let Opt::Hot(crates) = opt {
        for name in crates {
            command = command.args([
                "--config",
                &format!("profile.release.package.{name}.opt-level=1"),
            ]);
        }
    }
    detach(command)
}

fn wasm_target(sh: &Shell) -> Result<()> {
    let installed = output(cmd!(sh, "rustup target list --installed")).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target (the browser's; seconds)");
    run(cmd!(sh, "rustup target add wasm32-unknown-unknown"))
}

/// The standard library's source: the release bundle rebuilds it for size
/// (see `app::build`).
fn rust_src(sh: &Shell) -> Result<()> {
    let installed = output(cmd!(sh, "rustup component list --installed")).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "rust-src") {
        return Ok(());
    }
    step("installing the rust-src component (the bundle rebuilds std for size; seconds)");
    run(cmd!(sh, "rustup component add rust-src"))
}

fn trunk(sh: &Shell) -> Option<Install> {
    if output(cmd!(sh, "trunk --version")).is_some_and(|v| v.contains(TRUNK)) {
        return None;
    }
    Some(Install {
        name: "trunk",
        what: "Trunk",
        why: "builds the app for the browser",
        takes: compiled(TRUNK_MINUTES),
        // Without its default features, `update_check` and `rustls`: they pull
        // in an HTTP and TLS stack for downloads, and Trunk here runs offline.
        commands: vec![cargo_install(
            cmd!(
                sh,
                "cargo install --locked --no-default-features trunk@{TRUNK}"
            ),
            Opt::None,
        )],
    })
}

/// The wasm-bindgen version in Cargo.lock: the CLI must equal it exactly.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("Cargo.lock")?;
    wasm_bindgen_version_in(&lock).context("Cargo.lock names no wasm-bindgen")
}

fn wasm_bindgen_version_in(lock: &str) -> Option<String> {
    let mut lines = lock.lines();
    lines.find(|l| *l == "name = \"wasm-bindgen\"")?;
    let version = lines.next()?.strip_prefix("version = ")?;
    Some(version.trim_matches('"').to_owned())
}

fn wasm_bindgen(sh: &Shell) -> Result<Option<Install>> {
    let version = wasm_bindgen_version()?;
    let wanted = format!("wasm-bindgen {version}");
    if output(cmd!(sh, "wasm-bindgen --version")).is_some_and(|v| v.trim() == wanted)
        && output(cmd!(sh, "wasm-bindgen-test-runner --version"))
            .is_some_and(|v| v.contains(&version))
    {
        return Ok(None);
    }
    Ok(Some(Install {
        name: "wasm-bindgen",
        what: "wasm-bindgen CLI",
        why: "joins the wasm to JavaScript; runs the browser tests",
        takes: compiled(WASM_BINDGEN_MINUTES),
        // Not --locked: a dependency its lock file names is gone from the
        // registry. Without its default feature, `rustls-tls`: its test
        // runner talks to the local ChromeDriver over plain HTTP, and TLS
        // (rustls, ring) is compile time for nothing.
        commands: vec![cargo_install(
            cmd!(
                sh,
                "cargo install --no-default-features wasm-bindgen-cli --version {version}"
            ),
            Opt::Hot(WASM_BINDGEN_HOT),
        )],
    }))
}

/// The wasm-opt Trunk asks for: `Trunk.toml`'s `wasm_opt = "version_N"`, the
/// one place it is pinned. The npm package `binaryen` N ships it (Debian's is
/// too old for today's rustc).
fn wasm_opt_version() -> Result<String> {
    let trunk = std::fs::read_to_string(root().join("Trunk.toml")).context("Trunk.toml")?;
    wasm_opt_version_in(&trunk).context("Trunk.toml pins no wasm_opt = \"version_N\"")
}

fn wasm_opt_version_in(trunk_toml: &str) -> Option<String> {
    trunk_toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm_opt = \"version_"))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
}

/// wasm-opt (npm `binaryen`), terser and axe-core, all into .tools/.
fn npm_tools(sh: &Shell, need: Need) -> Result<Option<Install>> {
    let binaryen = wasm_opt_version()?;
    let have_axe = tools_dir()
        .join("node_modules/axe-core/axe.min.js")
        .exists();
    let hosts: &[(&str, &str)] = if need == Need::Test { HOST_CSS } else { &[] };
    if have_axe
        && hosts.iter().all(|&(name, version)| npm_has(name, version))
        && output(cmd!(sh, "terser --version")).is_some_and(|v| v.contains(TERSER))
        && output(cmd!(sh, "wasm-opt --version"))
            .is_some_and(|v| v.contains(&format!("version {binaryen}")))
    {
        return Ok(None);
    }
    let prefix = tools_dir();
    let hosts: Vec<String> = hosts.iter().map(|(n, v)| format!("{n}@{v}")).collect();
    Ok(Some(Install {
        name: "npm",
        what: "wasm-opt, terser, axe-core",
        why: "shrink the wasm and its JavaScript; check accessibility; the host pages' CSS for the tests (npm, into .tools/)",
        takes: "about 30 seconds".into(),
        commands: vec![detach(cmd!(
            sh,
            "npm install --no-audit --no-fund binaryen@{binaryen}.0.0 terser@{TERSER} axe-core@{AXE_CORE} {hosts...} --prefix {prefix}"
        ))],
    }))
}

/// The CSS of the frameworks control panels are built on: the embedding
/// tests (crates/e2e/tests/hosts.rs) put the form under each.
pub const HOST_CSS: &[(&str, &str)] = &[
    ("bootstrap", "5.3.8"),
    ("bulma", "1.0.4"),
    ("tailwindcss", "3.4.17"),
    ("normalize.css", "8.0.1"),
];

/// Whether .tools/ holds this version of an npm package.
fn npm_has(name: &str, version: &str) -> bool {
    std::fs::read_to_string(
        tools_dir()
            .join("node_modules")
            .join(name)
            .join("package.json"),
    )
    .is_ok_and(|json| json.contains(&format!("\"version\": \"{version}\"")))
}

/// Only the tests need a browser: `serve` and `build` never install one.
fn chromium(sh: &Shell) -> Result<Option<Install>> {
    let have = |p: &str| Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(None);
    }
    if output(cmd!(sh, "id -u")).is_none_or(|id| id.trim() != "0") {
        return Err(anyhow!(
            "Chromium and ChromeDriver are missing: install the Debian packages \
             `chromium` and `chromium-driver` (sudo apt-get install chromium chromium-driver)"
        ));
    }
    let install = cmd!(sh, "apt-get install -y -qq chromium chromium-driver")
        .env("DEBIAN_FRONTEND", "noninteractive");
    Ok(Some(Install {
        name: "chromium",
        what: "Chromium and ChromeDriver",
        why: "the browser tests (Debian packages, with apt-get)",
        takes: "about 1 minute".into(),
        commands: vec![detach(cmd!(sh, "apt-get update -qq")), detach(install)],
    }))
}

/// cargo-fuzz, when it is missing or another version: for the tests' fuzzing
/// step and `cargo xtask fuzz`.
fn cargo_fuzz_install(sh: &Shell) -> Option<Install> {
    let wanted = format!("cargo-fuzz {CARGO_FUZZ}");
    if output(cmd!(sh, "cargo fuzz --version")).is_some_and(|v| v.trim() == wanted) {
        return None;
    }
    Some(Install {
        name: "cargo-fuzz",
        what: "cargo-fuzz",
        why: "the fuzzing step of the tests (libFuzzer)",
        takes: compiled(CARGO_FUZZ_MINUTES),
        commands: vec![cargo_install(
            cmd!(
                sh,
                "cargo install cargo-fuzz --version {CARGO_FUZZ} --locked"
            ),
            Opt::None,
        )],
    })
}

/// cargo-fuzz alone, for `cargo xtask fuzz`, which needs nothing else.
pub fn cargo_fuzz(sh: &Shell) -> Result<()> {
    cargo_fuzz_install(sh).map_or(Ok(()), |i| install_all(vec![i]))
}

#[cfg(test)]
mod tests {
    use super::{wasm_bindgen_version_in, wasm_opt_version_in};

    #[test]
    fn reads_wasm_bindgens_version_from_the_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.50\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\
                    source = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        assert_eq!(wasm_bindgen_version_in(lock).as_deref(), Some("0.2.130"));
        assert_eq!(
            wasm_bindgen_version_in("name = \"wasm-bindgen-cli\"\n"),
            None
        );
    }

    #[test]
    fn reads_the_wasm_opt_version_trunk_asks_for() {
        let trunk = "[build]\noffline = true\n\n[tools]\nwasm_opt = \"version_132\"\n";
        assert_eq!(wasm_opt_version_in(trunk).as_deref(), Some("132"));
        assert_eq!(wasm_opt_version_in("[tools]\nwasm_opt = \"132\"\n"), None);
    }
}
