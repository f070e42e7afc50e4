//! The Enswitch reply envelope: reading it (client) and writing it (server).
//!
//! `{"responses":[{"code":"200","key":"","message":"OK"}],"data":{...}}`
//! [doc]. The body's code is the result, whatever the HTTP status [assumed];
//! a body that is not this envelope is a service failure, never a validation
//! failure, and is reported as what it is.

use crate::digits;
use crate::json::Json;
use crate::text::Message;

/// One entry of `responses`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// [doc] a JSON string, such as `"200"`.
    pub code: String,
    /// The offending parameter on a 400 [assumed]; empty otherwise.
    pub key: String,
    pub message: String,
}

impl Response {
    pub fn new(code: u16, key: &str, message: &str) -> Self {
        Response {
            code: code.to_string(),
            key: key.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// The whole reply, as the server writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    pub responses: Vec<Response>,
    pub data: Option<Json>,
}

impl Envelope {
    pub fn single(code: u16, key: &str, message: &str) -> Self {
        Envelope {
            responses: vec![Response::new(code, key, message)],
            data: None,
        }
    }

    pub fn ok(data: Json) -> Self {
        Envelope {
            data: Some(data),
            ..Envelope::single(200, "", "OK")
        }
    }

    pub fn to_json(&self) -> String {
        let responses = self
            .responses
            .iter()
            .map(|r| {
                Json::object([
                    ("code", Json::str(r.code.as_str())),
                    ("key", Json::str(r.key.as_str())),
                    ("message", Json::str(r.message.as_str())),
                ])
            })
            .collect();
        let mut members = vec![("responses".to_owned(), Json::Array(responses))];
        if let Some(data) = &self.data {
            members.push(("data".to_owned(), data.clone()));
        }
        Json::Object(members).to_string()
    }
}

/// One `key`/`message` pair of a 400 reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
}

/// A reply that is not what the API promises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpected {
    /// The HTTP status it came with.
    pub status: u16,
    /// What was wrong with it (`reply.*` in the catalogs).
    pub what: Message,
    /// The start of the body, control characters replaced, for a person to read.
    pub excerpt: String,
}

/// What a reply means, for a function whose success is a `T`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Success(T),
    /// 400: every key and message.
    Invalid(Vec<Invalid>),
    /// 401: wrong credentials, or an expired or corrupt token.
    BadCredentials,
    /// 402: "Your role does not allow this."
    RoleDenied,
    /// 403: "Your rate plan does not allow this."
    RatePlanDenied,
    /// 404: not found, or not visible to this user.
    NotFound,
    /// 202: the login needs a second factor (4.4); not supported yet.
    SecondFactor,
    Unexpected(Unexpected),
}

/// The success of `conferences/create`: created, or (with `validation=1`)
/// accepted as valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// 200: created, with its ID.
    Id(u64),
    /// 201: passed validation (only with `validation=1`).
    Validated,
}

/// The success of `user/login` with `token=1`. Its lifetime
/// (`auth_token_expiry`) is not kept: a token is used until the switch
/// refuses it, and then the form asks to sign in again.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub token: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token {{ token: *** }}")
    }
}

const EXCERPT_CHARS: usize = 200;

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

fn unexpected<T>(status: u16, body: &[u8], what: Message) -> Outcome<T> {
    Outcome::Unexpected(Unexpected {
        status,
        what,
        excerpt: excerpt(body),
    })
}

/// A code as a number, from a string ([doc]) or a number (tolerated).
fn code_of(entry: &Json) -> Option<u16> {
    match entry.get("code")? {
        Json::String(s) => s.trim().parse().ok(),
        n @ Json::Number(_) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    }
}

fn text_of(entry: &Json, name: &str) -> String {
    match entry.get(name) {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => String::new(),
        Some(other) => other.to_text(),
    }
}

/// Reads any reply: `Success` carries the code (200, 201 or 204) and `data`.
pub fn parse(status: u16, body: &[u8]) -> Outcome<(u16, Option<Json>)> {
    let Ok(value) = Json::parse(body) else {
        let what = if body.iter().all(u8::is_ascii_whitespace) {
            "reply.empty"
        } else {
            "reply.not_json"
        };
        return unexpected(status, body, Message::new(what));
    };
    let Some(responses) = value.get("responses").and_then(Json::as_array) else {
        return unexpected(status, body, Message::new("reply.no_responses"));
    };
    let mut codes = Vec::with_capacity(responses.len());
    for entry in responses {
        match code_of(entry) {
            Some(code) => codes.push(code),
            None => return unexpected(status, body, Message::new("reply.no_result_code")),
        }
    }
    let invalid: Vec<Invalid> = responses
        .iter()
        .zip(&codes)
        .filter(|(_, &code)| code == 400)
        .map(|(entry, _)| Invalid {
            key: text_of(entry, "key"),
            message: text_of(entry, "message"),
        })
        .collect();
    if !invalid.is_empty() {
        return Outcome::Invalid(invalid);
    }
    match codes.first() {
        None => unexpected(status, body, Message::new("reply.empty_responses")),
        Some(&code @ (200 | 201 | 204)) => Outcome::Success((code, value.take("data"))),
        Some(202) => Outcome::SecondFactor,
        Some(401) => Outcome::BadCredentials,
        Some(402) => Outcome::RoleDenied,
        Some(403) => Outcome::RatePlanDenied,
        Some(404) => Outcome::NotFound,
        Some(code) => unexpected(
            status,
            body,
            Message::new("reply.result_code").text("code", digits::decimal((*code).into())),
        ),
    }
}

/// A reply that is not a success: an `Outcome` that cannot be `Success`.
pub type Refusal = Outcome<std::convert::Infallible>;

impl<T> Outcome<T> {
    /// The success, or the refusal: so that `?` forwards every refusal.
    pub fn into_result(self) -> Result<T, Refusal> {
        match self {
            Outcome::Success(t) => Ok(t),
            refusal => Err(refusal.and_then(|_| unreachable!("a success was matched above"))),
        }
    }

    /// Maps a success; everything else passes through.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        self.and_then(|t| Outcome::Success(f(t)))
    }

    /// Turns a success into another outcome; everything else passes through.
    fn and_then<U>(self, f: impl FnOnce(T) -> Outcome<U>) -> Outcome<U> {
        match self {
            Outcome::Success(t) => f(t),
            Outcome::Invalid(v) => Outcome::Invalid(v),
            Outcome::BadCredentials => Outcome::BadCredentials,
            Outcome::RoleDenied => Outcome::RoleDenied,
            Outcome::RatePlanDenied => Outcome::RatePlanDenied,
            Outcome::NotFound => Outcome::NotFound,
            Outcome::SecondFactor => Outcome::SecondFactor,
            Outcome::Unexpected(u) => Outcome::Unexpected(u),
        }
    }
}

/// An unsigned number, from a JSON number or a string of digits [assumed].
fn id_of(value: Option<&Json>) -> Option<u64> {
    match value? {
        n @ Json::Number(_) => n.as_u64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads a reply of `conferences/create`.
pub fn parse_create(status: u16, body: &[u8]) -> Outcome<Accepted> {
    parse(status, body).and_then(|(code, data)| match code {
        201 => Outcome::Success(Accepted::Validated),
        200 => match id_of(data.as_ref().and_then(|d| d.get("id"))) {
            Some(id) => Outcome::Success(Accepted::Id(id)),
            None => unexpected(status, body, Message::new("reply.no_id")),
        },
        _ => unexpected(
            status,
            body,
            Message::new("reply.unexpected_code").text("code", digits::decimal(code.into())),
        ),
    })
}

/// Reads a reply of `user/login` with `token=1`.
pub fn parse_login(status: u16, body: &[u8]) -> Outcome<Token> {
    parse(status, body).and_then(|(_, data)| {
        let data = data.unwrap_or(Json::Null);
        match data.get("auth_token").and_then(Json::as_str) {
            Some(token) if !token.is_empty() => Outcome::Success(Token {
                token: token.to_owned(),
            }),
            // A switch before 4.1 ignores token=1 and just says OK.
            _ => unexpected(status, body, Message::new("reply.no_token")),
        }
    })
}

/// Reads a reply of `conferences/unused/code`: `None` when no code is free.
pub fn parse_unused_code(status: u16, body: &[u8]) -> Outcome<Option<String>> {
    parse(status, body).and_then(
        |(_, data)| match data.as_ref().and_then(|d| d.get("code")) {
            Some(Json::String(code)) if code.is_empty() => Outcome::Success(None),
            Some(Json::String(code)) => Outcome::Success(Some(code.clone())),
            Some(Json::Number(n)) => Outcome::Success(Some(n.clone())),
            _ => unexpected(status, body, Message::new("reply.no_code")),
        },
    )
}

/// Reads a reply of `conferences/get`: the conference's ID.
pub fn parse_get(status: u16, body: &[u8]) -> Outcome<u64> {
    parse(status, body).and_then(
        |(_, data)| match id_of(data.as_ref().and_then(|d| d.get("id"))) {
            Some(id) => Outcome::Success(id),
            None => unexpected(status, body, Message::new("reply.conference_no_id")),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_example_reply_is_created_with_its_id() {
        let body = br#"{ "responses":[ { "code":"200", "key":"", "message":"OK" } ], "data":{ "id":123 } }"#;
        assert_eq!(parse_create(200, body), Outcome::Success(Accepted::Id(123)));
        let string_id = br#"{"responses":[{"code":"200"}],"data":{"id":"77"}}"#;
        assert_eq!(
            parse_create(200, string_id),
            Outcome::Success(Accepted::Id(77))
        );
    }

    #[test]
    fn validation_and_every_error_code() {
        let r =
            |code: &str| format!(r#"{{"responses":[{{"code":"{code}","key":"","message":"m"}}]}}"#);
        assert_eq!(
            parse_create(200, r("201").as_bytes()),
            Outcome::Success(Accepted::Validated)
        );
        assert_eq!(
            parse_create(200, r("401").as_bytes()),
            Outcome::BadCredentials
        );
        assert_eq!(parse_create(200, r("402").as_bytes()), Outcome::RoleDenied);
        assert_eq!(
            parse_create(403, r("403").as_bytes()),
            Outcome::RatePlanDenied
        );
        assert_eq!(parse_create(200, r("404").as_bytes()), Outcome::NotFound);
        assert_eq!(parse_login(200, r("202").as_bytes()), Outcome::SecondFactor);
        assert!(
            matches!(parse_create(200, r("500").as_bytes()), Outcome::Unexpected(u) if u.what.to_string().contains("500"))
        );
        assert!(matches!(
            parse_create(200, r("204").as_bytes()),
            Outcome::Unexpected(_)
        ));
    }

    #[test]
    fn every_invalid_entry_is_kept() {
        let body = br#"{"responses":[{"code":"400","key":"code","message":"Code in use"},{"code":"400","key":"talkpin","message":"Bad"}]}"#;
        assert_eq!(
            parse_create(200, body),
            Outcome::Invalid(vec![
                Invalid {
                    key: "code".into(),
                    message: "Code in use".into()
                },
                Invalid {
                    key: "talkpin".into(),
                    message: "Bad".into()
                },
            ])
        );
    }

    #[test]
    fn non_envelopes_are_unexpected_with_status_and_excerpt() {
        let html = b"<html><body>502 Bad Gateway</body></html>";
        match parse_create(502, html) {
            Outcome::Unexpected(u) => {
                assert_eq!(u.status, 502);
                assert_eq!(u.what.to_string(), "a reply that is not JSON");
                assert!(u.excerpt.contains("502 Bad Gateway"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(parse_create(200, b""), Outcome::Unexpected(u) if u.what.to_string() == "an empty reply")
        );
        assert!(
            matches!(parse_create(200, b"{}"), Outcome::Unexpected(u) if u.what.to_string().contains("responses"))
        );
        assert!(matches!(
            parse_create(200, br#"{"responses":[]}"#),
            Outcome::Unexpected(_)
        ));
        assert!(
            matches!(parse_create(200, br#"{"responses":[{"code":"200"}]}"#), Outcome::Unexpected(u) if u.what.to_string().contains("ID"))
        );
        let long = vec![b'x'; 5000];
        assert!(
            matches!(parse_create(200, &long), Outcome::Unexpected(u) if u.excerpt.chars().count() == EXCERPT_CHARS + 1)
        );
    }

    #[test]
    fn login_and_unused_code() {
        let ok = br#"{"responses":[{"code":"200"}],"data":{"auth_token":"a.b.c","auth_token_expiry":3600}}"#;
        assert_eq!(
            parse_login(200, ok),
            Outcome::Success(Token {
                token: "a.b.c".into(),
            })
        );
        assert!(matches!(
            parse_login(200, br#"{"responses":[{"code":"200"}]}"#),
            Outcome::Unexpected(_)
        ));
        let code = br#"{"responses":[{"code":"200"}],"data":{"code":"654321"}}"#;
        assert_eq!(
            parse_unused_code(200, code),
            Outcome::Success(Some("654321".into()))
        );
        let got = br#"{"responses":[{"code":"200"}],"data":{"id":"9","code":"1"}}"#;
        assert_eq!(parse_get(200, got), Outcome::Success(9));
        assert_eq!(
            parse_get(200, br#"{"responses":[{"code":"404"}]}"#),
            Outcome::NotFound
        );
        let none = br#"{"responses":[{"code":"200"}],"data":{"code":""}}"#;
        assert_eq!(parse_unused_code(200, none), Outcome::Success(None));
    }

    #[test]
    fn into_result_keeps_the_success_or_the_refusal() {
        assert_eq!(Outcome::Success(3).into_result(), Ok(3));
        assert_eq!(
            Outcome::<u8>::RoleDenied.into_result(),
            Err(Refusal::RoleDenied)
        );
    }

    #[test]
    fn envelope_written_by_the_server_reads_back() {
        let json = Envelope::ok(Json::object([("id", Json::int(5))])).to_json();
        assert_eq!(
            json,
            r#"{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"id":5}}"#
        );
        assert_eq!(
            parse_create(200, json.as_bytes()),
            Outcome::Success(Accepted::Id(5))
        );
        let err = Envelope::single(400, "code", "That code is in use").to_json();
        assert!(
            matches!(parse_create(200, err.as_bytes()), Outcome::Invalid(v) if v[0].key == "code")
        );
    }
}
