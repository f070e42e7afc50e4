//! Invitations: what each role is sent, in every shipped language; the list
//! of dial-in numbers read back as written; and `mailto:` links read back by
//! a URL parser we did not write (the `url` crate).

use std::fs;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use conference::ics::Zone;
use conference::invite::{self, parse_numbers, DialIn, Format, Plain, Role};
use conference::{Catalog, Conference, Draft, Field};
use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    ProptestConfig {
        cases,
        // ChaCha, the default, takes most of the time in a debug build.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

fn conference(changes: &[(Field, &str)]) -> Conference {
    let mut draft = Draft::new().with(Field::Code, "123456");
    for (field, value) in changes {
        draft.set(*field, *value);
    }
    Conference::from_draft(&draft).unwrap()
}

const WEEKLY: [(Field, &str); 12] = [
    (Field::AdminPin, "9999"),
    (Field::TalkPin, "2468"),
    (Field::ListenPin, "1357"),
    (Field::Year, "2027"),
    (Field::Month, "2"),
    (Field::Day, "1"),
    (Field::Hour, "9"),
    (Field::Minute, "30"),
    (Field::Repeats, "2_weekly"),
    (Field::Count, "5"),
    (Field::Duration, "90"),
    (Field::Description, "Quarterly review"),
];

fn numbers() -> Vec<DialIn> {
    parse_numbers("+44 20 7946 0000 (UK); +1 415 555 0100 (US)").unwrap()
}

fn text(c: &Conference, role: Role, numbers: &[DialIn], zone: Option<&Zone>) -> Option<String> {
    let details = invite::Details {
        id: 4242,
        numbers,
        zone,
    };
    invite::text(c, role, &details, Catalog::english(), &Plain)
}

#[test]
fn what_each_role_is_sent() {
    let c = conference(&WEEKLY);
    let london = Zone::new("Europe/London").unwrap();
    let schedule = "\n\
        When: 2027-02-01 09:30 (Europe/London)\n\
        Repeats: Every 2 weeks, 5 times, the last on 2027-03-29\n\
        Duration in minutes: 90";
    let dial = "Call one of these numbers:\n\
        • +44 20 7946 0000 (UK)\n\
        • +1 415 555 0100 (US)\n";
    assert_eq!(
        text(&c, Role::Speaker, &numbers(), Some(&london)).unwrap(),
        format!(
            "You are invited to a conference call.\nQuarterly review\n\n{dial}\
             Conference code: 123456\nTalk PIN: 2468\n{schedule}"
        )
    );
    assert_eq!(
        text(&c, Role::Listener, &numbers(), Some(&london)).unwrap(),
        format!(
            "You are invited to listen to a conference call.\nQuarterly review\n\n{dial}\
             Conference code: 123456\nListen PIN: 1357\n{schedule}"
        )
    );
    assert_eq!(
        text(&c, Role::Organiser, &numbers(), Some(&london)).unwrap(),
        format!(
            "The details of your conference call, with all its PINs.\n\
             Keep the admin PIN to yourself.\nQuarterly review\n\n{dial}\
             Conference code: 123456\nAdmin PIN: 9999\nTalk PIN: 2468\nListen PIN: 1357\n\
             Conference ID: 4242\n{schedule}"
        )
    );
    assert_eq!(
        invite::subject(&c, Catalog::english()),
        "Invitation: Quarterly review"
    );
}

#[test]
fn without_numbers_a_start_or_a_duration() {
    let c = conference(&[(Field::TalkPin, "2468")]);
    assert_eq!(
        text(&c, Role::Speaker, &[], None).unwrap(),
        "You are invited to a conference call.\n\n\
         Call the number you were given for conferences\n\
         Conference code: 123456\nTalk PIN: 2468\n\n\
         Always open: no start date."
    );
    assert_eq!(text(&c, Role::Listener, &[], None), None, "no listen PIN");
    let organiser = text(&c, Role::Organiser, &numbers()[..1], None).unwrap();
    assert!(
        organiser.contains("\nCall +44 20 7946 0000 (UK)\n"),
        "{organiser}"
    );
    assert!(!organiser.contains("admin PIN"), "no admin PIN to keep");
    assert_eq!(
        invite::subject(&c, Catalog::english()),
        "Invitation: Conference 123456"
    );

    let once = conference(&[
        (Field::TalkPin, "2468"),
        (Field::Year, "2027"),
        (Field::Month, "2"),
        (Field::Day, "1"),
    ]);
    let words = text(&once, Role::Speaker, &[], None).unwrap();
    assert!(
        words.ends_with(
            "\nWhen: 2027-02-01 00:00\nNo time limit: the calendar entry shows one hour"
        ),
        "{words}"
    );
}

/// Dates and numbers come from the caller's formatter, not the core.
struct Marked;

impl Format for Marked {
    fn date_time(&self, at: NaiveDateTime) -> String {
        format!("<{}>", at.format("%d.%m.%Y %H:%M"))
    }
    fn date(&self, day: NaiveDate) -> String {
        format!("<{}>", day.format("%d.%m.%Y"))
    }
    fn number(&self, n: i64) -> String {
        format!("<{n}>")
    }
}

#[test]
fn dates_and_quantities_are_written_by_the_caller() {
    let c = conference(&WEEKLY);
    let de = catalog("de");
    let details = invite::Details {
        id: 1,
        numbers: &[],
        zone: None,
    };
    let words = invite::text(&c, Role::Speaker, &details, &de, &Marked).unwrap();
    assert!(words.contains("Termin: <01.02.2027 09:30>"), "{words}");
    assert!(
        words.contains("Alle 2 Wochen, <5>-mal, zuletzt am <29.03.2027>"),
        "{words}"
    );
    assert!(words.contains("Dauer in Minuten: <90>"), "{words}");
}

const SHIPPED: [&str; 7] = ["en", "de", "fr", "es", "nl", "pt", "ar"];

/// Every shipped catalog, read once.
fn shipped() -> &'static [(&'static str, Catalog)] {
    static ALL: std::sync::OnceLock<Vec<(&str, Catalog)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| SHIPPED.iter().map(|&lang| (lang, catalog(lang))).collect())
}

fn catalog(lang: &str) -> Catalog {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../i18n/{lang}.json"));
    Catalog::parse(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Any valid conference: PINs, start, repeat, duration and description vary.
fn any_conference() -> impl Strategy<Value = Conference> {
    (
        prop::collection::vec(any::<bool>(), 3),
        prop::option::of((2000u32..=2100, 1u32..=12, 1u32..=28, 0u32..=23, 0u32..=59)),
        (0usize..6, 2u32..=1000, 0u32..=525_600),
        "[a-zA-Z ,;\u{0600}-\u{06FF}😀]{0,40}",
    )
        .prop_map(|(pins, start, (repeats, count, duration), description)| {
            let mut d = Draft::new()
                .with(Field::Code, "123456")
                .with(Field::Duration, duration.to_string())
                .with(Field::Description, description.trim());
            for ((field, pin), on) in [
                (Field::AdminPin, "1111"),
                (Field::TalkPin, "2222"),
                (Field::ListenPin, "3333"),
            ]
            .into_iter()
            .zip(pins)
            {
                if on {
                    d.set(field, pin);
                }
            }
            if d.get(Field::AdminPin).is_empty() && d.get(Field::ListenPin).is_empty() {
                d.set(Field::TalkPin, "2222");
            }
            if let Some((y, m, day, h, min)) = start {
                let word = conference::params::REPEATS[repeats];
                for (f, v) in [
                    (Field::Year, y),
                    (Field::Month, m),
                    (Field::Day, day),
                    (Field::Hour, h),
                    (Field::Minute, min),
                ] {
                    d.set(f, v.to_string());
                }
                d.set(Field::Repeats, word);
                if !word.is_empty() {
                    d.set(Field::Count, count.to_string());
                }
            }
            Conference::from_draft(&d).unwrap()
        })
}

fn number_list() -> impl Strategy<Value = Vec<DialIn>> {
    let number = "\\+?[0-9]([0-9 .-]{0,14}[0-9])?";
    let label = prop::option::of("[^(){};\\p{Cc}]{0,12}[^(){};\\s\\p{Cc}]");
    prop::collection::vec((number, label), 0..4).prop_map(|entries| {
        entries
            .into_iter()
            .map(|(number, label)| DialIn {
                number,
                label: label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_language_fills_every_invitation(c in any_conference(), numbers in number_list()) {
        let details = invite::Details { id: 7, numbers: &numbers, zone: None };
        for (lang, catalog) in shipped() {
            let roles: Vec<Role> = invite::roles(&c).collect();
            for role in [Role::Speaker, Role::Listener, Role::Organiser] {
                let words = invite::text(&c, role, &details, catalog, &Plain);
                prop_assert_eq!(words.is_some(), roles.contains(&role));
                let Some(words) = words else { continue };
                prop_assert!(!words.contains('{'), "{lang}: {words}");
                prop_assert!(words.contains(c.code()));
                for (field, pin) in c.pins() {
                    let shown = role == Role::Organiser || role.pin() == Some(field);
                    let line = words
                        .lines()
                        .map(|l| l.trim_end_matches('\u{2069}')) // a right-to-left text's isolate
                        .any(|l| l.starts_with(catalog.label(field)) && l.ends_with(pin));
                    prop_assert_eq!(line, shown, "{}: {}", lang, words);
                }
                // Two paragraphs break: dial-in, then schedule; no other line is blank.
                let blank = words.lines().filter(|l| l.trim().is_empty()).count();
                prop_assert_eq!(blank, 2, "{}: {}", lang, words);
                if numbers.is_empty() {
                    prop_assert!(words.contains(catalog.text("invite.call_given")));
                }
                for n in &numbers {
                    prop_assert!(words.contains(&n.number));
                }
            }
            let subject = invite::subject(&c, catalog);
            prop_assert!(!subject.contains(['{', '\n']), "{lang}: {subject}");
        }
    }

    #[test]
    fn numbers_read_back_as_written(numbers in number_list()) {
        let written: Vec<String> = numbers
            .iter()
            .map(|n| match &n.label {
                Some(label) => format!("{} ({label})", n.number),
                None => n.number.clone(),
            })
            .collect();
        prop_assert_eq!(parse_numbers(&written.join("; ")).unwrap(), numbers);
    }

    #[test]
    fn mailto_links_read_back_by_a_url_parser(subject in "[^\r\n]{0,60}", body in "(.|\n|\r\n){0,200}") {
        let link = invite::mailto(&subject, &body);
        prop_assert!(link.is_ascii());
        let url = url::Url::parse(&link).unwrap();
        prop_assert_eq!(url.scheme(), "mailto");
        prop_assert_eq!(url.path(), "");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        // Every line break, CRLF, LF or a lone CR, goes as CRLF.
        let crlf = body.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
        prop_assert_eq!(pairs, vec![("subject".to_owned(), subject), ("body".to_owned(), crlf)]);
    }
}

#[test]
fn numbers_in_a_right_to_left_invitation_keep_their_order() {
    let c = Conference::from_draft(
        &Draft::new()
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "2468"),
    )
    .unwrap();
    let numbers = invite::parse_numbers("+49 30 901820 (Berlin)").unwrap();
    let details = invite::Details {
        id: 7,
        numbers: &numbers,
        zone: None,
    };
    let isolated = |s: &str| format!("\u{2066}{s}\u{2069}");
    let ar = invite::text(&c, Role::Speaker, &details, &catalog("ar"), &invite::Plain).unwrap();
    for n in ["+49 30 901820", "123456", "2468"] {
        assert!(ar.contains(&isolated(n)), "{n} not isolated in {ar}");
    }
    // Left-to-right languages get the numbers as they are.
    let en = invite::text(&c, Role::Speaker, &details, &catalog("en"), &invite::Plain).unwrap();
    assert!(!en.contains('\u{2066}'), "{en}");
    assert!(en.contains("+49 30 901820"), "{en}");
}
