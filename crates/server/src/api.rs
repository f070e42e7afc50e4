//! `/api/json/...`: admits the request (function, method, body limits), asks
//! the simulator (or the upstream switch), and writes the envelope.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use conference::form::FormError;
use conference::reply::Envelope;
use futures_util::StreamExt;

use crate::logline::clean;
use crate::params::Params;
use crate::simulator::Simulator;
use crate::upstream::{Forwarded, Upstream};
use crate::{AppState, Backend};

/// Larger requests get 413: no real form comes near it.
const MAX_BODY: usize = 64 * 1024;

/// An oversized body is still read (and thrown away) up to this much, within
/// the body timeout, before the 413 goes out: a client that writes its whole
/// body before reading then sees the 413 instead of a reset connection.
/// Past it, the 413 goes out at once and the connection closes.
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

/// The functions the form calls and the simulator knows; nothing else under
/// /api/json/ is answered or forwarded.
pub(crate) const FUNCTIONS: &[&str] = &[
    "conferences/create",
    "conferences/get",
    "conferences/unused/code",
    "user/login",
];

/// The function a raw (still percent-encoded) path names, with or without a
/// trailing slash. Matching the raw path means `%2F` or `%3F` can never turn
/// into a path or a query upstream.
fn function_of(raw_path: &str) -> Option<&'static str> {
    let rest = raw_path.strip_prefix("/api/json/")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    FUNCTIONS.iter().copied().find(|f| *f == rest)
}

/// Unknown /api/ paths: a JSON 404, never the form.
pub(crate) async fn not_found(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let client = client_address(request.headers(), peer, &app);
    let path = request.uri().path();
    log(request.method(), &clean(path), "-", 404, client);
    json_reply(
        StatusCode::NOT_FOUND,
        Envelope::single(404, "", "No such function."),
    )
}

/// What [`admit`] let through: a known function, asked by GET or POST, its
/// whole body read within the limits.
#[derive(Clone)]
pub(crate) struct Admitted {
    pub(crate) function: &'static str,
    pub(crate) body: Bytes,
    /// The caller's address (see [`client_address`]).
    pub(crate) client: IpAddr,
    /// The connection's own peer (a reverse proxy, when there is one).
    pub(crate) peer: IpAddr,
}

/// In front of [`handle`]: refuses unknown functions, other methods and
/// bodies too large or too slow, and hands on the rest as [`Admitted`].
pub(crate) async fn admit(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let method = &parts.method;
    let client = client_address(&parts.headers, peer, &app);
    let Some(function) = function_of(parts.uri.path()) else {
        log(method, &clean(parts.uri.path()), "-", 404, client);
        return json_reply(
            StatusCode::NOT_FOUND,
            Envelope::single(404, "", "No such function."),
        );
    };
    // [doc] "Clients may use HTTP GET or POST": nothing else reaches the
    // switch (a HEAD must never create a conference).
    if method != Method::GET && method != Method::POST {
        log(method, function, "-", 405, client);
        let mut response = json_reply(
            StatusCode::METHOD_NOT_ALLOWED,
            Envelope::single(405, "", "Use GET or POST."),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
        return response;
    }
    let body = match read_body(body, &parts.headers, app.body_timeout).await {
        Ok(bytes) => bytes,
        Err(refused) => {
            let (code, message, close) = match refused {
                BodyError::TooLarge { drained } => (413, "The request is too large.", !drained),
                BodyError::Slow => (408, "The request took too long to arrive.", true),
                BodyError::Broken => (400, "The request body could not be read.", true),
            };
            log(method, function, "-", code, client);
            let mut response = json_reply(
                StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
                Envelope::single(code, "", message),
            );
            if close {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            return response;
        }
    };
    parts.extensions.insert(Admitted {
        function,
        body,
        client,
        peer: peer.ip(),
    });
    next.run(Request::from_parts(parts, Body::empty())).await
}

/// An admitted request, answered by the backend.
pub(crate) async fn handle(
    State(app): State<Arc<AppState>>,
    Extension(admitted): Extension<Admitted>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    match &app.backend {
        Backend::Upstream(upstream) => forward(&app, upstream, admitted, parts).await,
        Backend::Simulator(simulator) => simulate(&app, simulator, admitted, parts).await,
    }
}

/// Passes the request on to the real switch, with the X-Forwarded-* headers.
async fn forward(
    app: &AppState,
    upstream: &Upstream,
    admitted: Admitted,
    parts: Parts,
) -> Response {
    let Admitted {
        function,
        body,
        client,
        peer,
    } = admitted;
    let headers = &parts.headers;
    let trusted = |name: &str| {
        app.trust_forwarded_for
            .then(|| headers.get(name))
            .flatten()
            .and_then(|v| v.to_str().ok())
    };
    let forwarded = Forwarded {
        chain: trusted("x-forwarded-for"),
        peer,
        proto: trusted("x-forwarded-proto")
            .filter(|p| *p == "https" || *p == "http")
            .unwrap_or("http"),
    };
    let (response, code) = upstream
        .forward(
            &parts.method,
            function,
            parts.uri.query(),
            headers,
            body,
            &forwarded,
        )
        .await;
    log(&parts.method, function, "-", code, client);
    response
}

/// Answers the request as the simulated switch.
async fn simulate(
    app: &AppState,
    simulator: &Arc<Simulator>,
    admitted: Admitted,
    parts: Parts,
) -> Response {
    let Admitted {
        function,
        body,
        client,
        ..
    } = admitted;
    let method = &parts.method;
    let params = match params(&parts, &body) {
        Ok(p) => p,
        Err(e) => {
            log(method, function, "-", 400, client);
            return envelope(app, 400, Envelope::single(400, e.name(), &e.to_string()));
        }
    };
    let sim = simulator.clone();
    // A password hash waits for a free core; tokens and passwords that
    // already verified go straight through.
    let permit = if sim.needs_hash(function, &params) {
        sim.hashing.clone().acquire_owned().await.ok()
    } else {
        None
    };
    let now = chrono::Utc::now().timestamp();
    // The test hooks may have moved the simulator's clock forward.
    #[cfg(feature = "test-hooks")]
    let now = app.hooks.as_ref().map_or(now, |h| h.now(now));
    let answer = match tokio::task::spawn_blocking(move || {
        let answer = sim.call(function, &params, Some(client), now);
        drop(permit);
        answer
    })
    .await
    {
        Ok(done) => done,
        Err(_) => {
            return envelope(
                app,
                500,
                Envelope::single(500, "", "The switch failed. Try again later"),
            )
        }
    };
    let code = answer.code();
    log(method, function, &clean(&answer.caller), code, client);
    if let Some(seconds) = answer.retry_after {
        let mut response = json_reply(StatusCode::TOO_MANY_REQUESTS, answer.envelope);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    } else {
        envelope(app, code, answer.envelope)
    }
}

/// The parameters of an admitted request: its query string, and its body
/// when that is a form sent by POST.
pub(crate) fn params(parts: &Parts, body: &Bytes) -> Result<Params, FormError> {
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
    let body = (parts.method == Method::POST && is_form).then_some(&body[..]);
    Params::read(parts.uri.query().unwrap_or("").as_bytes(), body)
}

/// The caller's address: the peer, or with `--trust-forwarded-for` the last
/// X-Forwarded-For entry (the one our own reverse proxy added).
fn client_address(headers: &HeaderMap, peer: SocketAddr, app: &AppState) -> IpAddr {
    let forwarded = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|last| last.trim().parse().ok())
    };
    app.trust_forwarded_for
        .then(forwarded)
        .flatten()
        .unwrap_or(peer.ip())
}

enum BodyError {
    TooLarge { drained: bool },
    Slow,
    Broken,
}

/// The whole body, at most [`MAX_BODY`], within `timeout` in all (a client
/// trickling a byte at a time cannot hold the connection).
async fn read_body(body: Body, headers: &HeaderMap, timeout: Duration) -> Result<Bytes, BodyError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(BodyError::TooLarge { drained: false });
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    let mut seen: u64 = 0;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return Err(BodyError::Slow),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyError::Broken),
            Ok(Some(Ok(chunk))) => {
                seen += chunk.len() as u64;
                if seen > DRAIN_LIMIT {
                    return Err(BodyError::TooLarge { drained: false });
                }
                if seen <= MAX_BODY as u64 {
                    kept.extend_from_slice(&chunk);
                }
            }
        }
    }
    if seen > MAX_BODY as u64 {
        return Err(BodyError::TooLarge { drained: true });
    }
    Ok(Bytes::from(kept))
}

/// One line a request: method, function, verified caller, outcome, address.
/// Never a secret, never an unverified name; values already made safe by
/// [`clean`] (the method is a token hyper has checked).
fn log(method: &Method, function: &str, caller: &str, code: u16, client: IpAddr) {
    tracing::info!("{method} {function} caller={caller} code={code} from={client}");
}

fn json_reply(status: StatusCode, envelope: Envelope) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        envelope.to_json(),
    )
        .into_response()
}

/// The envelope as JSON. HTTP 200 for every API result, as the switch does
/// [assumed]; `--http-status` mirrors the result code instead. Size refusals
/// are always HTTP 413.
pub(crate) fn envelope(app: &AppState, code: u16, envelope: Envelope) -> Response {
    let status = if app.http_status || code == 413 {
        StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
    } else {
        StatusCode::OK
    };
    json_reply(status, envelope)
}

#[cfg(test)]
mod tests {
    use super::function_of;

    #[test]
    fn only_allow_listed_functions_from_the_raw_path() {
        assert_eq!(
            function_of("/api/json/conferences/create/"),
            Some("conferences/create")
        );
        assert_eq!(function_of("/api/json/user/login"), Some("user/login"));
        assert_eq!(
            function_of("/api/json/conferences/unused/code/"),
            Some("conferences/unused/code")
        );
        for bad in [
            "/api/json/..%2F..%2Fadmin%2Fsecret",
            "/api/json/x%3Fauth_username=admin%26",
            "/api/json/conferences%2Fcreate",
            "/api/json/conferences/create//",
            "/api/json/conferences/delete/",
            "/api/json/",
            "/api/json/../admin/",
        ] {
            assert_eq!(function_of(bad), None, "{bad}");
        }
    }
}
