//! The end-to-end harness: our server (simulator, fresh database, free
//! loopback port, test hooks on) hosting the release build, ChromeDriver,
//! and a headless Chromium session driven as a person drives it.
//!
//! `cargo xtask test` builds the app and the server first and sets
//! `CONFERENCE_DIST`; the server binary is the workspace's debug build.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use spawn::HANG_GUARD;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub use fantoccini::key::Key;

/// The repository root (this crate is crates/e2e): dist/, target/ and
/// screenshots/ are there.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// A shipped catalog, i18n/<lang>.json: the tests expect its words.
pub fn words(lang: &str) -> Value {
    let file = workspace().join("i18n").join(format!("{lang}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap()
}

/// One message's text in a catalog (which must have it).
pub fn word(catalog: &Value, id: &str) -> String {
    catalog[id]
        .as_str()
        .unwrap_or_else(|| panic!("no {id} in the catalog"))
        .to_owned()
}

/// Where `cargo xtask setup` installs the npm tools and the host
/// frameworks' CSS the embedding tests load.
pub fn tools_dir() -> PathBuf {
    workspace().join(".tools")
}

/// The built app (`CONFERENCE_DIST`, else dist/), which must hold index.html.
pub fn dist() -> PathBuf {
    let dist = std::env::var_os("CONFERENCE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("dist"));
    assert!(
        dist.join("index.html").exists(),
        "no built app in {}: run `cargo xtask test`, which builds it first",
        dist.display()
    );
    dist
}

fn server_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let bin = target.join("debug/conference-server");
    assert!(
        bin.exists(),
        "no {}: run `cargo xtask test`, which builds it first",
        bin.display()
    );
    bin
}

/// Our server, on a copy of the built app (so tests may add pages); its
/// standard error is `server.log` beside its database.
pub struct Server {
    running: spawn::Running,
    pub base: String,
    pub dist: PathBuf,
    _dirs: Vec<tempfile::TempDir>,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        Server::start_with_pages(extra, &[])
    }

    /// Adds pages to the app's folder: each is index.html with the mount
    /// element's attributes replaced by `attrs`.
    pub fn start_with_pages(extra: &[&str], pages: &[(&str, &str)]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        copy_dir(&dist(), site.path());
        let index = std::fs::read_to_string(site.path().join("index.html")).unwrap();
        // The release build's index.html is minified: attribute values unquoted.
        let mount = "data-api-base=/api/json/";
        assert!(index.contains(mount), "dist/index.html has no {mount}");
        for (name, attrs) in pages {
            let page = index.replace(mount, attrs);
            std::fs::write(site.path().join(name), page).unwrap();
        }
        let mut args = vec![
            "--listen".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--test-hooks".as_ref(),
            "--data".as_ref(),
            data.path().as_os_str(),
            "--dist".as_ref(),
            site.path().as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let running = spawn::spawn(&server_binary(), args, &data.path().join("server.log"))
            .expect("the server starts");
        Server {
            base: running.base.clone(),
            running,
            dist: site.path().to_path_buf(),
            _dirs: vec![data, site],
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.running.url(path)
    }

    /// Writes a file into the served copy of the app (`path` relative to
    /// it, folders made as needed), dropping its precompressed `.br` and
    /// `.gz` siblings so the server sends what was written.
    pub fn write_site_file(&self, path: &str, contents: &[u8]) {
        let file = self.dist.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, contents).unwrap();
        for ext in ["br", "gz"] {
            let mut sibling = file.clone().into_os_string();
            sibling.push(format!(".{ext}"));
            let _ = std::fs::remove_file(sibling);
        }
    }

    async fn api(&self, function: &str, body: String) -> Value {
        let reply = reqwest::Client::new()
            .post(self.url(&format!("/api/json/{function}/")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        serde_json::from_str(&reply.text().await.unwrap()).unwrap()
    }

    /// `conferences/get` by code, as demo: the stored conference's data.
    pub async fn stored(&self, code: &str) -> Option<Value> {
        self.stored_for("demo", code).await
    }

    /// A conference as `user` (whose password is its name, as the demo
    /// accounts' are) sees it: `conferences/get` by code.
    pub async fn stored_for(&self, user: &str, code: &str) -> Option<Value> {
        let reply = self
            .api(
                "conferences/get",
                format!("auth_username={user}&auth_password={user}&code={code}"),
            )
            .await;
        (reply["responses"][0]["code"] == "200").then(|| reply["data"].clone())
    }

    pub async fn login_token(&self) -> String {
        let reply = self
            .api(
                "user/login",
                "auth_username=demo&auth_password=demo&token=1".into(),
            )
            .await;
        reply["data"]["auth_token"].as_str().unwrap().to_owned()
    }

    /// Makes the next `count` API replies fail as `kind` says.
    pub async fn fault(&self, kind: &str, count: u32, ms: u32) {
        self.test_hook(&format!("/_test/faults?kind={kind}&count={count}&ms={ms}"))
            .await;
    }

    /// Moves the simulator's clock forward: tokens expire without waiting.
    pub async fn advance_clock(&self, seconds: u32) {
        self.test_hook(&format!("/_test/clock?advance={seconds}"))
            .await;
    }

    /// Waits until a `hold` fault holds a request (a hang after
    /// [`HANG_GUARD`]), then lets it go.
    pub async fn release_when_held(&self) {
        self.until_counted("/_test/delayed", "no request was ever held")
            .await;
        self.test_hook("/_test/release").await;
    }

    /// Waits until the hook route `path`, which counts something, counts
    /// one at least (`what` is the message if it never does, after
    /// [`HANG_GUARD`]).
    async fn until_counted(&self, path: &str, what: &str) {
        let started = Instant::now();
        loop {
            let count = reqwest::get(self.url(path))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if count.trim() != "0" {
                return;
            }
            assert!(started.elapsed() < HANG_GUARD, "{what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// From now on the app's WebAssembly is not sent until
    /// [`Server::release_wasm`]: the page shows the form rendered ahead.
    pub async fn hold_wasm(&self) {
        self.test_hook("/_test/hold-wasm").await;
    }

    /// Sends the held WebAssembly, and any asked for later.
    pub async fn release_wasm(&self) {
        self.test_hook("/_test/release-wasm").await;
    }

    /// Waits until a request for the WebAssembly is held (a hang after
    /// [`HANG_GUARD`]): the page asked for it and cannot have it yet.
    pub async fn wait_until_wasm_held(&self) {
        self.until_counted("/_test/held-wasm", "no wasm request was held")
            .await;
    }

    /// A POST to one of the `--test-hooks` routes, which must succeed.
    async fn test_hook(&self, path: &str) {
        let status = reqwest::Client::new()
            .post(self.url(path))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "POST {path}: {status}");
    }

    /// Every API request the server saw: names and facts, never values.
    pub async fn requests(&self) -> Vec<Value> {
        let text = reqwest::get(self.url("/_test/requests"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        serde_json::from_str::<Value>(&text)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// How the browser looks at the page.
#[derive(Clone, Copy)]
pub struct Screen {
    pub width: u32,
    pub dark: bool,
}

pub const DESKTOP: Screen = Screen {
    width: 1280,
    dark: false,
};

/// ChromeDriver and one headless Chromium session. Fields drop in order: the
/// session, then the driver (killed, so a failing test leaves no process).
pub struct Browser {
    pub client: Client,
    /// ChromeDriver's address, for the commands fantoccini does not wrap.
    driver_url: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The ChromeDriver process, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn start(screen: Screen) -> Browser {
        Browser::launch(screen, None).await
    }

    /// A browser whose person reads `locale` (a tag such as "de-DE"): its
    /// interface language and first Accept-Language (then the tag's base,
    /// "de"), so `navigator.languages[0]` is `locale`. Its console is kept
    /// for [`Browser::console`].
    pub async fn start_in(screen: Screen, locale: &str) -> Browser {
        Browser::launch(screen, Some(locale)).await
    }

    async fn launch(screen: Screen, locale: Option<&str>) -> Browser {
        let port = free_port();
        let driver = Driver(
            Command::new(
                std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
            )
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (cargo xtask setup installs it)"),
        );
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = spawn::HEADLESS_CHROMIUM
            .iter()
            .map(|&flag| flag.to_owned())
            .collect();
        args.extend([
            "--hide-scrollbars".into(),
            // No animations: a host's smooth scrolling (Bootstrap's) would
            // move an element while WebDriver clicks it.
            "--force-prefers-reduced-motion".into(),
            format!("--window-size={},900", screen.width),
            format!("--user-data-dir={}", profile.path().display()),
        ]);
        if screen.dark {
            args.push("--force-dark-mode".into());
            args.push("--blink-settings=preferredColorScheme=0".into());
        }
        let mut caps = json!({ "goog:chromeOptions": { "args": args } });
        if let Some(locale) = locale {
            let base = locale.split('-').next().unwrap();
            let accept = if base == locale {
                locale.to_owned()
            } else {
                format!("{locale},{base}")
            };
            let options = &mut caps["goog:chromeOptions"];
            let args = options["args"].as_array_mut().unwrap();
            args.push(format!("--lang={locale}").into());
            args.push(format!("--accept-lang={accept}").into());
            options["prefs"] = json!({ "intl.accept_languages": accept });
            caps["goog:loggingPrefs"] = json!({ "browser": "ALL" });
        }
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < HANG_GUARD => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        // The window size is the viewport we test at, whatever the flags did.
        let _ = client.set_window_size(screen.width, 900).await;
        Browser {
            client,
            driver_url: url,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Opens `url` and waits for the live form: the form rendered ahead
    /// (`.cf[data-early]`) takes typing too, but the live form replaces its
    /// elements when the wasm has run, and an element a test holds would
    /// then be gone. Tests of the early form itself open with `goto`.
    pub async fn open(&self, url: &str) {
        self.goto(url).await;
        self.wait_for("#cf-code, .cf-created, #cf-auth_username")
            .await;
        self.until("the live form to take over", || async {
            self.js("return document.querySelector('.cf[data-early]') === null")
                .await
                == Value::Bool(true)
        })
        .await;
    }

    /// Opens `url` and returns as soon as the page has loaded.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The element, once it is shown (a hang after [`HANG_GUARD`]).
    pub async fn wait_for(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(el) = self.first_visible(css).await {
                return el;
            }
            assert!(started.elapsed() < HANG_GUARD, "{css} never appeared");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The first element matching `css` that a person can see: the notices
    /// and the sign-in are in the page from the start, hidden until needed.
    async fn first_visible(&self, css: &str) -> Option<Element> {
        for el in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            if el.is_displayed().await.unwrap_or(false) {
                return Some(el);
            }
        }
        None
    }

    /// Waits until `check` holds, polling (a hang after [`HANG_GUARD`]).
    pub async fn until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let started = Instant::now();
        while !check().await {
            assert!(
                started.elapsed() < HANG_GUARD,
                "timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("no {css}"))
    }

    /// Whether a person can see an element matching `css` (hidden ones are
    /// in the page but not shown).
    pub async fn visible(&self, css: &str) -> bool {
        self.first_visible(css).await.is_some()
    }

    /// Clicks into a field and types, key by key.
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.click().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Selects everything in a field and types over it.
    pub async fn retype(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.click().await.unwrap();
        el.send_keys(&format!("{}a{}", Key::Control, Key::Backspace))
            .await
            .unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Presses keys on whatever has focus.
    pub async fn keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    pub async fn focused_id(&self) -> String {
        self.js("return document.activeElement ? document.activeElement.id : ''")
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// The messages shown in the group of the control `id`.
    pub async fn messages(&self, id: &str) -> Vec<String> {
        let script = format!(
            "const g = document.getElementById('{id}').closest('.cf-group');\
             return g ? [...g.querySelectorAll('.cf-message')].map(m => m.textContent) : [];"
        );
        self.js(&script)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    /// Asserts the messages of a control's group, once they have settled
    /// (views update a moment after a key press; a hang after [`HANG_GUARD`]).
    pub async fn expect_messages(&self, id: &str, expected: &[&str]) {
        let started = Instant::now();
        loop {
            let shown = self.messages(id).await;
            if shown == expected || started.elapsed() > HANG_GUARD {
                assert_eq!(shown, expected, "messages on {id}");
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The created conference's ID on screen, once shown.
    pub async fn created_id(&self) -> u64 {
        let el = self.wait_for(".cf-created-id").await;
        el.text().await.unwrap().trim().parse().unwrap()
    }

    /// What the page wrote to its console since the last call, as
    /// `(level, message)` ("WARNING", "SEVERE", …); ChromeDriver hands each
    /// entry out once. Only for a browser from [`Browser::start_in`], which
    /// asks ChromeDriver to keep the log.
    pub async fn console(&self) -> Vec<(String, String)> {
        let session = self.client.session_id().await.unwrap().unwrap();
        let reply = reqwest::Client::new()
            .post(format!("{}/session/{session}/se/log", self.driver_url))
            .header("content-type", "application/json")
            .body(json!({ "type": "browser" }).to_string())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let reply: Value = serde_json::from_str(&reply).unwrap();
        reply["value"]
            .as_array()
            .unwrap_or_else(|| panic!("no browser log: {reply}"))
            .iter()
            .map(|entry| {
                (
                    entry["level"].as_str().unwrap_or("").to_owned(),
                    entry["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// Saves a screenshot into screenshots/ (git ignores it) for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        let dir = workspace().join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.full_page_png().await;
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Saves a full-page screenshot at `path` in the repository (docs/…):
    /// pictures that are kept.
    pub async fn screenshot_into(&self, path: &str) {
        let file = workspace().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let png = self.full_page_png().await;
        std::fs::write(file, png).unwrap();
    }

    async fn full_page_png(&self) -> Vec<u8> {
        // The whole page: make the window as tall as the content first
        // (plus what the window's own frame takes of its height).
        let height = self
            .js("return document.documentElement.scrollHeight + (outerHeight - innerHeight)")
            .await
            .as_u64()
            .unwrap_or(900);
        let width = self
            .js("return window.innerWidth")
            .await
            .as_u64()
            .unwrap_or(1280);
        let _ = self
            .client
            .set_window_size(width as u32, (height as u32).clamp(600, 6000))
            .await;
        let png = self.client.screenshot().await.unwrap();
        let _ = self.client.set_window_size(width as u32, 900).await;
        png
    }

    /// axe-core's violations on the page as it stands (ids and impacts).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = workspace().join(".tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe)
            .unwrap_or_else(|_| panic!("{}: cargo xtask setup installs it", axe.display()));
        self.client
            .execute(&format!("{source}; return true;"), vec![])
            .await
            .unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .unwrap();
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    /// Ends the session politely; dropping the rest stops ChromeDriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Nothing scrolls sideways, no control sticks out of the form on either
/// side (of those drawn: the notices wait hidden), and no text is wider
/// than its box.
pub async fn no_overflow(b: &Browser) {
    let wide = b
        .js("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        .await;
    assert!(
        wide[0].as_u64() <= wide[1].as_u64(),
        "the page scrolls sideways: {wide}"
    );
    // In either direction: an rtl form's controls could stick out on the left.
    let clipped = b
        .js("const r = document.querySelector('.cf').getBoundingClientRect(); return [...document.querySelectorAll('.cf input, .cf select, .cf button')].filter(e => e.type !== 'hidden' && e.getClientRects().length && (e.getBoundingClientRect().right > r.right + 1 || e.getBoundingClientRect().left < r.left - 1)).map(e => e.id)")
        .await;
    assert_eq!(
        clipped,
        serde_json::json!([]),
        "controls stick out of the form"
    );
    // Nor do words: no message, label or hint is wider than its box.
    let cut = b
        .js("return [...document.querySelectorAll('.cf p, .cf label, .cf legend, .cf h2, .cf li, .cf a')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline').map(e => e.textContent.slice(0, 40))")
        .await;
    assert_eq!(cut, serde_json::json!([]), "text overflows its box");
}

/// Signs in as `user` and fills the two values the API requires.
pub async fn fill_minimum(b: &Browser, user: &str, code: &str) {
    b.type_into("#cf-auth_username", user).await;
    b.type_into("#cf-auth_password", user).await;
    b.type_into("#cf-code", code).await;
    b.type_into("#cf-talkpin", "246810").await;
}
