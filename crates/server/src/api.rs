//! `/api/json/...`: reads the request, applies test faults, asks the
//! simulator (or the upstream switch), and writes the envelope.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use conference::reply::Envelope;

use crate::faults::{Fault, Logged};
use crate::params::Params;
use crate::AppState;

/// Larger requests get 413: no real form comes near it.
pub const MAX_BODY: usize = 64 * 1024;

pub async fn handle(
    State(app): State<Arc<AppState>>,
    method: Method,
    Path(function): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let function = function.trim_matches('/').to_owned();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            log(&method, &function, "-", 413);
            return envelope(
                &app,
                413,
                Envelope::single(413, "", "The request is too large."),
            );
        }
    };
    if let Some(upstream) = &app.upstream {
        return upstream
            .forward(&method, &function, query.as_deref(), &headers, body)
            .await;
    }
    let fault = app.hooks.as_ref().and_then(|h| h.next());
    if let Some(delay) = fault.and_then(Fault::delay) {
        tokio::time::sleep(delay).await;
    }
    match fault {
        Some(Fault::DropBefore) => {
            return record(&app, &method, &function, None, 0, fault, dropped())
        }
        Some(Fault::Error500) => {
            return record(
                &app,
                &method,
                &function,
                None,
                500,
                fault,
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response(),
            )
        }
        Some(Fault::Html502) => {
            let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy could not reach the switch.</p></body></html>";
            let response = (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/html")],
                page,
            )
                .into_response();
            return record(&app, &method, &function, None, 502, fault, response);
        }
        Some(Fault::Malformed) => {
            let response = (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"responses":[{"code":"20"#,
            )
                .into_response();
            return record(&app, &method, &function, None, 200, fault, response);
        }
        _ => {}
    }

    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
    let body = (method == Method::POST && is_form).then_some(&body[..]);
    let params = match Params::read(query.as_deref().unwrap_or("").as_bytes(), body) {
        Ok(p) => p,
        Err(e) => {
            log(&method, &function, "-", 400);
            return envelope(&app, 400, Envelope::single(400, e.name(), &e.to_string()));
        }
    };
    let sim = app
        .simulator
        .clone()
        .expect("no upstream means a simulator");
    let now = chrono::Utc::now().timestamp();
    let call_function = function.clone();
    let (answer, params) = match tokio::task::spawn_blocking(move || {
        let answer = sim.call(&call_function, &params, now);
        (answer, params)
    })
    .await
    {
        Ok(done) => done,
        Err(_) => {
            return envelope(
                &app,
                500,
                Envelope::single(500, "", "The switch failed. Try again later"),
            )
        }
    };
    let code = answer.code();
    log(&method, &function, &answer.caller, code);
    let response = if fault == Some(Fault::DropAfter) {
        dropped()
    } else {
        envelope(&app, code, answer.envelope)
    };
    record(
        &app,
        &method,
        &function,
        Some(&params),
        code,
        fault,
        response,
    )
}

/// One line a request: function, caller, outcome. Never a secret.
fn log(method: &Method, function: &str, caller: &str, code: u16) {
    eprintln!(
        "{} {method} {function} caller={caller} code={code}",
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
}

fn record(
    app: &AppState,
    method: &Method,
    function: &str,
    params: Option<&Params>,
    code: u16,
    fault: Option<Fault>,
    response: Response,
) -> Response {
    if let Some(hooks) = &app.hooks {
        hooks.record(Logged {
            method: method.to_string(),
            function: function.to_owned(),
            params: params.map(Params::names).unwrap_or_default(),
            validation: params.is_some_and(|p| p.text("validation") == "1"),
            secret_in_url: params.is_some_and(|p| p.secret_in_url),
            code,
            fault,
        });
    }
    response
}

/// The envelope as JSON. HTTP 200 for every API result, as the switch does
/// [assumed]; `--http-status` mirrors the result code instead. Size refusals
/// are always HTTP 413.
pub fn envelope(app: &AppState, code: u16, envelope: Envelope) -> Response {
    let status = if app.http_status || code == 413 {
        StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
    } else {
        StatusCode::OK
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        envelope.to_json(),
    )
        .into_response()
}

/// Headers and the start of a body, then the connection drops. (Dropping it
/// before any byte would not do: a browser silently resends a request whose
/// reused connection closed without a reply.)
fn dropped() -> Response {
    use futures_util::StreamExt;
    let start = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(Bytes::from_static(b"{\"responses\":["))
    });
    let failing = futures_util::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err::<Bytes, _>(std::io::Error::other("fault injected: connection dropped"))
    });
    let mut response = (StatusCode::OK, Body::from_stream(start.chain(failing))).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
