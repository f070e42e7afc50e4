//! The few things the app asks of the browser directly.

use chrono::{DateTime, NaiveDateTime, Utc};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The browser's local time: the best guess at the switch's local time,
/// which is what the API's start fields mean [assumed].
#[cfg(target_arch = "wasm32")]
pub fn now() -> NaiveDateTime {
    let d = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .and_then(|day| day.and_hms_opt(d.get_hours(), d.get_minutes(), d.get_seconds()))
        .unwrap_or_default()
}

/// Rendered ahead (`crate::prerender`, natively) there is no browser and
/// nothing typed: no rule compares a start with the time.
#[cfg(not(target_arch = "wasm32"))]
pub fn now() -> NaiveDateTime {
    NaiveDateTime::default()
}

/// The moment, in UTC (a calendar file's `DTSTAMP`).
pub fn now_utc() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// This page's host (`example.com:8080`).
pub fn host() -> String {
    web_sys::window()
        .and_then(|w| Reflect::get(&w.location(), &"host".into()).ok())
        .and_then(|host| host.as_string())
        .unwrap_or_default()
}

/// A plain object with these properties, as JavaScript's `{…}` (the options
/// of `fetch`, events and blobs): web-sys's typed option setters would each
/// add an import and its glue to the bundle, for the same object.
pub fn object(properties: &[(&str, &JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in properties {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Moves focus to the element with this id, if there is one.
pub fn focus(id: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// Folds a `<details>` element up again, if it is open.
pub fn fold(id: &str) {
    if let Some(el) = document().and_then(|d| d.get_element_by_id(id)) {
        let _ = el.remove_attribute("open");
    }
}

/// Tells the host page: `conference-created`, detail `{id, code}`, bubbling
/// from the element the app is mounted in.
pub fn announce_created(target: &web_sys::HtmlElement, id: u64, code: &str) {
    let detail = object(&[
        ("id", &JsValue::from_f64(id as f64)),
        ("code", &code.into()),
    ]);
    let init = object(&[
        ("detail", &detail),
        ("bubbles", &true.into()),
        ("composed", &true.into()),
    ]);
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict("conference-created", init.unchecked_ref())
    {
        let _ = target.dispatch_event(&event);
    }
}

/// Copies text to the clipboard; `false` where the browser refuses.
pub async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Downloads `text` as a file named `name`, of type `kind`: a Blob, so no
/// server is asked.
pub fn download(name: &str, kind: &str, text: &str) {
    let options = object(&[("type", &kind.into())]);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(
        &js_sys::Array::of1(&text.into()),
        options.unchecked_ref(),
    ) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document().and_then(|d| d.create_element("a").ok()) {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", name);
        // An `a` the document made is an HTMLElement.
        link.unchecked_into::<web_sys::HtmlElement>().click();
    }
    // The click has read the URL (a blob URL resolves as it is parsed).
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// `len` random digits from the browser's cryptographic generator.
pub fn random_digits(len: usize) -> String {
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 32];
    while out.len() < len {
        match &crypto {
            Some(c) if c.get_random_values_with_u8_array(&mut buf).is_ok() => {}
            // No crypto, no PIN: better an empty field than a guessable one.
            _ => return String::new(),
        }
        // 250 is the largest multiple of 10 below 256: no digit is likelier.
        out.extend(
            buf.iter()
                .filter(|&&b| b < 250)
                .map(|&b| char::from(b'0' + b % 10)),
        );
    }
    out.truncate(len);
    out
}
