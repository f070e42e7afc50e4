//! The page rendered ahead in each language, in-process: the visitor's copy
//! by cookie and Accept-Language, its caching headers, each copy by name,
//! the settings in every copy, the CSP for every copy's inline scripts, and
//! (with the test hooks) the wasm held back while the page is in use.

use std::path::Path;
use std::sync::Arc;
#[cfg(feature = "test-hooks")]
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use conference_server::{app_state, router, Options};

mod oneshot;
use oneshot::{ask, Got};

/// As the build writes them: the page in each language, the form inside.
fn page(lang: &str, dir: &str, title: &str, script: &str, form: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><title>{title}</title><script>{script}</script></head><body><div id="conference-form" data-api-base="/api/json/"><form class="cf"><label id="conference-form-code">{form}</label></form></div></body></html>"#
    )
}

fn copies() -> Vec<(&'static str, String)> {
    vec![
        (
            "index.html",
            page("en", "ltr", "New conference", "go(1)", "English form"),
        ),
        (
            "index.de.html",
            page("de", "ltr", "Neue Konferenz", "go(2)", "Deutsches Formular"),
        ),
        (
            "index.fr.html",
            page(
                "fr",
                "ltr",
                "Nouvelle conférence",
                "go(1)",
                "Formulaire français",
            ),
        ),
        (
            "index.pt.html",
            page(
                "pt",
                "ltr",
                "Nova conferência",
                "go(1)",
                "Formulário português",
            ),
        ),
        (
            "index.ar.html",
            page("ar", "rtl", "مؤتمر جديد", "go(1)", "النموذج العربي"),
        ),
    ]
}

const WASM: &[u8] = b"\0asm\x01\0\0\0";
const WASM_PATH: &str = "/app-0123456789abcdef_bg.wasm";

/// A built app's folder with these files.
fn dist(files: &[(&str, String)]) -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dist.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dist.path().join(&WASM_PATH[1..]), WASM).unwrap();
    dist
}

/// The state for `dist` and options `extra`, and its data folder (which
/// must outlive it).
fn state(
    dist: &Path,
    extra: &[&str],
) -> Result<(conference_server::AppState, tempfile::TempDir), String> {
    let data = tempfile::tempdir().unwrap();
    let mut args = vec![
        "conference-server".to_owned(),
        "--data".into(),
        data.path().display().to_string(),
        "--dist".into(),
        dist.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    app_state(&Options::parse_from(args)).map(|state| (state, data))
}

/// The router, and the folders it reads.
struct App {
    router: Router,
    _dirs: [tempfile::TempDir; 2],
}

fn app(dist: tempfile::TempDir, extra: &[&str]) -> App {
    let (state, data) = state(dist.path(), extra).unwrap();
    App {
        router: router(Arc::new(state), dist.path()),
        _dirs: [dist, data],
    }
}

async fn send(app: &App, method: Method, uri: &str, headers: &[(&str, &str)]) -> Got {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    ask(app.router.clone(), request.body(Body::empty()).unwrap()).await
}

async fn get(app: &App, uri: &str, headers: &[(&str, &str)]) -> Got {
    send(app, Method::GET, uri, headers).await
}

#[tokio::test]
async fn the_visitor_gets_the_copy_in_their_language() {
    let dist = dist(&copies());
    let app = app(dist, &[]);
    let german = [("accept-language", "de-DE,de;q=0.9,en;q=0.5")];
    for uri in ["/", "/some/route", "/created/42"] {
        let got = get(&app, uri, &german).await;
        assert_eq!(got.status, StatusCode::OK, "{uri}");
        assert!(got.body.contains("Deutsches Formular"), "{uri}");
        assert!(got.body.contains(r#"<html lang="de""#), "{uri}");
        assert_eq!(got.header("content-language"), "de", "{uri}");
        assert_eq!(got.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(got.header("cache-control"), "no-cache", "{uri}");
        assert!(!got.header("etag").is_empty(), "{uri}");
        assert!(got.header("content-security-policy").contains("'sha256-"));
        let mut vary = got.vary();
        vary.sort();
        assert_eq!(vary, ["accept-encoding", "accept-language", "cookie"]);
    }
    // Compressed on the way out, Vary still naming each header once.
    // A named file is the copy it names, as on a static host: the page's
    // move to its visitor's copy then always ends (a browser that judges the
    // language otherwise goes to index.html once, and stays).
    let got = get(&app, "/index.html", &german).await;
    assert!(got.body.contains("English form"));
    assert_eq!(got.header("content-language"), "en");
    let got = get(&app, "/", &[german[0], ("accept-encoding", "gzip")]).await;
    assert_eq!(got.header("content-encoding"), "gzip");
    let mut vary = got.vary();
    vary.sort();
    assert_eq!(vary, ["accept-encoding", "accept-language", "cookie"]);
    // By base tag, and English for what has no copy or no header.
    for (accept, lang, words) in [
        ("pt-BR", "pt", "Formulário português"),
        ("ar-EG, en;q=0.1", "ar", "النموذج العربي"),
        ("ja, fr;q=0.2", "fr", "Formulaire français"),
        ("ja", "en", "English form"),
        ("*", "en", "English form"),
        ("de;q=0", "en", "English form"),
        ("de;q=x;;,=,", "en", "English form"),
    ] {
        let got = get(&app, "/", &[("accept-language", accept)]).await;
        assert_eq!(got.status, StatusCode::OK, "{accept}");
        assert_eq!(got.header("content-language"), lang, "{accept}");
        assert!(got.body.contains(words), "{accept}");
    }
    let got = get(&app, "/", &[]).await;
    assert_eq!(got.header("content-language"), "en");
    // HEAD has the same headers.
    let head = send(&app, Method::HEAD, "/", &german).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header("content-language"), "de");
    // A page is read, never posted to.
    let post = send(&app, Method::POST, "/", &german).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_pages_remembered_choice_wins() {
    let dist = dist(&copies());
    let app = app(dist, &[]);
    let got = get(
        &app,
        "/",
        &[
            ("cookie", "theme=dark; conference-form-language=fr"),
            ("accept-language", "de"),
        ],
    )
    .await;
    assert_eq!(got.header("content-language"), "fr");
    assert!(got.body.contains("Formulaire français"));
    // A remembered language without a copy: the browser's languages.
    let got = get(
        &app,
        "/",
        &[
            ("cookie", "conference-form-language=ja"),
            ("accept-language", "de"),
        ],
    )
    .await;
    assert_eq!(got.header("content-language"), "de");
}

#[tokio::test]
async fn each_copy_revalidates_by_its_own_etag() {
    let dist = dist(&copies());
    let app = app(dist, &[]);
    let german = get(&app, "/", &[("accept-language", "de")]).await;
    let english = get(&app, "/", &[]).await;
    let etag = german.header("etag");
    assert_ne!(etag, english.header("etag"));
    let again = get(
        &app,
        "/",
        &[("accept-language", "de"), ("if-none-match", etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.body, "");
    assert_eq!(again.header("etag"), etag);
    assert!(again.vary().contains(&"accept-language".to_owned()));
    // The visitor's language changed: the other copy, in full.
    let french = get(
        &app,
        "/",
        &[("accept-language", "fr"), ("if-none-match", etag)],
    )
    .await;
    assert_eq!(french.status, StatusCode::OK);
    assert_eq!(french.header("content-language"), "fr");
    // By name, the copy's own tag.
    let by_name = get(&app, "/index.de.html", &[("if-none-match", etag)]).await;
    assert_eq!(by_name.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_copy_by_its_name() {
    let mut files = copies();
    files.push(("form/de.html", "<form class=cf>Deutsch</form>".into()));
    let dist = dist(&files);
    let app = app(dist, &[]);
    for uri in ["/index.fr.html", "//index.fr.html", "/index%2Efr.html"] {
        // Whatever the visitor's languages: the name says which.
        let got = get(&app, uri, &[("accept-language", "de")]).await;
        assert_eq!(got.status, StatusCode::OK, "{uri}");
        assert_eq!(got.header("content-language"), "fr", "{uri}");
        assert!(got.body.contains("Formulaire français"), "{uri}");
        assert_eq!(got.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(got.vary(), ["accept-encoding"], "{uri}");
    }
    let missing = get(&app, "/index.ja.html", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The form alone, for embed.js: a plain file.
    let fragment = get(&app, "/form/de.html", &[("accept-language", "fr")]).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert_eq!(fragment.body, "<form class=cf>Deutsch</form>");
    assert_eq!(fragment.header("cache-control"), "no-cache");
}

#[tokio::test]
async fn the_settings_go_into_every_copy() {
    let dist = dist(&copies());
    let messages = tempfile::tempdir().unwrap();
    std::fs::write(messages.path().join("de.json"), "{}").unwrap();
    let app = app(
        dist,
        &[
            "--messages",
            &messages.path().display().to_string(),
            "--support-url",
            "/help?a=1&b=2",
            "--time-zone",
            "Europe/London",
        ],
    );
    let attributes = r#"<div data-messages="/messages/{lang}.json" data-support-url="/help?a=1&amp;b=2" data-time-zone="Europe/London" id="conference-form""#;
    for (uri, lang) in [
        ("/", "en"),
        ("/index.html", "en"),
        ("/index.de.html", "de"),
        ("/index.fr.html", "fr"),
        ("/index.pt.html", "pt"),
        ("/index.ar.html", "ar"),
        // However the path is written, never the file without them.
        ("/./index%2Ede.html", "de"),
    ] {
        let got = get(&app, uri, &[]).await;
        assert_eq!(got.status, StatusCode::OK, "{uri}");
        assert_eq!(got.header("content-language"), lang, "{uri}");
        assert!(got.body.contains(attributes), "{uri}: {}", got.body);
    }
    let got = get(&app, "/", &[("accept-language", "ar")]).await;
    assert!(got.body.contains(attributes) && got.body.contains("النموذج العربي"));
}

#[test]
fn a_copy_without_the_forms_element_stops_the_server_when_settings_need_it() {
    let mut files = copies();
    files.push((
        "index.nl.html",
        "<!DOCTYPE html><html lang=nl><body>formulier</body></html>".into(),
    ));
    let dist = dist(&files);
    let error = state(dist.path(), &["--time-zone", "Europe/London"])
        .err()
        .unwrap();
    assert!(
        error.contains("index.nl.html") && error.contains("conference-form"),
        "{error}"
    );
    // Without settings, each copy is served as it is.
    assert!(state(dist.path(), &[]).is_ok());
}

#[tokio::test]
async fn the_policy_allows_every_copys_inline_scripts() {
    let dist = dist(&copies());
    let app = app(dist, &[]);
    let csp = get(&app, "/", &[])
        .await
        .header("content-security-policy")
        .to_owned();
    // go(1) in four copies and go(2) in one: two hashes, each once.
    let hashes: Vec<&str> = csp
        .split_whitespace()
        .filter(|word| word.starts_with("'sha256-"))
        .collect();
    assert_eq!(hashes.len(), 2, "{csp}");
    assert_ne!(hashes[0], hashes[1]);
    // Without the German copy, its script is not allowed.
    let without: Vec<_> = copies()
        .into_iter()
        .filter(|(name, _)| *name != "index.de.html")
        .collect();
    let dist = self::dist(&without);
    let app = self::app(dist, &[]);
    let csp = get(&app, "/", &[])
        .await
        .header("content-security-policy")
        .to_owned();
    assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
}

#[tokio::test]
async fn an_older_build_is_english_only() {
    let dist = dist(&copies()[..1]);
    let app = app(dist, &["--support-url", "/help"]);
    let got = get(&app, "/", &[("accept-language", "de")]).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.header("content-language"), "en");
    assert!(got.body.contains(r#"data-support-url="/help""#));
    assert_eq!(
        get(&app, "/index.de.html", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The number `GET /_test/held-wasm` says.
#[cfg(feature = "test-hooks")]
async fn held(app: &App) -> usize {
    let got = get(app, "/_test/held-wasm", &[]).await;
    got.body
        .parse()
        .unwrap_or_else(|_| panic!("{:?}", got.body))
}

/// Waits until `count` wasm requests are held (no sleeping: the held
/// requests are tasks on this runtime, which run while this one yields).
#[cfg(feature = "test-hooks")]
async fn until_held(app: &App, count: usize) {
    let waiting = async {
        while held(app).await != count {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(GUARD, waiting)
        .await
        .unwrap_or_else(|_| panic!("{count} wasm requests were never held"));
}

/// How long a test waits for what it expects before calling it a hang.
#[cfg(feature = "test-hooks")]
const GUARD: Duration = spawn::HANG_GUARD;

#[cfg(feature = "test-hooks")]
#[tokio::test]
async fn the_wasm_is_held_until_released() {
    let dist = dist(&copies());
    let app = Arc::new(app(dist, &["--test-hooks"]));
    let post = |path: &'static str| {
        let app = app.clone();
        async move { send(&app, Method::POST, path, &[]).await.status }
    };
    let fetch_wasm = || {
        let app = app.clone();
        tokio::spawn(async move { get(&app, WASM_PATH, &[]).await })
    };
    assert_eq!(held(&app).await, 0);
    assert_eq!(post("/_test/hold-wasm").await, StatusCode::OK);
    let first = fetch_wasm();
    let second = fetch_wasm();
    until_held(&app, 2).await;
    // The page and everything else go on meanwhile.
    let page = get(&app, "/", &[("accept-language", "de")]).await;
    assert!(page.body.contains("Deutsches Formular"));
    assert!(!first.is_finished() && !second.is_finished());
    assert_eq!(post("/_test/release-wasm").await, StatusCode::OK);
    for request in [first, second] {
        let got = tokio::time::timeout(GUARD, request).await.unwrap().unwrap();
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body.as_bytes(), WASM);
    }
    assert_eq!(held(&app).await, 0);
    // The release ended the holding: the next request goes straight on.
    let got = tokio::time::timeout(GUARD, get(&app, WASM_PATH, &[]))
        .await
        .expect("not held after the release");
    assert_eq!(got.status, StatusCode::OK);

    // A reset ends it too, answering what it held.
    assert_eq!(post("/_test/hold-wasm").await, StatusCode::OK);
    let third = fetch_wasm();
    until_held(&app, 1).await;
    assert!(!third.is_finished());
    assert_eq!(post("/_test/reset").await, StatusCode::OK);
    let got = tokio::time::timeout(GUARD, third).await.unwrap().unwrap();
    assert_eq!(got.status, StatusCode::OK);
    let got = tokio::time::timeout(GUARD, get(&app, WASM_PATH, &[]))
        .await
        .expect("not held after the reset");
    assert_eq!(got.status, StatusCode::OK);
}
