//! The created view, end to end: a weekly conference in German, its two
//! invitations copied and read back from the browser's clipboard, their
//! `mailto:` links, and the calendar file, downloaded and read by parsers we
//! did not write (`icalendar`, `rrule`), its occurrences against the preview
//! the page showed. Expected words come from the catalogs in i18n/.

use std::str::FromStr;

use chrono::NaiveDateTime;
use e2e::*;
use fantoccini::elements::Element;
use fantoccini::Locator;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime};
use serde_json::{json, Value};

/// The switch's numbers and zone, as an operator sets them on the page.
const DIAL_IN: &str = "+49 30 901820 (Berlin); +41 44 668 1800 (Zürich)";
const PAGE: (&str, &str) = (
    "dial.html",
    "data-api-base=/api/json/ data-dial-in=\"+49 30 901820 (Berlin); +41 44 668 1800 (Zürich)\" data-time-zone=Europe/Berlin",
);

/// A command ChromeDriver has beyond WebDriver: one of Chromium's DevTools
/// commands, run in the session's browser.
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Lets the page read and write the clipboard, as a person allows it when
/// the browser asks.
async fn allow_clipboard(b: &Browser, origin: &str) {
    b.client
        .issue_cmd(Cdp(json!({
            "cmd": "Browser.grantPermissions",
            "params": {
                "origin": origin,
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            },
        })))
        .await
        .unwrap();
}

/// What the clipboard holds, read by the page.
async fn clipboard(b: &Browser) -> String {
    let text = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             navigator.clipboard.readText().then(done, e => done('refused: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    text.as_str().unwrap().to_owned()
}

/// The button whose words are `text`, shown.
async fn button(b: &Browser, text: &str) -> Element {
    b.client
        .find(Locator::XPath(&format!(
            "//button[normalize-space()='{text}'][not(ancestor::*[@hidden])]"
        )))
        .await
        .unwrap_or_else(|_| panic!("no button {text:?}"))
}

/// The texts of the list items under `css`.
async fn items(b: &Browser, css: &str) -> Vec<String> {
    let found = b
        .js(&format!(
            "return [...document.querySelectorAll('{css} li')].map(li => li.textContent)"
        ))
        .await;
    serde_json::from_value(found).unwrap()
}

/// Shows a control that sits in a folded disclosure ("More settings").
async fn unfold_to(b: &Browser, id: &str) {
    b.js(&format!(
        "const d = document.getElementById('{id}').closest('details');\
         if (d && !d.open) d.querySelector('summary').click(); return true"
    ))
    .await;
    b.wait_for(&format!("#{id}")).await;
}

/// Sets a control's value as the browser's own picker would, whatever the
/// language's order of a date's parts.
async fn set(b: &Browser, id: &str, value: &str) {
    b.client
        .execute(
            "const e = document.getElementById(arguments[0]); e.value = arguments[1];\
             for (const kind of ['input', 'change']) e.dispatchEvent(new Event(kind, { bubbles: true }));",
            vec![json!(id), json!(value)],
        )
        .await
        .unwrap();
}

/// Copies an invitation with its button; the status says so in German, and
/// the clipboard holds the text, which the button's `mailto:` link also
/// carries. Returns the text.
async fn copy_invitation(b: &Browser, de: &Value, id: &str) -> String {
    let before = clipboard(b).await;
    let copy = button(b, &word(de, id)).await;
    copy.click().await.unwrap();
    let copied = word(de, "created.copied_invitation");
    b.until("the copy announced", || async {
        b.js("return [...document.querySelectorAll('.cf-created .cf-copied')].map(p => p.textContent)")
            .await
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str() == Some(copied.as_str()))
    })
    .await;
    let text = clipboard(b).await;
    assert_ne!(text, before, "{id}: the clipboard changed");
    // The link beside the button: the same text, by email.
    let href = copy
        .find(Locator::XPath("following-sibling::a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (subject, body) = mailto(b, &href).await;
    assert_eq!(body, text.replace("\r\n", "\n"), "{id}: the mailto body");
    assert!(subject.starts_with("Einladung: "), "{subject}");
    text
}

/// A `mailto:` URL's subject and body, decoded by the browser, line breaks
/// as LF.
async fn mailto(b: &Browser, href: &str) -> (String, String) {
    assert!(href.starts_with("mailto:?subject="), "{href}");
    let decoded = b
        .client
        .execute(
            "const p = new URLSearchParams(arguments[0].slice('mailto:?'.length));\
             return [p.get('subject'), p.get('body').replaceAll('\\r\\n', '\\n')]",
            vec![json!(href)],
        )
        .await
        .unwrap();
    (
        decoded[0].as_str().unwrap().to_owned(),
        decoded[1].as_str().unwrap().to_owned(),
    )
}

/// The event's starts by the `rrule` crate, as local times of its zone.
fn expand(event: &icalendar::Event) -> Vec<NaiveDateTime> {
    let Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) =
        event.get_start()
    else {
        panic!("DTSTART with a TZID: {:?}", event.get_start());
    };
    let rule = event.property_value("RRULE").expect("an RRULE");
    let set = rrule::RRuleSet::from_str(&format!(
        "DTSTART;TZID={tzid}:{}\nRRULE:{rule}",
        date_time.format("%Y%m%dT%H%M%S")
    ))
    .unwrap();
    let all = set.all(1000);
    assert!(!all.limited);
    all.dates.iter().map(|d| d.naive_local()).collect()
}

/// Starts written by the browser's `Intl` in `lang`, with the options the
/// form's preview uses.
async fn written(b: &Browser, lang: &str, all: &[NaiveDateTime]) -> Vec<String> {
    let parts: Vec<Value> = all
        .iter()
        .map(|d| json!(d.format("%Y %m %d %H %M").to_string()))
        .collect();
    let found = b
        .client
        .execute(
            "const f = new Intl.DateTimeFormat(arguments[0], { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });\
             return arguments[1].map(s => { const [y, m, d, h, min] = s.split(' ').map(Number); return f.format(Date.UTC(y, m - 1, d, h, min)); })",
            vec![json!(lang), json!(parts)],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn a_weekly_conference_in_german_its_invitations_and_its_calendar_file() {
    let de = words("de");
    let s = Server::start_with_pages(&[], &[PAGE]);
    let b = Browser::start_in(DESKTOP, "de-DE").await;
    b.open(&s.url("/dial.html")).await;
    fill_minimum(&b, "demo", "700201").await;
    b.type_into("#cf-listenpin", "135790").await;
    // The German date control takes dd mm yyyy. Five Mondays from 3 March
    // 2031: Berlin moves its clocks on 30 March.
    b.type_into("#cf-start-date", "03032031").await;
    set(&b, "cf-start-time", "09:30").await;
    b.find("#cf-repeats")
        .await
        .send_keys(&word(&de, "repeats.weekly"))
        .await
        .unwrap();
    b.retype("#cf-count", "5").await;
    unfold_to(&b, "cf-description").await;
    let description = "Teamrunde; Planung, Q2 \\ Budget";
    b.type_into("#cf-description", description).await;
    unfold_to(&b, "cf-duration").await;
    b.retype("#cf-duration", "45").await;
    b.until("the preview shows five starts", || async {
        items(&b, ".cf-preview").await.len() == 5
    })
    .await;
    let preview = items(&b, ".cf-preview").await;

    // The file's text, kept as the page hands its Blob to a URL.
    b.js("window.__files = []; const make = URL.createObjectURL;\
          URL.createObjectURL = (blob) => { window.__files.push({ type: blob.type, text: null }); const f = window.__files.at(-1); blob.text().then(t => f.text = t); return make(blob); };\
          const click = HTMLAnchorElement.prototype.click;\
          HTMLAnchorElement.prototype.click = function () { window.__downloads = (window.__downloads || []).concat(this.download); return click.call(this); }; return true")
        .await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    assert_eq!(b.text(".cf-created-code").await, "700201");
    assert_eq!(
        b.text(".cf-created-customer").await,
        word(&de, "created.own_customer"),
        "no customer typed: the signed-in user's own"
    );
    assert_eq!(items(&b, ".cf-created").await, preview, "the dates stay");

    // The summary: every PIN, the schedule and the description, as the
    // organiser's invitation words them.
    let summary = b.text("#cf-invitation").await;
    for part in [
        "246810",
        "135790",
        description,
        "700201",
        &id.to_string(),
        &preview[0],
        "45",
        "+49 30 901820 (Berlin)",
    ] {
        assert!(summary.contains(part), "{part:?} in {summary}");
    }
    let repeats = word(&de, "invite.repeats")
        .replace("{repeats}", &word(&de, "repeats.weekly"))
        .replace("{count}", "5");
    let repeats = repeats.split("{last}").next().unwrap();
    assert!(summary.contains(repeats), "{repeats:?} in {summary}");

    // Each invitation gives its own PIN only; the organiser's holds both.
    allow_clipboard(&b, &s.base).await;
    let speakers = copy_invitation(&b, &de, "created.copy_speakers").await;
    let listeners = copy_invitation(&b, &de, "created.copy_listeners").await;
    let everything = copy_invitation(&b, &de, "created.copy_all").await;
    assert_eq!(
        speakers.lines().next(),
        Some(word(&de, "invite.speaker").as_str())
    );
    assert_eq!(
        listeners.lines().next(),
        Some(word(&de, "invite.listener").as_str())
    );
    assert!(speakers.contains("246810") && !speakers.contains("135790"));
    assert!(listeners.contains("135790") && !listeners.contains("246810"));
    assert_eq!(everything, summary.replace("\r\n", "\n"), "one source");
    for text in [&speakers, &listeners] {
        assert!(text.contains(description) && text.contains("700201"));
        assert!(text.contains(&word(&de, "invite.call_any")));
        for number in DIAL_IN.split("; ") {
            assert!(text.contains(number), "{number} in {text}");
        }
    }

    // The calendar file, as the button downloads it.
    button(&b, &word(&de, "created.calendar"))
        .await
        .click()
        .await
        .unwrap();
    b.until("the file's text", || async {
        b.js("return (window.__files || []).some(f => f.text !== null)")
            .await
            == json!(true)
    })
    .await;
    let file = b.js("return window.__files").await;
    assert_eq!(file.as_array().unwrap().len(), 1, "one file: {file}");
    assert_eq!(file[0]["type"], "text/calendar");
    assert_eq!(
        b.js("return window.__downloads").await,
        json!(["conference-700201.ics"])
    );
    let text = file[0]["text"].as_str().unwrap();
    assert!(text.ends_with("\r\n") && text.split("\r\n").all(|l| l.len() <= 75));
    let calendar = icalendar::Calendar::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    let event = events[0];
    let host = s.base.trim_start_matches("http://").trim_end_matches('/');
    assert_eq!(event.get_uid(), Some(format!("{id}@{host}").as_str()));
    assert_eq!(event.get_summary(), Some(description));
    assert_eq!(event.get_description(), Some(speakers.as_str()));
    assert_eq!(event.property_value("DURATION"), Some("PT45M"));
    let starts = expand(event);
    assert_eq!(starts.len(), 5);
    // Wall-clock time in Berlin, daylight saving time or not.
    assert!(
        starts
            .iter()
            .all(|at| at.format("%H:%M").to_string() == "09:30"),
        "{starts:?}\n{text}"
    );
    assert_eq!(written(&b, "de", &starts).await, preview);

    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "axe, the created view in German"
    );
    no_overflow(&b).await;
    b.screenshot("created-de").await;
    b.close().await;
}

#[tokio::test]
async fn the_created_view_in_english_is_pictured_for_the_readme() {
    let s = Server::start_with_pages(&[], &[PAGE]);
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/dial.html")).await;
    fill_minimum(&b, "demo", "700202").await;
    b.type_into("#cf-adminpin", "864200").await;
    b.type_into("#cf-listenpin", "135790").await;
    b.type_into("#cf-start-date", "03032031").await;
    b.type_into("#cf-start-time", "0930AM").await;
    b.find("#cf-repeats")
        .await
        .send_keys("Weekly")
        .await
        .unwrap();
    b.retype("#cf-count", "4").await;
    unfold_to(&b, "cf-description").await;
    b.type_into("#cf-description", "Weekly planning").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    for what in [
        "Copy invitation for speakers",
        "Copy invitation for listeners",
        "Copy everything (for the organiser)",
        "Add to calendar",
    ] {
        assert!(button(&b, what).await.is_displayed().await.unwrap());
    }
    assert_eq!(b.accessibility_violations().await, Vec::<String>::new());
    b.screenshot_into("docs/created.png").await;
    b.close().await;
}

#[tokio::test]
async fn without_a_start_or_a_listen_pin_only_what_applies_is_offered() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/")).await;
    fill_minimum(&b, "demo", "700203").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    let shown = b
        .js("return [...document.querySelectorAll('.cf-created button')].filter(e => e.getClientRects().length).map(e => e.textContent)")
        .await;
    assert_eq!(
        shown,
        json!([
            "Copy ID",
            "Copy invitation for speakers",
            "Copy everything (for the organiser)",
            "Create another conference"
        ])
    );
    // No numbers configured: the catalog's words, never an empty line.
    let summary = b.text("#cf-invitation").await;
    assert!(
        summary.contains(&word(&words("en"), "invite.call_given")),
        "{summary}"
    );
    b.close().await;
}

#[tokio::test]
async fn the_created_view_fits_a_narrow_screen_in_arabic() {
    let ar = words("ar");
    let s = Server::start_with_pages(&[], &[PAGE]);
    let b = Browser::start_in(
        Screen {
            width: 375,
            dark: false,
        },
        "ar",
    )
    .await;
    b.open(&s.url("/dial.html")).await;
    fill_minimum(&b, "demo", "700204").await;
    b.type_into("#cf-listenpin", "135790").await;
    set(&b, "cf-start-date", "2031-03-03").await;
    set(&b, "cf-start-time", "09:30").await;
    set(&b, "cf-repeats", "weekly").await;
    b.retype("#cf-count", "3").await;
    unfold_to(&b, "cf-description").await;
    b.type_into("#cf-description", "اجتماع الفريق الأسبوعي")
        .await;
    b.click("#cf-submit").await;
    b.created_id().await;
    for id in [
        "created.copy_speakers",
        "created.copy_listeners",
        "created.copy_all",
        "created.calendar",
    ] {
        assert!(button(&b, &word(&ar, id))
            .await
            .is_displayed()
            .await
            .unwrap());
    }
    no_overflow(&b).await;
    // The email links are targets a thumb can hit.
    let heights = b
        .js("return [...document.querySelectorAll('.cf-mail')].filter(a => a.getClientRects().length).map(a => a.getBoundingClientRect().height)")
        .await;
    let heights: Vec<f64> = serde_json::from_value(heights).unwrap();
    assert_eq!(heights.len(), 3);
    assert!(heights.iter().all(|&h| h >= 44.0), "{heights:?}");
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "axe, the created view in Arabic at 375 px"
    );
    b.screenshot("created-ar-375").await;
    b.close().await;
}
