//! The test hooks, in a build with the `test-hooks` feature and only when
//! the server is started with `--test-hooks` (a default build has none of
//! this code): the next N API replies are slow, a 500, a 502 HTML page, a
//! malformed body, or a dropped connection (before the request takes effect,
//! or after: the conference stored, the reply lost); the simulator's clock
//! can be moved forward, so token expiry is tested without waiting; a log of
//! the API requests, names and facts only; how many requests a slow
//! fault holds right now; and the app's WebAssembly held back, so a test
//! can use the page as it is before the wasm arrives.
//!
//! The faults are a layer ([`on_api`]) on the simulator's API route: the API
//! itself knows only the clock. The wasm is held by a layer on the files
//! ([`on_files`]).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use serde::Serialize;

use crate::api::Admitted;
use crate::params::Params;
use crate::{AppState, Backend};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Fault {
    Slow(u64),
    /// Held until a test says `POST /_test/release` (or a minute passes):
    /// "while the request is in flight" without guessing how long that is.
    Hold,
    Error500,
    Html502,
    Malformed,
    DropBefore,
    DropAfter,
}

impl Fault {
    pub(crate) fn parse(kind: &str, ms: u64) -> Option<Fault> {
        Some(match kind {
            "slow" => Fault::Slow(ms),
            "hold" => Fault::Hold,
            "500" => Fault::Error500,
            "502" => Fault::Html502,
            "malformed" => Fault::Malformed,
            "drop_before" => Fault::DropBefore,
            "drop_after" => Fault::DropAfter,
            _ => return None,
        })
    }

    fn delay(self) -> Option<Duration> {
        match self {
            Fault::Slow(ms) => Some(Duration::from_millis(ms)),
            Fault::Hold => Some(HOLD_AT_MOST),
            _ => None,
        }
    }
}

/// One API request as the tests see it: never a value, only names and facts.
#[derive(Clone, Debug, Serialize)]
struct Logged {
    method: String,
    function: String,
    params: Vec<String>,
    validation: bool,
    secret_in_url: bool,
    code: u16,
    fault: Option<Fault>,
}

#[derive(Default)]
pub(crate) struct TestHooks {
    /// Each fault with how many requests it still applies to: a count, not
    /// that many copies, so any count costs the same memory.
    faults: Mutex<VecDeque<(Fault, u64)>>,
    log: Mutex<Vec<Logged>>,
    /// Seconds added to the wall clock the simulator is given.
    clock: AtomicI64,
    /// Requests a slow fault is holding right now: a test waits for one to
    /// be held instead of guessing how long that takes.
    delayed: AtomicUsize,
    /// Lets every held request go (`POST /_test/release`).
    release: tokio::sync::Notify,
    /// Whether requests for `.wasm` files wait (`POST /_test/hold-wasm`
    /// until `POST /_test/release-wasm`): a channel, so a waiter sees the
    /// release whenever it comes, even just before it starts waiting.
    wasm_held: tokio::sync::watch::Sender<bool>,
    /// Requests for `.wasm` files waiting right now.
    wasm_waiting: AtomicUsize,
}

/// A held request goes on by itself after this: a test that forgets to
/// release it ends instead of hanging.
const HOLD_AT_MOST: Duration = Duration::from_secs(60);

/// Counts a request as delayed while it lives, however its wait ends
/// (the client may give up and drop it).
struct Held<'a>(&'a AtomicUsize);

impl<'a> Held<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Held(count)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

const LOG_LIMIT: usize = 1000;

impl TestHooks {
    fn inject(&self, fault: Fault, count: u64) {
        if count > 0 {
            let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
            faults.push_back((fault, count));
        }
    }

    /// The fault for the next API request, if any is queued.
    fn next(&self) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let (fault, left) = faults.front_mut()?;
        let fault = *fault;
        *left -= 1;
        if *left == 0 {
            faults.pop_front();
        }
        Some(fault)
    }

    fn record(&self, entry: Logged) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == LOG_LIMIT {
            log.remove(0);
        }
        log.push(entry);
    }

    fn log(&self) -> Vec<Logged> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Moves the simulator's clock `seconds` forward.
    fn advance(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::Relaxed);
    }

    /// The time the simulator sees: `now` plus every advance so far.
    pub(crate) fn now(&self, now: i64) -> i64 {
        now.saturating_add(self.clock.load(Ordering::Relaxed))
    }

    /// Requests for `.wasm` files wait from now on, or no longer (all that
    /// wait go on).
    fn hold_wasm(&self, hold: bool) {
        self.wasm_held.send_replace(hold);
    }

    /// Waits while the wasm is held (at most [`HOLD_AT_MOST`]).
    async fn wasm_gate(&self) {
        let mut held = self.wasm_held.subscribe();
        if !*held.borrow_and_update() {
            return;
        }
        let _waiting = Held::new(&self.wasm_waiting);
        let _ = tokio::time::timeout(HOLD_AT_MOST, held.wait_for(|held| !held)).await;
    }

    fn reset(&self) {
        self.hold_wasm(false);
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// `/_test/*`: the routes that steer the hooks.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_test/faults", post(inject))
        .route("/_test/requests", get(requests))
        .route("/_test/delayed", get(delayed))
        .route("/_test/release", post(release))
        .route("/_test/reset", post(reset))
        .route("/_test/hold-wasm", post(hold_wasm))
        .route("/_test/release-wasm", post(release_wasm))
        .route("/_test/held-wasm", get(held_wasm))
        .route("/_test/clock", post(clock))
}

/// The API route with [`layer`] on it, when there are hooks and a simulator
/// (a proxy with `--test-hooks` passes the switch's replies on untouched).
pub(crate) fn on_api(
    route: MethodRouter<Arc<AppState>>,
    state: &Arc<AppState>,
) -> MethodRouter<Arc<AppState>> {
    if state.hooks.is_some() && matches!(state.backend, Backend::Simulator(_)) {
        route.layer(from_fn_with_state(state.clone(), layer))
    } else {
        route
    }
}

/// The files with [`wasm_gate`] on them, when there are hooks.
pub(crate) fn on_files(route: MethodRouter, state: &Arc<AppState>) -> MethodRouter {
    if state.hooks.is_some() {
        route.layer(from_fn_with_state(state.clone(), wasm_gate))
    } else {
        route
    }
}

/// A request for a `.wasm` file waits while the wasm is held; anything else
/// goes straight on. Each connection is a task of its own ([`crate::net`]),
/// so a waiting request holds up no other.
async fn wasm_gate(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(hooks) = &app.hooks {
        if request.uri().path().ends_with(".wasm") {
            hooks.wasm_gate().await;
        }
    }
    next.run(request).await
}

/// The next queued fault, applied to a request [`crate::api::admit`] let
/// through: a delay first, then a reply instead of the switch's (500, 502,
/// malformed, dropped before), or the switch's reply lost (dropped after).
/// Every request the switch answered, and every one a fault answered, goes
/// into the request log with the fault.
///
/// It runs as a task of its own: a switch goes on with a request whose
/// client gave up (a browser's time-out), so a create that was slow or held
/// is still stored, as the retry after a time-out must expect.
async fn layer(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    tokio::spawn(apply(app, request, next))
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn apply(app: Arc<AppState>, request: Request, next: Next) -> Response {
    let Some(hooks) = &app.hooks else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Some(admitted) = parts.extensions.get::<Admitted>().cloned() else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let method = parts.method.to_string();
    let function = admitted.function;
    // As the simulator reads them; unreadable ones it refuses unanswered.
    let params = crate::api::params(&parts, &admitted.body).ok();
    let secret_in_url = conference::form::decode(parts.uri.query().unwrap_or("").as_bytes())
        .is_ok_and(|pairs| pairs.iter().any(|(name, _)| is_secret(name)));
    let request = Request::from_parts(parts, body);
    let fault = hooks.next();
    if let Some(delay) = fault.and_then(Fault::delay) {
        // Listening before it counts as delayed: a release sent once a test
        // saw the count cannot be missed.
        let released = hooks.release.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        let _held = Held::new(&hooks.delayed);
        if fault == Some(Fault::Hold) {
            let _ = tokio::time::timeout(delay, released).await;
        } else {
            tokio::time::sleep(delay).await;
        }
    }
    let log = |params: Option<&Params>, code| {
        hooks.record(Logged {
            method: method.clone(),
            function: function.to_owned(),
            params: params.map(Params::names).unwrap_or_default(),
            validation: params.is_some_and(|p| p.text("validation") == "1"),
            secret_in_url: params.is_some() && secret_in_url,
            code,
            fault,
        });
    };
    let instead = match fault {
        Some(Fault::DropBefore) => Some((0, dropped())),
        Some(Fault::Error500) => Some((
            500,
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response(),
        )),
        Some(Fault::Html502) => {
            let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy could not reach the switch.</p></body></html>";
            Some((
                502,
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "text/html")],
                    page,
                )
                    .into_response(),
            ))
        }
        Some(Fault::Malformed) => Some((
            200,
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"responses":[{"code":"20"#,
            )
                .into_response(),
        )),
        _ => None,
    };
    if let Some((code, response)) = instead {
        log(None, code);
        return response;
    }
    let response = next.run(request).await;
    // Only a reply from the switch is logged (and lost, for drop_after); a
    // request refused before it (unreadable parameters) is passed on as is.
    let Some(params) = params else {
        return response;
    };
    // The switch's result code, from its envelope (a small JSON body).
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["responses"][0]["code"].as_str()?.parse().ok())
        .unwrap_or(500);
    log(Some(&params), code);
    if fault == Some(Fault::DropAfter) {
        dropped()
    } else {
        Response::from_parts(parts, Body::from(body))
    }
}

fn is_secret(name: &str) -> bool {
    conference::Field::from_name(name).is_some_and(|f| f.is_secret())
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
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err::<Bytes, _>(std::io::Error::other("fault injected: connection dropped"))
    });
    let mut response = (StatusCode::OK, Body::from_stream(start.chain(failing))).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `POST /_test/faults?kind=slow|hold|500|502|malformed|drop_before|drop_after&count=N&ms=M`
async fn inject(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> (StatusCode, String) {
    let pairs = conference::form::decode(q.unwrap_or_default().as_bytes()).unwrap_or_default();
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let number = |n: &str, default: u64| match get(n) {
        "" => Some(default),
        text => text.parse::<u64>().ok(),
    };
    let (Some(count), Some(ms)) = (number("count", 1), number("ms", 0)) else {
        return (
            StatusCode::BAD_REQUEST,
            "count and ms must be whole numbers".into(),
        );
    };
    match (Fault::parse(get("kind"), ms), &state.hooks) {
        (Some(fault), Some(hooks)) => {
            hooks.inject(fault, count);
            (StatusCode::OK, format!("{count} x {fault:?}"))
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "kind must be slow, hold, 500, 502, malformed, drop_before or drop_after".into(),
        ),
    }
}

/// `POST /_test/clock?advance=SECONDS`
async fn clock(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> (StatusCode, String) {
    let pairs = conference::form::decode(q.unwrap_or_default().as_bytes()).unwrap_or_default();
    let seconds = pairs
        .iter()
        .find(|(k, _)| k == "advance")
        .and_then(|(_, v)| v.parse::<u32>().ok());
    match (seconds, &state.hooks) {
        (Some(s), Some(hooks)) => {
            hooks.advance(i64::from(s));
            (StatusCode::OK, format!("clock +{s} s"))
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "advance must be a whole number of seconds".into(),
        ),
    }
}

async fn requests(State(state): State<Arc<AppState>>) -> axum::Json<Vec<Logged>> {
    axum::Json(state.hooks.as_ref().map(|h| h.log()).unwrap_or_default())
}

/// `GET /_test/delayed`: how many requests a slow fault is holding now.
async fn delayed(State(state): State<Arc<AppState>>) -> String {
    let held = state
        .hooks
        .as_ref()
        .map_or(0, |h| h.delayed.load(Ordering::SeqCst));
    held.to_string()
}

/// `POST /_test/release`: every request a `hold` fault holds goes on.
async fn release(State(state): State<Arc<AppState>>) -> &'static str {
    if let Some(h) = &state.hooks {
        h.release.notify_waiters();
    }
    "released"
}

/// `POST /_test/hold-wasm`: every later request for a `.wasm` file waits,
/// its reply not started, until `POST /_test/release-wasm` (or
/// `/_test/reset`, or a minute).
async fn hold_wasm(State(state): State<Arc<AppState>>) -> &'static str {
    if let Some(h) = &state.hooks {
        h.hold_wasm(true);
    }
    "holding the wasm"
}

/// `POST /_test/release-wasm`: the waiting `.wasm` requests are answered,
/// and the next ones no longer wait.
async fn release_wasm(State(state): State<Arc<AppState>>) -> &'static str {
    if let Some(h) = &state.hooks {
        h.hold_wasm(false);
    }
    "released the wasm"
}

/// `GET /_test/held-wasm`: how many `.wasm` requests are waiting now.
async fn held_wasm(State(state): State<Arc<AppState>>) -> String {
    let waiting = state
        .hooks
        .as_ref()
        .map_or(0, |h| h.wasm_waiting.load(Ordering::SeqCst));
    waiting.to_string()
}

/// `POST /_test/reset`: no faults queued, the log empty, the wasm no longer
/// held.
async fn reset(State(state): State<Arc<AppState>>) -> &'static str {
    if let Some(h) = &state.hooks {
        h.reset();
    }
    "reset"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_count_is_one_entry() {
        let hooks = TestHooks::default();
        hooks.inject(Fault::Error500, 100_000_000_000);
        hooks.inject(Fault::Malformed, 1);
        assert_eq!(hooks.next(), Some(Fault::Error500));
        assert_eq!(hooks.faults.lock().unwrap().len(), 2);
        let hooks = TestHooks::default();
        hooks.inject(Fault::Error500, 2);
        hooks.inject(Fault::Malformed, 1);
        let got: Vec<_> = std::iter::from_fn(|| hooks.next()).collect();
        assert_eq!(got, [Fault::Error500, Fault::Error500, Fault::Malformed]);
    }
}
