//! `--upstream URL`: forwards `/api/json/` to a real switch, so the page and
//! the API share an origin and no CORS is needed. Method, query and body go as
//! they came; the reply comes back unchanged.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use conference::reply::Envelope;

pub struct Upstream {
    base: String,
    client: reqwest::Client,
}

/// Longer than any sane switch needs; the browser gives up sooner.
const TIMEOUT: Duration = Duration::from_secs(30);

impl Upstream {
    pub fn new(base: &str) -> Result<Upstream, String> {
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

    pub async fn forward(
        &self,
        method: &Method,
        function: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Response {
        let mut url = format!("{}/api/json/{function}/", self.base);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        let Ok(method) = reqwest::Method::from_bytes(method.as_str().as_bytes()) else {
            return failed("that HTTP method");
        };
        let mut request = self.client.request(method, &url).body(body);
        if let Some(ct) = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
        {
            request = request.header("content-type", ct);
        }
        // The log names the function and outcome only: a URL may hold credentials.
        match request.send().await {
            Ok(reply) => {
                let status = StatusCode::from_u16(reply.status().as_u16())
                    .unwrap_or(StatusCode::BAD_GATEWAY);
                let content_type = reply
                    .headers()
                    .get("content-type")
                    .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok());
                eprintln!("upstream {function} http={}", status.as_u16());
                match reply.bytes().await {
                    Ok(bytes) => {
                        let mut response = (status, bytes).into_response();
                        if let Some(ct) = content_type {
                            response.headers_mut().insert(header::CONTENT_TYPE, ct);
                        }
                        response
                    }
                    Err(e) => failed(&short(&e)),
                }
            }
            Err(e) => {
                eprintln!("upstream {function} failed: {}", short(&e));
                failed(&short(&e))
            }
        }
    }
}

/// The error without its URL (which may carry credentials in a GET).
fn short(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "it did not answer in time"
    } else if e.is_connect() {
        "it could not be reached"
    } else {
        "the connection failed"
    };
    kind.to_owned()
}

fn failed(why: &str) -> Response {
    let message = format!("The switch did not answer: {why}.");
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "application/json")],
        Envelope::single(502, "", &message).to_json(),
    )
        .into_response()
}
