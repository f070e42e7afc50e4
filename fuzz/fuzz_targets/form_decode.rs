//! The form decoder: every query string and body the server gets. Whatever
//! the bytes, it never panics; what it reads re-encodes to itself; and the
//! server's next steps (draft, validation, typed request) never panic either.
#![no_main]

use conference::form::{decode, encode, to_draft};
use conference::{validate, Conference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pairs = match decode(data) {
        Ok(pairs) => pairs,
        Err(e) => {
            // The error names its parameter, for the 400's key.
            assert!(e.to_string().contains(e.name()));
            return;
        }
    };
    // Our encoding of what was read reads back as the same pairs.
    let again = decode(encode(pairs.iter().map(|(k, v)| (k, v))).as_bytes());
    assert_eq!(again.as_ref(), Ok(&pairs));
    let Ok(parsed) = to_draft(pairs) else {
        return;
    };
    let report = validate(&parsed.draft);
    if let Ok(conference) = Conference::from_draft(&parsed.draft) {
        assert!(!report.errors().any(|p| p
            .fields
            .iter()
            .any(|f| f.param().group != conference::Group::SignIn)));
        assert!(conference.occurrences().len() <= conference.count.max(1) as usize);
    }
});
