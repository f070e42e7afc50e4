//! Hosting the built app (`dist/`): the page in the visitor's language,
//! MIME types (application/wasm), gzip and brotli, long caching for Trunk's
//! hashed files, and security headers.

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::messages::{is_language_tag, with_attribute};
use crate::AppState;

/// What /api/ replies carry: JSON, never a page, never framed.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The standalone page's remembered language (its menu sets it), which the
/// app's loader reads before the browser's languages.
const LANGUAGE_COOKIE: &str = "conference-form-language";

/// A page chosen by language differs by these request headers.
const PAGE_VARY: &str = "accept-encoding, accept-language, cookie";

/// One language's copy of the page, with the settings on its form element.
struct PageCopy {
    lang: String,
    html: Bytes,
    /// A validator, so `no-cache` costs a 304, not the page.
    etag: HeaderValue,
}

/// The built page in each language the build rendered: `index.html` is
/// English, `index.<tag>.html` another language. Read once at startup (with
/// the settings applied) and served from memory; the compression layer
/// compresses them.
pub(crate) struct Pages {
    /// English first, then by tag; empty without a built index.html.
    copies: Vec<PageCopy>,
}

impl Pages {
    /// Reads every copy in `dist` and puts `attributes` (see
    /// [`crate::messages::attributes`]) on each one's form element. With
    /// attributes, a copy without that element, or no index.html at all, is
    /// an error naming the file; without, a missing index.html only means
    /// there is no page yet.
    pub(crate) fn load(dist: &Path, attributes: &str) -> Result<Pages, String> {
        let index = dist.join("index.html");
        if !index.is_file() {
            if attributes.is_empty() {
                return Ok(Pages { copies: Vec::new() });
            }
            return Err(format!(
                "{}: not found (the page's settings need the built app's page)",
                index.display()
            ));
        }
        let mut found = vec![("en".to_owned(), index)];
        let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dist.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            let Some(tag) = name
                .to_str()
                .and_then(|n| n.strip_prefix("index.")?.strip_suffix(".html"))
            else {
                continue;
            };
            if !is_language_tag(tag) || tag == "en" || !path.is_file() {
                tracing::warn!(
                    "ignoring {} (not a page named index.<language tag>.html)",
                    path.display()
                );
                continue;
            }
            found.push((tag.to_owned(), path));
        }
        found[1..].sort_unstable();
        let copies = found
            .into_iter()
            .map(|(lang, path)| {
                let html = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let html = if attributes.is_empty() {
                    html
                } else {
                    with_attribute(&html, attributes).ok_or_else(|| {
                        format!(
                            "{}: no element with id=\"conference-form\" to carry {attributes}",
                            path.display()
                        )
                    })?
                };
                let digest = Sha256::digest(html.as_bytes());
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                let etag =
                    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a valid value");
                Ok(PageCopy {
                    lang,
                    html: Bytes::from(html),
                    etag,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Pages { copies })
    }

    /// The languages with a copy, English first.
    pub(crate) fn languages(&self) -> Vec<&str> {
        self.copies.iter().map(|c| c.lang.as_str()).collect()
    }

    /// The copy for the visitor: see [`choose`]; English when none fits.
    fn for_visitor(&self, request: &HeaderMap) -> Option<&PageCopy> {
        let languages = self.languages();
        let at = choose(&languages, request).unwrap_or(0);
        self.copies.get(at)
    }

    fn in_language(&self, lang: &str) -> Option<&PageCopy> {
        self.copies.iter().find(|c| c.lang == lang)
    }
}

/// Which of `languages` (English first) a visitor gets, by the order the
/// app's loader uses (`build/i18n.js`): the page's remembered choice (the
/// cookie), then `Accept-Language` by q-value; each tag matched whole, then
/// by its base (`pt-BR` gets `pt`); a tag without a copy is passed over.
/// `None`: nothing fits (English). Whatever does not read is ignored.
fn choose(languages: &[&str], request: &HeaderMap) -> Option<usize> {
    let find = |tag: &str| {
        let tag = tag.to_ascii_lowercase();
        let base = tag.split('-').next().unwrap_or("");
        languages
            .iter()
            .position(|code| code.eq_ignore_ascii_case(&tag))
            .or_else(|| languages.iter().position(|code| *code == base))
    };
    cookies(request, LANGUAGE_COOKIE)
        .chain(accepted(request))
        .filter(|tag| is_tag_like(tag))
        .find_map(find)
}

/// The values of the cookies named `name`, in the order sent (one or more
/// `Cookie` headers, `a=1; b=2`).
fn cookies<'h>(request: &'h HeaderMap, name: &'h str) -> impl Iterator<Item = &'h str> {
    request
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(move |pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"'))
        })
}

/// `Accept-Language`'s tags, highest q first (in the order sent for equal
/// q); `*`, q=0 and entries that do not read left out.
fn accepted(request: &HeaderMap) -> impl Iterator<Item = &str> {
    let mut tags: Vec<(f32, &str)> = request
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let mut q = 1.0;
            for part in parts {
                let (key, value) = part.split_once('=')?;
                if key.trim().eq_ignore_ascii_case("q") {
                    q = value.trim().parse::<f32>().ok()?;
                }
            }
            ((0.0..=1.0).contains(&q) && q > 0.0 && tag != "*").then_some((q, tag))
        })
        .collect();
    // Stable: equal q keeps the sender's order.
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter().map(|(_, tag)| tag)
}

/// Letters, digits and hyphens, as a language tag is written in any case.
fn is_tag_like(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A copy as a reply: a 304 when the request already has it. `chosen`: it
/// was picked by the request's language headers, so a cache must tell
/// visitors apart by them.
fn reply(copy: &PageCopy, request: &HeaderMap, chosen: bool) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, copy.etag.clone());
    if let Ok(lang) = HeaderValue::from_str(&copy.lang) {
        headers.insert(header::CONTENT_LANGUAGE, lang);
    }
    if chosen {
        headers.insert(header::VARY, HeaderValue::from_static(PAGE_VARY));
    }
    if is_fresh(request, &copy.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    (headers, copy.html.clone()).into_response()
}

/// Whether `If-None-Match` names `etag` (weakly, as GET compares) or is `*`.
fn is_fresh(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let weak = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = weak(etag.to_str().unwrap_or(""));
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || weak(tag) == ours)
}

/// The page for `path` if it names one: `/` (the visitor's language),
/// `/index.html` (English) and `/index.<tag>.html` (that language; a 404
/// without that copy, so the file on disk never goes out without the
/// settings). A named file is the copy it names, as on a static host: the
/// page's move to the visitor's copy (build/i18n.js) then always ends, even
/// where the browser judges the language otherwise than this server.
fn page(app: &AppState, path: &str, request: &HeaderMap) -> Option<Response> {
    let name = page_name(path)?;
    let copy = if name.is_empty() {
        app.pages.for_visitor(request).map(|copy| (copy, true))
    } else {
        let tag = match name.as_str() {
            "index.html" => "en",
            _ => name.strip_prefix("index.")?.strip_suffix(".html")?,
        };
        app.pages.in_language(tag).map(|copy| (copy, false))
    };
    Some(match copy {
        Some((copy, chosen)) => reply(copy, request, chosen),
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    })
}

/// "" for the root, the file's name for `/index*.html`, as the
/// file server would resolve the path (percent-decoded, empty and `.`
/// segments dropped); `None` for any other path.
fn page_name(path: &str) -> Option<String> {
    let decoded = percent_decoded(path)?;
    let segments: Vec<&str> = decoded
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    match segments[..] {
        [] => Some(String::new()),
        [name] if name.starts_with("index.") && name.ends_with(".html") => Some(name.to_owned()),
        _ => None,
    }
}

fn percent_decoded(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| (*bytes.get(at)? as char).to_digit(16);
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The built app. The page comes from [`Pages`] (`/`, `/index.html`,
/// `/index.<tag>.html`, and any missing path without an extension: the
/// app's own routes). Other files from `dist`: `cargo xtask build` writes
/// each file's `.br` and `.gz` at the highest settings, smaller than
/// compressing on the fly (the wasm: 90 KB, not 108 KB, with brotli); files
/// without them are compressed as they go out. A missing file with an
/// extension is a 404, so a stale hashed name is never answered with a page
/// and cached for a year.
pub(crate) fn files(dist: &Path, app: &Arc<AppState>) -> MethodRouter {
    let for_routes = app.clone();
    let fallback = axum::routing::any(move |request: Request| {
        let app = for_routes.clone();
        async move {
            if has_extension(request.uri().path()) {
                return (StatusCode::NOT_FOUND, "Not found").into_response();
            }
            match app.pages.for_visitor(request.headers()) {
                Some(copy) => reply(copy, request.headers(), true),
                None => (StatusCode::NOT_FOUND, "Not found").into_response(),
            }
        }
    });
    let dir = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(fallback);
    let app = app.clone();
    axum::routing::any(move |request: Request| {
        let (app, dir) = (app.clone(), dir.clone());
        async move {
            let readable = matches!(*request.method(), Method::GET | Method::HEAD);
            if readable {
                if let Some(response) = page(&app, request.uri().path(), request.headers()) {
                    return response;
                }
            }
            match dir.oneshot(request).await {
                Ok(response) => response.into_response(),
                Err(never) => match never {},
            }
        }
    })
}

fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.'))
}

/// The Content-Security-Policy: our own files only, WebAssembly allowed, the
/// inline scripts of every copy of the page allowed by their hashes (a copy
/// whose scripts differ still runs), and framing by `frame_ancestors` only.
pub(crate) fn content_security_policy(pages: &Pages, frame_ancestors: &str) -> String {
    // The inline scripts and stylesheets of every copy, each hash once.
    let hashes = |tag: &str| {
        let mut hashes: Vec<String> = Vec::new();
        for copy in &pages.copies {
            let html = std::str::from_utf8(&copy.html).unwrap_or("");
            for body in inline(html, tag) {
                let hash = format!(" 'sha256-{}'", B64.encode(Sha256::digest(body)));
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
        hashes.concat()
    };
    let (scripts, styles) = (hashes("script"), hashes("style"));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self'{styles}; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// The bodies of the `<tag>` elements (`script`, `style`) without a `src`.
fn inline<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    html.split(open.as_str())
        .skip(1)
        .filter_map(|rest| {
            let open_end = rest.find('>')?;
            if rest[..open_end].contains("src=") {
                return None;
            }
            let body = &rest[open_end + 1..];
            Some(&body[..body.find(close.as_str())?])
        })
        .collect()
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
        // A path without an extension is a route, answered with the page.
        let cache = if ok && has_extension(&path) && is_hashed(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        set(h, header::CACHE_CONTROL, cache);
        // Files go out precompressed or as they are, by Accept-Encoding: a
        // shared cache must keep the two apart (added to what a reply
        // varies by already: the page also by its language headers).
        vary_on(h, "accept-encoding");
    }
    response
}

/// Adds `name` to the reply's `Vary`, unless it is there already.
fn vary_on(headers: &mut HeaderMap, name: &'static str) {
    let there = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case(name) || token.trim() == "*");
    if !there {
        headers.append(header::VARY, HeaderValue::from_static(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped languages, English first as [`Pages`] keeps them.
    const HAVE: [&str; 7] = ["en", "ar", "de", "es", "fr", "nl", "pt"];

    /// The language a request with these headers gets.
    fn chosen(request: &[(&str, &[u8])]) -> &'static str {
        let mut headers = HeaderMap::new();
        for (name, value) in request {
            let name = axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
            headers.append(name, HeaderValue::from_bytes(value).unwrap());
        }
        choose(&HAVE, &headers).map_or("en", |at| HAVE[at])
    }

    fn accepting(value: &str) -> &'static str {
        chosen(&[("accept-language", value.as_bytes())])
    }

    #[test]
    fn accept_language_by_q_whole_tag_then_base() {
        assert_eq!(chosen(&[]), "en");
        assert_eq!(accepting("de"), "de");
        assert_eq!(accepting("fr;q=0.5, de;q=0.9"), "de");
        assert_eq!(accepting("fr, de"), "fr", "equal q: the sender's order");
        assert_eq!(accepting("de;q=0.8, nl"), "nl", "no q is 1");
        assert_eq!(accepting("pt-BR,pt;q=0.9"), "pt");
        assert_eq!(accepting("DE-de"), "de");
        assert_eq!(accepting("ja, nl;q=0.3"), "nl", "no copy: passed over");
        assert_eq!(accepting("ja, zh-Hant-TW"), "en");
        assert_eq!(accepting("*"), "en");
        assert_eq!(accepting("*, fr;q=0.1"), "fr");
        assert_eq!(accepting("de;q=0, fr;q=0.2"), "fr");
        assert_eq!(accepting("de;q=0.000"), "en");
    }

    #[test]
    fn what_does_not_read_is_ignored() {
        assert_eq!(accepting("de;q=abc, fr;q=0.5"), "fr");
        assert_eq!(accepting("de;q=2, es;q=NaN, nl;q=-1, ar;q"), "en");
        assert_eq!(accepting(";;;,,,=,q=1"), "en");
        assert_eq!(accepting("<script>, ../de, es"), "es");
        assert_eq!(accepting(&"x".repeat(8000)), "en");
        // Not text at all (obs-text bytes): the header is passed over.
        assert_eq!(chosen(&[("accept-language", b"d\xe9, de")]), "en");
        let cookie = b"conference-form-language=\xff";
        assert_eq!(
            chosen(&[("cookie", cookie), ("accept-language", b"nl")]),
            "nl"
        );
    }

    #[test]
    fn the_pages_remembered_choice_comes_first() {
        let cookie = |value: &'static str| ("cookie", value.as_bytes());
        let german = ("accept-language", b"de".as_slice());
        assert_eq!(
            chosen(&[cookie("conference-form-language=ar"), german]),
            "ar"
        );
        // Among others in one header, quoted or not.
        assert_eq!(
            chosen(&[
                cookie("theme=dark; conference-form-language=es; x=1"),
                german
            ]),
            "es"
        );
        assert_eq!(chosen(&[cookie("conference-form-language=\"nl\"")]), "nl");
        assert_eq!(
            chosen(&[cookie("a=1"), cookie("conference-form-language=fr")]),
            "fr",
            "in a second Cookie header"
        );
        assert_eq!(chosen(&[cookie("conference-form-language=pt-BR")]), "pt");
        // A language without a copy, or not a language: Accept-Language.
        assert_eq!(
            chosen(&[cookie("conference-form-language=ja"), german]),
            "de"
        );
        assert_eq!(
            chosen(&[cookie("conference-form-language=<x>; theme=fr"), german]),
            "de"
        );
        assert_eq!(
            chosen(&[cookie("my-conference-form-language=fr"), german]),
            "de"
        );
        assert_eq!(chosen(&[cookie("conference-form-language=ja")]), "en");
    }

    #[test]
    fn page_paths_as_the_file_server_resolves_them() {
        for (path, name) in [
            ("/", Some("")),
            ("//", Some("")),
            ("/index.html", Some("index.html")),
            ("/index.de.html", Some("index.de.html")),
            ("//./index%2Ede.html", Some("index.de.html")),
            ("/index.html/", Some("index.html")),
            ("/a/index.html", None),
            ("/app-0123456789abcdef.js", None),
            ("/some/route", None),
            ("/%ff", None),
        ] {
            assert_eq!(page_name(path).as_deref(), name, "{path}");
        }
    }

    #[test]
    fn revalidation_and_vary() {
        let etag = HeaderValue::from_static("W/\"0123\"");
        let fresh = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            is_fresh(&headers, &etag)
        };
        assert!(fresh("W/\"0123\""));
        assert!(fresh("\"0123\""));
        assert!(fresh("\"a\", W/\"0123\""));
        assert!(fresh("*"));
        assert!(!fresh("W/\"0124\""));
        assert!(!is_fresh(&HeaderMap::new(), &etag));

        let mut headers = HeaderMap::new();
        vary_on(&mut headers, "accept-encoding");
        assert_eq!(headers[header::VARY], "accept-encoding");
        let mut headers = HeaderMap::new();
        headers.insert(header::VARY, HeaderValue::from_static(PAGE_VARY));
        vary_on(&mut headers, "accept-encoding");
        let all: Vec<_> = headers.get_all(header::VARY).iter().collect();
        assert_eq!(all, [PAGE_VARY]);
        let mut headers = HeaderMap::new();
        headers.insert(header::VARY, HeaderValue::from_static("Cookie"));
        vary_on(&mut headers, "accept-encoding");
        let all: Vec<_> = headers.get_all(header::VARY).iter().collect();
        assert_eq!(all, ["Cookie", "accept-encoding"]);
    }

    #[test]
    fn finds_inline_scripts_and_styles_only() {
        let html = r#"<script src="/a.js"></script><script type="module">import x;</script><script>y()</script><style>.a{}</style><link href="/b.css">"#;
        assert_eq!(inline(html, "script"), ["import x;", "y()"]);
        assert_eq!(inline(html, "style"), [".a{}"]);
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
