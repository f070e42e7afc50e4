//! Starts the real server binary on a free loopback port, for HTTP tests
//! (through the workspace's one spawner, `crates/spawn`).
#![allow(dead_code)] // Each test file uses its own part of this.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

pub struct Server {
    running: spawn::Running,
    pub base: String,
    pub data: PathBuf,
    dirs: Vec<tempfile::TempDir>,
}

impl Server {
    /// A simulator with a fresh data folder, as a user starts it.
    pub fn start(extra: &[&str]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().to_path_buf();
        Server::launch(&path, extra, vec![data], false)
    }

    /// A server on an existing data folder (for restarts).
    pub fn start_with(data: &Path, extra: &[&str], keep: Vec<tempfile::TempDir>) -> Server {
        Server::launch(data, extra, keep, false)
    }

    /// A simulator with the test hooks on (`/_test/`: faults, clock, log).
    #[cfg(feature = "test-hooks")]
    pub fn with_hooks(extra: &[&str]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().to_path_buf();
        Server::launch(&path, extra, vec![data], true)
    }

    /// host:port, for raw TCP clients.
    pub fn addr(&self) -> String {
        self.running.addr().to_owned()
    }

    /// Sends a signal (`TERM`, `INT`) to the server.
    pub fn signal(&self, name: &str) {
        self.running.signal(name);
    }

    /// Waits up to `limit` for the server to exit; its status, if it did.
    pub fn wait_exit(&mut self, limit: std::time::Duration) -> Option<std::process::ExitStatus> {
        self.running.wait_exit(limit)
    }

    fn launch(data: &Path, extra: &[&str], keep: Vec<tempfile::TempDir>, hooks: bool) -> Server {
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(
            dist.path().join("index.html"),
            "<!DOCTYPE html><html><head><script type=\"module\">import init from '/app.js';</script></head><body></body></html>",
        )
        .unwrap();
        std::fs::write(
            dist.path().join("app-0123456789abcdef_bg.wasm"),
            b"\0asm\x01\0\0\0",
        )
        .unwrap();
        // What `cargo xtask build` writes beside the wasm: served as it is.
        std::fs::write(
            dist.path().join("app-0123456789abcdef_bg.wasm.br"),
            PRECOMPRESSED_WASM,
        )
        .unwrap();
        std::fs::write(
            dist.path().join("app-0123456789abcdef.js"),
            "export default function init() {}\n".repeat(50),
        )
        .unwrap();
        let mut args = vec![
            "--listen".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--dist".as_ref(),
            dist.path().as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        if hooks {
            args.push("--test-hooks".as_ref());
        }
        let running = spawn::spawn(
            Path::new(env!("CARGO_BIN_EXE_conference-server")),
            args,
            &dist.path().join("server.log"),
        )
        .expect("server starts");
        let mut dirs = keep;
        dirs.push(dist);
        Server {
            base: running.base.clone(),
            running,
            data: data.to_path_buf(),
            dirs,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.running.url(path)
    }

    /// What the server wrote to its log so far.
    pub fn log(&self) -> String {
        self.running.log()
    }

    /// Stops the server, handing back its folders so a restart can reuse them.
    pub fn stop(self) -> Vec<tempfile::TempDir> {
        let Server { running, dirs, .. } = self;
        drop(running);
        dirs
    }
}

/// Stands for the brotli file of the test page's wasm: the server must send
/// these bytes as they are, not compress the wasm itself.
pub const PRECOMPRESSED_WASM: &[u8] = b"brotli made at build time";

/// How long a test waits for what it expects before it calls it a hang
/// (the workspace's one guard). Never a measure of speed: what a test
/// checks does not depend on it.
pub const GUARD: Duration = spawn::HANG_GUARD;

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(GUARD).build().unwrap()
}

/// The server's log once `ready` holds for it (the log is written by
/// another process, as it goes), or a panic with the log after [`GUARD`].
pub fn wait_for_log(server: &Server, ready: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let log = server.log();
        if ready(&log) {
            return log;
        }
        assert!(
            started.elapsed() < GUARD,
            "the log did not get there in {GUARD:?}:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A reply: HTTP status and parsed JSON body.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["responses"][0]["code"].as_str().unwrap_or("")
    }

    pub fn key(&self) -> &str {
        self.body["responses"][0]["key"].as_str().unwrap_or("")
    }

    pub fn keys(&self) -> Vec<String> {
        self.body["responses"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["key"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, body, text }
}

pub async fn get(server: &Server, path_and_query: &str) -> Reply {
    read(
        client()
            .get(server.url(path_and_query))
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub async fn post(server: &Server, function: &str, body: &str) -> Reply {
    let response = client()
        .post(server.url(&format!("/api/json/{function}/")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    read(response).await
}

pub const DEMO: &str = "auth_username=demo&auth_password=demo";

/// conferences/create as `username` with `password`.
pub async fn create_as(server: &Server, username: &str, password: &str, params: &str) -> Reply {
    let body = format!("auth_username={username}&auth_password={password}&{params}");
    post(server, "conferences/create", &body).await
}

pub async fn create(server: &Server, params: &str) -> Reply {
    post(server, "conferences/create", &format!("{DEMO}&{params}")).await
}
