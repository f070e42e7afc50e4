//! Building the browser app (Trunk, release; its post_build hook minifies the
//! JavaScript and writes the embedding loader), precompressing it, and the
//! bundle budget.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use xshell::{cmd, Cmd, Shell};

use crate::run::{root, run, step, Background};

/// The size the product set itself (#13) for wasm + JS + CSS, each as the
/// `.gz` and `.br` file the server sends (zopfli, brotli 11), added up: the
/// cap. The created view's invitations and calendar (#24) and the form's
/// reworking (#25) took the bundle past it for a while; the bytes found
/// since (#24's note) brought it back inside, and the build keeps it there.
pub const GOAL_GZIP: usize = 90 * 1024;
pub const GOAL_BROTLI: usize = 76 * 1024;
/// The same form built the usual way with React 19, react-hook-form and
/// zod, as the team measured it (108.9 KB gzipped, 94.9 KB brotli).
pub const REACT_GZIP: usize = 111_514;
pub const REACT_BROTLI: usize = 97_178;
/// What the build reached: lower these when the bundle shrinks.
const REACHED_GZIP: usize = 85_726;
const REACHED_BROTLI: usize = 77_407;
/// What the app may weigh: what the build reached plus 2 KB, so a gain
/// cannot erode unseen, and never more than the goal (nor, therefore, the
/// React build).
pub const BUDGET_GZIP: usize = at_most(REACHED_GZIP + 2 * 1024, GOAL_GZIP);
pub const BUDGET_BROTLI: usize = at_most(REACHED_BROTLI + 2 * 1024, GOAL_BROTLI);
const _: () = assert!(GOAL_GZIP < REACT_GZIP && GOAL_BROTLI < REACT_BROTLI);

const fn at_most(value: usize, limit: usize) -> usize {
    if value < limit {
        value
    } else {
        limit
    }
}

/// How the release bundle is compiled, for size (gzipped savings measured):
/// - the standard library is rebuilt with panics that abort at once (15 KB):
///   the browser shows no panic message anyway, and the messages, locations
///   and their formatting code no longer ship;
/// - with std's `optimize_for_size` choices (1 KB).
///
/// Leptos's `erase_components` is not set: since the views became plain
/// functions (no components to erase) it makes the bundle 1.6 KB larger,
/// because each erased attribute keeps every method of its vtable.
///
/// These need unstable flags: `RUSTC_BOOTSTRAP` lets this machine's stable
/// compiler take them, for this build only, so nothing else (the tests, the
/// server) is built differently. Its own target folder keeps the two kinds of
/// build from undoing each other's work.
pub const SIZE_BUILD: [(&str, &str); 4] = [
    ("RUSTC_BOOTSTRAP", "1"),
    ("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort"),
    ("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size"),
    ("RUSTFLAGS", "-Zunstable-options -Cpanic=immediate-abort"),
];

pub fn build(sh: &Shell) -> Result<()> {
    build_with(sh, None)
}

/// The bundle's target folder, cargo profile and binary: Trunk's build is
/// given the folder here and reads the other two from index.html
/// (`data-cargo-profile-release`, `data-bin`; a test holds them equal), and
/// `prebuild` must ask for exactly the same, or Trunk compiles it all again.
const BUNDLE_TARGET: &str = "target/bundle";
const BUNDLE_PROFILE: &str = "bundle";
const BUNDLE_BIN: &str = "conference-form";

/// Where the prerender (Trunk's pre_build hook, `build/prerender.mjs`) is
/// compiled: natively, in the dev profile, as the server and the tests are,
/// so in their target folder (`CARGO_TARGET_DIR`, or `target/`; a
/// `target-dir` set in a cargo config is not read here), sharing the crates
/// they have in common. (A build from another cargo home keeps it in the
/// bundle's folder instead: see `build_with`.)
fn native_target() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Starts compiling, in the background, what Trunk's build compiles, so that
/// on a new machine it happens while Trunk itself installs (the bundle's LTO
/// leaves a core idle for a minute): the prerender and the bundle's crates
/// for wasm32 as Trunk's cargo asks for them (profile, binary, size flags,
/// target folder). Trunk then finds both done. The prerender shares the
/// server's target folder, so cargo builds the two one after the other.
/// Wait for both before `build`; what fails here fails again, with its
/// message, in Trunk's own build.
pub fn prebuild(sh: &Shell) -> Result<[Background; 2]> {
    let target = root().join(BUNDLE_TARGET);
    let log = |name: &str| root().join(format!("target/prebuild-{name}.log"));
    step(&format!(
        "compiling the bundle's crates in the background (their output: {})",
        log("*").display()
    ));
    // Without the size build's variables, which `build/prerender.mjs` strips
    // too, so that Trunk's hook then asks cargo for exactly this build.
    let prerender = SIZE_BUILD.iter().fold(
        cmd!(sh, "cargo build --bin prerender").env("CARGO_TARGET_DIR", native_target()),
        |command, (name, _)| command.env_remove(name),
    );
    let bundle = size_build(cmd!(
        sh,
        "cargo build --target wasm32-unknown-unknown --profile {BUNDLE_PROFILE} --bin {BUNDLE_BIN}"
    ))
    .env("CARGO_TARGET_DIR", &target);
    Ok([
        Background::start(prerender, &log("prerender"))?,
        Background::start(bundle, &log("bundle"))?,
    ])
}

/// Builds the app with its crates, std's own included, fetched into
/// `cargo_home` (the usual one when `None`) just before.
///
/// Trunk runs offline (`Trunk.toml`): it must never try to download its own
/// tools, and `offline` also makes it pass `--offline` to cargo. So every crate
/// the bundle needs, the standard library's dependencies too (build-std
/// resolves std's own lock file), is fetched here first; without that a new
/// machine fails with "no matching package named `moto-rt`".
pub fn build_with(sh: &Shell, cargo_home: Option<&Path>) -> Result<()> {
    step("fetching the bundle's crates, std's own included (cargo fetch)");
    let mut fetch = size_build(cmd!(sh, "cargo fetch --target wasm32-unknown-unknown"));
    if let Some(home) = cargo_home {
        fetch = fetch.env("CARGO_HOME", home);
    }
    run(fetch)?;
    step("building the app (trunk build --release)");
    let mut trunk = size_build(cmd!(sh, "trunk build --release --offline"))
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    // Its own target folder: the size build's flags differ from the tests'.
    // A build from another cargo home gets another folder too, since crates
    // at another path count as changed and would be compiled again each time
    // the two alternate.
    let target = match cargo_home {
        None => BUNDLE_TARGET,
        Some(home) => {
            trunk = trunk.env("CARGO_HOME", home);
            "target/bundle-empty-home"
        }
    };
    let target = root().join(target);
    // The prerender beside the server's crates, but from another cargo home
    // beside the bundle's, whose crates come from that home too.
    let prerender = match cargo_home {
        None => native_target(),
        Some(_) => target.clone(),
    };
    let trunk = trunk
        .env("PRERENDER_TARGET_DIR", prerender)
        .env("CARGO_TARGET_DIR", target);
    // Trunk's post_build hook (Trunk.toml, build/post-build.mjs) has given the
    // wasm's imports, their module and its hash-named exports short names,
    // minified the JavaScript, renewed both files' integrity hashes and
    // written dist/embed.js.
    run(trunk)?;
    precompress(&root().join("dist"))
}

/// A cargo command set up as the size build is (see `SIZE_BUILD`).
fn size_build(command: Cmd) -> Cmd {
    command.envs(SIZE_BUILD)
}

/// `cargo xtask test` builds the bundle from an empty cargo home, so a build
/// that works only because an earlier run left crates behind fails there.
///
/// It is emptied at each run but keeps its path, so cargo's fingerprints stay
/// valid and only what changed is compiled: the check costs one download of
/// the crates (about 320, a few seconds from the registry).
pub fn build_from_empty_cargo_home(sh: &Shell) -> Result<()> {
    let home = root().join("target/empty-cargo-home");
    if home.exists() {
        std::fs::remove_dir_all(&home).with_context(|| home.display().to_string())?;
    }
    std::fs::create_dir_all(&home).with_context(|| home.display().to_string())?;
    println!(
        "\n==> the bundle from an empty cargo home ({}): it must fetch all it needs",
        home.display()
    );
    build_with(sh, Some(&home))
}

/// Writes `NAME.br` and `NAME.gz` beside every file the server sends, at the
/// highest settings: the server sends them as they are instead of
/// compressing each response on the fly at a lower setting.
fn precompress(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        // The page's copies go out from the server's memory, with the
        // settings put in: packed files of them would only be the copies
        // without them, there to be fetched by name.
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        if dir == root().join("dist") && file.starts_with("index") && file.ends_with(".html") {
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        if ![".wasm", ".js", ".css", ".html", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| name.clone())?;
        for (suffix, packed) in [(".br", brotli_bytes(&bytes)), (".gz", gzip_bytes(&bytes))] {
            let packed_name = format!("{name}{suffix}");
            std::fs::write(&packed_name, packed).context(packed_name)?;
        }
    }
    Ok(())
}

/// gzip, by zopfli: any gzip reader takes it, and it is smaller than gzip -9.
fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    )
    .expect("writing to memory");
    out
}

/// brotli at quality 11.
fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

/// Prints every file's raw, gzip and brotli size; fails past the budget.
pub fn budget() -> Result<()> {
    step("bundle size (wasm + JS + CSS)");
    let dist = root().join("dist");
    let mut files: Vec<_> = std::fs::read_dir(&dist)
        .context("dist (run `cargo xtask build`)")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".wasm")
                || name.ends_with(".css")
                || (name.ends_with(".js") && name != "embed.js")
        })
        .collect();
    files.sort();
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    println!("{:<48} {:>9} {:>9} {:>9}", "file", "raw", "gzip", "brotli");
    // The compressed sizes are those of the `.gz` and `.br` files the build
    // wrote (zopfli, brotli 11): the very bytes the server sends.
    let size = |path: String| {
        std::fs::metadata(&path)
            .map(|m| m.len() as usize)
            .with_context(|| format!("{path} (run `cargo xtask build`)"))
    };
    for path in &files {
        let name = path.to_string_lossy();
        let (raw, gz, br) = (
            size(name.to_string())?,
            size(format!("{name}.gz"))?,
            size(format!("{name}.br"))?,
        );
        println!(
            "{:<48} {raw:>9} {gz:>9} {br:>9}",
            path.file_name().unwrap().to_string_lossy()
        );
        raw_total += raw;
        gz_total += gz;
        br_total += br;
    }
    println!("{:<48} {raw_total:>9} {gz_total:>9} {br_total:>9}", "total");
    let goal = if gz_total <= GOAL_GZIP && br_total <= GOAL_BROTLI {
        "met"
    } else {
        "not met yet"
    };
    println!(
        "budget: {gz_total} of {BUDGET_GZIP} bytes gzipped, {br_total} of {BUDGET_BROTLI} brotli; \
         the goal is {GOAL_GZIP} and {GOAL_BROTLI} ({goal}); the React build weighs \
         {REACT_GZIP} and {REACT_BROTLI}"
    );
    if gz_total > BUDGET_GZIP || br_total > BUDGET_BROTLI {
        bail!(
            "the bundle is {gz_total} bytes gzipped and {br_total} brotli, over the budget of \
             {BUDGET_GZIP} and {BUDGET_BROTLI}"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prebuild_asks_for_the_profile_and_binary_index_html_gives_trunk() {
        let link = include_str!("../../index.html")
            .lines()
            .find(|l| l.contains(r#"rel="rust""#))
            .expect("index.html has Trunk's rust link");
        assert!(
            link.contains(&format!(r#"data-cargo-profile-release="{BUNDLE_PROFILE}""#)),
            "{link}"
        );
        assert!(
            link.contains(&format!(r#"data-bin="{BUNDLE_BIN}""#)),
            "{link}"
        );
    }

    /// Trunk's hook and `prebuild` must give cargo the same environment for
    /// the prerender, or Trunk compiles it all again: both leave out every
    /// variable of the size build.
    #[test]
    fn the_prerender_hook_strips_every_variable_of_the_size_build() {
        let hook = include_str!("../../build/prerender.mjs");
        for (name, _) in SIZE_BUILD {
            assert!(
                hook.contains(&format!("\"{name}\"")),
                "prerender.mjs keeps {name}"
            );
        }
    }
}
