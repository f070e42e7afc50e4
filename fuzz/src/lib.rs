//! Structured inputs for the fuzz targets, read from libFuzzer's bytes through
//! `arbitrary`.
//!
//! Random strings almost never get past the first rule a field has, so a
//! draft here is a base (a valid draft, the form's defaults, or nothing) and a
//! list of edits whose values are chosen to sit near each rule's edge: digits,
//! small and boundary numbers, the repeats words, padded values, look-alike
//! characters, copies of another field (identical PINs), or raw bytes.
//! [`encode_draft`] is the inverse for raw edits, so the unit tests' cases can
//! be written as seeds.

use arbitrary::{Arbitrary, Result, Unstructured};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use conference::json::Json;
use conference::{Draft, Field, Kind, PARAMS};

fn byte(u: &mut Unstructured) -> Result<u8> {
    u8::arbitrary(u)
}

/// Up to `n` bytes: fewer when the input runs out.
fn take<'a>(u: &mut Unstructured<'a>, n: usize) -> Result<&'a [u8]> {
    let n = n.min(u.len());
    u.bytes(n)
}

/// What an edit writes into a field (the byte after the field's index).
pub mod tag {
    pub const DEFAULT: u8 = 0;
    pub const EMPTY: u8 = 1;
    pub const NEAR: u8 = 2;
    pub const PADDED: u8 = 3;
    pub const EDGE: u8 = 4;
    pub const SMALL: u8 = 5;
    pub const DIGITS: u8 = 6;
    pub const REPEATS: u8 = 7;
    pub const RAW: u8 = 8;
    pub const COPY: u8 = 9;
    pub const LOOKALIKE: u8 = 10;
    pub const BIG: u8 = 11;
    pub const COUNT: u8 = 12;
}

/// The valid draft the rules tests start from.
pub fn valid_base() -> Draft {
    Draft::new()
        .with(Field::AuthUsername, "demo")
        .with(Field::AuthPassword, "demo")
        .with(Field::Code, "123456")
        .with(Field::TalkPin, "234567")
}

/// Whitespace `trim` removes (and U+200B and U+FEFF, which it does not).
const PADDING: &[&str] = &[
    " ", "\t", "  ", "\u{a0}", "\u{3000}", "\n", "\r\n", "\u{200b}", "\u{feff}", "\u{85}",
];

/// Texts near a rule: at the edges of numbers, years, dates, signs.
const COMMON: &[&str] = &[
    "0",
    "1",
    "-1",
    "+1",
    "-0",
    "+0",
    "00",
    "007",
    "+",
    "-",
    "+-1",
    "--1",
    "1.5",
    "1e3",
    "0x1F",
    " 1 2 ",
    "2096",
    "2100",
    "2101",
    "1999",
    "29",
    "30",
    "31",
    "32",
    "12",
    "13",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999",
];

/// Digits that are not ASCII digits, controls, and other traps.
const LOOKALIKES: &[&str] = &[
    "١٢٣٤",
    "１２３４",
    "²",
    "½",
    "Ⅻ",
    "𝟙𝟚𝟛",
    "0\u{301}",
    "+\u{663}",
    "\u{202e}1234",
    "a\u{0}b",
    "\u{85}",
    "😀",
    "é",
    "Weekly sync — all staff",
];

const REPEATS_WORDS: &[&str] = &[
    "daily",
    "weekly",
    "2_weekly",
    "monthly",
    "2_monthly",
    "",
    "Daily",
    "WEEKLY",
    "yearly",
    "2_daily",
    "monthly\u{0}",
];

fn pick<T: Copy>(items: &[T], r: u8) -> T {
    items[usize::from(r) % items.len()]
}

/// A value that passes the field's own rule, or just misses it.
fn near(field: Field, r: u8) -> String {
    let digits = |n: usize| -> String {
        (0..n)
            .map(|i| char::from(b'0' + ((usize::from(r) + i * 7) % 10) as u8))
            .collect()
    };
    match field.param().kind {
        Kind::Text { max_chars } => match r % 6 {
            0 => "x".repeat(max_chars),
            1 => "é".repeat(max_chars + 1),
            _ => pick(LOOKALIKES, r / 6).to_owned(),
        },
        Kind::Secret => pick(&["demo", "tok", "pass word", " "], r).to_owned(),
        Kind::Digits { max_len } => digits(1 + usize::from(r) % (max_len + 1)),
        Kind::Integer { .. } if field == Field::Year => match r {
            0..=31 => "0".to_owned(),
            _ => (2000 + i64::from(r) % 101).to_string(),
        },
        Kind::Integer { min, max } => (min + i64::from(r) % (max - min + 1).min(256)).to_string(),
        Kind::Flag => (r % 2).to_string(),
        Kind::Choice(choices) => pick(choices, r).to_string(),
        Kind::Phone { max_len } => {
            let plus = if r & 1 == 1 { "+" } else { "" };
            format!("{plus}{}", digits(usize::from(r >> 1) % (max_len + 2)))
        }
    }
}

/// The field's own boundaries first, then the common edges.
fn edge(field: Field, r: u8) -> String {
    let mut edges: Vec<String> = match field.param().kind {
        Kind::Integer { min, max } => [min - 1, min, max, max + 1]
            .iter()
            .map(i64::to_string)
            .collect(),
        Kind::Digits { max_len } => vec!["1".repeat(max_len), "1".repeat(max_len + 1)],
        Kind::Phone { max_len } => vec![
            format!("+{}", "1".repeat(max_len - 1)),
            format!("+{}", "1".repeat(max_len)),
            "1".repeat(max_len + 1),
        ],
        Kind::Text { max_chars } => vec!["é".repeat(max_chars), "x".repeat(max_chars + 1)],
        _ => Vec::new(),
    };
    edges.extend(COMMON.iter().map(|s| (*s).to_owned()));
    edges.swap_remove(usize::from(r) % edges.len())
}

fn value(u: &mut Unstructured, draft: &Draft, field: Field) -> Result<String> {
    Ok(match byte(u)? % tag::COUNT {
        tag::DEFAULT => field.param().default.to_owned(),
        tag::EMPTY => String::new(),
        tag::NEAR => near(field, byte(u)?),
        tag::PADDED => {
            let pad = pick(PADDING, byte(u)?);
            format!("{pad}{}{pad}", near(field, byte(u)?))
        }
        tag::EDGE => edge(field, byte(u)?),
        tag::SMALL => i16::from_le_bytes([byte(u)?, byte(u)?]).to_string(),
        tag::DIGITS => {
            let n = usize::from(byte(u)?) % 25;
            take(u, n)?
                .iter()
                .map(|b| char::from(b'0' + b % 10))
                .collect()
        }
        tag::REPEATS => pick(REPEATS_WORDS, byte(u)?).to_owned(),
        tag::RAW => {
            let n = usize::from(byte(u)?);
            String::from_utf8_lossy(take(u, n)?).into_owned()
        }
        tag::COPY => draft
            .get(PARAMS[usize::from(byte(u)?) % Field::COUNT].field)
            .to_owned(),
        tag::LOOKALIKE => pick(LOOKALIKES, byte(u)?).to_owned(),
        _ => {
            let mut b = [0; 8];
            for x in &mut b {
                *x = byte(u)?;
            }
            i64::from_le_bytes(b).to_string()
        }
    })
}

/// A draft: a base and up to 32 edits (see the module's doc).
#[derive(Debug)]
pub struct FuzzDraft(pub Draft);

impl<'a> Arbitrary<'a> for FuzzDraft {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut draft = match byte(u)? % 3 {
            0 => valid_base(),
            1 => Draft::new(),
            _ => Draft::empty(),
        };
        for _ in 0..byte(u)? % 33 {
            let field = PARAMS[usize::from(byte(u)?) % Field::COUNT].field;
            let value = value(u, &draft, field)?;
            draft.set(field, value);
        }
        Ok(FuzzDraft(draft))
    }
}

/// The bytes [`FuzzDraft`] reads as `base` (0 valid, 1 defaults, 2 empty)
/// with these values written raw: how the unit tests' cases become seeds.
pub fn encode_draft(base: u8, edits: &[(Field, &str)]) -> Vec<u8> {
    assert!(edits.len() <= 32 && base < 3);
    let mut out = vec![base, edits.len() as u8];
    for (field, value) in edits {
        let len = u8::try_from(value.len()).expect("a raw value is at most 255 bytes");
        out.extend([*field as u8, tag::RAW, len]);
        out.extend_from_slice(value.as_bytes());
    }
    out
}

/// The clock `validate_at` is given: the rules tests' noon, or any minute
/// from 2000 to 2100 (the years a start may have).
#[derive(Debug)]
pub struct Now(pub NaiveDateTime);

/// 2000-01-01 and 2101-01-01 as Unix seconds.
const FIRST: i64 = 946_684_800;
const LAST: i64 = 4_133_980_800;

impl<'a> Arbitrary<'a> for Now {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if byte(u)? % 4 == 0 {
            let noon = NaiveDate::from_ymd_opt(2026, 11, 27)
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .expect("a real date");
            return Ok(Now(noon));
        }
        let minutes = i64::from(u32::arbitrary(u)?) % ((LAST - FIRST) / 60);
        let at = DateTime::from_timestamp(FIRST + minutes * 60, 0).expect("in chrono's range");
        Ok(Now(at.naive_utc()))
    }
}

/// Any JSON value the writer can write, at most 6 deep.
#[derive(Debug)]
pub struct FuzzJson(pub Json);

impl<'a> Arbitrary<'a> for FuzzJson {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        json(u, 0).map(FuzzJson)
    }
}

fn json(u: &mut Unstructured, depth: usize) -> Result<Json> {
    let kinds = if depth >= 6 { 4 } else { 6 };
    Ok(match byte(u)? % kinds {
        0 => Json::Null,
        1 => Json::Bool(byte(u)? & 1 == 1),
        2 => Json::Number(number(u)?),
        3 => Json::String(String::arbitrary(u)?),
        4 => Json::Array(
            (0..byte(u)? % 5)
                .map(|_| json(u, depth + 1))
                .collect::<Result<_>>()?,
        ),
        _ => Json::Object(
            (0..byte(u)? % 5)
                .map(|_| Ok((String::arbitrary(u)?, json(u, depth + 1)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

/// A number in any of JSON's forms: sign, fraction, exponent.
fn number(u: &mut Unstructured) -> Result<String> {
    let form = byte(u)?;
    let mut n = String::new();
    if form & 1 == 1 {
        n.push('-');
    }
    n.push_str(&u64::arbitrary(u)?.to_string());
    if form & 2 == 2 {
        n.push_str(&format!(".{}", u32::arbitrary(u)?));
    }
    if form & 4 == 4 {
        n.push(if form & 8 == 8 { 'e' } else { 'E' });
        n.push_str(pick(&["", "+", "-"], form >> 4));
        n.push_str(&u16::arbitrary(u)?.to_string());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_seeds_read_back_as_their_drafts() {
        let edits = [(Field::Code, " 12a "), (Field::Description, "é\n")];
        let bytes = encode_draft(0, &edits);
        let FuzzDraft(draft) = FuzzDraft::arbitrary_take_rest(Unstructured::new(&bytes)).unwrap();
        let expected = valid_base()
            .with(Field::Code, " 12a ")
            .with(Field::Description, "é\n");
        assert_eq!(draft, expected);
        let FuzzDraft(empty) = FuzzDraft::arbitrary_take_rest(Unstructured::new(&[])).unwrap();
        assert_eq!(empty, valid_base());
    }

    #[test]
    fn near_and_edge_values_exist_for_every_field_and_byte() {
        for field in Field::all() {
            for r in 0..=u8::MAX {
                let _ = (near(field, r), edge(field, r));
            }
        }
    }
}

/// The committed seed corpus, written from the core's unit tests' inputs:
/// `cargo test --manifest-path fuzz/Cargo.toml -- --ignored write_seeds`.
/// Inputs that once broke something are added beside them by hand.
#[cfg(test)]
mod seeds {
    use super::*;
    use std::path::Path;
    use Field::*;

    /// The fail side of each case in crates/conference/tests/rules.rs.
    #[rustfmt::skip]
    const RULE_CASES: &[&[(Field, &str)]] = &[
        &[(Code, "")], &[(Code, "   ")], &[(Code, "12a4")], &[(Code, "+123")], &[(Code, "١٢٣")],
        &[(Code, "123456789012345678901")], &[(AdminPin, "12 34")], &[(ListenPin, "77-77")],
        &[(ListenPin, "123456789012345678901")], &[(TalkPin, "")], &[(TalkPin, "  ")],
        &[(AdminPin, "234567")], &[(AdminPin, "1111"), (ListenPin, "1111")], &[(ListenPin, " 234567 ")],
        &[(TalkPin, "123")], &[(Repeats, "yearly")], &[(Repeats, "Daily")],
        &[(Month, "0")], &[(Month, "13")], &[(Day, "32")], &[(Hour, "24")], &[(Hour, "-1")], &[(Minute, "60")],
        &[(Duration, "30.5")], &[(Maximum, "ten")], &[(Owner, "99999999999999999999999")],
        &[(Panel, "2")], &[(PlayJoin, "yes")], &[(Validation, "true")], &[(Count, "0")],
        &[(Count, "1001"), (Repeats, "daily"), (Year, "2099")], &[(Count, "3"), (Year, "2099")],
        &[(Repeats, "weekly")], &[(Count, "2"), (Repeats, "daily"), (Year, "0")],
        &[(Year, "1999")], &[(Year, "2101")], &[(Year, "1")],
        &[(Year, "2099"), (Month, "2"), (Day, "30")], &[(Year, "2100"), (Month, "2"), (Day, "29")],
        &[(Year, "2099"), (Month, "4"), (Day, "31")], &[(Duration, "525601")], &[(Duration, "-5")],
        &[(Maximum, "10001")], &[(Maximum, "1")], &[(Owner, "-1")], &[(Customer, "0")], &[(Customer, "x")],
        &[(CallerId, "0123 456")], &[(CallerId, "++44")], &[(CallerId, "+")],
        &[(CallerId, "+12345678901234567890123456789012")], &[(Description, "line\nbreak")],
        &[(Description, "a\tb")], &[(WaitMusic, "1")], &[(AuthUsername, " ")], &[(AuthPassword, "")],
        // A start on the tests' clock, an hour before it (past) and after.
        &[(Year, "2026"), (Month, "11"), (Day, "27"), (Hour, "11")],
        &[(Year, "2026"), (Month, "11"), (Day, "27"), (Hour, "13"), (Repeats, "monthly"), (Count, "1000")],
        // The criterion benchmark's full draft.
        &[(AdminPin, "9876"), (ListenPin, "345678"), (Year, "2027"), (Month, "1"), (Day, "31"),
          (Hour, "9"), (Minute, "30"), (Duration, "60"), (Repeats, "monthly"), (Count, "12"),
          (Description, "Monthly all-hands, with the board"), (Owner, "12"), (Customer, "3"),
          (CallerId, "+441234567890"), (Maximum, "50"), (Panel, "1"), (PlayJoin, "1"),
          (RecordName, "1"), (WaitMusic, "1")],
        // Surrounding whitespace, and a token instead of a password.
        &[(Code, "  123  "), (Month, " 12 "), (CallerId, " +44 "), (Panel, " 1 ")],
        &[(AuthUsername, ""), (AuthPassword, ""), (AuthToken, "t.k")],
    ];

    /// Bodies and query strings from form.rs, request.rs and the server's tests.
    const FORMS: &[&str] = &[
        "code=123;talkpin=45&description=a+b%21;;flag",
        "code=1%2",
        "code=%zz1",
        "description=%FF",
        "code=1&code=2",
        "code=1&colour=red",
        "a+b=x%26y%3Dz%3B%C3%A9%2B%25",
        "auth_username=demo&auth_password=demo&code=123456&talkpin=234567",
        "auth_token=t.k&code=123456&talkpin=234567&validation=1",
        "auth_username=demo;auth_password=demo;code=123456;talkpin=234567;year=2027;month=3;day=4;\
         hour=5;minute=6;repeats=weekly;count=3;customer=9;panel=1;description=Team+call",
        "=",
        "%",
        "&&;;==",
    ];

    /// Replies from reply.rs and json.rs, with their HTTP status.
    const REPLIES: &[(u16, &str)] = &[
        (
            200,
            r#"{ "responses":[ { "code":"200", "key":"", "message":"OK" } ], "data":{ "id":123 } }"#,
        ),
        (200, r#"{"responses":[{"code":"200"}],"data":{"id":"77"}}"#),
        (
            200,
            r#"{"responses":[{"code":"201","key":"","message":"m"}]}"#,
        ),
        (
            403,
            r#"{"responses":[{"code":"403","key":"","message":"m"}]}"#,
        ),
        (
            200,
            r#"{"responses":[{"code":"202","key":"","message":"m"}]}"#,
        ),
        (
            200,
            r#"{"responses":[{"code":400,"key":"code","message":"Code in use"},{"code":"400","key":"talkpin","message":"Bad"}]}"#,
        ),
        (502, "<html><body>502 Bad Gateway</body></html>"),
        (200, ""),
        (200, "{}"),
        (200, r#"{"responses":[]}"#),
        (
            200,
            r#"{"responses":[{"code":"200"}],"data":{"auth_token":"a.b.c","auth_token_expiry":3600}}"#,
        ),
        (
            200,
            r#"{"responses":[{"code":"200"}],"data":{"code":"654321"}}"#,
        ),
        (200, r#"{"responses":[{"code":"200"}],"data":{"code":12}}"#),
        (
            200,
            r#" {"a":[1,-2.5e3,true,false,null],"b":"x\"\\\/\n\u00e9\ud83d\ude00","a":{}} "#,
        ),
        (
            200,
            r#"{"s":"a\"b\\c\n\u0001\u003c/script>","n":-5,"l":[null,true]}"#,
        ),
        (200, r#""\ud800""#),
        (
            200,
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ),
        (200, "99999999999999999999999"),
    ];

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    #[test]
    #[ignore = "writes the seed corpus"]
    fn write_seeds() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for (i, edits) in RULE_CASES.iter().enumerate() {
            let draft = encode_draft(0, edits);
            // Now: byte 0 picks the rules tests' clock.
            write(
                &corpus.join("validate"),
                &format!("rules-{i:02}"),
                &[&[0], &draft[..]].concat(),
            );
            // Variant 0 (a draft), validation off.
            write(
                &corpus.join("roundtrip"),
                &format!("rules-{i:02}"),
                &[&[0, 0, 0, 0, 0], &draft[..]].concat(),
            );
        }
        for (i, form) in FORMS.iter().enumerate() {
            write(
                &corpus.join("form_decode"),
                &format!("tests-{i:02}"),
                form.as_bytes(),
            );
        }
        for (i, (status, body)) in REPLIES.iter().enumerate() {
            let bytes = [&status.to_be_bytes()[..], body.as_bytes()].concat();
            write(&corpus.join("reply"), &format!("tests-{i:02}"), &bytes);
            // Variant 3 of 5 (JSON text): a u32 of 0xA000_0000, little-endian.
            let text = [&[0, 0, 0, 0xA0][..], body.as_bytes()].concat();
            write(&corpus.join("roundtrip"), &format!("json-{i:02}"), &text);
        }
    }
}
