//! Installs what the build and the tests need, only what is missing.
//! Versions are pinned here and nowhere else (see ../shared/design.md for why
//! each is what it is).

use crate::run::{cmd, output, root, run, step, tools_dir, Result};

/// Trunk 0.22 needs a newer rustc than these machines have.
pub const TRUNK: &str = "0.21.14";
/// The npm package `binaryen` ships a wasm-opt new enough for today's rustc.
pub const BINARYEN: &str = "132.0.0";
/// Minifies wasm-bindgen's JavaScript (Trunk's own minifier cannot read it).
pub const TERSER: &str = "5.51.4";
/// The accessibility checker the browser tests inject into the page.
pub const AXE_CORE: &str = "4.14.1";

pub fn setup() -> Result {
    wasm_target()?;
    rust_src()?;
    trunk()?;
    wasm_bindgen()?;
    wasm_opt()?;
    chromium()
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("installing the wasm32-unknown-unknown target");
    run(cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))
}

/// The standard library's source: the release bundle rebuilds it for size
/// (see `app::build`).
fn rust_src() -> Result {
    let installed = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "rust-src") {
        return Ok(());
    }
    step("installing the rust-src component");
    run(cmd("rustup", &["component", "add", "rust-src"]))
}

fn trunk() -> Result {
    if output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK)) {
        return Ok(());
    }
    step("installing Trunk");
    run(cmd(
        "cargo",
        &["install", "--locked", &format!("trunk@{TRUNK}")],
    ))
}

/// The wasm-bindgen version in Cargo.lock: the CLI must equal it exactly.
pub fn wasm_bindgen_version() -> Option<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).ok()?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines.next()?;
            return Some(
                version
                    .trim_start_matches("version = ")
                    .trim_matches('"')
                    .to_owned(),
            );
        }
    }
    None
}

fn wasm_bindgen() -> Result {
    let Some(version) = wasm_bindgen_version() else {
        return Ok(()); // Nothing uses wasm-bindgen yet.
    };
    let wanted = format!("wasm-bindgen {version}");
    if output("wasm-bindgen", &["--version"]).is_some_and(|v| v.trim() == wanted)
        && output("wasm-bindgen-test-runner", &["--version"]).is_some_and(|v| v.contains(&version))
    {
        return Ok(());
    }
    step("installing the wasm-bindgen CLI");
    // Not --locked: a dependency its lock file names is gone from the registry.
    run(cmd(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &version],
    ))
}

/// wasm-opt (npm `binaryen`), terser and axe-core, all into .tools/.
fn wasm_opt() -> Result {
    let have_axe = tools_dir()
        .join("node_modules/axe-core/axe.min.js")
        .exists();
    if have_axe
        && output("terser", &["--version"]).is_some_and(|v| v.contains(TERSER))
        && output("wasm-opt", &["--version"])
            .is_some_and(|v| v.contains(&format!("version {}", major(BINARYEN))))
    {
        return Ok(());
    }
    step("installing wasm-opt (npm package binaryen), terser and axe-core into .tools/");
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    let prefix = tools_dir();
    let prefix = prefix.to_string_lossy();
    run(cmd(
        "npm",
        &[
            "install",
            "--prefix",
            &prefix,
            "--no-audit",
            "--no-fund",
            "--silent",
            &format!("binaryen@{BINARYEN}"),
            &format!("terser@{TERSER}"),
            &format!("axe-core@{AXE_CORE}"),
        ],
    ))
}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

fn chromium() -> Result {
    let have = |p: &str| std::path::Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(());
    }
    if output("id", &["-u"]).is_none_or(|id| id.trim() != "0") {
        return Err("Chromium and ChromeDriver are missing: install the Debian packages \
                    `chromium` and `chromium-driver` (sudo apt-get install chromium chromium-driver)"
            .into());
    }
    step("installing Chromium and ChromeDriver");
    run(cmd("apt-get", &["update", "-qq"]))?;
    let mut install = cmd(
        "apt-get",
        &["install", "-y", "-qq", "chromium", "chromium-driver"],
    );
    install.env("DEBIAN_FRONTEND", "noninteractive");
    run(install)
}

/// cargo-fuzz, for `cargo xtask fuzz` and the fuzz step of `test`.
pub const CARGO_FUZZ: &str = "0.13.2";

/// Installs cargo-fuzz when it is missing or another version (about a
/// minute). Called by the fuzz commands, not by `setup`: nothing else needs it.
pub fn cargo_fuzz() -> Result {
    use crate::run as r;
    let wanted = format!("cargo-fuzz {CARGO_FUZZ}");
    if r::output("cargo", &["fuzz", "--version"]).is_some_and(|v| v.trim() == wanted) {
        return Ok(());
    }
    r::step(&format!("installing {wanted}"));
    r::run(r::cmd(
        "cargo",
        &["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"],
    ))
}
