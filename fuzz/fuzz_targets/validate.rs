//! The validator, on structured drafts near every rule's edge (see
//! conference_fuzz::FuzzDraft). It never panics, and its report keeps its
//! promises: every problem names a field and says what to do, problems come
//! in form order, the clock adds nothing but the past-start warning, the
//! server reaches the browser's verdict from the encoded draft, and a typed
//! request exists exactly when no error outside sign-in is left.
#![no_main]

use conference::form::{decode, encode, to_draft};
use conference::params::Group;
use conference::{codes, planned, validate, validate_at, Conference, PARAMS};
use conference_fuzz::{FuzzDraft, Now};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Now, FuzzDraft)| {
    let (Now(now), FuzzDraft(draft)) = input;
    let report = validate(&draft);
    for p in &report.problems {
        let words = p.message.to_string();
        assert!(
            !p.fields.is_empty() && !words.is_empty() && !words.contains('{'),
            "{p:?}"
        );
    }
    assert!(report
        .problems
        .windows(2)
        .all(|w| (w[0].field(), w[0].severity) <= (w[1].field(), w[1].severity)));

    let mut at = validate_at(&draft, now);
    at.problems.retain(|p| p.code != codes::START_IN_PAST);
    assert_eq!(at, report);

    let body = encode(PARAMS.iter().map(|p| (p.name, draft.get(p.field))));
    let server = to_draft(decode(body.as_bytes()).unwrap()).unwrap().draft;
    assert_eq!(validate(&server), report);

    let blocking = report
        .errors()
        .any(|p| p.fields.iter().any(|f| f.param().group != Group::SignIn));
    match Conference::from_draft(&draft) {
        Ok(conference) => {
            assert!(!blocking, "{report:?}");
            let occurrences = conference.occurrences();
            assert!(occurrences.len() <= conference.count.max(1) as usize);
            assert_eq!(occurrences.first().copied(), conference.start);
        }
        Err(errors) => {
            assert!(blocking);
            assert!(errors.problems.iter().all(|p| p.is_error()));
        }
    }
    assert!(planned(&draft).len() <= 1000);
});
