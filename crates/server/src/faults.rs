//! Fault injection for tests, only when the server is started with
//! `--test-hooks`: the next N API replies are slow, a 500, a 502 HTML page, a
//! malformed body, or a dropped connection (before the request takes effect,
//! or after: the conference stored, the reply lost).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

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
    faults: Mutex<VecDeque<Fault>>,
    log: Mutex<Vec<Logged>>,
}

const LOG_LIMIT: usize = 1000;

impl TestHooks {
    pub fn inject(&self, fault: Fault, count: usize) {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        faults.extend(std::iter::repeat_n(fault, count));
    }

    /// The fault for the next API request, if any is queued.
    pub fn next(&self) -> Option<Fault> {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
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

    pub fn reset(&self) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
