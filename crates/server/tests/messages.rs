//! `--messages DIR`, in-process: the catalogs served from memory, the page's
//! `data-messages`, and the startup errors for files that are not catalogs.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use clap::Parser;
use conference_server::{app_state, router, AppState, Options};
use tower::ServiceExt;

const PAGE: &str = r#"<!DOCTYPE html><html><body><div id="conference-form" data-api-base="/api/json/" data-page></div></body></html>"#;

struct Dirs {
    data: tempfile::TempDir,
    dist: tempfile::TempDir,
    messages: tempfile::TempDir,
}

fn dirs(page: &str, files: &[(&str, &str)]) -> Dirs {
    let dirs = Dirs {
        data: tempfile::tempdir().unwrap(),
        dist: tempfile::tempdir().unwrap(),
        messages: tempfile::tempdir().unwrap(),
    };
    std::fs::write(dirs.dist.path().join("index.html"), page).unwrap();
    for (name, text) in files {
        std::fs::write(dirs.messages.path().join(name), text).unwrap();
    }
    dirs
}

fn state(dirs: &Dirs, with_messages: bool) -> Result<AppState, String> {
    let path = |p: &Path| p.display().to_string();
    let mut args = vec![
        "conference-server".to_owned(),
        "--data".into(),
        path(dirs.data.path()),
        "--dist".into(),
        path(dirs.dist.path()),
    ];
    if with_messages {
        args.extend(["--messages".into(), path(dirs.messages.path())]);
    }
    app_state(&Options::parse_from(args))
}

fn app(dirs: &Dirs, with_messages: bool) -> Router {
    router(
        Arc::new(state(dirs, with_messages).unwrap()),
        dirs.dist.path(),
    )
}

async fn get(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn good() -> Dirs {
    dirs(
        PAGE,
        &[
            ("en.json", r#"{ "code.label": "Meeting number" }"#),
            ("pt-BR.json", r#"{"code.label": "Número da reunião"}"#),
            ("notes.txt", "not a catalog: ignored"),
            ("English.json", "{}"),
        ],
    )
}

#[tokio::test]
async fn catalogs_are_served_from_memory() {
    let dirs = good();
    let app = app(&dirs, true);
    // Served from memory: changing the folder afterwards changes nothing.
    std::fs::write(dirs.messages.path().join("en.json"), "changed").unwrap();
    for (uri, text) in [
        ("/messages/en.json", "Meeting number"),
        ("/messages/pt-BR.json", "Número da reunião"),
    ] {
        let (status, headers, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers["content-type"], "application/json", "{uri}");
        assert_eq!(headers["cache-control"], "no-cache", "{uri}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["code.label"], text, "{uri}");
    }
}

#[tokio::test]
async fn a_language_without_a_file_is_an_empty_catalog() {
    let app = app(&good(), true);
    for uri in [
        "/messages/de.json",
        "/messages/pt-br.json",
        "/messages/zh-Hant.json",
    ] {
        let (status, headers, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers["content-type"], "application/json", "{uri}");
        assert_eq!(body, "{}", "{uri}");
    }
}

#[tokio::test]
async fn names_that_are_not_language_tags_are_404() {
    let app = app(&good(), true);
    for uri in [
        "/messages/English.json",
        "/messages/EN.json",
        "/messages/en",
        "/messages/en.txt",
        "/messages/notes.txt",
        "/messages/..%2Fen.json",
        "/messages/a/en.json",
        "/messages/",
        "/messages",
    ] {
        let (status, _, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!body.contains("conference-form"), "{uri}: not the page");
    }
}

#[tokio::test]
async fn without_the_option_there_are_no_messages() {
    let dirs = good();
    // Even a folder of that name in the app is not served as messages.
    std::fs::create_dir(dirs.dist.path().join("messages")).unwrap();
    std::fs::write(dirs.dist.path().join("messages/en.json"), "{}").unwrap();
    let app = app(&dirs, false);
    for uri in ["/messages/en.json", "/messages/de.json", "/messages/x"] {
        assert_eq!(get(&app, uri).await.0, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn the_page_points_at_the_messages_only_with_the_option() {
    let dirs = good();
    let attribute = r#"data-messages="/messages/{lang}.json""#;
    let with = app(&dirs, true);
    for uri in ["/", "/index.html", "/some/route"] {
        let (status, headers, body) = get(&with, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            body.contains(&format!(r#"<div {attribute} id="conference-form""#)),
            "{uri}: {body}"
        );
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(headers["cache-control"], "no-cache", "{uri}");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'"));
    }
    // Revalidation is a 304.
    let (_, headers, _) = get(&with, "/").await;
    let request = Request::builder()
        .uri("/")
        .header("if-none-match", &headers["etag"])
        .body(Body::empty())
        .unwrap();
    let response = with.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    let without = app(&dirs, false);
    for uri in ["/", "/index.html", "/some/route"] {
        let (status, _, body) = get(&without, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body, PAGE, "{uri}");
    }
}

#[test]
fn files_that_are_not_catalogs_stop_the_server() {
    for (name, text, why) in [
        ("de.json", r#"["Code"]"#, "not a JSON object"),
        (
            "fr.json",
            r#"{"code.label": "Code", "count": 2}"#,
            "\"count\" is not a string",
        ),
        ("es.json", r#"{"code.label": "#, "not JSON"),
        (
            "nl.json",
            r#"{"code.label": {"text": "Code"}}"#,
            "\"code.label\" is not a string",
        ),
    ] {
        let dirs = dirs(PAGE, &[("en.json", "{}"), (name, text)]);
        let error = state(&dirs, true).err().expect(name);
        assert!(error.contains(name), "{name}: {error}");
        assert!(error.contains(why), "{name}: {error}");
    }
}

#[test]
fn too_many_or_too_large_files_stop_the_server() {
    let big = format!(r#"{{"x": "{}"}}"#, "a".repeat(256 * 1024));
    let dirs = dirs(PAGE, &[("de.json", &big)]);
    let error = state(&dirs, true).err().unwrap();
    assert!(
        error.contains("de.json") && error.contains("256 KiB"),
        "{error}"
    );

    // 65 distinct tags: aa-00 ... aa-64.
    let files: Vec<(String, &str)> = (0..65).map(|i| (format!("aa-{i:02}.json"), "{}")).collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dirs = self::dirs(PAGE, &files);
    let error = state(&dirs, true).err().unwrap();
    assert!(error.contains("more than 64"), "{error}");
}

#[test]
fn a_page_without_the_forms_element_stops_the_server() {
    let dirs = dirs("<!DOCTYPE html><html><body>form</body></html>", &[]);
    let error = state(&dirs, true).err().unwrap();
    assert!(
        error.contains("index.html") && error.contains("conference-form"),
        "{error}"
    );
    // Without the option the page is served as it is.
    assert!(state(&dirs, false).is_ok());
}
