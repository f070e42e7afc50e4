//! The form in other languages, end to end: the browser's languages, the
//! host's `data-lang`, the standalone page's menu, the operator's words
//! (`data-messages`, `--messages`) and catalogs that fail. Expected words
//! come from the catalogs in i18n/, so these tests follow them.

use e2e::*;
use serde_json::Value;

/// A browser reading `locale`, checked: headless Chromium is picky about it.
async fn browser_in(screen: Screen, locale: &str) -> Browser {
    let b = Browser::start_in(screen, locale).await;
    b.client.goto("about:blank").await.unwrap();
    let first = b.js("return navigator.languages[0]").await;
    assert_eq!(first, locale, "navigator.languages[0]");
    b
}

const NARROW: Screen = Screen {
    width: 375,
    dark: false,
};

async fn code_label(b: &Browser) -> String {
    b.text("label[for=cf-code]").await
}

/// The form root's `lang` and `dir`, and the page's (`<html>`).
async fn lang_dir(b: &Browser) -> (Value, Value) {
    (
        b.js("const f = document.querySelector('.cf'); return [f.lang, f.dir]")
            .await,
        b.js("const h = document.documentElement; return [h.lang, h.dir]")
            .await,
    )
}

/// Every label and legend in the form: `for` (or "legend") and text.
async fn labels(b: &Browser) -> Vec<(String, String)> {
    let found = b
        .js("return [...document.querySelectorAll('.cf label, .cf legend')].map(l => [l.htmlFor || l.tagName.toLowerCase(), l.textContent.trim()])")
        .await;
    let found: Vec<(String, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(found.len() >= 10, "the form has its labels: {found:?}");
    found
}

/// The parameters a person may leave as they are: their labels say so.
const OPTIONAL: [&str; 8] = [
    "duration",
    "repeats",
    "count",
    "description",
    "owner",
    "customer",
    "callerid",
    "maximum",
];

/// Every parameter label shown is `catalog`'s, "(optional)" in its words
/// where it is, except `label.code`, which must be `code`: returns how many
/// were compared.
async fn labels_are(b: &Browser, catalog: &Value, code: &str) -> usize {
    let mut compared = 0;
    for (control, text) in labels(b).await {
        assert!(!text.is_empty(), "the label of {control} is empty");
        let Some(param) = control.strip_prefix("cf-") else {
            continue;
        };
        if param == "code" {
            assert_eq!(text, code, "the code's label");
            compared += 1;
        } else if let Some(label) = catalog[format!("label.{param}")].as_str() {
            let expected = if OPTIONAL.contains(&param) {
                word(catalog, "label.optional").replace("{label}", label)
            } else {
                label.to_owned()
            };
            assert_eq!(text, expected, "the label of {control}");
            compared += 1;
        }
    }
    assert!(compared >= 8, "only {compared} labels compared");
    compared
}

/// The warnings the form logged ("conference form: …") since the last look.
async fn form_warnings(b: &Browser) -> Vec<String> {
    b.console()
        .await
        .into_iter()
        .filter(|(level, message)| level == "WARNING" && message.contains("conference form"))
        .map(|(_, message)| message)
        .collect()
}

/// Submits the empty form: the summary of problems opens, titled in `catalog`.
async fn submit_with_errors(b: &Browser, catalog: &Value) {
    b.click("#cf-submit").await;
    b.wait_for("#cf-summary").await;
    assert_eq!(
        b.text(".cf-summary-title").await,
        word(catalog, "summary.title")
    );
    assert!(
        !b.messages("cf-code").await.is_empty(),
        "the empty code shows its problem"
    );
}

#[tokio::test]
async fn a_german_browser_gets_the_form_in_german_from_first_error_to_created() {
    let de = words("de");
    let en = words("en");
    assert_ne!(word(&de, "label.code"), word(&en, "label.code"));
    let s = Server::start(&[]);
    let b = browser_in(DESKTOP, "de-DE").await;
    b.open(&s.url("/")).await;
    assert_eq!(code_label(&b).await, word(&de, "label.code"));
    assert_eq!(b.js("return document.title").await, word(&de, "page.title"));
    assert_eq!(b.text("#page-title").await, word(&de, "page.title"));
    let (form, html) = lang_dir(&b).await;
    assert_eq!(form, serde_json::json!(["de", "ltr"]), ".cf lang and dir");
    assert_eq!(
        html,
        serde_json::json!(["de", "ltr"]),
        "<html> lang and dir"
    );
    labels_are(&b, &de, &word(&de, "label.code")).await;

    // A rule, shown on leaving the field, in German with the German label.
    b.type_into("#cf-code", "12a").await;
    b.click("#cf-talkpin").await;
    let rule = word(&de, "rule.not_digits").replace("{label}", &word(&de, "label.code"));
    let expected = format!("{} {rule}", word(&de, "message.error"));
    b.expect_messages("cf-code", &[expected.as_str()]).await;
    // Its numbers as German writes them (Intl.NumberFormat): 1.000, not 1000.
    b.retype("#cf-count", "5000").await;
    b.click("#cf-talkpin").await;
    let range = word(&de, "rule.range")
        .replace("{label}", &word(&de, "label.count"))
        .replace("{min}", "1")
        .replace("{max}", "1.000");
    let expected = format!("{} {range}", word(&de, "message.error"));
    b.expect_messages("cf-count", &[expected.as_str()]).await;
    b.retype("#cf-count", "1").await;

    submit_with_errors(&b, &de).await;
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "axe, German, with errors"
    );
    b.screenshot("language-de-errors").await;

    b.retype("#cf-code", "700101").await;
    b.type_into("#cf-talkpin", "246810").await;
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "demo").await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    assert_eq!(
        b.text(".cf-created-title").await,
        word(&de, "created.title")
    );
    let stored = s.stored("700101").await.expect("stored");
    assert_eq!(stored["id"].as_u64(), Some(id));
    assert_eq!(
        b.js("return document.querySelector('[data-conference-id]').dataset.conferenceId")
            .await,
        id.to_string()
    );
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "axe, German, created"
    );
    b.screenshot("language-de-created").await;
    b.close().await;
}

#[tokio::test]
async fn german_on_a_narrow_screen_with_errors_fits_and_is_pictured_in_docs() {
    let de = words("de");
    let s = Server::start(&[]);
    let b = browser_in(NARROW, "de-DE").await;
    b.open(&s.url("/")).await;
    assert_eq!(code_label(&b).await, word(&de, "label.code"));
    submit_with_errors(&b, &de).await;
    no_overflow(&b).await;
    assert_eq!(b.accessibility_violations().await, Vec::<String>::new());
    b.screenshot_into("docs/form-de.png").await;
    b.close().await;
}

#[tokio::test]
async fn an_arabic_browser_gets_a_right_to_left_form_that_fits_a_narrow_screen() {
    let ar = words("ar");
    assert_eq!(word(&ar, "dir"), "rtl");
    let s = Server::start(&[]);
    let b = browser_in(NARROW, "ar").await;
    b.open(&s.url("/")).await;
    let (form, html) = lang_dir(&b).await;
    assert_eq!(form, serde_json::json!(["ar", "rtl"]), ".cf lang and dir");
    assert_eq!(
        html,
        serde_json::json!(["ar", "rtl"]),
        "<html> lang and dir"
    );
    assert_eq!(code_label(&b).await, word(&ar, "label.code"));
    assert_eq!(b.js("return document.title").await, word(&ar, "page.title"));
    assert_eq!(
        b.js("return getComputedStyle(document.querySelector('.cf')).direction")
            .await,
        "rtl"
    );
    labels_are(&b, &ar, &word(&ar, "label.code")).await;
    no_overflow(&b).await;
    submit_with_errors(&b, &ar).await;
    let required = format!(
        "{} {}",
        word(&ar, "message.error"),
        word(&ar, "rule.required_code")
    );
    b.expect_messages("cf-code", &[required.as_str()]).await;
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "axe, Arabic, with errors"
    );
    no_overflow(&b).await;
    b.screenshot_into("docs/form-ar.png").await;
    b.screenshot("language-ar-errors-375").await;
    b.close().await;
}

#[tokio::test]
async fn the_host_pages_data_lang_wins_over_the_browsers_languages() {
    let de = words("de");
    let ar = words("ar");
    let en = words("en");
    let s = Server::start_with_pages(
        &[],
        &[
            ("de.html", "data-api-base=/api/json/ data-lang=de"),
            ("ar.html", "data-api-base=/api/json/ data-lang=ar"),
        ],
    );

    let b = browser_in(DESKTOP, "en-US").await;
    // The plain page follows the browser: English, so what follows is data-lang's doing.
    b.open(&s.url("/")).await;
    assert_eq!(code_label(&b).await, word(&en, "label.code"));
    b.open(&s.url("/de.html")).await;
    assert_eq!(code_label(&b).await, word(&de, "label.code"));
    assert_eq!(lang_dir(&b).await.0, serde_json::json!(["de", "ltr"]));
    labels_are(&b, &de, &word(&de, "label.code")).await;
    b.close().await;

    let b = browser_in(DESKTOP, "de-DE").await;
    b.open(&s.url("/ar.html")).await;
    assert_eq!(code_label(&b).await, word(&ar, "label.code"));
    assert_eq!(lang_dir(&b).await.0, serde_json::json!(["ar", "rtl"]));
    labels_are(&b, &ar, &word(&ar, "label.code")).await;
    b.close().await;
}

#[tokio::test]
async fn the_operators_catalog_changes_only_the_words_it_has() {
    let de = words("de");
    let s = Server::start_with_pages(
        &[],
        &[(
            "custom.html",
            "data-api-base=/api/json/ data-messages=/custom/{lang}.json",
        )],
    );
    s.write_site_file("custom/de.json", br#"{"label.code": "Meeting-Nummer"}"#);
    let b = browser_in(DESKTOP, "de-DE").await;
    b.open(&s.url("/custom.html")).await;
    assert_eq!(code_label(&b).await, "Meeting-Nummer");
    labels_are(&b, &de, "Meeting-Nummer").await;
    assert_eq!(lang_dir(&b).await.0, serde_json::json!(["de", "ltr"]));
    assert_eq!(form_warnings(&b).await, Vec::<String>::new());
    b.close().await;
}

#[tokio::test]
async fn broken_catalogs_fall_back_with_one_warning_each() {
    let de = words("de");
    let en = words("en");
    let s = Server::start_with_pages(
        &[],
        &[
            (
                "invalid.html",
                "data-api-base=/api/json/ data-messages=/custom/invalid-{lang}.json",
            ),
            (
                "missing.html",
                "data-api-base=/api/json/ data-messages=/custom/missing-{lang}.json",
            ),
        ],
    );
    s.write_site_file("custom/invalid-de.json", b"{\"label.code\": oops");
    let b = browser_in(DESKTOP, "de-DE").await;

    // (a) The operator's catalog does not parse: the shipped German.
    b.console().await;
    b.open(&s.url("/invalid.html")).await;
    labels_are(&b, &de, &word(&de, "label.code")).await;
    assert_eq!(lang_dir(&b).await.0, serde_json::json!(["de", "ltr"]));
    let warned = form_warnings(&b).await;
    assert_eq!(
        warned.len(),
        1,
        "one warning for the invalid catalog: {warned:?}"
    );

    // (b) The operator's catalog is not there: the shipped German.
    b.open(&s.url("/missing.html")).await;
    labels_are(&b, &de, &word(&de, "label.code")).await;
    assert_eq!(lang_dir(&b).await.0, serde_json::json!(["de", "ltr"]));
    let warned = form_warnings(&b).await;
    assert_eq!(
        warned.len(),
        1,
        "one warning for the missing catalog: {warned:?}"
    );
    assert!(
        warned[0].contains("missing-de.json"),
        "the warning names the file: {warned:?}"
    );

    b.close().await;

    // (c) The shipped German does not parse: English. A new browser, whose
    // cache never held the good one. The form fetches the copy the build
    // named by its content (i18n/de-<hash>.json).
    let shipped = std::fs::read_dir(s.dist.join("i18n"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("de-") && n.ends_with(".json"))
        .expect("the build's i18n/de-<hash>.json");
    s.write_site_file(&format!("i18n/{shipped}"), b"{\"label.code\": ");
    let b = browser_in(DESKTOP, "de-DE").await;
    b.open(&s.url("/")).await;
    labels_are(&b, &en, &word(&en, "label.code")).await;
    assert_eq!(lang_dir(&b).await.0, serde_json::json!(["en", "ltr"]));
    let warned = form_warnings(&b).await;
    assert_eq!(
        warned.len(),
        1,
        "one warning for the broken de.json: {warned:?}"
    );
    b.close().await;
}

/// `.cf`'s lang, or "" between pages (a reload may be under way).
async fn form_lang(b: &Browser) -> String {
    match b
        .client
        .execute(
            "const f = document.querySelector('.cf'); return f ? f.lang : ''",
            vec![],
        )
        .await
    {
        Ok(Value::String(lang)) => lang,
        _ => String::new(),
    }
}

#[tokio::test]
async fn the_pages_language_menu_switches_and_remembers() {
    let de = words("de");
    let en = words("en");
    let s = Server::start(&[]);
    let b = browser_in(DESKTOP, "en-US").await;
    b.open(&s.url("/")).await;
    assert_eq!(form_lang(&b).await, "en");
    assert_eq!(code_label(&b).await, word(&en, "label.code"));

    let menu = b.find("#page-language").await;
    menu.click().await.unwrap();
    menu.select_by_value("de").await.unwrap();
    b.until("the reloaded form in German", || async {
        form_lang(&b).await == "de"
    })
    .await;
    b.wait_for("#cf-code").await;
    assert_eq!(code_label(&b).await, word(&de, "label.code"));
    assert_eq!(b.value("#page-language").await, "de");
    assert_eq!(b.js("return document.title").await, word(&de, "page.title"));

    // Another reload: the choice was remembered.
    b.client.refresh().await.unwrap();
    b.wait_for("#cf-code").await;
    assert_eq!(form_lang(&b).await, "de");
    assert_eq!(code_label(&b).await, word(&de, "label.code"));
    assert_eq!(b.value("#page-language").await, "de");
    b.close().await;
}

#[tokio::test]
async fn the_servers_messages_option_gives_the_operators_words() {
    let de = words("de");
    let messages = tempfile::tempdir().unwrap();
    std::fs::write(
        messages.path().join("de.json"),
        r#"{"label.code": "Konferenznummer (Betreiber)"}"#,
    )
    .unwrap();
    let s = Server::start(&["--messages", messages.path().to_str().unwrap()]);
    let b = browser_in(DESKTOP, "de-DE").await;
    b.open(&s.url("/")).await;
    assert_eq!(
        b.js("return document.getElementById('conference-form').dataset.messages")
            .await,
        "/messages/{lang}.json"
    );
    assert_eq!(code_label(&b).await, "Konferenznummer (Betreiber)");
    labels_are(&b, &de, "Konferenznummer (Betreiber)").await;
    assert_eq!(form_warnings(&b).await, Vec::<String>::new());
    b.close().await;
}

#[tokio::test]
async fn every_other_language_fits_a_narrow_screen_with_errors_and_axe_finds_nothing() {
    // German and Arabic have tests of their own above; here, the rest.
    let langs = ["en", "fr", "es", "nl", "pt"];
    let pages: Vec<(String, String)> = langs
        .iter()
        .map(|l| {
            (
                format!("{l}.html"),
                format!("data-api-base=/api/json/ data-lang={l}"),
            )
        })
        .collect();
    let pages: Vec<(&str, &str)> = pages
        .iter()
        .map(|(n, a)| (n.as_str(), a.as_str()))
        .collect();
    let s = Server::start_with_pages(&[], &pages);
    let b = browser_in(NARROW, "en-US").await;
    for lang in langs {
        let catalog = words(lang);
        b.open(&s.url(&format!("/{lang}.html"))).await;
        assert_eq!(
            lang_dir(&b).await.0,
            serde_json::json!([lang, "ltr"]),
            "{lang}"
        );
        labels_are(&b, &catalog, &word(&catalog, "label.code")).await;
        submit_with_errors(&b, &catalog).await;
        no_overflow(&b).await;
        assert_eq!(
            b.accessibility_violations().await,
            Vec::<String>::new(),
            "{lang}"
        );
    }
    b.close().await;
}
