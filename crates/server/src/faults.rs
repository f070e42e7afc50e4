//! Fault injection for tests, only when the server is started with
//! `--test-hooks`: the next N API replies are slow, a 500, a 502 HTML page, a
//! malformed body, or a dropped connection (before the request takes effect,
//! or after: the conference stored, the reply lost). The simulator's clock can
//! be moved forward, so token expiry is tested without waiting.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde::Serialize;

use crate::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Slow(u64),
    Error500,
    Html502,
    Malformed,
    DropBefore,
    DropAfter,
}

impl Fault {
    pub fn parse(kind: &str, ms: u64) -> Option<Fault> {
        Some(match kind {
            "slow" => Fault::Slow(ms),
            "500" => Fault::Error500,
            "502" => Fault::Html502,
            "malformed" => Fault::Malformed,
            "drop_before" => Fault::DropBefore,
            "drop_after" => Fault::DropAfter,
            _ => return None,
        })
    }

    pub fn delay(self) -> Option<Duration> {
        match self {
            Fault::Slow(ms) => Some(Duration::from_millis(ms)),
            _ => None,
        }
    }
}

/// One API request as the tests see it: never a value, only names and facts.
#[derive(Clone, Debug, Serialize)]
pub struct Logged {
    pub method: String,
    pub function: String,
    pub params: Vec<String>,
    pub validation: bool,
    pub secret_in_url: bool,
    pub code: u16,
    pub fault: Option<Fault>,
}

#[derive(Default)]
pub struct TestHooks {
    /// Each fault with how many requests it still applies to: a count, not
    /// that many copies, so any count costs the same memory.
    faults: Mutex<VecDeque<(Fault, u64)>>,
    log: Mutex<Vec<Logged>>,
    /// Seconds added to the wall clock the simulator is given.
    clock: AtomicI64,
}

const LOG_LIMIT: usize = 1000;

impl TestHooks {
    pub fn inject(&self, fault: Fault, count: u64) {
        if count > 0 {
            let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
            faults.push_back((fault, count));
        }
    }

    /// The fault for the next API request, if any is queued.
    pub fn next(&self) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let (fault, left) = faults.front_mut()?;
        let fault = *fault;
        *left -= 1;
        if *left == 0 {
            faults.pop_front();
        }
        Some(fault)
    }

    pub fn record(&self, entry: Logged) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == LOG_LIMIT {
            log.remove(0);
        }
        log.push(entry);
    }

    pub fn log(&self) -> Vec<Logged> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Moves the simulator's clock `seconds` forward.
    pub fn advance(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::Relaxed);
    }

    /// The time the simulator sees: `now` plus every advance so far.
    pub fn now(&self, now: i64) -> i64 {
        now.saturating_add(self.clock.load(Ordering::Relaxed))
    }

    pub fn reset(&self) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// `POST /_test/faults?kind=slow|500|502|malformed|drop_before|drop_after&count=N&ms=M`
pub async fn inject(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
) -> (StatusCode, String) {
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
            "kind must be slow, 500, 502, malformed, drop_before or drop_after".into(),
        ),
    }
}

/// `POST /_test/clock?advance=SECONDS`
pub async fn clock(
    State(state): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
) -> (StatusCode, String) {
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

pub async fn requests(State(state): State<Arc<AppState>>) -> axum::Json<Vec<Logged>> {
    axum::Json(state.hooks.as_ref().map(|h| h.log()).unwrap_or_default())
}

pub async fn reset(State(state): State<Arc<AppState>>) -> &'static str {
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
