//! `--messages DIR`: the operator's wording for the form. Each `<lang>.json`
//! in DIR (message ids and their text) is read and checked once at startup
//! and served from memory at `/messages/<lang>.json`; the app's page gets
//! `data-messages="/messages/{lang}.json"` on the form's element, so the form
//! knows where to look (the browser puts in the language).
//!
//! `--support-url URL`, `--dial-in` and `--time-zone` put `data-support-url`,
//! `data-dial-in` and `data-time-zone` on the same element ([`attributes`];
//! [`crate::web::Pages`] puts them into every language's copy of the page).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// At most this many message files...
const MAX_FILES: usize = 64;
/// ...each at most this large.
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// What the page's form element is told: the browser replaces `{lang}`.
const ATTRIBUTE: &str = r#"data-messages="/messages/{lang}.json""#;

pub(crate) struct Messages {
    /// Language tag to its catalog, as compact JSON.
    catalogs: HashMap<String, Bytes>,
}

impl Messages {
    /// Reads and checks every message file in `dir`. Any error names the
    /// file and what is wrong with it.
    pub(crate) fn load(dir: &Path) -> Result<Messages, String> {
        Ok(Messages {
            catalogs: read_catalogs(dir)?,
        })
    }

    /// The languages that have a file, sorted.
    pub(crate) fn languages(&self) -> Vec<&str> {
        let mut languages: Vec<&str> = self.catalogs.keys().map(String::as_str).collect();
        languages.sort_unstable();
        languages
    }
}

/// The attributes the page's form element gets: `data-messages` with
/// `--messages`, then each of the `settings` (name, value) escaped; "" when
/// there are none.
pub(crate) fn attributes(messages: bool, settings: &[(&str, &str)]) -> String {
    messages
        .then(|| ATTRIBUTE.to_owned())
        .into_iter()
        .chain(
            settings
                .iter()
                .map(|(name, value)| format!("{name}=\"{}\"", escape(value))),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// `^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`: `en`, `de`, `pt-BR`, `zh-Hant-TW`.
pub(crate) fn is_language_tag(text: &str) -> bool {
    let mut parts = text.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn read_catalogs(dir: &Path) -> Result<HashMap<String, Bytes>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("--messages {}: {e}", dir.display()))?;
    let mut catalogs = HashMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("--messages {}: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let lang = name
            .to_str()
            .and_then(|n| n.strip_suffix(".json"))
            .filter(|stem| is_language_tag(stem));
        let is_file = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
        let (Some(lang), true) = (lang, is_file) else {
            tracing::warn!(
                "--messages: ignoring {} (not a file named <language tag>.json)",
                path.display()
            );
            continue;
        };
        if catalogs.len() == MAX_FILES {
            return Err(format!(
                "--messages {}: more than {MAX_FILES} message files",
                dir.display()
            ));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!(
                "{}: larger than {} KiB",
                path.display(),
                MAX_FILE_BYTES / 1024
            ));
        }
        let catalog = check(&bytes).map_err(|what| format!("{}: {what}", path.display()))?;
        catalogs.insert(lang.to_owned(), Bytes::from(catalog));
    }
    Ok(catalogs)
}

/// The file as compact JSON, if it is an object whose values are all strings.
fn check(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let Some(map) = value.as_object() else {
        return Err("not a JSON object of message ids and their text".into());
    };
    if let Some((id, _)) = map.iter().find(|(_, text)| !text.is_string()) {
        return Err(format!("the value of {id:?} is not a string"));
    }
    serde_json::to_vec(&value).map_err(|e| e.to_string())
}

/// `--support-url`: an address a browser opens as a link, `https://` or
/// `http://` or a path on this server (no `javascript:`), of printable
/// characters only.
pub(crate) fn support_url(text: &str) -> Result<String, String> {
    let scheme = ["https://", "http://", "/"]
        .iter()
        .any(|start| text.starts_with(start));
    if scheme && !text.starts_with("//") && text.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(text.to_owned())
    } else {
        Err("an https:// or http:// address, or a path starting with /, without spaces".into())
    }
}

/// `--dial-in`: the numbers as the invitations read them (the core's own
/// parser), refused at startup rather than warned about in every browser.
pub(crate) fn dial_in(text: &str) -> Result<String, String> {
    conference::invite::parse_numbers(text)
        .map(|_| text.to_owned())
        .map_err(|bad| bad.to_string())
}

/// `--time-zone`: an IANA zone name, as the calendar file writes it.
pub(crate) fn time_zone(text: &str) -> Result<String, String> {
    conference::ics::Zone::new(text)
        .map(|_| text.to_owned())
        .ok_or_else(|| "an IANA time zone name, such as Europe/London".into())
}

/// `text` as an HTML attribute value in double quotes.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `html` with `attributes` right after the tag name of the element whose
/// id is `conference-form` (first, so they win over ones already there: a
/// browser keeps the first of a repeated attribute).
pub(crate) fn with_attribute(html: &str, attributes: &str) -> Option<String> {
    let mut from = 0;
    // Quoted either way, or bare as a minifier writes it (`id=conference-form>`).
    let needles = [
        "id=\"conference-form\"",
        "id='conference-form'",
        "id=conference-form",
    ];
    while let Some((found, needle)) = needles
        .iter()
        .filter_map(|needle| html[from..].find(needle).map(|at| (from + at, needle)))
        .min()
    {
        from = found + 1;
        let after = &html[found + needle.len()..];
        let bare_value_ends =
            after.starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/');
        if !needle.ends_with(['"', '\'']) && !bare_value_ends {
            continue;
        }
        let before = &html[..found];
        let Some(open) = before.rfind('<') else {
            continue;
        };
        let inside_a_tag = !before[open..].contains('>');
        let own_attribute = before.ends_with(|c: char| c.is_ascii_whitespace());
        let name_len = html[open + 1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(0);
        if !(inside_a_tag && own_attribute && name_len > 0) {
            continue;
        }
        let at = open + 1 + name_len;
        return Some(format!("{} {attributes}{}", &html[..at], &html[at..]));
    }
    None
}

/// `GET /messages/{*file}`: a language's catalog; `{}` for a language tag
/// without a file (the form then keeps its own words); 404 for any other
/// name, and for everything without `--messages`.
pub(crate) async fn catalog(
    State(app): State<Arc<AppState>>,
    UrlPath(file): UrlPath<String>,
) -> Response {
    let found = app.messages.as_ref().map(|m| &m.catalogs).zip(
        file.strip_suffix(".json")
            .filter(|lang| is_language_tag(lang)),
    );
    let Some((catalogs, lang)) = found else {
        return not_found().await;
    };
    let body = catalogs
        .get(lang)
        .cloned()
        .unwrap_or_else(|| Bytes::from_static(b"{}"));
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub(crate) async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for good in ["en", "de", "pt-BR", "zh-Hant-TW", "gsw", "es-419"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "e",
            "english",
            "EN",
            "pt_BR",
            "pt-",
            "-en",
            "en--GB",
            "de-x",
            "..",
            "en.json",
            "de-abcdefghi",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn the_attribute_goes_on_the_forms_element() {
        let html = r#"<body><p data-id="conference-form">id="conference-form"</p><div id="conference-form" data-page></div></body>"#;
        assert_eq!(
            with_attribute(html, ATTRIBUTE).unwrap(),
            r#"<body><p data-id="conference-form">id="conference-form"</p><div data-messages="/messages/{lang}.json" id="conference-form" data-page></div></body>"#
        );
        assert_eq!(
            with_attribute("<main\nid='conference-form'>", ATTRIBUTE).unwrap(),
            r#"<main data-messages="/messages/{lang}.json"
id='conference-form'>"#
        );
        assert_eq!(with_attribute("<div id=\"other\"></div>", ATTRIBUTE), None);
        // As the release build's minified index.html writes it.
        assert_eq!(
            with_attribute(
                "<div data-api-base=/api/json/ id=conference-form></div>",
                ATTRIBUTE
            )
            .unwrap(),
            r#"<div data-messages="/messages/{lang}.json" data-api-base=/api/json/ id=conference-form></div>"#
        );
        assert_eq!(
            with_attribute("<div id=conference-formx></div>", ATTRIBUTE),
            None
        );
    }

    #[test]
    fn the_invitation_settings_are_checked_and_go_into_the_page_escaped() {
        assert!(dial_in("+44 20 7946 0000 (UK); +1 415 555 0100").is_ok());
        assert!(dial_in("call the office").is_err());
        assert!(time_zone("Europe/London").is_ok());
        assert!(time_zone("Europe/London; evil").is_err());
        let settings = [
            ("data-dial-in", "+44 20 7946 0000 (Smith & \"Co\")"),
            ("data-time-zone", "Europe/London"),
        ];
        let page = "<div data-api-base=/api/json/ id=conference-form></div>";
        assert_eq!(
            with_attribute(page, &attributes(true, &settings)).unwrap(),
            r#"<div data-messages="/messages/{lang}.json" data-dial-in="+44 20 7946 0000 (Smith &amp; &quot;Co&quot;)" data-time-zone="Europe/London" data-api-base=/api/json/ id=conference-form></div>"#
        );
        assert_eq!(attributes(false, &[]), "");
    }

    #[test]
    fn a_support_address_is_a_link_and_goes_into_the_page_escaped() {
        for good in ["https://help.example.com/a?b=1&c=2", "http://x", "/support"] {
            assert_eq!(support_url(good).as_deref(), Ok(good));
        }
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "help",
            "https://a b",
            "",
        ] {
            assert!(support_url(bad).is_err(), "{bad}");
        }
        let attribute = format!("data-support-url=\"{}\"", escape("/a?b=1&c=\"<x>"));
        assert_eq!(
            with_attribute("<div id=conference-form></div>", &attribute).unwrap(),
            r#"<div data-support-url="/a?b=1&amp;c=&quot;&lt;x&gt;" id=conference-form></div>"#
        );
    }

    #[test]
    fn catalogs_are_objects_of_strings() {
        assert_eq!(
            check(br#"{ "code.label": "Code" }"#).unwrap(),
            br#"{"code.label":"Code"}"#
        );
        assert!(check(b"[]").unwrap_err().contains("not a JSON object"));
        assert!(check(br#"{"a": 1}"#).unwrap_err().contains("\"a\""));
        assert!(check(b"{").unwrap_err().starts_with("not JSON"));
    }
}
