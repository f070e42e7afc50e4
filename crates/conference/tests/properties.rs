//! Property tests: the validator and the parsers never panic, whatever they
//! are fed; what the browser encodes, the server reads back unchanged; and the
//! server, validating what it decoded, reaches the browser's verdict.
//! `PROPTEST_CASES` sets the count (CI runs 10,000 each).

use conference::form::{decode, encode, to_draft};
use conference::json::Json;
use conference::reply::{parse_create, parse_login, parse_unused_code};
use conference::{
    validate, validate_at, Conference, Credentials, Draft, Field, Group, PARAMS, PINS, START,
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Any strings at all, one per field, with a bias to the interesting ones.
fn any_draft() -> impl Strategy<Value = Draft> {
    let value = prop_oneof![
        ".*",
        "[0-9]{0,25}",
        "[+-]?[0-9 ]{0,12}",
        Just(String::new()),
        prop::sample::select(vec![
            "daily",
            "weekly",
            "2_weekly",
            "monthly",
            "2_monthly",
            "0",
            "1",
            "2000",
            "31"
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(value, Field::COUNT).prop_map(|values| {
        Field::all()
            .zip(values)
            .fold(Draft::empty(), |d, (f, v)| d.with(f, v))
    })
}

/// Drafts that pass validation, each value written the canonical way.
fn valid_draft() -> impl Strategy<Value = Draft> {
    (
        "[0-9]{1,20}",
        prop::collection::vec(prop::option::of("[0-9]{1,20}"), 3),
        prop::option::of((2000i32..=2100, 1u32..=12, 1u32..=28, 0u32..=23, 0u32..=59)),
        (0u32..=525_600, 0usize..6, 1u32..=1000),
        "[^\\p{Cc}]{0,40}",
        (
            0u32..=2_147_483_647,
            prop::option::of(1u32..=2_147_483_647),
            prop::option::of("\\+?[0-9]{1,30}"),
        ),
        (0u32..=10_000, prop::collection::vec(any::<bool>(), 5)),
    )
        .prop_map(
            |(
                code,
                pins,
                start,
                (duration, repeats, count),
                description,
                (owner, customer, callerid),
                (maximum, flags),
            )| {
                let mut d = Draft::new()
                    .with(Field::Code, code)
                    .with(Field::AuthToken, "token");
                // Distinct PINs, at least one of them.
                let mut seen = Vec::new();
                for (field, pin) in PINS.into_iter().zip(pins) {
                    if let Some(pin) = pin.filter(|p| !seen.contains(p)) {
                        seen.push(pin.clone());
                        d.set(field, pin);
                    }
                }
                if seen.is_empty() {
                    d.set(Field::TalkPin, "2468");
                }
                if let Some((y, m, day, h, min)) = start {
                    for (f, v) in START.into_iter().zip([y as u32, m, day, h, min]) {
                        d.set(f, v.to_string());
                    }
                    let word = conference::params::REPEATS[repeats];
                    d.set(Field::Repeats, word);
                    if !word.is_empty() {
                        d.set(Field::Count, count.to_string());
                    }
                }
                d.set(Field::Duration, duration.to_string());
                d.set(Field::Description, description.trim().to_owned());
                d.set(Field::Owner, owner.to_string());
                d.set(
                    Field::Customer,
                    customer.map(|c| c.to_string()).unwrap_or_default(),
                );
                d.set(Field::CallerId, callerid.unwrap_or_default());
                d.set(Field::Maximum, maximum.to_string());
                for (f, on) in Group::Options.fields().zip(flags) {
                    d.set(f, if on { "1" } else { "0" });
                }
                d
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn validate_never_panics(draft in any_draft(), secs in any::<i32>()) {
        let report = validate(&draft);
        for p in &report.problems {
            prop_assert!(!p.fields.is_empty());
            // Every message has words in English, every placeholder filled.
            let words = p.message.to_string();
            prop_assert!(conference::Catalog::english().get(p.message.id).is_some(), "{:?}", p.message);
            prop_assert!(!words.is_empty() && !words.contains('{'), "{words}");
        }
        let now = chrono::DateTime::from_timestamp(i64::from(secs) * 30, 0).unwrap().naive_utc();
        let _ = validate_at(&draft, now);
        let _ = Conference::from_draft(&draft).map(|c| c.occurrences());
    }

    #[test]
    fn reply_parsers_never_panic_on_bytes(status in any::<u16>(), body in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_create(status, &body);
        let _ = parse_login(status, &body);
        let _ = parse_unused_code(status, &body);
    }

    #[test]
    fn reply_parsers_never_panic_on_near_envelopes(
        code in prop_oneof![Just("\"200\"".to_owned()), Just("\"201\"".to_owned()), Just("400".to_owned()), "\"[0-9]{0,6}\"", "-?[0-9]{1,25}", Just("null".to_owned()), Just("[]".to_owned())],
        key in prop_oneof![Just("\"code\"".to_owned()), Just("7".to_owned()), Just("null".to_owned()), Just("{}".to_owned())],
        data in prop_oneof![Just("{\"id\":5}".to_owned()), "\\{\"id\":-?[0-9]{1,30}(\\.[0-9])?\\}", Just("[]".to_owned()), Just("\"x\"".to_owned()), Just("{\"code\":12}".to_owned()), Just("{\"auth_token\":1}".to_owned())],
    ) {
        let body = format!(r#"{{"responses":[{{"code":{code},"key":{key},"message":"m"}}],"data":{data}}}"#);
        let _ = parse_create(200, body.as_bytes());
        let _ = parse_login(200, body.as_bytes());
        let _ = parse_unused_code(200, body.as_bytes());
    }

    #[test]
    fn form_decoding_never_panics(input in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(pairs) = decode(&input) {
            let _ = to_draft(pairs);
        }
    }

    #[test]
    fn any_pairs_encode_then_decode_unchanged(pairs in prop::collection::vec((".*", ".*"), 0..6)) {
        let back = decode(encode(pairs.iter().map(|(k, v)| (k, v))).as_bytes()).unwrap();
        prop_assert_eq!(back, pairs);
    }

    #[test]
    fn encode_then_parse_gives_back_the_same_draft(draft in valid_draft(), validation in any::<bool>()) {
        let report = validate(&draft);
        prop_assert!(!report.has_errors(), "{:?}", report);
        let conference = Conference::from_draft(&draft).unwrap();
        let body = conference.to_body(&Credentials::from_draft(&draft), validation);
        let parsed = to_draft(decode(body.as_bytes()).unwrap()).unwrap();
        prop_assert!(parsed.unknown.is_empty());
        let mut expected = draft.normalized();
        expected.set(Field::Validation, if validation { "1" } else { "0" });
        prop_assert_eq!(parsed.draft.normalized(), expected);
        prop_assert_eq!(Conference::from_draft(&parsed.draft).unwrap(), conference);
    }

    #[test]
    fn the_server_reaches_the_browsers_verdict(draft in any_draft()) {
        // Whatever a client sends, raw, the server decodes and validates it
        // with the same code and finds exactly the same problems.
        let body = encode(PARAMS.iter().map(|p| (p.name, draft.get(p.field))));
        let server = to_draft(decode(body.as_bytes()).unwrap()).unwrap().draft;
        prop_assert_eq!(validate(&server), validate(&draft));
    }

    #[test]
    fn the_json_reader_never_panics_and_agrees_with_serde_json(
        input in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,40}".prop_map(String::into_bytes),
        ]
    ) {
        let ours = Json::parse(&input);
        let oracle = serde_json::from_slice::<serde_json::Value>(&input);
        prop_assert_eq!(ours.is_ok(), oracle.is_ok(), "{:?}", String::from_utf8_lossy(&input));
    }

    #[test]
    fn the_json_reader_reads_what_serde_json_writes_and_writes_it_back(value in json_value()) {
        let text = value.to_string();
        let ours = Json::parse(text.as_bytes()).unwrap();
        let back: serde_json::Value = serde_json::from_str(&ours.to_string()).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn our_sort_orders_as_the_standard_stable_sort(items in prop::collection::vec((0u8..6, any::<u16>()), 0..60)) {
        let mut ours = items.clone();
        conference::report::sort_by_key(&mut ours, |(k, _)| *k);
        let mut std_sorted = items;
        std_sorted.sort_by_key(|(k, _)| *k);
        prop_assert_eq!(ours, std_sorted);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(".*", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
