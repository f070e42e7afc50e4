//! Running commands, and where things are.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Cmd, Shell};

static ROOT: OnceLock<PathBuf> = OnceLock::new();

/// The workspace root, found by `shell()` when the command starts.
pub fn root() -> &'static Path {
    ROOT.get()
        .expect("main finds the workspace before anything runs")
}

/// The nearest of `dir` and its ancestors whose Cargo.toml has `[workspace]`.
///
/// Found at run time, not fixed when xtask was compiled: cargo runs the alias
/// from anywhere inside the workspace, and a moved checkout, or a target
/// folder shared by two checkouts, must build the checkout it was run in.
pub fn find_workspace(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| {
        std::fs::read_to_string(d.join("Cargo.toml")).is_ok_and(|toml| {
            toml.lines()
                .any(|l| l.trim_start().starts_with("[workspace]"))
        })
    })
}

/// A shell at the workspace root with the project's tools first on PATH
/// (so Trunk finds our wasm-opt); the first call finds the root.
pub fn shell() -> Result<Shell> {
    if ROOT.get().is_none() {
        let here = std::env::current_dir().context("reading the current directory")?;
        let found = find_workspace(&here).with_context(|| {
            format!(
                "no Cargo.toml with [workspace] in {} or above: run cargo xtask in the checkout",
                here.display()
            )
        })?;
        // Only main calls this before the threads start: the first set wins.
        let _ = ROOT.set(found.to_path_buf());
    }
    let sh = Shell::new()?;
    sh.change_dir(root());
    sh.set_var("PATH", tool_path());
    Ok(sh)
}

/// Where project-local tools go (git ignores it).
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's npm tools first, then where `cargo install` puts
/// Trunk and the wasm-bindgen CLI.
pub fn tool_path() -> String {
    let mut dirs = vec![tools_dir().join("node_modules/.bin")];
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

/// Runs a command, echoing it as `$ command` on standard output (in order
/// with everything else the log shows); fails when it fails.
pub fn run(command: Cmd) -> Result<()> {
    println!("$ {command}");
    command.quiet().run()?;
    Ok(())
}

/// A command's standard output, or `None` if it cannot run or fails.
pub fn output(command: Cmd) -> Option<String> {
    command.quiet().read().ok()
}

/// A step's heading, so a long CI log is easy to scan.
pub fn step(name: &str) {
    println!("\n==> {name}");
}

/// A std `Command` for what xshell cannot do: stream the output, send it to
/// a file, run on another thread. Returns it with the line it is shown as.
pub fn detach(command: Cmd) -> (String, Command) {
    (command.to_string(), command.into())
}

/// Fails, naming the command, unless it succeeded.
pub fn check(shown: &str, status: ExitStatus) -> Result<()> {
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
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
pub fn run_tests(command: Cmd, tally: &mut Tally) -> Result<()> {
    let (shown, mut command) = detach(command);
    println!("$ {shown}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {shown}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(std::io::Result::ok) {
            println!("{line}");
            tally.add(&line);
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for {shown}"))?;
    check(&shown, status)
}

/// A command running in the background, its output going to a log; killed
/// if dropped before `wait` (an earlier step failed).
pub struct Background {
    shown: String,
    child: Child,
    log: PathBuf,
}

impl Background {
    pub fn start(command: Cmd, log: &Path) -> Result<Background> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        }
        let file = std::fs::File::create(log).with_context(|| log.display().to_string())?;
        let (shown, mut command) = detach(command);
        let child = command
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("could not start {shown}"))?;
        Ok(Background {
            shown,
            child,
            log: log.to_path_buf(),
        })
    }

    /// Waits for it to end; fails with its whole log if it failed.
    pub fn wait(mut self) -> Result<()> {
        let status = self.child.wait()?;
        if !status.success() {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            bail!("{} failed ({status}):\n{text}", self.shown);
        }
        Ok(())
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Harmless once it has been waited for: std never signals a reaped child.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release server, built first, on a free loopback port with a fresh
/// database and its log in `work`, serving `dist/`: what the benchmarks load.
pub fn release_server(sh: &Shell, work: &Path) -> Result<spawn::Running> {
    run(cmd!(sh, "cargo build --release -p conference-server"))?;
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
    .map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::{find_workspace, Tally};

    #[test]
    fn counts_cargo_and_wasm_bindgen_test_closing_lines() {
        let mut t = Tally::default();
        t.add("test result: ok. 32 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        t.add("test result: FAILED. 13 passed; 1 failed; 0 ignored; 0 filtered out; finished in 3.44s");
        t.add("running 3 tests");
        assert_eq!((t.passed, t.failed), (45, 1));
    }

    #[test]
    fn the_workspace_is_the_nearest_cargo_toml_with_a_workspace_table() {
        let tmp = tempfile::tempdir().unwrap();
        let outer = tmp.path().join("outer");
        let root = outer.join("checkout");
        let member = root.join("crates/server");
        let deep = member.join("src/bin");
        std::fs::create_dir_all(&deep).unwrap();
        // An enclosing workspace farther up must not win over the nearer one.
        std::fs::write(outer.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"x\"\n\n[workspace]\nmembers = [\"crates/server\"]\n\
             [workspace.package]\nedition = \"2021\"\n",
        )
        .unwrap();
        // A member's manifest names the workspace's tables but is not one.
        std::fs::write(
            member.join("Cargo.toml"),
            "[package]\nname = \"s\"\nedition.workspace = true\n[workspace.dependencies]\n",
        )
        .unwrap();
        assert_eq!(find_workspace(&deep), Some(root.as_path()));
        assert_eq!(find_workspace(&member), Some(root.as_path()));
        assert_eq!(find_workspace(&root), Some(root.as_path()));
        assert_eq!(find_workspace(&outer), Some(outer.as_path()));
        assert_eq!(find_workspace(tmp.path()), None);
    }
}
