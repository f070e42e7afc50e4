//! Every rule of the design's list, each with a passing and a failing case.
//! A case starts from a valid draft, changes a few fields, and checks that the
//! rule's code is absent (pass) or present with its fields and severity (fail).

use chrono::NaiveDate;
use conference::{codes, validate, validate_at, Draft, Field, Severity};

use Field::*;
use Severity::{Error, Warning};

struct Case {
    rule: &'static str,
    pass: &'static [(Field, &'static str)],
    fail: &'static [(Field, &'static str)],
    code: &'static str,
    fields: &'static [Field],
    severity: Severity,
}

fn base() -> Draft {
    Draft::new()
        .with(AuthUsername, "demo")
        .with(AuthPassword, "demo")
        .with(Code, "123456")
        .with(TalkPin, "234567")
}

fn apply(changes: &[(Field, &str)]) -> Draft {
    changes.iter().fold(base(), |d, &(f, v)| d.with(f, v))
}

const fn case(
    rule: &'static str,
    pass: &'static [(Field, &'static str)],
    fail: &'static [(Field, &'static str)],
    code: &'static str,
    fields: &'static [Field],
    severity: Severity,
) -> Case {
    Case {
        rule,
        pass,
        fail,
        code,
        fields,
        severity,
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // [doc] code is required.
    case("code required", &[(Code, "1")], &[(Code, "")], codes::REQUIRED, &[Code], Error),
    case("code required, blank", &[(Code, " 7 ")], &[(Code, "   ")], codes::REQUIRED, &[Code], Error),
    // [ours] code: digits only, 1 to 20.
    case("code digits", &[(Code, "0123")], &[(Code, "12a4")], codes::NOT_DIGITS, &[Code], Error),
    case("code digits, no sign", &[(Code, "9")], &[(Code, "+123")], codes::NOT_DIGITS, &[Code], Error),
    case("code digits, ASCII only", &[(Code, "45")], &[(Code, "١٢٣")], codes::NOT_DIGITS, &[Code], Error),
    case("code length", &[(Code, "12345678901234567890")], &[(Code, "123456789012345678901")], codes::TOO_LONG, &[Code], Error),
    // [ours] PINs: digits only, at most 20.
    case("admin PIN digits", &[(AdminPin, "0001")], &[(AdminPin, "12 34")], codes::NOT_DIGITS, &[AdminPin], Error),
    case("talk PIN digits", &[(TalkPin, "5555")], &[(TalkPin, "abcd")], codes::NOT_DIGITS, &[TalkPin], Error),
    case("listen PIN digits", &[(ListenPin, "7777")], &[(ListenPin, "77-77")], codes::NOT_DIGITS, &[ListenPin], Error),
    case("PIN length", &[(ListenPin, "12345678901234567890")], &[(ListenPin, "123456789012345678901")], codes::TOO_LONG, &[ListenPin], Error),
    // [doc] at least one PIN.
    case("at least one PIN", &[(TalkPin, ""), (ListenPin, "8888")], &[(TalkPin, "")], codes::NO_PIN, &[AdminPin, TalkPin, ListenPin], Error),
    case("at least one PIN, blanks", &[(TalkPin, ""), (AdminPin, "8888")], &[(TalkPin, "  ")], codes::NO_PIN, &[AdminPin, TalkPin, ListenPin], Error),
    // [doc] no two PINs identical: each pair, naming both.
    case("talk differs from admin", &[(AdminPin, "1111")], &[(AdminPin, "234567")], codes::SAME_PIN, &[TalkPin, AdminPin], Error),
    case("listen differs from admin", &[(AdminPin, "1111"), (ListenPin, "2222")], &[(AdminPin, "1111"), (ListenPin, "1111")], codes::SAME_PIN, &[ListenPin, AdminPin], Error),
    case("listen differs from talk", &[(ListenPin, "2222")], &[(ListenPin, " 234567 ")], codes::SAME_PIN, &[ListenPin, TalkPin], Error),
    // [ours] a PIN shorter than 4 digits is a warning.
    case("short PIN", &[(TalkPin, "1234")], &[(TalkPin, "123")], codes::SHORT_PIN, &[TalkPin], Warning),
    // [doc] repeats: the listed words or empty.
    case("repeats words", &[(Repeats, "2_monthly"), (Year, "2099")], &[(Repeats, "yearly")], codes::NOT_CHOICE, &[Repeats], Error),
    case("repeats case", &[(Repeats, "daily"), (Year, "2099")], &[(Repeats, "Daily")], codes::NOT_CHOICE, &[Repeats], Error),
    // [doc] month 1-12, day 1-31, hour 0-23, minute 0-59.
    case("month range low", &[(Month, "1")], &[(Month, "0")], codes::OUT_OF_RANGE, &[Month], Error),
    case("month range high", &[(Month, "12")], &[(Month, "13")], codes::OUT_OF_RANGE, &[Month], Error),
    case("day range low", &[(Day, "1")], &[(Day, "0")], codes::OUT_OF_RANGE, &[Day], Error),
    case("day range high", &[(Day, "31")], &[(Day, "32")], codes::OUT_OF_RANGE, &[Day], Error),
    case("hour range", &[(Hour, "23")], &[(Hour, "24")], codes::OUT_OF_RANGE, &[Hour], Error),
    case("hour range low", &[(Hour, "0")], &[(Hour, "-1")], codes::OUT_OF_RANGE, &[Hour], Error),
    case("minute range", &[(Minute, "59")], &[(Minute, "60")], codes::OUT_OF_RANGE, &[Minute], Error),
    // [doc] integers are integers.
    case("integer", &[(Duration, "+30")], &[(Duration, "30.5")], codes::NOT_INTEGER, &[Duration], Error),
    case("integer, words", &[(Maximum, "10")], &[(Maximum, "ten")], codes::NOT_INTEGER, &[Maximum], Error),
    case("integer, huge", &[(Owner, "2147483647")], &[(Owner, "99999999999999999999999")], codes::OUT_OF_RANGE, &[Owner], Error),
    // [doc] flags are 0 or 1.
    case("flag", &[(Panel, "1")], &[(Panel, "2")], codes::NOT_FLAG, &[Panel], Error),
    case("flag, words", &[(PlayJoin, "0")], &[(PlayJoin, "yes")], codes::NOT_FLAG, &[PlayJoin], Error),
    case("flag, validation", &[(Validation, "1")], &[(Validation, "true")], codes::NOT_FLAG, &[Validation], Error),
    // [ours] count 1 to 1000.
    case("count range low", &[(Count, "1")], &[(Count, "0")], codes::OUT_OF_RANGE, &[Count], Error),
    case("count range high", &[(Count, "1000"), (Repeats, "daily"), (Year, "2099")], &[(Count, "1001"), (Repeats, "daily"), (Year, "2099")], codes::OUT_OF_RANGE, &[Count], Error),
    // [ours] count above 1 needs a repeat interval.
    case("count needs repeats", &[(Count, "3"), (Repeats, "weekly"), (Year, "2099")], &[(Count, "3"), (Year, "2099")], codes::COUNT_NEEDS_REPEATS, &[Count, Repeats], Error),
    // [ours] a repeat interval or a count above 1 needs a start date.
    case("repeats need a start", &[(Repeats, "weekly"), (Year, "2099")], &[(Repeats, "weekly")], codes::NEEDS_START, &[Year, Repeats], Error),
    case("count needs a start", &[(Count, "2"), (Repeats, "daily"), (Year, "2099")], &[(Count, "2"), (Repeats, "daily"), (Year, "0")], codes::NEEDS_START, &[Year, Repeats, Count], Error),
    // [ours] year 0, or 2000 to 2100.
    case("year zero", &[(Year, "0")], &[(Year, "1999")], codes::OUT_OF_RANGE, &[Year], Error),
    case("year high", &[(Year, "2100")], &[(Year, "2101")], codes::OUT_OF_RANGE, &[Year], Error),
    case("year low", &[(Year, "2000")], &[(Year, "1")], codes::OUT_OF_RANGE, &[Year], Error),
    // [ours] the date must exist.
    case("no 30 February", &[(Year, "2099"), (Month, "2"), (Day, "28")], &[(Year, "2099"), (Month, "2"), (Day, "30")], codes::NO_SUCH_DATE, &[Year, Month, Day], Error),
    case("29 February in leap years only", &[(Year, "2096"), (Month, "2"), (Day, "29")], &[(Year, "2100"), (Month, "2"), (Day, "29")], codes::NO_SUCH_DATE, &[Year, Month, Day], Error),
    case("31 April", &[(Year, "2099"), (Month, "4"), (Day, "30")], &[(Year, "2099"), (Month, "4"), (Day, "31")], codes::NO_SUCH_DATE, &[Year, Month, Day], Error),
    // [ours] duration 0 to 525600.
    case("duration range", &[(Duration, "525600")], &[(Duration, "525601")], codes::OUT_OF_RANGE, &[Duration], Error),
    case("duration negative", &[(Duration, "0")], &[(Duration, "-5")], codes::OUT_OF_RANGE, &[Duration], Error),
    // [ours] maximum 0 to 10000; 1 is a warning.
    case("maximum range", &[(Maximum, "10000")], &[(Maximum, "10001")], codes::OUT_OF_RANGE, &[Maximum], Error),
    case("maximum one", &[(Maximum, "2")], &[(Maximum, "1")], codes::MAXIMUM_ONE, &[Maximum], Warning),
    // [ours] owner 0 or more; customer, when given, 1 or more.
    case("owner range", &[(Owner, "0")], &[(Owner, "-1")], codes::OUT_OF_RANGE, &[Owner], Error),
    case("customer range", &[(Customer, "1")], &[(Customer, "0")], codes::OUT_OF_RANGE, &[Customer], Error),
    case("customer integer", &[(Customer, "")], &[(Customer, "x")], codes::NOT_INTEGER, &[Customer], Error),
    // [ours] caller ID: digits with one optional leading +, at most 32.
    case("caller ID format", &[(CallerId, "+441234567890")], &[(CallerId, "0123 456")], codes::NOT_PHONE, &[CallerId], Error),
    case("caller ID, one plus", &[(CallerId, "441234")], &[(CallerId, "++44")], codes::NOT_PHONE, &[CallerId], Error),
    case("caller ID, plus alone", &[(CallerId, "")], &[(CallerId, "+")], codes::NOT_PHONE, &[CallerId], Error),
    case("caller ID length", &[(CallerId, "+1234567890123456789012345678901")], &[(CallerId, "+12345678901234567890123456789012")], codes::TOO_LONG, &[CallerId], Error),
    // [ours] description: at most 255 characters, no control characters.
    case("description control", &[(Description, "Weekly sync — all staff")], &[(Description, "line\nbreak")], codes::CONTROL_CHARS, &[Description], Error),
    case("description tab", &[(Description, "a b")], &[(Description, "a\tb")], codes::CONTROL_CHARS, &[Description], Error),
    // [ours] wait_music without an admin PIN: warning.
    case("wait music needs admin", &[(WaitMusic, "1"), (AdminPin, "9999")], &[(WaitMusic, "1")], codes::WAIT_MUSIC_NO_ADMIN, &[WaitMusic, AdminPin], Warning),
    // [doc] credentials on every call, unless a token is given.
    case("username required", &[(AuthUsername, ""), (AuthToken, "tok")], &[(AuthUsername, " ")], codes::REQUIRED, &[AuthUsername], Error),
    case("password required", &[(AuthPassword, " ")], &[(AuthPassword, "")], codes::REQUIRED, &[AuthPassword], Error),
];

#[test]
fn the_base_draft_is_clean() {
    let report = validate(&base());
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn every_rule_passes_and_fails() {
    let mut failures = Vec::new();
    for case in CASES {
        let passing = validate(&apply(case.pass));
        if passing.has(case.code) && passing.problems.iter().any(|p| p.fields == case.fields) {
            failures.push(format!("{}: pass side reported {passing:?}", case.rule));
        }
        let failing = validate(&apply(case.fail));
        let found = failing
            .problems
            .iter()
            .find(|p| p.code == case.code && p.fields == case.fields);
        match found {
            Some(p) if p.severity == case.severity => {
                let message = p.message.to_string();
                assert!(!message.is_empty() && !message.contains('{'));
                for word in ["invalid", "Invalid", "please", "Please"] {
                    assert!(
                        !message.contains(word),
                        "{}: message says {word:?}",
                        case.rule
                    );
                }
            }
            _ => failures.push(format!("{}: fail side reported {failing:?}", case.rule)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn long_description_counts_characters_not_bytes() {
    let ok = "é".repeat(255);
    assert!(!validate(&base().with(Description, ok)).has(codes::TOO_LONG));
    let long = "é".repeat(256);
    let report = validate(&base().with(Description, long));
    assert!(report.has(codes::TOO_LONG));
    assert_eq!(
        report.problems[0].message.to_string(),
        "Description must be 255 characters or fewer"
    );
}

#[test]
fn a_start_in_the_past_is_a_warning_naming_every_start_field() {
    let now = NaiveDate::from_ymd_opt(2026, 11, 27)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let at = |h: &str| {
        base()
            .with(Year, "2026")
            .with(Month, "11")
            .with(Day, "27")
            .with(Hour, h)
    };
    let past = validate_at(&at("11"), now);
    let p = past
        .problems
        .iter()
        .find(|p| p.code == codes::START_IN_PAST)
        .expect("warning");
    assert_eq!(p.severity, Warning);
    assert_eq!(p.fields, [Year, Month, Day, Hour, Minute]);
    assert!(!past.has_errors());
    assert!(!validate_at(&at("13"), now).has(codes::START_IN_PAST));
    // Without a clock there is no such warning, and no start means none either.
    assert!(!validate(&at("11")).has(codes::START_IN_PAST));
    assert!(!validate_at(&base(), now).has(codes::START_IN_PAST));
}

#[test]
fn surrounding_whitespace_is_trimmed_before_any_rule() {
    let d = base()
        .with(Code, "  123  ")
        .with(Month, " 12 ")
        .with(CallerId, " +44 ")
        .with(Panel, " 1 ");
    assert!(validate(&d).is_empty(), "{:?}", validate(&d));
    let c = conference::Conference::from_draft(&d).unwrap();
    assert_eq!(c.code(), "123");
    assert_eq!(c.get(CallerId), "+44");
}

#[test]
fn messages_say_what_to_do() {
    let report = validate(&base().with(Code, "").with(AdminPin, "234567"));
    let messages: Vec<_> = report
        .problems
        .iter()
        .map(|p| p.message.to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "Enter a conference code",
            "Talk PIN must be different from Admin PIN"
        ]
    );
}

#[test]
fn problems_come_in_form_order_errors_first() {
    let d = base()
        .with(WaitMusic, "1")
        .with(Maximum, "x")
        .with(Code, "")
        .with(TalkPin, "12");
    let fields: Vec<_> = validate(&d)
        .problems
        .iter()
        .map(|p| (p.field(), p.severity))
        .collect();
    assert_eq!(
        fields,
        [
            (Code, Error),
            (TalkPin, Warning),
            (Maximum, Error),
            (WaitMusic, Warning)
        ]
    );
}

#[test]
fn a_fixed_cross_field_problem_clears_on_every_field_at_once() {
    let broken = base().with(ListenPin, "234567");
    let report = validate(&broken);
    assert_eq!(report.for_field(TalkPin).count(), 1);
    assert_eq!(report.for_field(ListenPin).count(), 1);
    let fixed = validate(&broken.with(ListenPin, "345678"));
    assert_eq!(fixed.for_field(TalkPin).count(), 0);
    assert_eq!(fixed.for_field(ListenPin).count(), 0);
}
