//! Fuzzing the core (cargo-fuzz, libFuzzer, on the stable toolchain) and the
//! agreement of its validator across the two targets it ships for.
//!
//! - `smoke`: each fuzz target for a few seconds, from the committed corpus
//!   (`cargo xtask test`);
//! - `long`: `cargo xtask fuzz [--minutes N] [TARGET...]`, N minutes a target
//!   (default 10), one after another, with a table at the end (`cargo xtask
//!   fuzz smoke` and `cargo xtask fuzz agreement` run the other two alone);
//! - `agreement`: generated drafts validated natively and in wasm32 (under
//!   Node), compared line for line (`cargo xtask test`).
//!
//! Every fuzz run has debug assertions on (`-a`: overflow panics) and no
//! sanitizer (`--sanitizer none`: the sanitizers need a nightly compiler).
//! libFuzzer's new inputs go to `fuzz/target/corpus/<target>/` (ignored by
//! git); the committed seeds in `fuzz/corpus/<target>/` are only read. A crash
//! leaves its input in `fuzz/artifacts/<target>/`: once fixed, copy it into
//! `fuzz/corpus/<target>/` and add a unit test in crates/conference/tests.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Cmd, Shell};

use crate::run::{detach, root, run, shell, step};
use crate::setup;

pub const TARGETS: [&str; 4] = ["form_decode", "reply", "validate", "roundtrip"];

/// Seconds each target runs in `smoke`: with the build, under two minutes.
const SMOKE_SECONDS: u32 = 10;

/// Drafts `agreement` compares.
const AGREEMENT_DRAFTS: u32 = 100_000;

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// `cargo fuzz <sub>` with the options every run here takes.
fn cargo_fuzz<'a>(sh: &'a Shell, sub: &str) -> Cmd<'a> {
    let dir = fuzz_dir();
    cmd!(sh, "cargo fuzz {sub} --fuzz-dir {dir} -a --sanitizer none")
}

/// What libFuzzer said at the end of a run.
#[derive(Default)]
struct Stats {
    runs: u64,
    seconds: u64,
    cov: u64,
    ft: u64,
    crashed: bool,
}

impl Stats {
    /// Reads `#123 DONE cov: 1 ft: 2 ...` (and `pulse`, `NEW`, ...),
    /// `Done 123 runs in 4 second(s)`, and any sign of a crash.
    fn read(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |word: &str| {
            let i = words.iter().position(|w| *w == word)?;
            words.get(i + 1)?.parse().ok()
        };
        if line.starts_with('#') {
            self.cov = after("cov:").unwrap_or(self.cov);
            self.ft = after("ft:").unwrap_or(self.ft);
        } else if line.starts_with("Done ") {
            self.runs = after("Done").unwrap_or(self.runs);
            self.seconds = after("in").unwrap_or(self.seconds);
        }
        if line.contains("panicked at") || line.starts_with("==") && line.contains("ERROR") {
            self.crashed = true;
        }
    }

    fn row(&self, target: &str) -> String {
        let rate = self.runs / self.seconds.max(1);
        format!(
            "{target:<12} {:>12} {:>9} {:>6} {:>7}  {}",
            self.runs,
            rate,
            self.cov,
            self.ft,
            if self.crashed { "CRASH" } else { "none" }
        )
    }
}

const HEADER: &str = "target         executions  execs/s    cov      ft  crashes";

/// Runs one target with libFuzzer `flags`; its whole output goes to `log`,
/// the lines worth seeing (progress pulses, the end, any crash) to the screen.
fn fuzz(sh: &Shell, target: &str, flags: &[String], log: &Path) -> Result<Stats> {
    let work = fuzz_dir().join("target/corpus").join(target);
    std::fs::create_dir_all(&work).with_context(|| work.display().to_string())?;
    let seeds = fuzz_dir().join("corpus").join(target);
    let (_, mut c) = detach(
        cargo_fuzz(sh, "run")
            .args([
                target.as_ref(),
                work.as_os_str(),
                seeds.as_os_str(),
                "--".as_ref(),
            ])
            .args(flags),
    );
    println!(
        "$ cargo fuzz run -a --sanitizer none {target} ... -- {}",
        flags.join(" ")
    );
    let mut file = std::fs::File::create(log).with_context(|| log.display().to_string())?;
    let mut child = c
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("could not start cargo fuzz")?;
    let mut stats = Stats::default();
    // libFuzzer writes to stderr; cargo-fuzz's crash report goes to stdout,
    // read after (it is short and only comes once libFuzzer has ended).
    let stdout = child.stdout.take();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines().map_while(std::io::Result::ok) {
            let _ = writeln!(file, "{line}");
            stats.read(&line);
            let loud = [
                "pulse", "DONE", "INITED", "Done ", "panicked", "ERROR", "SUMMARY",
            ];
            if loud.iter().any(|w| line.contains(w)) || stats.crashed {
                println!("  {target}: {line}");
            }
        }
    }
    if let Some(out) = stdout {
        for line in BufReader::new(out).lines().map_while(std::io::Result::ok) {
            let _ = writeln!(file, "{line}");
            println!("  {line}");
        }
    }
    let status = child.wait().context("waiting for cargo fuzz")?;
    stats.crashed |= !status.success();
    Ok(stats)
}

fn build(sh: &Shell) -> Result<()> {
    setup::cargo_fuzz(sh)?;
    run(cargo_fuzz(sh, "build"))
}

fn logs() -> Result<PathBuf> {
    let dir = fuzz_dir().join("target/logs");
    std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
    Ok(dir)
}

/// Every target for a few seconds from the committed corpus (and the inputs
/// that once broke something in it): for `cargo xtask test`.
pub fn smoke(sh: &Shell) -> Result<()> {
    step(&format!(
        "fuzzing: each target {SMOKE_SECONDS} s from the committed corpus (cargo-fuzz, libFuzzer)"
    ));
    let started = Instant::now();
    // The fuzz crate is its own workspace: `cargo fmt --all` does not see it.
    run(cmd!(
        sh,
        "cargo fmt --manifest-path fuzz/Cargo.toml -- --check"
    ))?;
    build(sh)?;
    let logs = logs()?;
    let flags = [format!("-max_total_time={SMOKE_SECONDS}")];
    // Two targets at a time, one per core: each still fuzzes its full time
    // (libFuzzer runs on one thread), the step takes half as long.
    let results: Vec<Result<Stats>> = std::thread::scope(|scope| {
        let runs: Vec<_> = TARGETS
            .chunks(TARGETS.len().div_ceil(2))
            .map(|targets| {
                let (flags, logs) = (&flags, &logs);
                scope.spawn(move || {
                    // A shell of its own: one is not shared between threads.
                    let sh = shell()?;
                    Ok(targets
                        .iter()
                        .map(|t| fuzz(&sh, t, flags, &logs.join(format!("smoke-{t}.log"))))
                        .collect::<Vec<_>>())
                })
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("a fuzzing thread"))
            .collect::<Result<Vec<_>>>()
            .map(|chunks| chunks.into_iter().flatten().collect())
    })?;
    let mut crashed = Vec::new();
    let mut rows = Vec::new();
    for (target, stats) in TARGETS.into_iter().zip(results) {
        let stats = stats?;
        rows.push(stats.row(target));
        if stats.crashed {
            crashed.push(target);
        }
    }
    println!("{HEADER}\n{}", rows.join("\n"));
    println!("fuzzing took {} s", started.elapsed().as_secs());
    finish(&crashed)
}

fn finish(crashed: &[&str]) -> Result<()> {
    if crashed.is_empty() {
        return Ok(());
    }
    bail!(
        "fuzzing found a crash in {}: the input is in fuzz/artifacts/<target>/ \
         (reproduce with the command printed above); once fixed, copy it into \
         fuzz/corpus/<target>/ and add a unit test",
        crashed.join(", ")
    )
}

/// `cargo xtask fuzz [--minutes N] [TARGET...]`: long runs, one target after
/// another, each bounded by time; a table of what each did at the end (no
/// targets: all of them). The arguments are checked by main's parser.
pub fn long(sh: &Shell, minutes: u32, targets: &[String]) -> Result<()> {
    let targets: Vec<&str> = if targets.is_empty() {
        TARGETS.to_vec()
    } else {
        targets.iter().map(String::as_str).collect()
    };
    build(sh)?;
    let logs = logs()?;
    let flags = [
        format!("-max_total_time={}", u64::from(minutes) * 60),
        "-print_final_stats=1".to_owned(),
    ];
    let mut crashed = Vec::new();
    let mut rows = Vec::new();
    for target in &targets {
        step(&format!("fuzzing {target} for {minutes} min"));
        let log = logs.join(format!("{target}.log"));
        let stats = fuzz(sh, target, &flags, &log)?;
        println!("  whole output: {}", log.display());
        rows.push(stats.row(target));
        if stats.crashed {
            crashed.push(*target);
        }
    }
    println!("\n{HEADER}\n{}", rows.join("\n"));
    finish(&crashed)
}

/// The same generated drafts validated by the core built for x86_64 (as the
/// server is) and for wasm32 (as the browser runs it, here under Node's V8),
/// compared line for line: any difference is a bug. See crates/agreement.
pub fn agreement(sh: &Shell) -> Result<()> {
    step(&format!(
        "agreement: {AGREEMENT_DRAFTS} generated drafts validated natively and in wasm32 (Node), line for line"
    ));
    let started = Instant::now();
    let dir = root().join("target/agreement");
    std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
    let count = AGREEMENT_DRAFTS.to_string();

    // The browser bundle's codegen (profile `bundle`: opt-level z, LTO), not the server's.
    run(cmd!(
        sh,
        "cargo build -p agreement --lib --target wasm32-unknown-unknown --profile bundle"
    ))?;
    let wasm_lines = dir.join("wasm.txt");
    let wasm_file = root().join("target/wasm32-unknown-unknown/bundle/agreement.wasm");
    run(cmd!(
        sh,
        "node crates/agreement/run.mjs {wasm_file} {count} {wasm_lines}"
    ))?;

    let native = native_lines(sh, &[&count])?;
    let native_file = dir.join("native.txt");
    std::fs::write(&native_file, format!("{native}\n"))
        .with_context(|| native_file.display().to_string())?;
    let wasm =
        std::fs::read_to_string(&wasm_lines).with_context(|| wasm_lines.display().to_string())?;

    let (native, wasm): (Vec<&str>, Vec<&str>) = (native.lines().collect(), wasm.lines().collect());
    let differing: Vec<usize> = (0..native.len().max(wasm.len()))
        .filter(|&i| native.get(i) != wasm.get(i))
        .collect();
    for &i in differing.iter().take(5) {
        let draft = native_lines(sh, &["show", &i.to_string()]).unwrap_or_default();
        println!("draft {i}: {}", draft.trim_end());
        println!("  native: {}", native.get(i).unwrap_or(&"(missing)"));
        println!("  wasm32: {}", wasm.get(i).unwrap_or(&"(missing)"));
    }
    println!(
        "agreement: {} drafts compared, {} differences ({} s; lines in {})",
        native.len().min(wasm.len()),
        differing.len(),
        started.elapsed().as_secs(),
        dir.display()
    );
    if native.len() != AGREEMENT_DRAFTS as usize || wasm.len() != native.len() {
        bail!(
            "agreement: expected {AGREEMENT_DRAFTS} lines, native gave {}, wasm32 {}",
            native.len(),
            wasm.len()
        );
    }
    if !differing.is_empty() {
        bail!(
            "the native and wasm32 builds disagree on {} drafts",
            differing.len()
        );
    }
    Ok(())
}

/// The native side's output (a debug build, as the tests use) for its
/// arguments: a count of drafts, or `show N`.
fn native_lines(sh: &Shell, args: &[&str]) -> Result<String> {
    Ok(cmd!(
        sh,
        "cargo run -q -p agreement --bin agreement-lines -- {args...}"
    )
    .quiet()
    .read()?)
}
