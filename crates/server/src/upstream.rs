//! `--upstream URL`: forwards `/api/json/<function>/` to a real switch, so the
//! page and the API share an origin and no CORS is needed. Only allow-listed
//! functions go (the caller checks), with the query and body as they came,
//! `Content-Type`, and `X-Forwarded-For`/`-Proto`. Only JSON comes back, at
//! most [`MAX_REPLY`]; anything else is a 502 envelope.

use std::net::IpAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use conference::reply::Envelope;

pub(crate) struct Upstream {
    base: String,
    client: reqwest::Client,
}

/// Longer than any sane switch needs; the browser gives up sooner.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A switch's reply is a small envelope; past this it is not one.
const MAX_REPLY: usize = 1024 * 1024;

/// Who the request came from, for the X-Forwarded-* headers.
pub(crate) struct Forwarded<'a> {
    /// The X-Forwarded-For that came in, when it is trusted.
    pub(crate) chain: Option<&'a str>,
    /// The connection's peer, added to the chain.
    pub(crate) peer: IpAddr,
    pub(crate) proto: &'a str,
}

impl Upstream {
    pub(crate) fn new(base: &str) -> Result<Upstream, String> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "--upstream must start with http:// or https://, not {base:?}"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Upstream { base, client })
    }

    /// The reply, and the HTTP status it went out with (for the log).
    pub(crate) async fn forward(
        &self,
        method: &Method,
        function: &'static str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: Bytes,
        from: &Forwarded<'_>,
    ) -> (Response, u16) {
        // `function` is one of api::FUNCTIONS and `query` is the raw query of
        // a parsed URI: neither can add a path segment or a second query.
        let mut url = format!("{}/api/json/{function}/", self.base);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        let method = if method == Method::POST {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let mut request = self.client.request(method, &url).body(body);
        if let Some(ct) = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
        {
            request = request.header("content-type", ct);
        }
        let chain = match from.chain {
            Some(chain) => format!("{chain}, {}", from.peer),
            None => from.peer.to_string(),
        };
        request = request
            .header("x-forwarded-for", chain)
            .header("x-forwarded-proto", from.proto);
        let mut reply = match request.send().await {
            Ok(reply) => reply,
            Err(e) => return failed(short(&e)),
        };
        let status = match StatusCode::from_u16(reply.status().as_u16()) {
            Ok(s) if !s.is_informational() => s,
            _ => return failed("it answered with an unusable HTTP status"),
        };
        if reply.content_length().is_some_and(|n| n > MAX_REPLY as u64) {
            return failed("its reply was too large");
        }
        let mut bytes = Vec::new();
        loop {
            match reply.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_REPLY {
                        return failed("its reply was too large");
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return failed(short(&e)),
            }
        }
        // Only JSON goes back, labelled as JSON whatever the switch called it
        // [assumed: the switch's Content-Type is not documented]: an HTML page
        // from the switch or a proxy in front of it must never run on our
        // origin. The bytes themselves are checked, not the label.
        if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() {
            return failed("it did not answer with JSON");
        }
        let response =
            (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response();
        (response, status.as_u16())
    }
}

/// Why, without the URL (which may carry credentials in a GET).
fn short(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "it did not answer in time"
    } else if e.is_connect() {
        "it could not be reached"
    } else {
        "the connection failed"
    }
}

fn failed(why: &str) -> (Response, u16) {
    let message = format!("The switch did not answer: {why}.");
    let response = (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "application/json")],
        Envelope::single(502, "", &message).to_json(),
    )
        .into_response();
    (response, 502)
}
