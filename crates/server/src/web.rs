//! Hosting the built app (`dist/`): MIME types (application/wasm), gzip and
//! brotli, long caching for Trunk's hashed files, and security headers.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

/// What /api/ replies carry: JSON, never a page, never framed.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The built app. `cargo xtask build` writes each file's `.br` and `.gz` at
/// the highest settings, smaller than compressing on the fly (the wasm:
/// 90 KB, not 108 KB, with brotli); files without them are compressed as they
/// go out. A missing path without an extension is the app's own route:
/// index.html; a missing file with one is a 404, so a stale hashed name is
/// never answered with a page and cached for a year.
/// With `--messages`, the page is the one in memory (see [`crate::messages`]).
pub(crate) fn files(dist: &Path, app: &Arc<AppState>) -> ServeDir<MethodRouter> {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let app = app.clone();
    let fallback = axum::routing::any(move |request: Request| {
        let index = index.clone();
        let app = app.clone();
        async move {
            if has_extension(request.uri().path()) {
                return (StatusCode::NOT_FOUND, "Not found").into_response();
            }
            if app.messages.is_some() {
                return crate::messages::page(&app, request.headers());
            }
            match index.oneshot(request).await {
                Ok(response) => response.into_response(),
                Err(never) => match never {},
            }
        }
    });
    ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(fallback)
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.'))
}

/// The Content-Security-Policy: our own files only, WebAssembly allowed, the
/// inline scripts Trunk writes into index.html allowed by their hashes, and
/// framing by `frame_ancestors` only.
pub(crate) fn content_security_policy(dist: &Path, frame_ancestors: &str) -> String {
    let hashes: String = std::fs::read_to_string(dist.join("index.html"))
        .map(|html| {
            inline_scripts(&html)
                .map(|s| format!(" 'sha256-{}'", B64.encode(Sha256::digest(s))))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let open_end = rest.find('>')?;
        if rest[..open_end].contains("src=") {
            return None;
        }
        let body = &rest[open_end + 1..];
        Some(&body[..body.find("</script>")?])
    })
}

/// Trunk names built files `name-<hash>.ext`, the hash a 64-bit number in hex
/// (leading zeros dropped): those files never change.
fn is_hashed(path: &str) -> bool {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .split('.')
        .next()
        .unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The headers that differ by path (CSP, caching, Vary); tower-http's
/// `SetResponseHeaderLayer` cannot pick a value by the request's path, so
/// these are ours. The same-everywhere ones are set in [`crate::router`].
pub(crate) async fn headers(
    State(app): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let ok = response.status() == StatusCode::OK;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    if path == "/api" || path.starts_with("/api/") {
        set(h, header::CONTENT_SECURITY_POLICY, API_CSP);
        // Replies hold tokens and account data: never kept by any cache,
        // whatever a switch behind us said.
        set(h, header::CACHE_CONTROL, "no-store");
    } else {
        set(h, header::CONTENT_SECURITY_POLICY, &app.csp);
        let cache = if ok && is_hashed(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        set(h, header::CACHE_CONTROL, cache);
        // Files go out precompressed or as they are, by Accept-Encoding: a
        // shared cache must keep the two apart.
        set(h, header::VARY, "accept-encoding");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = r#"<script src="/a.js"></script><script type="module">import x;</script><script>y()</script>"#;
        assert_eq!(
            inline_scripts(html).collect::<Vec<_>>(),
            ["import x;", "y()"]
        );
    }

    #[test]
    fn recognises_trunks_hashed_names() {
        assert!(is_hashed("/conference-form-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("/conference-form-0123456789abcdef.js"));
        assert!(is_hashed("/style-0123456789abcdef.css"));
        assert!(is_hashed("/form-cd13ac93cadd40e.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/embed.html"));
    }

    #[test]
    fn extensions_are_told_apart_from_routes() {
        assert!(has_extension("/conference-form-0123456789abcdef.js"));
        assert!(has_extension("/a/b.css"));
        assert!(!has_extension("/"));
        assert!(!has_extension("/created/42"));
        assert!(!has_extension("/v1.2/route"));
    }
}
