//! The form, mounted in headless Chromium (wasm-bindgen-test), typed into as
//! a person types, with `fetch` replaced by a stub that records each request
//! and answers from a queue of replies.
#![cfg(target_arch = "wasm32")]

use conference_form::mount_into;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const STUB: &str = r#"
window.__replies = [];
window.__requests = [];
window.fetch = async (input, init) => {
  const req = input instanceof Request ? input : new Request(input, init);
  const body = await req.text();
  window.__requests.push({ url: req.url, method: req.method, body });
  const reply = window.__replies.shift();
  if (!reply) throw new TypeError("Failed to fetch");
  if (reply.hold) await new Promise(r => { window.__release = r; });
  return new Response(reply.body, { status: reply.status || 200, headers: { "content-type": reply.type || "application/json" } });
};
"#;

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh page with the form mounted, and `fetch` stubbed.
async fn mount(attrs: &[(&str, &str)]) -> HtmlElement {
    mount_answering(attrs, &[]).await
}

/// [`mount`], the stub answering `replies` (status 200) from the start: a
/// sign-in the host hands over is checked as the form starts.
async fn mount_answering(attrs: &[(&str, &str)], replies: &[String]) -> HtmlElement {
    js_sys::eval(STUB).unwrap();
    for body in replies {
        reply(200, body);
    }
    let body = document().body().unwrap();
    // The runner reports into the body: remove only the previous test's form.
    if let Some(old) = by_id("conference-form") {
        old.remove();
    }
    let host: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    host.set_id("conference-form");
    host.set_attribute("data-api-base", "/api/json/").unwrap();
    for (k, v) in attrs {
        host.set_attribute(k, v).unwrap();
    }
    body.append_child(&host).unwrap();
    mount_into(host.clone());
    tick().await;
    host
}

/// Lets the app finish what a change set off: Leptos's effects are
/// microtasks, and what it does in the next animation frame (moving the
/// focus) has run once a frame callback asked for after it has run. Then a
/// timer, after whatever microtasks that frame queued. Events, not a clock:
/// a slow machine only makes it take longer.
async fn tick() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    JsFuture::from(frame).await.unwrap();
    sleep(0).await;
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until the stub has given every queued reply and nothing is in
/// flight: no fixed sleeps, so a slow machine cannot fail a test (a hang
/// after 60 s).
async fn settle() {
    let deadline = js_sys::Date::now() + 60_000.0;
    while js_sys::Date::now() < deadline {
        let queued = js_sys::eval("window.__replies.length")
            .unwrap()
            .as_f64()
            .unwrap_or(0.0);
        let busy = document()
            .query_selector("form[aria-busy]")
            .unwrap()
            .is_some();
        if queued == 0.0 && !busy {
            tick().await;
            return;
        }
        sleep(20).await;
    }
    panic!("the form never settled");
}

/// Waits until the stub has seen `n` requests (a hang after 60 s).
async fn wait_until_asked(n: usize) {
    let deadline = js_sys::Date::now() + 60_000.0;
    while requests().len() < n {
        assert!(
            js_sys::Date::now() < deadline,
            "only {} requests came",
            requests().len()
        );
        sleep(0).await;
    }
}

/// Waits until the element `id` has focus: it moves on the next frame
/// (a hang after 60 s).
async fn focus_moves_to(id: &str) {
    let deadline = js_sys::Date::now() + 60_000.0;
    while document().active_element().map(|e| e.id()).as_deref() != Some(id) {
        assert!(js_sys::Date::now() < deadline, "focus never reached #{id}");
        sleep(10).await;
    }
}

/// Lets the held reply go once request `n` has come.
async fn release_when_asked(n: usize) {
    wait_until_asked(n).await;
    js_sys::eval("window.__release()").unwrap();
}

fn reply(status: u16, body: &str) {
    let code = format!(
        "window.__replies.push({{ status: {status}, body: {} }})",
        js_sys::JSON::stringify(&JsValue::from_str(body))
            .unwrap()
            .as_string()
            .unwrap()
    );
    js_sys::eval(&code).unwrap();
}

fn envelope(code: u16, key: &str, message: &str, data: &str) -> String {
    let data = if data.is_empty() {
        String::new()
    } else {
        format!(",\"data\":{data}")
    };
    format!(r#"{{"responses":[{{"code":"{code}","key":"{key}","message":"{message}"}}]{data}}}"#)
}

/// Every request the stub saw: (url, method, body).
fn requests() -> Vec<(String, String, String)> {
    let list = js_sys::eval("window.__requests").unwrap();
    js_sys::Array::from(&list)
        .iter()
        .map(|r| {
            let get = |k: &str| {
                js_sys::Reflect::get(&r, &k.into())
                    .unwrap()
                    .as_string()
                    .unwrap()
            };
            (get("url"), get("method"), get("body"))
        })
        .collect()
}

fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// The element matching `css`, if a person can see it: the notices and the
/// sign-in are in the page from the start, hidden until needed.
fn shown(css: &str) -> Option<Element> {
    let all = document().query_selector_all(css).unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i)?.dyn_into::<Element>().ok())
        .find(|e| e.closest("[hidden]").unwrap().is_none())
}

fn input(id: &str) -> HtmlInputElement {
    by_id(id)
        .unwrap_or_else(|| panic!("no #{id}"))
        .dyn_into()
        .unwrap()
}

fn text(id: &str) -> String {
    by_id(id)
        .map(|e| e.text_content().unwrap_or_default())
        .unwrap_or_default()
}

fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Focuses a field, types a value, as a person does; does not leave it.
async fn type_into(id: &str, value: &str) {
    let el = input(id);
    el.focus().unwrap();
    el.set_value(value);
    fire(&el, "input");
    tick().await;
}

/// Leaves the field (focus moves on). A headless page may not have the
/// window's focus, so the blur event is also sent by hand.
async fn leave(id: &str) {
    let el = input(id);
    el.blur().unwrap();
    el.dispatch_event(&web_sys::Event::new("blur").unwrap())
        .unwrap();
    tick().await;
}

async fn fill(id: &str, value: &str) {
    type_into(id, value).await;
    leave(id).await;
}

async fn click(id: &str) {
    let el: HtmlElement = by_id(id)
        .unwrap_or_else(|| panic!("no #{id}"))
        .dyn_into()
        .unwrap();
    el.click();
    tick().await;
}

/// The texts of the messages shown on a control's group.
fn messages_near(id: &str) -> Vec<String> {
    let el = by_id(id).unwrap();
    let group = el.closest(".cf-group").unwrap().unwrap();
    let list = group.query_selector_all(".cf-message").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

/// The answer to the check of a sign-in that may create conferences: the
/// empty draft refused for its input.
fn may_create() -> String {
    envelope(400, "code", "Enter a conference code", "")
}

/// Signs in (the stub hands out a token, the sign-in may create), fills the
/// minimum, submits, and waits: the switch answers the validation with `reply`.
async fn submit_answered_with(reply_body: &str) {
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(200, &may_create());
    reply(200, reply_body);
    sign_in_and_minimum().await;
    click("cf-submit").await;
    settle().await;
}

async fn sign_in_and_minimum() {
    fill("cf-auth_username", "demo").await;
    fill("cf-auth_password", "demo").await;
    fill("cf-code", "123456").await;
    fill("cf-talkpin", "234567").await;
}

#[wasm_bindgen_test]
async fn every_parameter_has_a_named_control_with_a_label() {
    mount(&[]).await;
    for param in conference::PARAMS.iter() {
        if matches!(param.name, "validation" | "auth_token") {
            continue; // Set by the client itself, never typed.
        }
        let selector = format!("[name=\"{}\"]", param.name);
        let control = document().query_selector(&selector).unwrap();
        assert!(control.is_some(), "no control named {}", param.name);
    }
    for label in [
        "Conference code",
        "Talk PIN",
        "Repeats (optional)",
        "Caller ID (optional)",
        "Play a tone when someone joins",
    ] {
        let labels = document().query_selector_all("label").unwrap();
        let found =
            (0..labels.length()).any(|i| labels.item(i).unwrap().text_content().unwrap() == label);
        assert!(found, "no label {label}");
    }
    // Digits come with the numeric keypad, secrets with the right autocomplete.
    assert_eq!(
        input("cf-code").get_attribute("inputmode").as_deref(),
        Some("numeric")
    );
    assert_eq!(input("cf-auth_password").type_(), "password");
    assert_eq!(
        input("cf-auth_password")
            .get_attribute("autocomplete")
            .as_deref(),
        Some("current-password")
    );
}

#[wasm_bindgen_test]
async fn a_problem_shows_once_the_field_is_left_then_updates_on_every_keystroke() {
    mount(&[]).await;
    type_into("cf-code", "12a").await;
    assert!(
        messages_near("cf-code").is_empty(),
        "nothing while typing the first time"
    );
    leave("cf-code").await;
    assert_eq!(
        messages_near("cf-code"),
        ["Error: Conference code must contain only digits 0 to 9"]
    );
    assert_eq!(
        input("cf-code").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let described = input("cf-code").get_attribute("aria-describedby").unwrap();
    assert!(described.contains("cf-code-msg-0") && described.contains("cf-code-hint"));
    // Fixed: the message goes at once, without leaving the field.
    type_into("cf-code", "12").await;
    assert!(messages_near("cf-code").is_empty());
    assert_eq!(input("cf-code").get_attribute("aria-invalid"), None);
    // And comes back at once too.
    type_into("cf-code", "12x").await;
    assert_eq!(messages_near("cf-code").len(), 1);
    // Nothing went to the network.
    assert!(requests().is_empty());
}

#[wasm_bindgen_test]
async fn a_cross_field_problem_shows_on_every_field_and_clears_together() {
    mount(&[]).await;
    fill("cf-adminpin", "4321").await;
    fill("cf-talkpin", "4321").await;
    let message = "Error: Talk PIN must be different from Admin PIN";
    assert_eq!(messages_near("cf-talkpin"), [message]);
    assert_eq!(messages_near("cf-adminpin"), [message]);
    type_into("cf-adminpin", "9876").await;
    assert!(messages_near("cf-talkpin").is_empty());
    assert!(messages_near("cf-adminpin").is_empty());
}

#[wasm_bindgen_test]
async fn warnings_look_different_and_do_not_mark_the_field_invalid() {
    mount(&[]).await;
    fill("cf-talkpin", "12").await;
    let group = input("cf-talkpin").closest(".cf-group").unwrap().unwrap();
    let warning = group
        .query_selector(".cf-warning")
        .unwrap()
        .expect("a warning");
    assert!(warning
        .text_content()
        .unwrap()
        .starts_with("Warning: Talk PIN has fewer than 4 digits"));
    assert!(group.query_selector(".cf-error").unwrap().is_none());
    assert_eq!(input("cf-talkpin").get_attribute("aria-invalid"), None);
}

#[wasm_bindgen_test]
async fn submitting_with_problems_opens_the_summary_in_form_order_and_focuses_it() {
    mount(&[]).await;
    fill("cf-maximum", "lots").await;
    assert!(shown("#cf-summary").is_none(), "no summary before a submit");
    click("cf-submit").await;
    tick().await;
    let summary = shown("#cf-summary").expect("the error summary");
    assert_eq!(text("cf-summary-title"), "There is a problem");
    let links = summary.query_selector_all("a").unwrap();
    let items: Vec<(String, String)> = (0..links.length())
        .map(|i| {
            let a: Element = links.item(i).unwrap().dyn_into().unwrap();
            (a.get_attribute("href").unwrap(), a.text_content().unwrap())
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "#cf-auth_username".to_owned(),
                "Enter your username".to_owned()
            ),
            (
                "#cf-auth_password".to_owned(),
                "Enter your password".to_owned()
            ),
            ("#cf-code".to_owned(), "Enter a conference code".to_owned()),
            (
                "#cf-adminpin".to_owned(),
                "Enter at least one PIN: admin, talk or listen".to_owned()
            ),
            (
                "#cf-maximum".to_owned(),
                "Maximum callers must be a whole number".to_owned()
            ),
        ]
    );
    // The summary takes focus (on the next frame).
    focus_moves_to("cf-summary").await;
    // A link takes focus to its field.
    let link: HtmlElement = links.item(2).unwrap().dyn_into().unwrap();
    link.click();
    tick().await;
    assert_eq!(document().active_element().unwrap().id(), "cf-code");
    // What was typed stays.
    assert_eq!(input("cf-maximum").value(), "lots");
    assert!(requests().is_empty());
}

#[wasm_bindgen_test]
async fn the_schedule_preview_follows_the_start_repeats_and_count() {
    mount(&[]).await;
    fill("cf-start-date", "2030-01-31").await;
    fill("cf-start-time", "09:30").await;
    let select: web_sys::HtmlSelectElement = by_id("cf-repeats").unwrap().dyn_into().unwrap();
    select.set_value("monthly");
    fire(&select, "change");
    tick().await;
    fill("cf-count", "3").await;
    let preview = document().query_selector(".cf-preview").unwrap().unwrap();
    let items = preview.query_selector_all("li").unwrap();
    let texts: Vec<String> = (0..items.length())
        .map(|i| items.item(i).unwrap().text_content().unwrap())
        .collect();
    // Written by the browser's Intl.DateTimeFormat in English (the runner's
    // language), so the exact punctuation is the browser's; the parts are ours.
    assert_eq!(texts.len(), 3, "{texts:?}");
    for (text, parts) in texts.iter().zip([
        ["Thu", "Jan", "31", "2030", "09:30"],
        ["Thu", "Feb", "28", "2030", "09:30"],
        ["Sun", "Mar", "31", "2030", "09:30"],
    ]) {
        for part in parts {
            assert!(text.contains(part), "{text:?} lacks {part}");
        }
    }
    // The hidden inputs carry the API's five start parameters.
    let hidden = |name: &str| {
        let el = document()
            .query_selector(&format!("input[name=\"{name}\"]"))
            .unwrap()
            .unwrap();
        el.dyn_into::<HtmlInputElement>().unwrap().value()
    };
    assert_eq!(
        [
            hidden("year"),
            hidden("month"),
            hidden("day"),
            hidden("hour"),
            hidden("minute")
        ],
        ["2030", "1", "31", "9", "30"]
    );
}

#[wasm_bindgen_test]
async fn submit_signs_in_validates_then_creates_and_shows_the_id() {
    let host = mount(&[]).await;
    let events = js_sys::Array::new();
    let record = events.clone();
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::CustomEvent)>::new(
        move |e: web_sys::CustomEvent| {
            record.push(&e.detail());
        },
    );
    host.add_event_listener_with_callback("conference-created", listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();

    reply(
        200,
        &envelope(
            200,
            "",
            "OK",
            r#"{"auth_token":"tok.en","auth_token_expiry":3600}"#,
        ),
    );
    reply(200, &may_create());
    reply(200, &envelope(201, "", "Input passed validation.", ""));
    reply(200, &envelope(200, "", "OK", r#"{"id":42}"#));
    sign_in_and_minimum().await;
    fill("cf-customer", "2").await;
    click("cf-submit").await;
    settle().await;

    assert_eq!(text("cf-created-title"), "Conference created");
    let id = document()
        .query_selector(".cf-created-id")
        .unwrap()
        .unwrap();
    assert_eq!(id.text_content().unwrap(), "42");
    focus_moves_to("cf-created").await;

    let sent = requests();
    let path = |u: &str| u.split("/api/json/").nth(1).unwrap_or("").to_owned();
    assert_eq!(
        sent.iter()
            .map(|(u, m, _)| (path(u), m.as_str()))
            .collect::<Vec<_>>(),
        [
            ("user/login/".to_owned(), "POST"),
            ("conferences/create/".to_owned(), "POST"),
            ("conferences/create/".to_owned(), "POST"),
            ("conferences/create/".to_owned(), "POST")
        ]
    );
    assert!(sent[0].2.contains("auth_password=demo") && sent[0].2.contains("token=1"));
    // Right after the sign-in (the password field left): may it create?
    assert_eq!(sent[1].2, "auth_token=tok.en&validation=1");
    assert_eq!(
        sent[2].2,
        "auth_token=tok.en&code=123456&talkpin=234567&customer=2&validation=1"
    );
    assert_eq!(
        sent[3].2,
        "auth_token=tok.en&code=123456&talkpin=234567&customer=2"
    );
    assert!(
        sent.iter().all(|(u, _, _)| !u.contains("demo")),
        "no credential in a URL"
    );

    assert_eq!(events.length(), 1);
    let detail = events.get(0);
    assert_eq!(
        js_sys::Reflect::get(&detail, &"id".into())
            .unwrap()
            .as_f64(),
        Some(42.0)
    );
    assert_eq!(
        js_sys::Reflect::get(&detail, &"code".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("123456")
    );

    // Create another keeps the sign-in and the customer (a reseller's next
    // conference goes where the last one did), clears the rest.
    let buttons = document().query_selector_all(".cf-created button").unwrap();
    let another: HtmlElement = buttons
        .item(buttons.length() - 1)
        .unwrap()
        .dyn_into()
        .unwrap();
    another.click();
    tick().await;
    assert_eq!(input("cf-auth_username").value(), "demo");
    assert_eq!(input("cf-customer").value(), "2");
    assert_eq!(input("cf-code").value(), "");
    assert_eq!(input("cf-talkpin").value(), "");
}

#[wasm_bindgen_test]
async fn a_server_problem_sits_on_its_field_until_that_field_changes() {
    mount(&[]).await;
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(200, &may_create());
    reply(
        200,
        &envelope(
            400,
            "code",
            "That conference code is already in use. Enter a different code",
            "",
        ),
    );
    sign_in_and_minimum().await;
    fill("cf-description", "Keep me").await;
    click("cf-submit").await;
    settle().await;
    assert_eq!(
        messages_near("cf-code"),
        ["Error: That conference code is already in use. Enter a different code"]
    );
    focus_moves_to("cf-summary").await;
    assert_eq!(input("cf-description").value(), "Keep me");
    type_into("cf-code", "123457").await;
    assert!(messages_near("cf-code").is_empty());
}

#[wasm_bindgen_test]
async fn an_account_without_conferences_hears_so_right_after_signing_in() {
    // The role (402) or the rate plan (403): the same plain words.
    for (code, message) in [
        (402, "Your role does not allow this."),
        (403, "Your rate plan does not allow this."),
    ] {
        mount(&[("data-support-url", "https://help.example.com/conferences")]).await;
        reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
        reply(200, &envelope(code, "", message, ""));
        fill("cf-auth_username", "pat").await;
        assert!(requests().is_empty(), "not before the sign-in is typed");
        fill("cf-auth_password", "secret").await;
        settle().await;
        let sent = requests();
        assert_eq!(sent.len(), 2, "the sign-in, then the check");
        assert!(sent[1].0.ends_with("/conferences/create/"));
        assert_eq!(sent[1].2, "auth_token=t&validation=1");
        let refused = shown("#cf-refused").expect("the refusal");
        assert_eq!(
            refused.text_content().unwrap(),
            "Your account cannot create conferences. Your phone company can turn this on. Contact support"
        );
        let link = refused.query_selector("a").unwrap().unwrap();
        assert_eq!(
            link.get_attribute("href").as_deref(),
            Some("https://help.example.com/conferences")
        );
        assert!(shown("#cf-code").is_none(), "the form's fields are gone");
        assert!(shown("#cf-submit").is_none());
        assert!(shown("#cf-failure").is_none() && shown("#cf-summary").is_none());
        focus_moves_to("cf-refused").await;
    }
    // Without a support address, no link.
    mount(&[]).await;
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(
        200,
        &envelope(402, "", "Your role does not allow this.", ""),
    );
    fill("cf-auth_username", "pat").await;
    fill("cf-auth_password", "secret").await;
    settle().await;
    let refused = shown("#cf-refused").expect("the refusal");
    assert!(refused.query_selector("a").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_refusal_the_check_missed_stops_the_create_in_the_same_words() {
    mount(&[]).await;
    submit_answered_with(&envelope(402, "", "Your role does not allow this.", "")).await;
    assert!(shown("#cf-refused").is_some());
    assert!(shown("#cf-code").is_none() && shown("#cf-failure").is_none());
}

#[wasm_bindgen_test]
async fn an_unexpected_reply_is_a_service_failure_with_what_came_back_and_a_retry() {
    mount(&[]).await;
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(200, &may_create());
    js_sys::eval(r#"window.__replies.push({ status: 502, type: "text/html", body: "<html><script>window.__pwned = 1</script>Bad Gateway</html>" })"#).unwrap();
    sign_in_and_minimum().await;
    click("cf-submit").await;
    settle().await;
    let failure = text("cf-failure");
    assert!(
        failure.contains("HTTP 502: a reply that is not JSON"),
        "{failure}"
    );
    assert!(failure.contains("Bad Gateway"));
    assert!(
        js_sys::eval("window.__pwned").unwrap().is_undefined(),
        "the reply is shown as text, never run"
    );
    assert_eq!(input("cf-code").value(), "123456");
    let retry = || -> HtmlElement {
        shown("#cf-failure button")
            .expect("Try again")
            .dyn_into()
            .unwrap()
    };
    // What came back, unfolded, then the same failure again: the new
    // notice starts folded.
    let details = shown("#cf-failure details").expect("what came back");
    details.set_attribute("open", "").unwrap();
    js_sys::eval(
        r#"window.__replies.push({ status: 502, type: "text/html", body: "Bad Gateway" })"#,
    )
    .unwrap();
    retry().click();
    settle().await;
    assert!(shown("#cf-failure details").is_some());
    assert!(
        !details.has_attribute("open"),
        "a new failure starts folded"
    );
    // Retry succeeds.
    reply(200, &envelope(201, "", "", ""));
    reply(200, &envelope(200, "", "OK", r#"{"id":7}"#));
    retry().click();
    settle().await;
    assert!(shown("#cf-failure").is_none(), "the failure is gone");
    assert_eq!(
        document()
            .query_selector(".cf-created-id")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "7"
    );
}

#[wasm_bindgen_test]
async fn a_second_submit_while_one_is_in_flight_does_nothing() {
    mount(&[]).await;
    // The sign-in (as the password field is left) is held until every
    // click is in: they wait for it, and go as one.
    js_sys::eval(r#"window.__replies.push({ hold: true, body: '{"responses":[{"code":"200"}],"data":{"auth_token":"t"}}' })"#).unwrap();
    reply(200, &may_create());
    reply(200, &envelope(201, "", "", ""));
    reply(200, &envelope(200, "", "OK", r#"{"id":1}"#));
    sign_in_and_minimum().await;
    for _ in 0..5 {
        let button: HtmlElement = by_id("cf-submit").unwrap().dyn_into().unwrap();
        button.click();
    }
    release_when_asked(1).await;
    settle().await;
    assert_eq!(
        requests().len(),
        4,
        "one sign-in, its check, one validation, one create"
    );
    assert_eq!(
        document()
            .query_selector(".cf-created-id")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "1"
    );
}

#[wasm_bindgen_test]
async fn a_token_from_the_host_skips_the_sign_in() {
    // Checked as the form starts.
    mount_answering(
        &[("data-token", "host.token"), ("data-customer", "2")],
        &[may_create()],
    )
    .await;
    settle().await;
    assert_eq!(requests()[0].2, "auth_token=host.token&validation=1");
    assert!(
        by_id("cf-auth_username").is_some(),
        "in the page, for later"
    );
    assert!(shown("#cf-auth_username").is_none(), "but not shown");
    assert_eq!(input("cf-customer").value(), "2");
    assert!(input("cf-customer").read_only());
    reply(200, &envelope(201, "", "", ""));
    reply(200, &envelope(200, "", "OK", r#"{"id":5}"#));
    fill("cf-code", "555").await;
    fill("cf-listenpin", "5555").await;
    click("cf-submit").await;
    settle().await;
    let sent = requests();
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent[1].2,
        "auth_token=host.token&code=555&listenpin=5555&customer=2&validation=1"
    );
}

#[wasm_bindgen_test]
async fn generate_makes_distinct_random_pins() {
    mount(&[]).await;
    let buttons = document()
        .query_selector_all("button[aria-label^=\"Generate\"]")
        .unwrap();
    assert_eq!(buttons.length(), 3);
    for i in 0..3 {
        buttons
            .item(i)
            .unwrap()
            .dyn_into::<HtmlElement>()
            .unwrap()
            .click();
    }
    tick().await;
    let pins = [
        input("cf-adminpin").value(),
        input("cf-talkpin").value(),
        input("cf-listenpin").value(),
    ];
    for pin in &pins {
        assert_eq!(pin.len(), 6);
        assert!(pin.bytes().all(|b| b.is_ascii_digit()));
    }
    assert!(pins[0] != pins[1] && pins[1] != pins[2] && pins[0] != pins[2]);
    // The last one is said in the live region, with its name.
    assert_eq!(
        by_id("cf-status").unwrap().text_content().unwrap(),
        format!("New Listen PIN: {}.", pins[2])
    );
    assert_eq!(
        by_id("cf-status")
            .unwrap()
            .get_attribute("aria-live")
            .as_deref(),
        Some("polite")
    );
}

#[wasm_bindgen_test]
async fn a_problem_with_an_unknown_key_shows_in_the_summary_and_goes_with_any_change() {
    mount(&[]).await;
    submit_answered_with(&envelope(400, "colour", "Colour is not allowed here", "")).await;
    let summary = text("cf-summary");
    assert!(summary.contains("Colour is not allowed here"), "{summary}");
    type_into("cf-description", "x").await;
    assert!(!text("cf-summary").contains("Colour"));
}

#[wasm_bindgen_test]
async fn a_failure_notice_stays_put_while_a_code_is_suggested() {
    mount(&[]).await;
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(200, &may_create());
    reply(500, "Internal Server Error");
    sign_in_and_minimum().await;
    click("cf-submit").await;
    settle().await;
    let notice = shown("#cf-failure").expect("the failure notice");
    // A mark on this very element: a notice drawn anew (an alert announced
    // a second time) would not carry it, were it ever drawn by a closure.
    notice.set_attribute("data-seen", "1").unwrap();
    // Held until released: "during" is while the request is in flight,
    // however long the machine takes to get there.
    js_sys::eval(r#"window.__replies.push({ hold: true, body: '{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"code":"777123"}}' })"#).unwrap();

    let suggest: HtmlElement = document()
        .query_selector_all("button")
        .unwrap()
        .values()
        .into_iter()
        .filter_map(|b| b.ok()?.dyn_into::<HtmlElement>().ok())
        .find(|b| b.text_content().as_deref() == Some("Suggest a code"))
        .expect("the Suggest a code button");
    let asked = requests().len();
    suggest.click();
    wait_until_asked(asked + 1).await;
    tick().await;
    let during = shown("#cf-failure").expect("the notice stays while suggesting");
    assert_eq!(during.get_attribute("data-seen").as_deref(), Some("1"));
    release_when_asked(asked + 1).await;
    settle().await;
    assert_eq!(input("cf-code").value(), "777123");
    let after = shown("#cf-failure").expect("the notice stays after the suggestion");
    assert_eq!(after.get_attribute("data-seen").as_deref(), Some("1"));
}

/// The button whose words are `words`.
fn button(words: &str) -> HtmlElement {
    document()
        .query_selector_all("button")
        .unwrap()
        .values()
        .into_iter()
        .filter_map(|b| b.ok()?.dyn_into::<HtmlElement>().ok())
        .find(|b| b.text_content().as_deref() == Some(words))
        .unwrap_or_else(|| panic!("no button {words}"))
}

#[wasm_bindgen_test]
async fn the_pins_are_one_question_with_one_rule_and_one_message() {
    mount(&[]).await;
    let group = by_id("cf-pins-hint")
        .unwrap()
        .closest("fieldset")
        .unwrap()
        .unwrap();
    assert_eq!(
        group
            .query_selector("legend")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "PINs"
    );
    assert_eq!(
        text("cf-pins-hint"),
        "Set at least one PIN. No two PINs may be the same."
    );
    let pins = ["cf-adminpin", "cf-talkpin", "cf-listenpin"];
    for pin in pins {
        assert!(group.contains(Some(&input(pin))), "{pin} in the group");
        let described = input(pin).get_attribute("aria-describedby").unwrap();
        assert_eq!(described, format!("cf-pins-hint {pin}-hint"), "{pin}");
    }
    // The rule is no longer with the code.
    let code = input("cf-code").closest(".cf-group").unwrap().unwrap();
    assert!(!code.text_content().unwrap().contains("at least one PIN"));

    click("cf-submit").await;
    let once = "Error: Enter at least one PIN: admin, talk or listen";
    let form = document().query_selector(".cf-form").unwrap().unwrap();
    assert_eq!(
        form.text_content()
            .unwrap()
            .matches("Enter at least one PIN")
            .count(),
        1,
        "said once on the form"
    );
    assert_eq!(text("cf-pins-msg-0"), once);
    for pin in pins {
        assert!(messages_near(pin).is_empty(), "not under {pin}");
        let described = input(pin).get_attribute("aria-describedby").unwrap();
        assert_eq!(
            described,
            format!("cf-pins-hint cf-pins-msg-0 {pin}-hint"),
            "{pin}"
        );
        assert_eq!(
            input(pin).get_attribute("aria-invalid").as_deref(),
            Some("true")
        );
    }
    // Two the same: that stays on the two PINs, and the group's goes.
    fill("cf-adminpin", "4321").await;
    fill("cf-talkpin", "4321").await;
    assert!(by_id("cf-pins-msg-0").is_none());
    let differ = "Error: Talk PIN must be different from Admin PIN";
    assert_eq!(messages_near("cf-adminpin"), [differ]);
    assert_eq!(messages_near("cf-talkpin"), [differ]);
    assert!(messages_near("cf-listenpin").is_empty());
    assert_eq!(input("cf-listenpin").get_attribute("aria-invalid"), None);
}

#[wasm_bindgen_test]
async fn every_field_a_person_may_leave_says_it_is_optional() {
    mount(&[]).await;
    let optional = [
        "cf-duration",
        "cf-repeats",
        "cf-count",
        "cf-description",
        "cf-owner",
        "cf-customer",
        "cf-callerid",
        "cf-maximum",
    ];
    let labels = document().query_selector_all(".cf label").unwrap();
    let mut seen = 0;
    for i in 0..labels.length() {
        let label: Element = labels.item(i).unwrap().dyn_into().unwrap();
        let target = label.get_attribute("for").unwrap_or_default();
        let words = label.text_content().unwrap();
        let says = words.ends_with(" (optional)");
        if optional.contains(&target.as_str()) {
            seen += 1;
        }
        // Required (sign-in, code), one of the PINs (their group says one is
        // needed), a checkbox (an answer either way), or the start's parts.
        assert_eq!(
            says,
            optional.contains(&target.as_str()),
            "{target}: {words}"
        );
    }
    assert_eq!(seen, optional.len());
    let start = document()
        .query_selector(".cf-start legend")
        .unwrap()
        .unwrap();
    assert_eq!(start.text_content().unwrap(), "Start (optional)");
}

#[wasm_bindgen_test]
async fn more_settings_is_closed_until_it_holds_something_to_see() {
    mount(&[]).await;
    let more = by_id("cf-more").unwrap();
    assert_eq!(more.local_name(), "details");
    assert!(!more.has_attribute("open"), "closed at first");
    for inside in [
        "cf-description",
        "cf-owner",
        "cf-customer",
        "cf-callerid",
        "cf-maximum",
        "cf-panel",
        "cf-wait_music",
    ] {
        assert!(more.contains(Some(&input(inside))), "{inside} inside");
    }
    for outside in [
        "cf-auth_username",
        "cf-code",
        "cf-talkpin",
        "cf-start-date",
        "cf-count",
    ] {
        assert!(!more.contains(Some(&input(outside))), "{outside} outside");
    }
    // A value put in from outside (a host's redraw restores what was typed).
    fill("cf-maximum", "lots").await;
    assert!(more.has_attribute("open"));
    // Closed by the person: a submit that lists a problem inside opens it.
    more.remove_attribute("open").unwrap();
    click("cf-submit").await;
    assert!(more.has_attribute("open"));
    // The host fixed the customer: open from the start, to show it.
    mount(&[("data-customer", "7")]).await;
    assert!(by_id("cf-more").unwrap().has_attribute("open"));
}

#[wasm_bindgen_test]
async fn suggest_before_signing_in_asks_only_for_the_sign_in() {
    mount(&[]).await;
    button("Suggest a code").click();
    tick().await;
    assert!(requests().is_empty(), "nothing to sign in with");
    assert!(
        shown("#cf-summary").is_none(),
        "no summary of the whole form"
    );
    assert_eq!(
        messages_near("cf-auth_username"),
        ["Error: Enter your username"]
    );
    assert_eq!(
        messages_near("cf-auth_password"),
        ["Error: Enter your password"]
    );
    for untouched in ["cf-code", "cf-adminpin", "cf-talkpin", "cf-maximum"] {
        assert!(messages_near(untouched).is_empty(), "{untouched}");
    }
    assert!(by_id("cf-pins-msg-0").is_none());
    assert_eq!(
        text("cf-status"),
        "Sign in first, then ask for a code again."
    );
    focus_moves_to("cf-auth_username").await;
    // Signed in, it suggests; still no summary.
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(200, &may_create());
    reply(200, &envelope(200, "", "OK", r#"{"code":"777001"}"#));
    fill("cf-auth_username", "demo").await;
    fill("cf-auth_password", "demo").await;
    button("Suggest a code").click();
    settle().await;
    assert_eq!(input("cf-code").value(), "777001");
    assert!(shown("#cf-summary").is_none());
    assert!(messages_near("cf-auth_username").is_empty());
}

#[wasm_bindgen_test]
async fn a_summary_goes_once_its_problems_are_fixed_and_stays_gone() {
    mount(&[]).await;
    reply(200, &envelope(200, "", "OK", r#"{"auth_token":"t"}"#));
    reply(200, &may_create());
    click("cf-submit").await;
    assert!(shown("#cf-summary").is_some());
    sign_in_and_minimum().await;
    settle().await;
    assert!(shown("#cf-summary").is_none(), "nothing left to list");
    // A problem typed afterwards shows on its field, not in a summary.
    fill("cf-code", "12a").await;
    assert_eq!(messages_near("cf-code").len(), 1);
    assert!(shown("#cf-summary").is_none());
}

// The created view: the invitations, their mailto: links and the calendar
// file, against the core's own texts for the conference that was sent.

/// A switch that answers by function, however many calls the flow makes: a
/// token; a check of the empty draft refused for its input (the account may
/// create); every other check passed; the ID 42 for a create.
const SWITCH_BY_FUNCTION: &str = r#"
window.fetch = async (input, init) => {
  const req = input instanceof Request ? input : new Request(input, init);
  const body = await req.text();
  window.__requests.push({ url: req.url, method: req.method, body });
  const reply = (code, key, message, data) => new Response(
    JSON.stringify(Object.assign({ responses: [{ code: String(code), key, message }] }, data ? { data } : {})),
    { headers: { "content-type": "application/json" } });
  if (req.url.includes("user/login")) return reply(200, "", "OK", { auth_token: "t" });
  if (!/(^|&)code=/.test(body)) return reply(400, "code", "The code is missing.");
  if (body.includes("validation=1")) return reply(201, "", "Input passed validation.");
  return reply(200, "", "OK", { id: 42 });
};
"#;

/// Records, rather than uses, the page's clipboard, its Blob URLs, its
/// downloads (a click on a link with `download`: any other click is the
/// browser's) and its warnings. Wrapped once for all the tests.
const RECORDERS: &str = r#"
window.__copied = [];
window.__files = [];
window.__downloads = [];
window.__warnings = [];
if (!window.__recording) {
  window.__recording = true;
  navigator.clipboard.writeText = async (text) => { window.__copied.push(text); };
  URL.createObjectURL = (blob) => { const f = { type: blob.type, text: null }; window.__files.push(f); blob.text().then(t => f.text = t); return "blob:recorded"; };
  URL.revokeObjectURL = () => {};
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) window.__downloads.push([this.download, this.href]); else click.call(this);
  };
  const warn = console.warn;
  console.warn = (...args) => { window.__warnings.push(args.join(" ")); warn(...args); };
}
"#;

const DIAL_IN: &str = "+44 20 7946 0000 (UK); +1 415 555 0100 (US)";

fn eval_string(code: &str) -> String {
    js_sys::eval(code).unwrap().as_string().unwrap_or_default()
}

/// Waits until `code` evaluates to true (a hang after 60 s).
async fn until(code: &str) {
    let deadline = js_sys::Date::now() + 60_000.0;
    while js_sys::eval(code).unwrap().as_bool() != Some(true) {
        assert!(js_sys::Date::now() < deadline, "never: {code}");
        sleep(10).await;
    }
}

/// The shown button of the created view whose words are `words`.
fn created_button(words: &str) -> Option<HtmlElement> {
    let all = document().query_selector_all(".cf-created button").unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|b| b.closest("[hidden]").unwrap().is_none())
        .find(|b| b.text_content().as_deref() == Some(words))
}

/// The words of the created view's shown buttons, in order.
fn created_buttons() -> Vec<String> {
    let all = document().query_selector_all(".cf-created button").unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i)?.dyn_into::<Element>().ok())
        .filter(|b| b.closest("[hidden]").unwrap().is_none())
        .map(|b| b.text_content().unwrap_or_default())
        .collect()
}

/// Mounts with `attrs` and the recording stub, fills `fields` after the
/// minimum, creates, and waits for the created view.
async fn create_with(attrs: &[(&str, &str)], fields: &[(&str, &str)]) {
    // Before mounting: the settings are read, and warned about, as it mounts.
    js_sys::eval(RECORDERS).unwrap();
    mount(attrs).await;
    js_sys::eval(SWITCH_BY_FUNCTION).unwrap();
    sign_in_and_minimum().await;
    for (id, value) in fields {
        fill(id, value).await;
    }
    click("cf-submit").await;
    // Shown and focused: nothing left pending for the next test's form.
    until("document.activeElement && document.activeElement.id === 'cf-created'").await;
}

/// The conference the form sent, as the core reads it.
fn sent(changes: &[(conference::Field, &str)]) -> conference::Conference {
    let mut draft = conference::Draft::new()
        .with(conference::Field::Code, "123456")
        .with(conference::Field::TalkPin, "234567");
    for (field, value) in changes {
        draft.set(*field, *value);
    }
    conference::Conference::from_draft(&draft).unwrap()
}

#[wasm_bindgen_test]
async fn the_created_view_copies_each_invitation_links_it_and_downloads_the_calendar() {
    use conference::invite::{self, Role};
    use conference::{ics, Catalog, Field};
    use conference_form::i18n::IntlFormat;

    create_with(
        &[
            ("data-dial-in", DIAL_IN),
            ("data-time-zone", "Europe/London"),
        ],
        &[
            ("cf-listenpin", "765432"),
            ("cf-start-date", "2030-01-31"),
            ("cf-start-time", "09:30"),
            ("cf-count", "1"),
            ("cf-description", "Board, call; \\ review"),
        ],
    )
    .await;
    let conference = sent(&[
        (Field::ListenPin, "765432"),
        (Field::Year, "2030"),
        (Field::Month, "1"),
        (Field::Day, "31"),
        (Field::Hour, "9"),
        (Field::Minute, "30"),
        (Field::Description, "Board, call; \\ review"),
    ]);
    let numbers = invite::parse_numbers(DIAL_IN).unwrap();
    let zone = ics::Zone::new("Europe/London").unwrap();
    let details = invite::Details {
        id: 42,
        numbers: &numbers,
        zone: Some(&zone),
    };
    let en = Catalog::english();
    let expected = |role| invite::text(&conference, role, &details, en, &IntlFormat).unwrap();

    // The summary: the customer the conference went to, and everything the
    // organiser's invitation says (every PIN, the schedule, the description).
    assert_eq!(text_of(".cf-created-code"), "123456");
    assert_eq!(
        text_of(".cf-created-customer"),
        en.text("created.own_customer")
    );
    assert_eq!(text("cf-invitation"), expected(Role::Organiser));
    assert_eq!(
        created_buttons(),
        [
            "Copy ID",
            "Copy invitation for speakers",
            "Copy invitation for listeners",
            "Copy everything (for the organiser)",
            "Add to calendar",
            "Create another conference"
        ]
    );

    // Each button copies its role's text; its link mails the same.
    let subject = invite::subject(&conference, en);
    for (n, (words, role)) in [
        ("Copy invitation for speakers", Role::Speaker),
        ("Copy invitation for listeners", Role::Listener),
        ("Copy everything (for the organiser)", Role::Organiser),
    ]
    .into_iter()
    .enumerate()
    {
        let button = created_button(words).unwrap();
        button.click();
        until(&format!("window.__copied.length === {}", n + 1)).await;
        assert_eq!(
            eval_string(&format!("window.__copied[{n}]")),
            expected(role),
            "{words}"
        );
        let link = button.next_element_sibling().unwrap();
        assert_eq!(
            link.get_attribute("href").unwrap(),
            invite::mailto(&subject, &expected(role)),
            "{words}"
        );
    }
    // Said where the buttons are, for a screen reader too; not by the ID's.
    let statuses = document()
        .query_selector_all(".cf-created [role=status]")
        .unwrap();
    let said: Vec<String> = (0..statuses.length())
        .map(|i| statuses.item(i).unwrap().text_content().unwrap())
        .collect();
    assert_eq!(said, ["", "Copied."]);

    // The calendar file: the core's, with this page's host and the zone.
    created_button("Add to calendar").unwrap().click();
    until("window.__files.length === 1 && window.__files[0].text !== null").await;
    assert_eq!(eval_string("window.__files[0].type"), "text/calendar");
    assert_eq!(
        eval_string("window.__downloads.map(d => d.join(' ')).join()"),
        "conference-123456.ics blob:recorded"
    );
    let file = eval_string("window.__files[0].text");
    let host = web_sys::window().unwrap().location().host().unwrap();
    let stamp = file
        .lines()
        .find_map(|l| l.strip_prefix("DTSTAMP:"))
        .unwrap()
        .to_owned();
    let event = ics::Event {
        id: 42,
        host: &host,
        zone: Some(&zone),
        stamp: chrono::NaiveDateTime::parse_from_str(&stamp, "%Y%m%dT%H%M%SZ")
            .unwrap()
            .and_utc(),
        description: &expected(Role::Speaker),
    };
    assert_eq!(file, ics::calendar(&conference, &event).unwrap().text);
    assert!(file.contains("DTSTART;TZID=Europe/London:20300131T093000\r\n"));

    // "Create another" clears what was said.
    created_button("Create another conference").unwrap().click();
    until("document.activeElement && document.activeElement.id === 'cf-code'").await;
    assert_eq!(
        eval_string("[...document.querySelectorAll('.cf-created [role=status]')].map(s => s.textContent).join('')"),
        ""
    );
}

fn text_of(css: &str) -> String {
    document()
        .query_selector(css)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn only_what_applies_is_offered_and_bad_settings_are_warned_and_left_out() {
    create_with(
        &[
            ("data-dial-in", "+44 20 7946 0000 (UK); call us"),
            ("data-time-zone", "Europe/Lon don"),
            ("data-customer", "2"),
        ],
        &[],
    )
    .await;
    // No listen PIN, no start date: neither their invitation nor a calendar.
    assert_eq!(
        created_buttons(),
        [
            "Copy ID",
            "Copy invitation for speakers",
            "Copy everything (for the organiser)",
            "Create another conference"
        ]
    );
    assert_eq!(text_of(".cf-created-customer"), "2");
    let warnings = eval_string("window.__warnings.join('\\n')");
    assert!(
        warnings.contains("data-dial-in") && warnings.contains("call us"),
        "{warnings}"
    );
    assert!(warnings.contains("data-time-zone"), "{warnings}");
    // Without numbers, the catalog's words; never an empty line.
    let summary = text("cf-invitation");
    assert!(
        summary.contains("Call the number you were given for conferences"),
        "{summary}"
    );
    assert!(summary.contains("Always open: no start date."), "{summary}");
}

#[wasm_bindgen_test]
async fn dates_in_invitations_are_the_previews_without_the_time() {
    use conference::invite::Format;
    use conference_form::i18n::{when, IntlFormat};

    let at = chrono::NaiveDate::from_ymd_opt(2030, 3, 4)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let day = IntlFormat.date(at.date());
    assert!(when(at).starts_with(&day), "{} / {day}", when(at));
    assert!(day.contains("2030") && !day.contains("09"), "{day}");
    assert_eq!(IntlFormat.date_time(at), when(at));
    assert_eq!(IntlFormat.number(1000), "1,000");
}
