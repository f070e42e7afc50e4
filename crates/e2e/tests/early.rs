//! The form before the WebAssembly (#22): each copy of the page holds the
//! form rendered ahead in its language (`.cf[data-early]`), which takes
//! typing at once; when the wasm has run, the loader (build/i18n.js) hands
//! everything over to the live form and removes the early one. The server
//! holds the wasm (`/_test/hold-wasm`) for as long as a test types, so
//! "before the wasm" is a state the test is in, not a race it hopes to win.

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
    b.until("the live form to take over", || async {
        b.js("return !document.querySelector('.cf[data-early]') && !!document.querySelector('#conference-form > .cf #cf-code')")
            .await
            == Value::Bool(true)
    })
    .await;
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
    let height = b
        .js("return document.documentElement.scrollHeight + (outerHeight - innerHeight) + 200")
        .await
        .as_u64()
        .unwrap();
    b.client.set_window_size(1280, height as u32).await.unwrap();
    // Each shift, and the moment the early root went (the loader removes it
    // in a mutation observer of its own; this one runs after it).
    b.js("window.shifts = [];\
          new PerformanceObserver(l => window.shifts.push(...l.getEntries().map(e => [e.startTime, e.value])))\
            .observe({ type: 'layout-shift', buffered: true });\
          const mount = document.getElementById('conference-form');\
          const gone = new MutationObserver(() => {\
            if (!mount.querySelector('.cf[data-early]')) { window.takeover = performance.now(); gone.disconnect(); }\
          });\
          gone.observe(mount, { childList: true });\
          return true")
        .await;
    take_over(&s, &b).await;
    // Two frames later, any shift of the takeover's frame has been reported.
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));",
            vec![],
        )
        .await
        .unwrap();
    let (takeover, shifts) = (
        b.js("return window.takeover").await,
        b.js("return window.shifts").await,
    );
    let takeover = takeover.as_f64().expect("the takeover was seen");
    let during: Vec<&Value> = shifts
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s[0].as_f64().unwrap() >= takeover)
        .collect();
    assert_eq!(
        during,
        Vec::<&Value>::new(),
        "layout shifts from the takeover on ({takeover} ms); all: {shifts}"
    );
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
