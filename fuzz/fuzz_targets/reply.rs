//! The reply reader: every answer the browser gets from a switch, real or
//! not. The first two bytes are the HTTP status, the rest the body. Whatever
//! they are, no reader panics, and an unexpected reply keeps its status and a
//! short, printable excerpt.
#![no_main]

use conference::reply::{
    parse, parse_create, parse_get, parse_login, parse_unused_code, Accepted, Outcome, Unexpected,
};
use libfuzzer_sys::fuzz_target;

fn check<T>(status: u16, outcome: &Outcome<T>) {
    if let Outcome::Unexpected(Unexpected {
        status: kept,
        what,
        excerpt,
    }) = outcome
    {
        assert_eq!(*kept, status);
        let words = what.to_string();
        assert!(!words.is_empty() && !words.contains('{'), "{what:?}");
        assert!(excerpt.chars().count() <= 201);
        assert!(!excerpt.chars().any(char::is_control));
    }
}

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [hi, lo, body @ ..] => (u16::from_be_bytes([*hi, *lo]), body),
        _ => (200, data),
    };
    let any = parse(status, body);
    check(status, &any);
    let created = parse_create(status, body);
    check(status, &created);
    // Every reader starts from the same envelope.
    match (&any, &created) {
        (Outcome::Success((200, _)), Outcome::Success(Accepted::Id(_)))
        | (Outcome::Success((201, _)), Outcome::Success(Accepted::Validated))
        | (Outcome::Success(_), Outcome::Unexpected(_)) => {}
        (Outcome::Success(_), other) => panic!("{any:?} read as {other:?}"),
        (a, b) => assert_eq!(a.clone().map(|_| ()), b.clone().map(|_| ())),
    }
    check(status, &parse_login(status, body));
    check(status, &parse_unused_code(status, body));
    check(status, &parse_get(status, body));
});
