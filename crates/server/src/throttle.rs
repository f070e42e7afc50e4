//! Slows password guessing: after a few failed sign-ins for one username from
//! one address, for one username, or from one address, each further failure locks that key for twice as long
//! as the last (1 s, 2 s, 4 s, ... at most 5 minutes). A locked key is
//! answered at once, without hashing. Keys are forgotten 15 minutes after
//! their last failure.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

// tokio's Instant is the system's monotonic clock, except in a test that
// pauses tokio's clock: there a lock lasts however slow the machine is.
use tokio::time::Instant;

/// Failures allowed before the first lock, for a username from one address.
pub(crate) const FREE_PER_USER_AND_ADDRESS: u32 = 5;
/// For a username from anywhere: higher, so that one guesser cannot lock a
/// user out everywhere, while guessing from many addresses is still slowed.
pub(crate) const FREE_PER_USER: u32 = 50;
/// For an address: between the two, since many people may share one (NAT,
/// an office).
pub(crate) const FREE_PER_ADDRESS: u32 = 20;
const MAX_LOCK: Duration = Duration::from_secs(300);
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Entries kept at most; past it, forgotten ones go first, then all (memory
/// stays bounded whatever names a guesser invents).
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub(crate) struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    locked_until: Instant,
}

impl Throttle {
    /// How long `key` stays locked, if it is.
    pub(crate) fn locked(&self, key: &str, now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        (entry.locked_until > now).then(|| entry.locked_until - now)
    }

    /// Records a failed sign-in for `key`, which may then lock it.
    pub(crate) fn failed(&self, key: &str, free: u32, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            last: now,
            locked_until: now,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        if entry.failures > free {
            let doublings = (entry.failures - free - 1).min(16);
            let lock = Duration::from_secs(1 << doublings).min(MAX_LOCK);
            entry.locked_until = now + lock;
        }
    }

    /// A good sign-in forgets the key's failures.
    pub(crate) fn succeeded(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_free_failures_doubling_up_to_the_cap() {
        let t = Throttle::default();
        let start = Instant::now();
        for _ in 0..3 {
            t.failed("user:ada", 3, start);
            assert_eq!(t.locked("user:ada", start), None);
        }
        t.failed("user:ada", 3, start);
        assert_eq!(t.locked("user:ada", start), Some(Duration::from_secs(1)));
        t.failed("user:ada", 3, start);
        assert_eq!(t.locked("user:ada", start), Some(Duration::from_secs(2)));
        let later = start + Duration::from_secs(2);
        assert_eq!(t.locked("user:ada", later), None, "the lock runs out");
        for _ in 0..40 {
            t.failed("user:ada", 3, later);
        }
        assert_eq!(t.locked("user:ada", later), Some(MAX_LOCK));
        assert_eq!(t.locked("user:bob", later), None, "keys are apart");
        t.succeeded("user:ada");
        assert_eq!(t.locked("user:ada", later), None);
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_while() {
        let t = Throttle::default();
        let start = Instant::now();
        for _ in 0..5 {
            t.failed("addr:1", 5, start);
        }
        let much_later = start + FORGET_AFTER;
        t.failed("addr:1", 5, much_later);
        assert_eq!(t.locked("addr:1", much_later), None);
    }
}
