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
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::run::{cmd, root, run, step, Result};
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
fn cargo_fuzz(sub: &str) -> Command {
    let mut c = cmd("cargo", &["fuzz", sub, "--fuzz-dir"]);
    c.arg(fuzz_dir()).args(["-a", "--sanitizer", "none"]);
    c
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
fn fuzz(target: &str, flags: &[String], log: &std::path::Path) -> Result<Stats> {
    let work = fuzz_dir().join("target/corpus").join(target);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let mut c = cargo_fuzz("run");
    c.arg(target)
        .arg(&work)
        .arg(fuzz_dir().join("corpus").join(target))
        .arg("--")
        .args(flags)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    println!(
        "$ cargo fuzz run -a --sanitizer none {target} ... -- {}",
        flags.join(" ")
    );
    let mut file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut child = c
        .spawn()
        .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
    let mut stats = Stats::default();
    // libFuzzer writes to stderr; cargo-fuzz's crash report goes to stdout,
    // read after (it is short and only comes once libFuzzer has ended).
    let stdout = child.stdout.take();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err)
            .lines()
            .map_while(std::result::Result::ok)
        {
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
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            let _ = writeln!(file, "{line}");
            println!("  {line}");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    stats.crashed |= !status.success();
    Ok(stats)
}

fn build() -> Result {
    setup::cargo_fuzz()?;
    run(cargo_fuzz("build"))
}

fn logs() -> Result<PathBuf> {
    let dir = fuzz_dir().join("target/logs");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Every target for a few seconds from the committed corpus (and the inputs
/// that once broke something in it): for `cargo xtask test`.
pub fn smoke() -> Result {
    step(&format!(
        "fuzzing: each target {SMOKE_SECONDS} s from the committed corpus (cargo-fuzz, libFuzzer)"
    ));
    let started = Instant::now();
    // The fuzz crate is its own workspace: `cargo fmt --all` does not see it.
    run(cmd(
        "cargo",
        &["fmt", "--manifest-path", "fuzz/Cargo.toml", "--", "--check"],
    ))?;
    build()?;
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
                    targets
                        .iter()
                        .map(|t| fuzz(t, flags, &logs.join(format!("smoke-{t}.log"))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("a fuzzing thread"))
            .collect()
    });
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

fn finish(crashed: &[&str]) -> Result {
    if crashed.is_empty() {
        return Ok(());
    }
    Err(format!(
        "fuzzing found a crash in {}: the input is in fuzz/artifacts/<target>/ \
         (reproduce with the command printed above); once fixed, copy it into \
         fuzz/corpus/<target>/ and add a unit test",
        crashed.join(", ")
    ))
}

/// `cargo xtask fuzz [--minutes N] [TARGET...]`: long runs, one target after
/// another, each bounded by time; a table of what each did at the end.
/// `smoke` and `agreement` run on their own too: `cargo xtask fuzz smoke`.
pub fn long(args: &[String]) -> Result {
    match args.first().map(String::as_str) {
        Some("smoke") => return smoke(),
        Some("agreement") => return agreement(),
        _ => {}
    }
    let mut minutes: u32 = 10;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" => {
                minutes = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--minutes takes a whole number of minutes")?;
            }
            t if TARGETS.contains(&t) => targets.push(t),
            other => {
                return Err(format!(
                    "unknown argument {other:?}: give --minutes N and target names ({})",
                    TARGETS.join(", ")
                ))
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    build()?;
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
        let stats = fuzz(target, &flags, &log)?;
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
pub fn agreement() -> Result {
    step(&format!(
        "agreement: {AGREEMENT_DRAFTS} generated drafts validated natively and in wasm32 (Node), line for line"
    ));
    let started = Instant::now();
    let dir = root().join("target/agreement");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let count = AGREEMENT_DRAFTS.to_string();

    run(cmd(
        "cargo",
        &[
            "build",
            "-p",
            "agreement",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            // The browser bundle's codegen (opt-level z, LTO), not the server's.
            "--profile",
            "bundle",
        ],
    ))?;
    let wasm_lines = dir.join("wasm.txt");
    let mut node = cmd("node", &["crates/agreement/run.mjs"]);
    node.arg(root().join("target/wasm32-unknown-unknown/bundle/agreement.wasm"))
        .arg(&count)
        .arg(&wasm_lines);
    run(node)?;

    let native = native_lines(&["--", &count])?;
    std::fs::write(dir.join("native.txt"), &native).map_err(|e| e.to_string())?;
    let wasm = std::fs::read_to_string(&wasm_lines).map_err(|e| e.to_string())?;

    let (native, wasm): (Vec<&str>, Vec<&str>) = (native.lines().collect(), wasm.lines().collect());
    let differing: Vec<usize> = (0..native.len().max(wasm.len()))
        .filter(|&i| native.get(i) != wasm.get(i))
        .collect();
    for &i in differing.iter().take(5) {
        let draft = native_lines(&["--", "show", &i.to_string()]).unwrap_or_default();
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
        return Err(format!(
            "agreement: expected {AGREEMENT_DRAFTS} lines, native gave {}, wasm32 {}",
            native.len(),
            wasm.len()
        ));
    }
    if differing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the native and wasm32 builds disagree on {} drafts",
            differing.len()
        ))
    }
}

/// The native side's output (a debug build, as the tests use).
fn native_lines(args: &[&str]) -> Result<String> {
    let mut c = cmd(
        "cargo",
        &["run", "-q", "-p", "agreement", "--bin", "agreement-lines"],
    );
    c.args(args).stderr(Stdio::inherit());
    let out = c
        .output()
        .map_err(|e| format!("could not start cargo run: {e}"))?;
    if !out.status.success() {
        return Err(format!("agreement-lines failed ({})", out.status));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}
