//! The form before the WebAssembly (#22): each copy of the page holds the
//! form rendered ahead in its language (`.cf[data-early]`), which takes
//! typing at once; when the wasm has run, the loader (build/i18n.js) hands
//! everything over to the live form and removes the early one. The server
//! holds the wasm (`/_test/hold-wasm`) for as long as a test types, so
//! "before the wasm" is a state the test is in, not a race it hopes to win.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use e2e::*;
use serde_json::{json, Value};

/// A browser reading `locale`, checked: headless Chromium is picky about it.
async fn browser_in(locale: &str) -> Browser {
    let b = Browser::start_in(DESKTOP, locale).await;
    b.client.goto("about:blank").await.unwrap();
    let first = b.js("return navigator.languages[0]").await;
    assert_eq!(first, locale, "navigator.languages[0]");
    b
}

/// Opens `path` with the wasm held: returns once the early form is shown,
/// the loader has marked it, and the page's request for the wasm waits.
async fn open_held(s: &Server, b: &Browser, path: &str) {
    s.hold_wasm().await;
    b.goto(&s.url(path)).await;
    b.wait_for(".cf[data-early] #cf-code").await;
    s.wait_until_wasm_held().await;
    assert_eq!(
        b.js("return document.querySelectorAll('.cf').length").await,
        1,
        "only the early form while the wasm is held"
    );
}

/// Lets the wasm go and waits until the live form has taken over: the early
/// root gone, the live one drawn with its controls.
async fn take_over(s: &Server, b: &Browser) {
    s.release_wasm().await;
    wait_for_live(b).await;
}

/// The focused control's id and its selection, as `[id, start, end]`.
async fn focus_and_caret(b: &Browser) -> Value {
    b.js("const a = document.activeElement; return [a.id, a.selectionStart, a.selectionEnd]")
        .await
}

/// "Error: …" as the form shows a rule's message on the code's field.
fn code_error(catalog: &Value, rule: &str) -> String {
    let text = word(catalog, rule).replace("{label}", &word(catalog, "label.code"));
    format!("{} {text}", word(catalog, "message.error"))
}

#[tokio::test]
async fn what_is_typed_before_the_wasm_survives_the_takeover() {
    let en = words("en");
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    open_held(&s, &b, "/").await;

    // A code with a letter, left for the next field.
    b.type_into("#cf-code", "12a").await;
    b.type_into("#cf-talkpin", "246810").await;
    b.type_into("#cf-adminpin", "1357").await;
    // The date control takes the digits in the locale's order (mm dd yyyy).
    b.type_into("#cf-start-date", "03152031").await;
    b.find("#cf-repeats")
        .await
        .send_keys("Weekly")
        .await
        .unwrap();
    b.click("#cf-more > summary").await;
    b.wait_for("#cf-description").await;
    b.click("#cf-panel").await;
    // The focus stays here, the caret three characters from the end.
    b.type_into("#cf-description", "Board meeting").await;
    b.keys(&format!("{}{}{}", Key::Left, Key::Left, Key::Left))
        .await;
    assert_eq!(
        focus_and_caret(&b).await,
        json!(["cf-description", 10, 10]),
        "the caret moved in the early form"
    );
    // Nothing validates yet: that is the wasm's work.
    assert!(b.messages("cf-code").await.is_empty());

    take_over(&s, &b).await;
    for (id, value) in [
        ("cf-code", "12a"),
        ("cf-talkpin", "246810"),
        ("cf-adminpin", "1357"),
        ("cf-start-date", "2031-03-15"),
        ("cf-repeats", "weekly"),
        ("cf-description", "Board meeting"),
    ] {
        assert_eq!(b.value(&format!("#{id}")).await, value, "#{id}");
    }
    assert_eq!(
        b.js("return [document.getElementById('cf-panel').checked, document.getElementById('cf-play_join').checked, document.getElementById('cf-more').open]")
            .await,
        json!([true, false, true]),
        "the ticked box, an unticked one, More settings open"
    );
    assert_eq!(
        focus_and_caret(&b).await,
        json!(["cf-description", 10, 10]),
        "the focus and the caret"
    );
    // The live form checked what was left: the code's letter.
    b.expect_messages("cf-code", &[code_error(&en, "rule.not_digits").as_str()])
        .await;
    assert_eq!(
        b.find("#cf-code")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );

    // The live form holds it all, not only its controls: what is stored is
    // what was typed before the wasm.
    b.retype("#cf-code", "700301").await;
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "demo").await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    let stored = s.stored("700301").await.expect("stored");
    assert_eq!(stored["id"].as_u64(), Some(id));
    let kept: Value = [
        "talkpin",
        "adminpin",
        "year",
        "month",
        "day",
        "repeats",
        "description",
        "panel",
        "play_join",
    ]
    .iter()
    .map(|&k| (k.to_owned(), stored[k].clone()))
    .collect::<serde_json::Map<_, _>>()
    .into();
    assert_eq!(
        kept,
        json!({
            "talkpin": "246810", "adminpin": "1357", "year": 2031, "month": 3, "day": 15,
            "repeats": "weekly", "description": "Board meeting", "panel": 1, "play_join": 0,
        })
    );
    b.close().await;
}

#[tokio::test]
async fn an_arabic_visitor_types_into_a_right_to_left_form_before_the_wasm() {
    let ar = words("ar");
    let s = Server::start(&[]);
    let b = browser_in("ar").await;
    open_held(&s, &b, "/").await;
    assert_eq!(
        b.js("const f = document.querySelector('.cf[data-early]'), h = document.documentElement; return [f.lang, f.dir, h.lang, h.dir, getComputedStyle(f).direction]")
            .await,
        json!(["ar", "rtl", "ar", "rtl", "rtl"]),
        "the early form and the page: lang, dir; the form's direction"
    );
    assert_eq!(b.text("label[for=cf-code]").await, word(&ar, "label.code"));
    assert_eq!(b.js("return document.title").await, word(&ar, "page.title"));

    b.type_into("#cf-code", "12a").await;
    b.type_into("#cf-talkpin", "246810").await;
    b.click("#cf-more > summary").await;
    b.wait_for("#cf-description").await;
    // Right to left, the key that moves the caret back from the end of
    // Arabic text is the right arrow: whichever, the caret is not at the
    // end any more, and the live form must put it where it was.
    b.type_into("#cf-description", "اجتماع الفريق").await;
    b.keys(&format!("{}{}", Key::Right, Key::Right)).await;
    let before = focus_and_caret(&b).await;
    assert_eq!(before[0], "cf-description");
    let caret = before[1].as_u64().unwrap();
    let length = "اجتماع الفريق".encode_utf16().count() as u64;
    assert!(
        caret > 0 && caret < length && before[1] == before[2],
        "the caret moved inside the text: {before}"
    );

    take_over(&s, &b).await;
    assert_eq!(
        b.js("const f = document.querySelector('.cf'); return [f.lang, f.dir]")
            .await,
        json!(["ar", "rtl"]),
        "the live form"
    );
    assert_eq!(b.value("#cf-code").await, "12a");
    assert_eq!(b.value("#cf-talkpin").await, "246810");
    assert_eq!(b.value("#cf-description").await, "اجتماع الفريق");
    assert_eq!(
        b.js("return document.getElementById('cf-more').open").await,
        true
    );
    assert_eq!(focus_and_caret(&b).await, before, "the focus and the caret");
    b.expect_messages("cf-code", &[code_error(&ar, "rule.not_digits").as_str()])
        .await;
    b.close().await;
}

#[tokio::test]
async fn axe_finds_nothing_on_the_early_form() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    open_held(&s, &b, "/").await;
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "axe, the form rendered ahead"
    );
    // Still the early form: axe looked at it, not at the live one.
    assert_eq!(
        b.js("return document.querySelectorAll('.cf[data-early]').length")
            .await,
        1
    );
    s.release_wasm().await;
    b.close().await;
}

#[tokio::test]
async fn a_submit_before_the_wasm_is_held_never_goes_by_get_and_is_made_once_after() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    open_held(&s, &b, "/").await;
    let url = b.js("return location.href").await;
    // Gone if anything navigates, even a POST to the same address.
    b.js("window.sameDocument = true; return true").await;

    b.type_into("#cf-code", "700401").await;
    b.type_into("#cf-talkpin", "246810").await;
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", &format!("demo{}", Key::Enter))
        .await;
    // And the create button, as an impatient person would; then a click on
    // the page beside the form, so no control of the form has the focus
    // when the live form takes over (the hand-over must not depend on it).
    b.click("#cf-submit").await;
    b.click("#page-title").await;
    assert_eq!(b.focused_id().await, "", "the focus left the form");

    assert_eq!(b.js("return location.href").await, url, "the address");
    let href = url.as_str().unwrap();
    assert!(!href.contains('?') && !href.contains("demo"), "{href}");
    assert_eq!(
        b.js("return window.sameDocument === true").await,
        true,
        "the page did not navigate"
    );
    assert_eq!(
        s.requests().await,
        Vec::<Value>::new(),
        "nothing reached the API"
    );
    assert_eq!(
        b.js("return document.querySelector('.cf[data-early] form').getAttribute('aria-busy')")
            .await,
        "true",
        "the early form shows it is busy"
    );
    // And says so, on its button and to a screen reader, in its words.
    let creating = word(&words("en"), "button.creating");
    assert_eq!(
        b.js("const f = document.querySelector('.cf[data-early]'); return [f.querySelector('#cf-submit').textContent, f.querySelector('#cf-status').textContent]")
            .await,
        json!([creating, creating])
    );

    take_over(&s, &b).await;
    // Deterministic however the sign-in's check (the fields handed over are
    // "left") interleaves with the submit: the conference is created, by
    // exactly one real create; two submits would make two (the second
    // refused as a taken code), none would make none.
    let id = b.created_id().await;
    assert_eq!(s.stored("700401").await.expect("stored")["id"], id);
    let sent = s.requests().await;
    let creates = sent
        .iter()
        .filter(|r| r["function"] == "conferences/create" && r["validation"] == false)
        .count();
    assert_eq!(creates, 1, "one create: {sent:?}");
    assert!(sent.iter().all(|r| r["secret_in_url"] == false), "{sent:?}");
    b.close().await;
}

/// Every control in the form under `root`, in document order: id, name,
/// type, its `<label for>`'s text, required, aria-describedby, and a
/// button's name (its aria-label or text).
async fn controls(b: &Browser, root: &str) -> Vec<Value> {
    let script = format!(
        "const root = document.querySelector('{root}');\
         return [...root.querySelectorAll('input, select, button, textarea')].map(c => {{\
           const label = c.id && root.querySelector(`label[for=\"${{c.id}}\"]`);\
           return [c.id, c.name, c.type, label ? label.textContent.trim() : null, c.required,\
             c.getAttribute('aria-describedby'),\
             c.localName === 'button' ? (c.getAttribute('aria-label') || c.textContent.trim()) : null];\
         }});"
    );
    let found = b.js(&script).await.as_array().unwrap().clone();
    assert!(
        found.len() > 20,
        "the form's controls under {root}: {found:?}"
    );
    found
}

/// The early form's controls against the live form's, on one load.
///
/// What this guards: the form rendered ahead comes from the same views run
/// natively at build time (src/bin/prerender.rs), with no settings; the
/// live form from the wasm with the page's. If they drift apart (a view
/// that draws differently without a mount element, a control only one of
/// them has, an id renamed in one), the takeover finds no control to put a
/// value into and drops it silently, a label read before the wasm changes
/// under the person, or a screen reader hears another form.
async fn same_controls(b: Browser, s: &Server) {
    open_held(s, &b, "/").await;
    let early = controls(&b, "#conference-form > .cf[data-early]").await;
    take_over(s, &b).await;
    let live = controls(&b, "#conference-form > .cf").await;
    assert_eq!(early.len(), live.len(), "as many controls");
    for (early, live) in early.iter().zip(&live) {
        assert_eq!(
            early, live,
            "[id, name, type, label, required, aria-describedby, button]"
        );
    }
    b.close().await;
}

#[tokio::test]
async fn the_early_form_has_the_live_forms_controls_in_english() {
    let s = Server::start(&[]);
    same_controls(Browser::start(DESKTOP).await, &s).await;
}

#[tokio::test]
async fn the_early_form_has_the_live_forms_controls_in_german() {
    let s = Server::start(&[]);
    let b = browser_in("de-DE").await;
    same_controls(b, &s).await;
}

#[tokio::test]
async fn the_takeover_shifts_nothing_on_the_page() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    open_held(&s, &b, "/").await;
    // Every node of the form is new at the takeover, so only what is around
    // it can shift: a host's page goes on below the form; so does this one
    // now. The window is as tall as the page, so all of it is in view (a
    // shift out of view counts nothing).
    b.js("document.getElementById('conference-form').insertAdjacentHTML('afterend', '<p id=\"below\">Below the form</p>'); return true")
        .await;
    let before = watch_the_takeover(&b).await;
    take_over(&s, &b).await;
    let (then, during) = after_the_takeover(&b).await;
    assert_eq!(
        during,
        Vec::<Value>::new(),
        "layout shifts from the takeover on"
    );
    assert_eq!(then, before, "#below moved at the takeover");
    // The sentinel is really below the form, in view.
    assert_eq!(
        b.js("const r = document.getElementById('below').getBoundingClientRect(); return r.top > 0 && r.bottom <= innerHeight")
            .await,
        true
    );
    b.close().await;
}

#[tokio::test]
async fn a_german_visitor_reads_german_before_the_wasm() {
    let de = words("de");
    let s = Server::start(&[]);
    let b = browser_in("de-DE").await;
    open_held(&s, &b, "/").await;
    assert_eq!(
        b.js("return [document.documentElement.lang, document.querySelector('.cf[data-early]').lang]")
            .await,
        json!(["de", "de"]),
        "<html> and the early form's lang"
    );
    // Our server sent the German copy for "/" (Accept-Language): the head's
    // script had no other copy to move to, which costs a round trip.
    assert_eq!(b.js("return location.pathname").await, "/");
    assert_eq!(b.js("return document.title").await, word(&de, "page.title"));
    assert_eq!(
        b.js("const m = document.querySelector('meta[name=description]'); return m && m.content")
            .await,
        word(&de, "page.description")
    );
    assert_eq!(b.text("label[for=cf-code]").await, word(&de, "label.code"));
    s.release_wasm().await;
    b.close().await;
}

#[tokio::test]
async fn a_normal_load_writes_no_error_or_warning_to_the_console() {
    let s = Server::start(&[]);
    let b = browser_in("en-US").await;
    b.console().await; // about:blank's
    b.open(&s.url("/")).await;
    // The page's icon is there (a missing one is an error in the console,
    // when the browser asks for it).
    let icon = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(document.querySelector('link[rel=icon]').href).then(r => done(r.status), e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(icon, 200, "the favicon");
    // Something typed and left, so the live form has run its views.
    b.type_into("#cf-code", "700801").await;
    b.click("#cf-talkpin").await;
    b.expect_messages("cf-code", &[]).await;
    let noisy: Vec<(String, String)> = b
        .console()
        .await
        .into_iter()
        .filter(|(level, _)| level == "SEVERE" || level == "WARNING")
        .collect();
    assert_eq!(noisy, Vec::<(String, String)>::new(), "the console");
    b.close().await;
}

/// A static host: `dist/` served as files, with no server of ours to pick
/// a copy by Accept-Language or cookie, so everyone is sent index.html
/// (English) for `/`. GET only; it notes each path asked for, and serves
/// until dropped.
struct StaticHost {
    base: String,
    asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl StaticHost {
    fn start() -> StaticHost {
        let root = dist();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (asked, stop) = (asked.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    // One thread a connection: a browser opens some ahead
                    // and sends nothing on them for a while.
                    let (root, asked) = (root.clone(), asked.clone());
                    std::thread::spawn(move || serve_file(stream, &root, &asked));
                }
            })
        };
        StaticHost {
            base,
            asked,
            stop,
            accept: Some(accept),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which then sees `stop` (unwoken, it
        // is left to the end of the process, not waited for).
        if TcpStream::connect(self.base.trim_start_matches("http://")).is_ok() {
            if let Some(accept) = self.accept.take() {
                let _ = accept.join();
            }
        }
    }
}

/// Answers one request on `stream` (then closes it): the file at its path
/// under `root`, `/` being index.html.
fn serve_file(mut stream: TcpStream, root: &Path, asked: &Mutex<Vec<String>>) {
    // A connection the browser opened ahead and never used ends here.
    let _ = stream.set_read_timeout(Some(HANG_GUARD));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut line = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (line.next().unwrap_or(""), line.next().unwrap_or(""));
    let path = target.split(['?', '#']).next().unwrap_or("");
    asked.lock().unwrap().push(path.to_owned());
    let file = match path {
        "/" => Some(root.join("index.html")),
        _ if path.starts_with('/') && !path.contains("..") && !path.ends_with('/') => {
            Some(root.join(&path[1..]))
        }
        _ => None,
    };
    let body = file.as_deref().and_then(|f| std::fs::read(f).ok());
    let (status, kind, body) = match (method, body) {
        ("GET", Some(body)) => {
            let ext = file
                .unwrap()
                .extension()
                .map(|e| e.to_string_lossy().into_owned());
            let kind = match ext.as_deref().unwrap_or("") {
                "html" => "text/html; charset=utf-8",
                "js" => "text/javascript",
                "css" => "text/css",
                "wasm" => "application/wasm",
                "json" => "application/json",
                "svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            ("200 OK", kind, body)
        }
        ("GET", None) => ("404 Not Found", "text/plain", b"not found".to_vec()),
        _ => ("405 Method Not Allowed", "text/plain", Vec::new()),
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
    let _ = stream.write_all(&body);
}

/// The tags before the first `<script>` of a copy of the page, and that
/// script: nothing before it is drawn or waited for (a stylesheet, a
/// body), and it is an inline, classic script that moves the visitor, so
/// it runs before the parser goes on.
fn before_the_head_script(html: &str) -> (Vec<String>, &str) {
    let at = html.find("<script").expect("a <script>");
    let tags = html[..at]
        .split('<')
        .skip(1)
        .map(|tag| {
            tag.split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap()
                .to_ascii_lowercase()
        })
        .collect();
    let script = &html[at..];
    let end = script.find("</script>").expect("the script ends");
    (tags, &script[..end])
}

/// Waits until the page shows the copy at `path`: the head's script moves
/// the visitor with `location.replace` while the first page is parsed.
async fn wait_for_copy(b: &Browser, path: &str) {
    b.until(&format!("the copy at {path}"), || async {
        b.js("return location.pathname").await == path
            && b.js("return document.readyState").await != "loading"
    })
    .await;
}

/// Waits until the early root is gone and the live form drawn with its
/// controls.
async fn wait_for_live(b: &Browser) {
    b.until("the live form to take over", || async {
        b.js("return !document.querySelector('.cf[data-early]') && !!document.querySelector('#conference-form > .cf #cf-code')")
            .await
            == Value::Bool(true)
    })
    .await;
}

#[tokio::test]
async fn a_static_host_shows_the_visitors_language_without_an_english_page_first() {
    let (de, en) = (words("de"), words("en"));
    // What lets no English page paint: in the English copy (the one a
    // static host sends everyone), the script that moves the visitor comes
    // first, before any stylesheet and any of the body, and is inline and
    // classic, so the parser stops for it.
    let english = std::fs::read_to_string(dist().join("index.html")).unwrap();
    let (tags, script) = before_the_head_script(&english);
    let allowed = ["!doctype", "html", "head", "meta", "title", "/title"];
    assert!(
        tags.iter().all(|t| allowed.contains(&t.as_str())),
        "tags before the head's script: {tags:?}"
    );
    let open = &script[..script.find('>').unwrap()];
    for attribute in ["src", "type", "async", "defer"] {
        assert!(!open.contains(attribute), "the head's script: {open}>");
    }
    assert!(
        script.ends_with("conferenceFormCopy()"),
        "the head's script ends by moving the visitor"
    );

    let host = StaticHost::start();
    let b = browser_in("de-DE").await;
    let history = b.js("return history.length").await.as_u64().unwrap();
    b.goto(&host.url("/")).await;
    wait_for_copy(&b, "/index.de.html").await;
    // The host sent the English copy for "/"; the browser moved on from it
    // (its preload scanner may have asked for the app's files meanwhile:
    // the same for every copy).
    let asked = host.asked();
    let pages: Vec<&String> = asked
        .iter()
        .filter(|p| p.ends_with('/') || p.ends_with(".html"))
        .collect();
    assert_eq!(pages, ["/", "/index.de.html"], "all asked for: {asked:?}");
    // One entry for the one address opened: Back does not show the English
    // page (a move after it had loaded would have left it there).
    assert_eq!(
        b.js("return history.length").await,
        history + 1,
        "the English page replaced, not left behind in the history"
    );
    assert_eq!(b.js("return document.documentElement.lang").await, "de");
    assert_eq!(b.js("return document.title").await, word(&de, "page.title"));
    assert_eq!(b.text("label[for=cf-code]").await, word(&de, "label.code"));
    let navigation = b
        .js("const n = performance.getEntriesByType('navigation')[0]; return n && new URL(n.name).pathname")
        .await;
    assert_eq!(navigation, "/index.de.html", "this document's navigation");

    wait_for_live(&b).await;
    assert_eq!(
        b.js("return document.querySelector('#conference-form > .cf').lang")
            .await,
        "de",
        "the live form"
    );
    assert_eq!(b.text("label[for=cf-code]").await, word(&de, "label.code"));

    // The same person chose English in the page's menu earlier (the menu
    // remembers it in this cookie): the German copy sends them to English.
    b.js("document.cookie = 'conference-form-language=en; path=/'; return true")
        .await;
    b.client.refresh().await.unwrap();
    wait_for_copy(&b, "/index.html").await;
    assert_eq!(b.js("return document.documentElement.lang").await, "en");
    assert_eq!(b.text("label[for=cf-code]").await, word(&en, "label.code"));
    wait_for_live(&b).await;
    assert_eq!(
        b.js("return document.querySelector('#conference-form > .cf').lang")
            .await,
        "en",
        "the live form"
    );
    assert_eq!(b.text("label[for=cf-code]").await, word(&en, "label.code"));
    b.close().await;
}

/// A host page of our server's origin (so its policy allows embed.js, the
/// form rendered ahead and the wasm) with the form's div as the README
/// shows it, between two paragraphs of the host's.
fn early_host_page(attrs: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Host</title></head><body><p>Above</p>\
         <div id=\"conference-form\" data-api-base=\"/api/json/\" {attrs}></div>\
         <p id=\"below\">Below</p>\
         <script type=\"module\" src=\"/embed.js\"></script></body></html>"
    )
}

/// Opens the host page at `path` with the wasm held, and returns once
/// embed.js has put the form rendered ahead into the host's element.
async fn open_host_held(s: &Server, b: &Browser, path: &str) {
    s.hold_wasm().await;
    b.goto(&s.url(path)).await;
    b.wait_for("#conference-form > .cf[data-early] #cf-code")
        .await;
    s.wait_until_wasm_held().await;
}

/// Makes the window as tall as the page (a shift out of view counts
/// nothing), then watches: each layout shift, and the moment the early
/// root goes with where `#below` is then (read in the same task as the
/// takeover, before anything else can move it). Returns `#below`'s top now.
async fn watch_the_takeover(b: &Browser) -> f64 {
    let height = b
        .js("return document.documentElement.scrollHeight + (outerHeight - innerHeight) + 200")
        .await
        .as_u64()
        .unwrap();
    b.client.set_window_size(1280, height as u32).await.unwrap();
    b.js("window.shifts = [];\
          new PerformanceObserver(l => window.shifts.push(...l.getEntries().map(e => [e.startTime, e.value])))\
            .observe({ type: 'layout-shift', buffered: true });\
          const mount = document.getElementById('conference-form');\
          const gone = new MutationObserver(() => {\
            if (mount.querySelector('.cf[data-early]')) return;\
            window.takeover = performance.now();\
            window.belowThen = document.getElementById('below').getBoundingClientRect().top;\
            gone.disconnect();\
          });\
          gone.observe(mount, { childList: true });\
          return true")
        .await;
    let top = b
        .js("return document.getElementById('below').getBoundingClientRect().top")
        .await;
    let top = top.as_f64().unwrap();
    // In view, below the form.
    assert!(top > 0.0 && top < height as f64, "#below at {top}");
    top
}

/// After the takeover: waits two frames (any shift of the takeover's frame
/// is reported by then) and returns `#below`'s top at the takeover and the
/// layout shifts from it on.
async fn after_the_takeover(b: &Browser) -> (f64, Vec<Value>) {
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));",
            vec![],
        )
        .await
        .unwrap();
    let takeover = b.js("return window.takeover").await;
    let takeover = takeover.as_f64().expect("the takeover was seen");
    let shifts = b.js("return window.shifts").await;
    let during = shifts
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s[0].as_f64().unwrap() >= takeover)
        .cloned()
        .collect();
    let then = b.js("return window.belowThen").await.as_f64().unwrap();
    (then, during)
}

#[tokio::test]
async fn embed_js_shows_the_form_ahead_in_the_hosts_element_and_the_live_form_keeps_it() {
    let de = words("de");
    let s = Server::start(&[]);
    s.write_site_file(
        "host-early.html",
        early_host_page("data-customer=\"1\" data-lang=\"de\"").as_bytes(),
    );
    // An English browser: the host's data-lang is what makes it German.
    let b = Browser::start(DESKTOP).await;
    open_host_held(&s, &b, "/host-early.html").await;
    assert_eq!(
        b.js("return document.querySelector('.cf[data-early]').lang")
            .await,
        "de"
    );
    assert_eq!(b.text("label[for=cf-code]").await, word(&de, "label.code"));
    // The host's customer, shown read-only in the opened "More settings",
    // as the live form shows it; no token, so the sign-in is there.
    let customer = "const c = document.getElementById('cf-customer'); return [c.value, c.readOnly, document.getElementById('cf-more').open]";
    assert_eq!(b.js(customer).await, json!(["1", true, true]));
    assert!(b.visible("#cf-customer").await);
    assert!(b.visible("#cf-auth_username").await);

    b.type_into("#cf-talkpin", "246810").await;
    // The focus stays in the code, the caret two characters from its end.
    b.type_into("#cf-code", "700901").await;
    b.keys(&format!("{}{}", Key::Left, Key::Left)).await;
    assert_eq!(focus_and_caret(&b).await, json!(["cf-code", 4, 4]));
    let before = watch_the_takeover(&b).await;

    take_over(&s, &b).await;
    let (then, shifts) = after_the_takeover(&b).await;
    assert_eq!(then, before, "#below's top at the takeover");
    assert_eq!(
        shifts,
        Vec::<Value>::new(),
        "layout shifts from the takeover on"
    );
    assert_eq!(
        b.js("return document.getElementById('below').getBoundingClientRect().top")
            .await
            .as_f64(),
        Some(before),
        "#below's top now"
    );
    assert_eq!(
        b.js("return document.querySelector('#conference-form > .cf').lang")
            .await,
        "de",
        "the live form"
    );
    assert_eq!(b.text("label[for=cf-code]").await, word(&de, "label.code"));
    assert_eq!(b.value("#cf-code").await, "700901");
    assert_eq!(b.value("#cf-talkpin").await, "246810");
    assert_eq!(
        b.js(customer).await,
        json!(["1", true, true]),
        "the live form's customer"
    );
    assert_eq!(
        focus_and_caret(&b).await,
        json!(["cf-code", 4, 4]),
        "the focus and the caret"
    );
    b.close().await;
}

#[tokio::test]
async fn embed_js_hides_the_sign_in_ahead_for_a_hosts_token() {
    let s = Server::start(&[]);
    // A token the live form accepts, so it keeps the sign-in hidden too.
    let token = s.login_token().await;
    s.write_site_file(
        "host-token.html",
        early_host_page(&format!("data-token=\"{token}\"")).as_bytes(),
    );
    let b = Browser::start(DESKTOP).await;
    open_host_held(&s, &b, "/host-token.html").await;
    assert_eq!(
        b.js("return document.getElementById('cf-auth_username').closest('fieldset').hidden")
            .await,
        true,
        "the early form's sign-in"
    );
    assert!(!b.visible("#cf-auth_username").await);
    let before = watch_the_takeover(&b).await;

    take_over(&s, &b).await;
    let (then, shifts) = after_the_takeover(&b).await;
    assert_eq!(then, before, "#below's top at the takeover");
    assert_eq!(
        shifts,
        Vec::<Value>::new(),
        "layout shifts from the takeover on"
    );
    assert!(
        !b.visible("#cf-auth_username").await,
        "the live form's sign-in"
    );
    b.close().await;
}
