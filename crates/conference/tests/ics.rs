//! The calendar file against implementations we did not write: the
//! `icalendar` crate parses it, and the `rrule` crate expands its `RRULE` or
//! `RDATE`s into exactly the occurrences the form's preview shows, for every
//! kind of repeat, month ends included. Text survives the round trip unchanged.
//! `PROPTEST_CASES` sets the count (CI runs 10,000 each).

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use conference::ics::{self, Event, Zone};
use conference::params::REPEATS;
use conference::{Conference, Draft, Field};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime};
use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    ProptestConfig {
        cases,
        // ChaCha, the default, takes most of the time in a debug build.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

/// The schedule and description of a conference; the rest is fixed.
#[derive(Clone, Debug)]
struct Plan {
    start: NaiveDateTime,
    repeats: &'static str,
    count: u32,
    duration: u32,
    description: String,
}

impl Plan {
    fn conference(&self) -> Conference {
        let s = self.start;
        let draft = Draft::new()
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "2468")
            .with(Field::Year, s.format("%Y").to_string())
            .with(Field::Month, s.format("%m").to_string())
            .with(Field::Day, s.format("%d").to_string())
            .with(Field::Hour, s.format("%H").to_string())
            .with(Field::Minute, s.format("%M").to_string())
            .with(Field::Repeats, self.repeats)
            .with(Field::Count, self.count.to_string())
            .with(Field::Duration, self.duration.to_string())
            .with(Field::Description, self.description.clone());
        Conference::from_draft(&draft).expect("a valid draft")
    }
}

fn stamp() -> chrono::DateTime<chrono::Utc> {
    at(2026, 11, 27, 15, 56).and_utc()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn calendar_text(conference: &Conference, zone: Option<&Zone>, description: &str) -> String {
    let event = Event {
        id: 4_294_967_296,
        host: "switch.example.com:8443",
        zone,
        stamp: stamp(),
        description,
    };
    ics::calendar(conference, &event)
        .expect("a start date")
        .text
}

/// The file's physical lines: every one ends in CRLF and is at most 75 octets.
fn check_lines(text: &str) -> Result<(), TestCaseError> {
    prop_assert!(text.ends_with("\r\n"));
    for line in text.split_terminator("\r\n") {
        prop_assert!(!line.contains(['\r', '\n']), "a bare CR or LF: {line:?}");
        prop_assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    Ok(())
}

/// TEXT values as RFC 5545 3.3.11 writes them, read strictly (the parser
/// under test lets a bare `,` or `;` through): a backslash escapes only
/// `\\`, `;`, `,`, `n` or `N`, and `,` or `;` appear only escaped.
fn check_escaped(text: &str) -> Result<(), TestCaseError> {
    for line in icalendar::parser::unfold(text).lines() {
        let Some((_, value)) = ["SUMMARY:", "DESCRIPTION:", "UID:"]
            .iter()
            .find_map(|name| {
                line.split_once(name)
                    .filter(|(before, _)| before.is_empty())
            })
        else {
            continue;
        };
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => prop_assert!(
                    matches!(chars.next(), Some('\\' | ';' | ',' | 'n' | 'N')),
                    "a bad escape in {line:?}"
                ),
                ';' | ',' => prop_assert!(false, "{c} unescaped in {line:?}"),
                c => prop_assert!(!c.is_control() || c == '\t', "{c:?} in {line:?}"),
            }
        }
    }
    Ok(())
}

/// The one event of a calendar file, as the `icalendar` parser reads it.
fn parse(text: &str) -> Result<(icalendar::Calendar, icalendar::Event), TestCaseError> {
    let calendar = icalendar::Calendar::from_str(text)
        .map_err(|e| TestCaseError::fail(format!("icalendar refused it: {e}\n{text}")))?;
    prop_assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    prop_assert!(calendar.property_value("PRODID").is_some());
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    prop_assert_eq!(events.len(), 1);
    prop_assert_eq!(calendar.components.len(), 1);
    let event = events[0].clone();
    Ok((calendar, event))
}

/// Every start the event has, by the `rrule` crate: DTSTART, then what its
/// RRULE or RDATEs add (RFC 5545: DTSTART is always the first instance, and
/// a start given twice counts once), as local times of the switch.
fn expand(event: &icalendar::Event) -> Result<Vec<NaiveDateTime>, TestCaseError> {
    let (first, zone) = match event.get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Floating(first))) => (first, None),
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            (date_time, Some(tzid))
        }
        other => return Err(TestCaseError::fail(format!("DTSTART is {other:?}"))),
    };
    // A floating time is a wall-clock time with no zone: rrule reads one in
    // the machine's zone, so it is given UTC, which has no daylight saving.
    let zone = zone.unwrap_or_else(|| "UTC".to_owned());
    let mut lines = vec![format!(
        "DTSTART;TZID={zone}:{}",
        first.format("%Y%m%dT%H%M%S")
    )];
    if let Some(rule) = event.property_value("RRULE") {
        lines.push(format!("RRULE:{rule}"));
    }
    for rdate in event.multi_properties().get("RDATE").into_iter().flatten() {
        let tzid = rdate.params().get("TZID").map(|p| p.value().to_owned());
        prop_assert_eq!(
            tzid.as_deref(),
            event.properties()["DTSTART"]
                .params()
                .get("TZID")
                .map(|p| p.value()),
            "RDATE and DTSTART in the same form"
        );
        lines.push(format!("RDATE;TZID={zone}:{}", rdate.value()));
    }
    let mut all = vec![first];
    if lines.len() > 1 {
        let set = rrule::RRuleSet::from_str(&lines.join("\n"))
            .map_err(|e| TestCaseError::fail(format!("rrule refused {lines:?}: {e}")))?;
        let result = set.all(u16::MAX);
        prop_assert!(!result.limited);
        all.extend(result.dates.iter().map(|d| d.naive_local()));
    }
    all.sort();
    all.dedup();
    Ok(all)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let first_of_next = NaiveDate::from_ymd_opt(next.0, next.1, 1).unwrap();
    first_of_next
        .pred_opt()
        .unwrap()
        .format("%d")
        .to_string()
        .parse()
        .unwrap()
}

/// Zones with daylight saving change their clocks between 01:00 and 03:00:
/// there a local time may not exist or exist twice, and no file can say which
/// instant the switch means; the property keeps their starts from 04:00.
const ZONES: [(Option<&str>, bool); 6] = [
    (None, false),
    (Some("UTC"), false),
    (Some("Asia/Tokyo"), false),
    (Some("Europe/London"), true),
    (Some("America/New_York"), true),
    (Some("Australia/Sydney"), true),
];

/// Text with everything a TEXT value must escape, and what is easy to
/// mangle when folding: right-to-left script, emoji, long runs.
fn hostile(max: usize, line_breaks: bool) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(",".to_owned()),
        Just(";".to_owned()),
        Just("\\".to_owned()),
        Just(":".to_owned()),
        Just("\"".to_owned()),
        Just("\\n".to_owned()),
        Just(" ".to_owned()),
        "[\u{0600}-\u{06FF}\u{05D0}-\u{05EA}]{1,12}",
        "[\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}]{1,4}",
        "[^\\p{Cc}]{1,20}",
        Just(if line_breaks { "\n" } else { "-" }.to_owned()),
    ];
    prop::collection::vec(piece, 0..60)
        .prop_map(move |parts| parts.concat().chars().take(max).collect())
}

fn plan() -> impl Strategy<Value = (Plan, usize)> {
    let date = (2000i32..=2100, 1u32..=12).prop_flat_map(|(y, m)| {
        let last = days_in_month(y, m);
        // Month ends, where monthly repeats go wrong, half the time.
        (Just(y), Just(m), prop_oneof![1..=last, last - 3..=last])
    });
    (
        date,
        (0u32..=23, 0u32..=59),
        0..REPEATS.len(),
        prop_oneof![3 => 1u32..=40, 1 => 1u32..=1000],
        prop_oneof![Just(0u32), 1u32..=525_600],
        hostile(255, false),
        0..ZONES.len(),
    )
        .prop_map(
            |((y, m, d), (h, min), r, count, duration, description, zone)| {
                let repeats = REPEATS[r];
                let h = if ZONES[zone].1 && h < 4 { h + 4 } else { h };
                let plan = Plan {
                    start: at(y, m, d, h, min),
                    repeats,
                    count: if repeats.is_empty() { 1 } else { count },
                    duration,
                    description: description.trim().to_owned(),
                };
                (plan, zone)
            },
        )
}

/// The core's own occurrences, and what a calendar makes of the file.
fn both(
    plan: &Plan,
    zone: Option<&str>,
) -> Result<(Vec<NaiveDateTime>, Vec<NaiveDateTime>), TestCaseError> {
    let conference = plan.conference();
    let zone = zone.map(|z| Zone::new(z).unwrap());
    let text = calendar_text(&conference, zone.as_ref(), "Dial in");
    check_lines(&text)?;
    let (_, event) = parse(&text)?;
    Ok((conference.occurrences(), expand(&event)?))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_calendar_holds_exactly_the_previews_occurrences((plan, zone) in plan()) {
        let (ours, theirs) = both(&plan, ZONES[zone].0)?;
        prop_assert_eq!(ours.len(), plan.count as usize);
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn text_survives_the_round_trip_unchanged(
        description in hostile(255, false),
        invitation in hostile(600, true),
        zone in 0..ZONES.len(),
    ) {
        let plan = Plan {
            start: at(2027, 1, 31, 9, 30),
            repeats: "monthly",
            count: 3,
            duration: 0,
            description: description.trim().to_owned(),
        };
        let zone = ZONES[zone].0.map(|z| Zone::new(z).unwrap());
        let text = calendar_text(&plan.conference(), zone.as_ref(), &invitation);
        check_lines(&text)?;
        check_escaped(&text)?;
        let (_, event) = parse(&text)?;
        prop_assert_eq!(event.get_description(), Some(invitation.as_str()));
        let summary = match plan.description.as_str() { "" => "123456", d => d };
        prop_assert_eq!(event.get_summary(), Some(summary));
        prop_assert_eq!(event.get_uid(), Some("4294967296@switch.example.com:8443"));
    }
}

#[test]
fn month_ends_and_every_kind_of_repeat() {
    let cases = [
        (at(2027, 1, 31, 9, 30), "monthly", 13),
        (at(2028, 1, 31, 9, 30), "monthly", 3),
        (at(2028, 2, 29, 9, 30), "monthly", 12),
        (at(2028, 2, 29, 9, 30), "2_monthly", 12),
        (at(2027, 8, 30, 9, 30), "2_monthly", 6),
        (at(2027, 4, 30, 9, 30), "2_monthly", 4),
        (at(2027, 12, 31, 23, 59), "2_monthly", 1000),
        (at(2027, 1, 29, 0, 0), "monthly", 1000),
        (at(2028, 2, 29, 12, 0), "daily", 1000),
        (at(2028, 2, 29, 12, 0), "weekly", 60),
        (at(2028, 2, 29, 12, 0), "2_weekly", 60),
        (at(2028, 2, 29, 12, 0), "", 1),
    ];
    for (start, repeats, count) in cases {
        for (zone, _) in ZONES {
            let plan = Plan {
                start,
                repeats,
                count,
                duration: 0,
                description: String::new(),
            };
            let (ours, theirs) = both(&plan, zone).unwrap();
            assert_eq!(ours.len(), count as usize);
            assert_eq!(ours, theirs, "{plan:?} in {zone:?}");
        }
    }
}

#[test]
fn hostile_descriptions_come_back_unchanged() {
    let long = "Ab, c; d\\ é 😀 ".repeat(40);
    assert!(long.chars().count() >= 500);
    let invitations = [
        "a,b;c\\d\\,e\\;f\\n",
        "line one\nline two\n\nline four\n",
        "مرحبا بكم في المؤتمر، الرمز: ١٢٣٤",
        "שלום, עולם; ‏(RTL)‏",
        "👩‍👩‍👧‍👦🇬🇧 emoji 😀😀😀",
        long.as_str(),
    ];
    let conference = Plan {
        start: at(2027, 3, 1, 10, 0),
        repeats: "weekly",
        count: 4,
        duration: 45,
        description: "Plan, review; \\ repeat — مراجعة 😀".into(),
    }
    .conference();
    for invitation in invitations {
        let text = calendar_text(&conference, None, invitation);
        check_lines(&text).unwrap();
        check_escaped(&text).unwrap();
        let (_, event) = parse(&text).unwrap();
        assert_eq!(event.get_description(), Some(invitation));
        assert_eq!(
            event.get_summary(),
            Some("Plan, review; \\ repeat — مراجعة 😀")
        );
        assert_eq!(event.property_value("DURATION"), Some("PT45M"));
    }
}

#[test]
fn no_start_date_no_calendar() {
    let draft = Draft::new()
        .with(Field::Code, "1")
        .with(Field::TalkPin, "2468");
    let conference = Conference::from_draft(&draft).unwrap();
    let event = Event {
        id: 1,
        host: "h",
        zone: None,
        stamp: stamp(),
        description: "",
    };
    assert_eq!(ics::calendar(&conference, &event), None);
}
