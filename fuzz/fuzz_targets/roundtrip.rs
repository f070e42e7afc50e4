//! Round trips: what one side writes, the other reads back unchanged.
//! - a draft the validator accepts, encoded as the browser sends it and
//!   decoded as the server reads it, is the same request, with every value
//!   in its canonical spelling (properties.rs asserts this for drafts written
//!   canonically; here any accepted spelling, padded, signed, zero-led);
//! - any pairs encode and decode unchanged;
//! - any JSON value written reads back equal, and any JSON read writes back
//!   to text that reads the same;
//! - an envelope the server writes reads as the outcome its codes say.
#![no_main]

use arbitrary::Arbitrary;
use conference::form::{decode, encode, to_draft};
use conference::json::Json;
use conference::reply::{parse, Envelope, Invalid, Outcome, Response};
use conference::{Conference, Credentials, Field, Kind};
use conference_fuzz::{FuzzDraft, FuzzJson};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Input {
    Draft(bool, FuzzDraft),
    Pairs(Vec<(String, String)>),
    Json(FuzzJson),
    Text(Vec<u8>),
    Envelope(Vec<(u16, String, String)>, Option<FuzzJson>),
}

/// Without a start date (year 0) these are not sent: the switch ignores them.
const START_PARTS: [Field; 4] = [Field::Month, Field::Day, Field::Hour, Field::Minute];

/// A token replaces the username and password.
fn credentials_dropped(credentials: &Credentials, field: Field) -> bool {
    matches!(credentials, Credentials::Token(_))
        && matches!(field, Field::AuthUsername | Field::AuthPassword)
}

fn draft(validation: bool, draft: conference::Draft) {
    let Ok(conference) = Conference::from_draft(&draft) else {
        return;
    };
    let credentials = Credentials::from_draft(&draft);
    let body = conference.to_body(&credentials, validation);
    let parsed = to_draft(decode(body.as_bytes()).unwrap()).unwrap();
    assert!(parsed.unknown.is_empty(), "{body}");
    let again = Conference::from_draft(&parsed.draft).unwrap();
    assert_eq!(again, conference);
    assert_eq!(Credentials::from_draft(&parsed.draft), credentials);
    let flag = if validation { "1" } else { "0" };
    assert_eq!(parsed.draft.effective(Field::Validation), flag);
    // The encoding is canonical: a second trip writes the same body.
    assert_eq!(again.to_body(&credentials, validation), body);
    // Field for field, each value comes back in its canonical spelling
    // (properties.rs asserts this for drafts already written canonically).
    for field in Field::all().filter(|&f| f != Field::Validation) {
        let sent = draft.effective(field);
        let want = match field.param().kind {
            _ if conference.start.is_none() && START_PARTS.contains(&field) => {
                field.param().default.to_owned()
            }
            _ if credentials_dropped(&credentials, field) => String::new(),
            Kind::Integer { .. } if !sent.is_empty() => sent.parse::<i64>().unwrap().to_string(),
            _ => sent.to_owned(),
        };
        assert_eq!(parsed.draft.effective(field), want, "{field}");
    }
}

fn envelope(responses: Vec<(u16, String, String)>, data: Option<Json>) {
    let responses: Vec<Response> = responses
        .into_iter()
        .take(4)
        .map(|(code, key, message)| Response::new(code, &key, &message))
        .collect();
    let written = Envelope {
        responses: responses.clone(),
        data: data.clone(),
    }
    .to_json();
    let outcome = parse(200, written.as_bytes());
    let invalid: Vec<Invalid> = responses
        .iter()
        .filter(|r| r.code == "400")
        .map(|r| Invalid {
            key: r.key.clone(),
            message: r.message.clone(),
        })
        .collect();
    let first = responses.first().map(|r| r.code.parse::<u16>().unwrap());
    match outcome {
        Outcome::Invalid(read) => assert_eq!(read, invalid),
        Outcome::Success((code, read)) => {
            assert!(invalid.is_empty());
            assert_eq!(Some(code), first);
            assert!(matches!(code, 200 | 201 | 204));
            assert_eq!(read, data);
        }
        Outcome::SecondFactor => assert_eq!(first, Some(202)),
        Outcome::BadCredentials => assert_eq!(first, Some(401)),
        Outcome::RoleDenied => assert_eq!(first, Some(402)),
        Outcome::RatePlanDenied => assert_eq!(first, Some(403)),
        Outcome::NotFound => assert_eq!(first, Some(404)),
        Outcome::Unexpected(u) => {
            assert!(invalid.is_empty(), "{u:?}");
            assert!(
                !matches!(first, Some(200 | 201 | 202 | 204 | 401..=404)),
                "{u:?}"
            );
        }
    }
}

fuzz_target!(|input: Input| match input {
    Input::Draft(validation, FuzzDraft(d)) => draft(validation, d),
    Input::Pairs(pairs) => {
        let back = decode(encode(pairs.iter().map(|(k, v)| (k, v))).as_bytes()).unwrap();
        assert_eq!(back, pairs);
    }
    Input::Json(FuzzJson(value)) => {
        let text = value.to_string();
        assert_eq!(Json::parse(text.as_bytes()), Ok(value), "{text}");
    }
    Input::Text(bytes) => {
        if let Ok(value) = Json::parse(&bytes) {
            let text = value.to_string();
            assert_eq!(Json::parse(text.as_bytes()), Ok(value), "{text}");
        }
    }
    Input::Envelope(responses, data) => envelope(responses, data.map(|FuzzJson(j)| j)),
});
