//! Every rule of `conferences/create`, in one place, each with its source.
//!
//! Sources: **[doc]** the vendor's reference page says it; **[ours]** our
//! decision where the vendor is silent (change it here if a real switch proves
//! otherwise; the browser and the server both follow at once).
//!
//! Every value is trimmed before any rule sees it. An empty value means "not
//! given" and takes the API default, except where a value is required.

use chrono::{NaiveDate, NaiveDateTime};

use crate::digits;
use crate::draft::Draft;
use crate::params::{Field, Kind, PARAMS, PINS, START};
use crate::report::{Problem, Report};
use crate::text::Message;

/// Stable machine codes of problems. Clients and tests match on these, never
/// on message texts.
pub mod codes {
    pub const REQUIRED: &str = "required";
    pub const NOT_DIGITS: &str = "not_digits";
    pub const TOO_LONG: &str = "too_long";
    pub const NOT_INTEGER: &str = "not_integer";
    pub const OUT_OF_RANGE: &str = "out_of_range";
    pub const NOT_FLAG: &str = "not_flag";
    pub const NOT_CHOICE: &str = "not_choice";
    pub const CONTROL_CHARS: &str = "control_chars";
    pub const NOT_PHONE: &str = "not_phone";
    pub const NO_PIN: &str = "no_pin";
    pub const SAME_PIN: &str = "same_pin";
    pub const SHORT_PIN: &str = "short_pin";
    pub const COUNT_NEEDS_REPEATS: &str = "count_needs_repeats";
    pub const NEEDS_START: &str = "needs_start";
    pub const NO_SUCH_DATE: &str = "no_such_date";
    pub const START_IN_PAST: &str = "start_in_past";
    pub const MAXIMUM_ONE: &str = "maximum_one";
    pub const WAIT_MUSIC_NO_ADMIN: &str = "wait_music_no_admin";
}

/// A PIN shorter than this is a warning [ours].
pub const MIN_SAFE_PIN_LEN: usize = 4;
/// Years a start may have, besides 0 for "no start date" [ours].
pub const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

/// Checks a draft against every rule that does not depend on the clock.
pub fn validate(draft: &Draft) -> Report {
    check(draft, None)
}

/// [`validate`], plus the warning for a start before `now` (the switch's
/// local time, as far as the caller knows it). The core reads no clock: the
/// browser and the server each pass their own.
pub fn validate_at(draft: &Draft, now: NaiveDateTime) -> Report {
    check(draft, Some(now))
}

fn check(draft: &Draft, now: Option<NaiveDateTime>) -> Report {
    let mut report = Report::default();
    for param in &PARAMS {
        if let Some(problem) = check_value(draft, param.field) {
            report.push(problem);
        }
    }
    check_sign_in(draft, &mut report);
    check_pins(draft, &mut report);
    check_schedule(draft, now, &mut report);
    check_options(draft, &mut report);
    report.finish()
}

/// The whole number a field holds: the default when empty, `None` when it is
/// not a valid, in-range value (that problem is reported by `check_value`).
pub(crate) fn integer(draft: &Draft, field: Field) -> Option<i64> {
    match check_value(draft, field) {
        None => parse_integer(draft.effective(field)).ok(),
        Some(_) => None,
    }
}

#[derive(Debug, PartialEq)]
enum IntError {
    NotInteger,
    /// Digits, but too large for any field.
    Huge,
}

/// [doc] "Integer": an optional sign and ASCII digits, nothing else.
fn parse_integer(s: &str) -> Result<i64, IntError> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IntError::NotInteger);
    }
    s.parse::<i64>().map_err(|_| IntError::Huge)
}

/// Checks one value against its kind in the table.
fn check_value(draft: &Draft, field: Field) -> Option<Problem> {
    let param = field.param();
    // Every message here names the field.
    let say = |id| Message::new(id).field("label", field);
    let too_long = |id, max: usize| (codes::TOO_LONG, say(id).int("max", max as i64));
    let value = draft.trimmed(field);
    // What is wrong, if anything: its code and message (the problem is made
    // in one place, below).
    let found = if value.is_empty() {
        // Required values are checked with their context in check_sign_in
        // and here for the code [doc: "code ... Required: Yes"].
        (field == Field::Code).then(|| (codes::REQUIRED, Message::new("rule.required_code")))
    } else {
        match param.kind {
            Kind::Text { max_chars } => {
                // [ours] one line of text, at most max_chars characters.
                if value.chars().any(char::is_control) {
                    Some((codes::CONTROL_CHARS, say("rule.control_chars")))
                } else if value.chars().count() > max_chars {
                    Some(too_long("rule.too_long_chars", max_chars))
                } else {
                    None
                }
            }
            Kind::Secret => None,
            Kind::Digits { max_len } => {
                // [ours] callers key codes and PINs in on a keypad: digits only.
                if !value.bytes().all(|b| b.is_ascii_digit()) {
                    Some((codes::NOT_DIGITS, say("rule.not_digits")))
                } else if value.len() > max_len {
                    Some(too_long("rule.too_long_digits", max_len))
                } else {
                    None
                }
            }
            Kind::Integer { min, max } => match parse_integer(value) {
                // [doc] integers are integers.
                Err(IntError::NotInteger) => Some((codes::NOT_INTEGER, say("rule.not_integer"))),
                Ok(n)
                    if (min..=max).contains(&n)
                        && (field != Field::Year || n == 0 || YEARS.contains(&n)) =>
                {
                    None
                }
                // [doc] month, day, hour, minute ranges; [ours] the others.
                _ => Some((codes::OUT_OF_RANGE, range_message(field, min, max))),
            },
            // [doc] "1 to ..., 0 not to".
            Kind::Flag => {
                (value != "0" && value != "1").then(|| (codes::NOT_FLAG, say("rule.not_flag")))
            }
            Kind::Choice(choices) => (!choices.contains(&value)).then(|| {
                // [doc] the listed words, or empty.
                let words: Vec<&str> = choices.iter().copied().filter(|v| !v.is_empty()).collect();
                (
                    codes::NOT_CHOICE,
                    say("rule.not_choice").text("choices", words.join(", ")),
                )
            }),
            Kind::Phone { max_len } => {
                // [ours] digits with one optional leading +.
                let digits = value.strip_prefix('+').unwrap_or(value);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    Some((codes::NOT_PHONE, say("rule.not_phone")))
                } else if value.len() > max_len {
                    Some(too_long("rule.too_long_chars", max_len))
                } else {
                    None
                }
            }
        }
    };
    found.map(|(code, message)| Problem::error(&[field], code, message))
}

fn range_message(field: Field, min: i64, max: i64) -> Message {
    let id = match field {
        // Years are not quantities: no thousands separator, whatever the language.
        Field::Year => {
            return Message::new("rule.year_range")
                .text("min", digits::signed(*YEARS.start()))
                .text("max", digits::signed(*YEARS.end()))
        }
        _ if max == crate::params::MAX_ID => "rule.id_range",
        _ => "rule.range",
    };
    Message::new(id)
        .field("label", field)
        .int("min", min)
        .int("max", max)
}

/// [doc] username and password on every call, unless a token is used (4.1+).
fn check_sign_in(draft: &Draft, report: &mut Report) {
    if !draft.trimmed(Field::AuthToken).is_empty() {
        return;
    }
    if draft.trimmed(Field::AuthUsername).is_empty() {
        report.push(Problem::error(
            &[Field::AuthUsername],
            codes::REQUIRED,
            Message::new("rule.required_username"),
        ));
    }
    // A password is not trimmed: spaces may be part of it.
    if draft.get(Field::AuthPassword).is_empty() {
        report.push(Problem::error(
            &[Field::AuthPassword],
            codes::REQUIRED,
            Message::new("rule.required_password"),
        ));
    }
}

fn check_pins(draft: &Draft, report: &mut Report) {
    let pins: Vec<(Field, &str)> = PINS
        .iter()
        .map(|&f| (f, draft.trimmed(f)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    // [doc] "At least one PIN must be set."
    if pins.is_empty() {
        report.push(Problem::error(
            &PINS,
            codes::NO_PIN,
            Message::new("rule.no_pin"),
        ));
    }
    // [doc] "No two PINs may be identical."
    for (i, &(a, pin_a)) in pins.iter().enumerate() {
        for &(b, pin_b) in &pins[i + 1..] {
            if pin_a == pin_b {
                report.push(Problem::error(
                    &[b, a],
                    codes::SAME_PIN,
                    Message::new("rule.same_pin")
                        .field("label", b)
                        .field("other", a),
                ));
            }
        }
    }
    // [ours] short PINs are easy to guess; allowed, but worth a word.
    for &(field, pin) in &pins {
        if pin.len() < MIN_SAFE_PIN_LEN && check_value(draft, field).is_none() {
            report.push(Problem::warning(
                &[field],
                codes::SHORT_PIN,
                Message::new("rule.short_pin")
                    .field("label", field)
                    .int("min", MIN_SAFE_PIN_LEN as i64),
            ));
        }
    }
}

fn check_schedule(draft: &Draft, now: Option<NaiveDateTime>, report: &mut Report) {
    let repeats = draft.effective(Field::Repeats);
    // An unknown word is reported on its own; it repeats nothing.
    let repeating = !repeats.is_empty() && check_value(draft, Field::Repeats).is_none();
    let count = integer(draft, Field::Count);
    let year = integer(draft, Field::Year);

    // [ours] several conferences need an interval between them.
    if count.is_some_and(|c| c > 1) && repeats.is_empty() {
        report.push(Problem::error(
            &[Field::Count, Field::Repeats],
            codes::COUNT_NEEDS_REPEATS,
            Message::new("rule.count_needs_repeats"),
        ));
    }
    // [ours] a repeat is counted from a start date.
    if year == Some(0) {
        let mut fields = vec![Field::Year];
        if repeating {
            fields.push(Field::Repeats);
        }
        if count.is_some_and(|c| c > 1) {
            fields.push(Field::Count);
        }
        if fields.len() > 1 {
            report.push(Problem::error(
                &fields,
                codes::NEEDS_START,
                Message::new("rule.needs_start"),
            ));
        }
    }
    // [ours] the date must exist: no 30 February, 29 February only in leap years.
    if let Some(start) = start(draft) {
        if let (Some(now), Ok(start)) = (now, start) {
            if start < now {
                report.push(Problem::warning(
                    &START,
                    codes::START_IN_PAST,
                    Message::new("rule.start_in_past"),
                ));
            }
        } else if start.is_err() {
            report.push(Problem::error(
                &[Field::Year, Field::Month, Field::Day],
                codes::NO_SUCH_DATE,
                Message::new("rule.no_such_date"),
            ));
        }
    }
}

/// The start the draft asks for: `None` for no start date (year 0) or when a
/// part of it is not valid on its own; `Some(Err)` for a date that does not exist.
pub(crate) fn start(draft: &Draft) -> Option<Result<NaiveDateTime, ()>> {
    let year = integer(draft, Field::Year)?;
    if year == 0 {
        return None;
    }
    let [month, day, hour, minute] =
        [Field::Month, Field::Day, Field::Hour, Field::Minute].map(|f| integer(draft, f));
    let (month, day, hour, minute) = (month?, day?, hour?, minute?);
    // The ranges were checked, so these conversions cannot fail.
    Some(
        NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
            .and_then(|d| d.and_hms_opt(hour as u32, minute as u32, 0))
            .ok_or(()),
    )
}

fn check_options(draft: &Draft, report: &mut Report) {
    // [ours] a maximum of 1 is a conference of one.
    if integer(draft, Field::Maximum) == Some(1) {
        report.push(Problem::warning(
            &[Field::Maximum],
            codes::MAXIMUM_ONE,
            Message::new("rule.maximum_one"),
        ));
    }
    // [ours] music until an administrator joins, with no way to join as one.
    if draft.effective(Field::WaitMusic) == "1" && draft.trimmed(Field::AdminPin).is_empty() {
        report.push(Problem::warning(
            &[Field::WaitMusic, Field::AdminPin],
            codes::WAIT_MUSIC_NO_ADMIN,
            Message::new("rule.wait_music_no_admin"),
        ));
    }
}
