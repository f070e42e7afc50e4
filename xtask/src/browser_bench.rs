//! The browser benchmark: the release build (`dist/`, from `cargo xtask
//! build`) served by the release server, loaded cold in headless Chromium
//! under a desktop and a throttled mobile profile.
//!
//! It drives ChromeDriver over its WebDriver JSON on loopback with a small
//! blocking HTTP/1.1 client, and reaches the DevTools protocol through
//! ChromeDriver's `goog/cdp/execute`, so xtask needs no async runtime or
//! WebDriver crate for it. Everything is bounded: a fixed number of loads and
//! toggles, and a timeout on every wait.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use anyhow::{bail, Context, Result};
use xshell::Shell;

use crate::run::{root, step};

/// Cold loads per profile; each in a new browser with a new profile folder.
const LOADS: usize = 5;
/// PIN toggles per load (half to equal PINs, half back to different ones).
const TOGGLES: usize = 50;

struct Profile {
    name: &'static str,
    /// `Network.emulateNetworkConditions` and `Emulation.setCPUThrottlingRate`.
    throttle: Option<(Value, f64)>,
    width: u32,
    /// The browser's language (the form's follows it); English otherwise.
    lang: Option<&'static str>,
    /// Measured on a second visit, everything cached (the catalog too),
    /// instead of a cold load with the cache disabled.
    warm: bool,
}

/// The throttled link: 1.6 Mbps down, 750 kbps up, 150 ms RTT, 4x CPU.
fn mobile() -> Option<(Value, f64)> {
    // Throughputs are in bytes per second.
    Some((
        json!({
            "offline": false,
            "latency": 150,
            "downloadThroughput": 1_600_000 / 8,
            "uploadThroughput": 750_000 / 8,
        }),
        4.0,
    ))
}

fn profiles() -> [Profile; 5] {
    let profile = |name, throttle, width, lang, warm| Profile {
        name,
        throttle,
        width,
        lang,
        warm,
    };
    [
        profile("desktop", None, 1280, None, false),
        profile(
            "mobile (1.6 Mbps down, 750 kbps up, 150 ms RTT, 4x CPU)",
            mobile(),
            412,
            None,
            false,
        ),
        profile("mobile, second visit (cached)", mobile(), 412, None, true),
        // German: its catalog is one more request, made beside the wasm's.
        profile("mobile, German browser", mobile(), 412, Some("de"), false),
        profile(
            "mobile, German browser, second visit (cached)",
            mobile(),
            412,
            Some("de"),
            true,
        ),
    ]
}

pub fn browser(sh: &Shell) -> Result<()> {
    step("browser: cold loads and PIN feedback in headless Chromium (release build)");
    let dist = root().join("dist");
    if !dist.join("index.html").exists() {
        bail!("dist/ has no index.html: run `cargo xtask build` first");
    }
    let work = std::env::temp_dir().join(format!("conference-browser-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| work.display().to_string())?;
    let result = measure_all(sh, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn measure_all(sh: &Shell, work: &Path) -> Result<()> {
    let server = crate::run::release_server(sh, work)?;
    let driver = Driver::start(work)?;
    println!(
        "{:<58} {:>10} {:>12} {:>16}",
        "profile (median of loads)", "KB wire", "to #cf-code", "PIN feedback"
    );
    for profile in profiles() {
        let mut bytes = Vec::new();
        let mut visible = Vec::new();
        let mut feedback = Vec::new();
        for load in 0..LOADS {
            let m = driver
                .load(
                    &server.base,
                    &profile,
                    &work.join(format!("profile-{load}")),
                )
                .with_context(|| format!("{} load {}", profile.name, load + 1))?;
            bytes.push(m.bytes);
            visible.push(m.visible_ms);
            feedback.extend(m.feedback_ms);
        }
        println!(
            "{:<58} {:>10.1} {:>9.0} ms {:>5.1} / {:>4.1} ms",
            profile.name,
            median(&mut bytes) / 1024.0,
            median(&mut visible),
            median(&mut feedback),
            percentile(&mut feedback, 0.95),
        );
    }
    println!(
        "KB wire: transferSize of the page and every resource; to #cf-code: from navigation \
         start; PIN feedback: median / p95 of {} toggles",
        LOADS * TOGGLES
    );
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

/// Nearest-rank percentile.
fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = (p * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// ChromeDriver on a free loopback port.
struct Driver {
    addr: String,
    child: Child,
}

/// What one cold load measured.
struct Load {
    bytes: f64,
    visible_ms: f64,
    feedback_ms: Vec<f64>,
}

impl Driver {
    fn start(work: &Path) -> Result<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("a free loopback port for chromedriver")?
            .port();
        let log = work.join("chromedriver.log");
        let log = std::fs::File::create(&log).with_context(|| log.display().to_string())?;
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("/usr/bin/chromedriver (cargo xtask setup installs it)")?;
        let driver = Driver {
            addr: format!("127.0.0.1:{port}"),
            child,
        };
        let started = Instant::now();
        while http(&driver.addr, "GET", "/status", None).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not answer within 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let reply = http(&self.addr, method, path, body.as_ref())?;
        let value: Value =
            serde_json::from_slice(&reply).with_context(|| format!("{method} {path}"))?;
        if let Some(error) = value["value"].get("error") {
            bail!("{method} {path}: {error}: {}", value["value"]["message"]);
        }
        Ok(value["value"].clone())
    }

    /// One cold load in a new browser: bytes, time to the code field, and
    /// the PIN toggles.
    fn load(&self, base: &str, profile: &Profile, user_data: &Path) -> Result<Load> {
        let mut args: Vec<String> = spawn::HEADLESS_CHROMIUM
            .iter()
            .map(|&flag| flag.to_owned())
            .collect();
        args.extend([
            format!("--window-size={},900", profile.width),
            format!("--user-data-dir={}", user_data.display()),
        ]);
        let mut prefs = json!({});
        if let Some(lang) = profile.lang {
            args.extend([format!("--lang={lang}"), format!("--accept-lang={lang}")]);
            prefs = json!({ "intl.accept_languages": lang });
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "goog:chromeOptions": { "args": args, "binary": "/usr/bin/chromium", "prefs": prefs },
            "timeouts": { "script": 120_000, "pageLoad": 120_000 },
        }}});
        let session = self.call("POST", "/session", Some(caps))?;
        let id = session["sessionId"]
            .as_str()
            .context("no sessionId from chromedriver")?
            .to_owned();
        let session = Session { driver: self, id };
        session.measure(base, profile)
        // Dropping the session quits the browser.
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}

/// Installed before the page's own scripts: the time from navigation start
/// (`performance.now()`'s origin) to the code field being laid out.
const WATCH_CODE_FIELD: &str = r#"
(() => {
  const seen = () => {
    const el = document.getElementById('cf-code');
    if (el && el.getClientRects().length > 0 && window.__cfVisible === undefined) {
      window.__cfVisible = performance.now();
      return true;
    }
    return false;
  };
  new MutationObserver((_, obs) => { if (seen()) obs.disconnect(); })
    .observe(document, { childList: true, subtree: true, attributes: true });
})();
"#;

/// In the page: arms the PIN fields as a user would (type, leave), then
/// toggles the talk PIN between equal to and different from the admin PIN,
/// timing each from the input event until the talk PIN's `aria-invalid`
/// says so. It checks after each macrotask (MessageChannel, which is not
/// clamped as nested timers are), so work Leptos defers to microtasks or
/// tasks is counted.
const TOGGLE_PINS: &str = r#"
const done = arguments[arguments.length - 1];
const toggles = arguments[0];
const tick = () => new Promise(r => {
  const c = new MessageChannel();
  c.port1.onmessage = () => r();
  c.port2.postMessage(0);
});
const set = (el, v) => {
  el.value = v;
  el.dispatchEvent(new Event('input', { bubbles: true }));
};
(async () => {
  const admin = document.getElementById('cf-adminpin');
  const talk = document.getElementById('cf-talkpin');
  if (!admin || !talk) return done({ error: 'no PIN fields' });
  set(admin, '1111'); admin.dispatchEvent(new Event('blur'));
  set(talk, '2222'); talk.dispatchEvent(new Event('blur'));
  for (let i = 0; i < 10; i++) await tick();
  const times = [];
  for (let i = 0; i < toggles; i++) {
    const equal = i % 2 === 0;
    const t0 = performance.now();
    set(talk, equal ? '1111' : '2222');
    for (;;) {
      await tick();
      if ((talk.getAttribute('aria-invalid') === 'true') === equal) break;
      if (performance.now() - t0 > 5000) {
        return done({ error: 'aria-invalid did not follow toggle ' + i });
      }
    }
    times.push(performance.now() - t0);
    await tick();
  }
  done({ times });
})().catch(e => done({ error: String(e) }));
"#;

impl Session<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/session/{}/{rest}", self.id)
    }

    fn cdp(&self, command: &str, params: Value) -> Result<Value> {
        self.driver.call(
            "POST",
            &self.path("goog/cdp/execute"),
            Some(json!({ "cmd": command, "params": params })),
        )
    }

    fn script(&self, script: &str, args: Value) -> Result<Value> {
        self.driver.call(
            "POST",
            &self.path("execute/sync"),
            Some(json!({ "script": script, "args": args })),
        )
    }

    fn measure(&self, base: &str, profile: &Profile) -> Result<Load> {
        self.cdp("Network.enable", json!({}))?;
        self.cdp(
            "Network.setCacheDisabled",
            json!({ "cacheDisabled": !profile.warm }),
        )?;
        if let Some((network, cpu)) = &profile.throttle {
            self.cdp("Network.emulateNetworkConditions", network.clone())?;
            self.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": cpu }))?;
        }
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": WATCH_CODE_FIELD }),
        )?;
        self.driver
            .call("POST", &self.path("url"), Some(json!({ "url": base })))?;
        let mut visible_ms = self.wait_number("window.__cfVisible", Duration::from_secs(60))?;
        if profile.warm {
            // The first visit filled the cache; the second is the one timed.
            std::thread::sleep(Duration::from_millis(500));
            self.driver
                .call("POST", &self.path("url"), Some(json!({ "url": base })))?;
            visible_ms = self.wait_number("window.__cfVisible", Duration::from_secs(60))?;
        }
        let lang = self.script("return document.querySelector('.cf').lang;", json!([]))?;
        if lang.as_str() != Some(profile.lang.unwrap_or("en")) {
            bail!("the form's language is {lang}");
        }
        // Let requests started at mount (the language, a token check) end.
        std::thread::sleep(Duration::from_millis(500));
        let bytes = self
            .script(
                "return performance.getEntriesByType('navigation')\
                 .concat(performance.getEntriesByType('resource'))\
                 .reduce((n, e) => n + e.transferSize, 0);",
                json!([]),
            )?
            .as_f64()
            .context("no transfer sizes")?;
        let toggled = self.driver.call(
            "POST",
            &self.path("execute/async"),
            Some(json!({ "script": TOGGLE_PINS, "args": [TOGGLES] })),
        )?;
        if let Some(error) = toggled.get("error") {
            bail!("PIN toggles: {error}");
        }
        let feedback_ms = toggled["times"]
            .as_array()
            .context("no toggle times")?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        Ok(Load {
            bytes,
            visible_ms,
            feedback_ms,
        })
    }

    /// Polls an expression until it is a number.
    fn wait_number(&self, expression: &str, limit: Duration) -> Result<f64> {
        let started = Instant::now();
        loop {
            if let Some(n) = self
                .script(&format!("return {expression};"), json!([]))?
                .as_f64()
            {
                return Ok(n);
            }
            if started.elapsed() > limit {
                bail!("{expression} not set within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One HTTP/1.1 request to a loopback server; the body of the reply
/// (WebDriver puts its errors in the JSON). ChromeDriver keeps the
/// connection open despite `Connection: close`, so the body is read to its
/// `Content-Length` (or its last chunk), not to the end of the stream.
fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Vec<u8>> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = || format!("{method} {path}");
    let stream = TcpStream::connect_timeout(
        &addr.parse().with_context(|| addr.to_owned())?,
        Duration::from_secs(5),
    )
    .with_context(request)?;
    // Longer than the session's own script and page-load timeouts.
    stream
        .set_read_timeout(Some(Duration::from_secs(180)))
        .with_context(request)?;
    write!(
        &stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .with_context(request)?;
    let mut reader = BufReader::new(stream);
    let (mut length, mut chunked, mut line) = (None, false, String::new());
    loop {
        line.clear();
        if reader.read_line(&mut line).with_context(request)? == 0 {
            bail!("{method} {path}: the reply ended in its header");
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(n) = lower.strip_prefix("content-length:") {
            length = n.trim().parse::<usize>().ok();
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut content = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).with_context(request)?;
            let size_text = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size_text, 16)
                .with_context(|| format!("{method} {path}: chunk size {size_text:?}"))?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).with_context(request)?;
            if size == 0 {
                return Ok(content);
            }
            content.extend_from_slice(&chunk[..size]);
        }
    }
    match length {
        Some(n) => {
            content.resize(n, 0);
            reader.read_exact(&mut content).with_context(request)?;
        }
        None => {
            reader.read_to_end(&mut content).with_context(request)?;
        }
    }
    Ok(content)
}
