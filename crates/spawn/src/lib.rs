//! One way to start `conference-server` as a process, shared by the server's
//! HTTP tests, the end-to-end tests and `cargo xtask bench`.
//!
//! The server picks a free port (`--listen 127.0.0.1:0`) and prints
//! `listening on http://ADDR/` last on standard output once it accepts
//! connections: that line, not a fixed sleep, says it is ready. Standard
//! error goes to a file the caller names, to read when a test fails.
//!
//! Also the flags headless Chromium needs on these machines, for the two
//! programs that start it (the end-to-end tests and the browser benchmark).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Chromium's flags for a headless run here: without the background
/// networking ones, it keeps dialling hosts this machine cannot reach. Each
/// run adds its own `--window-size` and a fresh `--user-data-dir`.
pub const HEADLESS_CHROMIUM: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// How long a test waits for an event before it calls it a hang. Only a
/// guard: every wait ends as soon as its event comes, so a slow or busy
/// machine changes how long a test takes, never its verdict.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// A running server, killed when dropped (a failing test leaves no process).
pub struct Running {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    child: Child,
    log: PathBuf,
}

/// Starts `binary` with `args`, its standard error written to `log`, and
/// waits until it says where it listens.
pub fn spawn<I, S>(binary: &Path, args: I, log: &Path) -> Result<Running, String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let stderr = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut child = Command::new(binary)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    let base = loop {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.kill();
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            let text = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!(
                "{} stopped before it listened ({status}):\n{text}",
                binary.display()
            ));
        }
        if let Some(url) = line.trim_end().strip_prefix("listening on ") {
            break url.trim_end_matches('/').to_owned();
        }
    };
    // Keep reading what else it prints, so a full pipe never blocks it.
    std::thread::spawn(move || std::io::copy(&mut lines.into_inner(), &mut std::io::sink()));
    Ok(Running {
        base,
        child,
        log: log.to_path_buf(),
    })
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// host:port, for raw TCP clients.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote to standard error so far.
    pub fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// Sends a signal (`TERM`, `INT`) to the server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} {}", self.pid());
    }

    /// Waits up to `limit` for the server to exit; its status, if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
