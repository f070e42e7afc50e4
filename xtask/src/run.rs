//! Running commands, and where things are.

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// Where project-local tools go (git ignores it).
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's tools first, so Trunk finds our wasm-opt.
pub fn tool_path() -> String {
    let mut dirs = vec![tools_dir().join("node_modules/.bin")];
    // Where `cargo install` puts Trunk and the wasm-bindgen CLI.
    match (std::env::var_os("CARGO_HOME"), std::env::var_os("HOME")) {
        (Some(cargo_home), _) => dirs.push(Path::new(&cargo_home).join("bin")),
        (None, Some(home)) => dirs.push(Path::new(&home).join(".cargo/bin")),
        (None, None) => {}
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    dirs.extend(std::env::split_paths(&old));
    std::env::join_paths(dirs)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A command run at the workspace root, with the project's tools on PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root()).env("PATH", tool_path());
    c
}

/// A fixed command written as one line, as in a script:
/// `sh("cargo fmt --all -- --check")`. Words split at spaces, so an argument
/// that is computed or may hold a space is added with `.arg`.
pub fn sh(line: impl AsRef<str>) -> Command {
    let mut words = line.as_ref().split_whitespace();
    let mut c = cmd(words.next().expect("a command line names a program"), &[]);
    c.args(words);
    c
}

/// A command as a person would type it (without its environment), echoed.
fn announce(command: &Command) -> String {
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        args.join(" ")
    );
    println!("$ {shown}");
    shown
}

fn finished(shown: &str, status: std::process::ExitStatus) -> Result {
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// Runs a command, echoing it; fails when it fails.
pub fn run(mut command: Command) -> Result {
    let shown = announce(&command);
    let status = command
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    finished(&shown, status)
}

/// A command's standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A step's heading, so a long CI log is easy to scan.
pub fn step(name: &str) {
    println!("\n==> {name}");
}

/// Tests counted across every test run of `cargo xtask test`.
#[derive(Default)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    /// Reads a runner's closing line, `test result: ok. 3 passed; 0 failed; ...`.
    fn add(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            match (kind, count.parse::<u64>()) {
                ("passed", Ok(n)) => self.passed += n,
                ("failed", Ok(n)) => self.failed += n,
                _ => {}
            }
        }
    }
}

/// Runs a test command, echoing its output, and counts what it ran.
pub fn run_tests(mut command: Command, tally: &mut Tally) -> Result {
    use std::io::{BufRead, BufReader};
    command.stdout(std::process::Stdio::piped());
    let shown = announce(&command);
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            tally.add(&line);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    finished(&shown, status)
}

/// The release server, built first, on a free loopback port with a fresh
/// database and its log in `work`, serving `dist/`: what the benchmarks load.
pub fn release_server(work: &Path) -> Result<spawn::Running> {
    run(sh("cargo build --release -p conference-server"))?;
    let (dist, data) = (root().join("dist"), work.join("data"));
    spawn::spawn(
        &root().join("target/release/conference-server"),
        [
            "--listen".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--dist".as_ref(),
            dist.as_os_str(),
            "--data".as_ref(),
            data.as_os_str(),
        ],
        &work.join("server.log"),
    )
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn counts_cargo_and_wasm_bindgen_test_closing_lines() {
        let mut t = Tally::default();
        t.add("test result: ok. 32 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        t.add("test result: FAILED. 13 passed; 1 failed; 0 ignored; 0 filtered out; finished in 3.44s");
        t.add("running 3 tests");
        assert_eq!((t.passed, t.failed), (45, 1));
    }
}
