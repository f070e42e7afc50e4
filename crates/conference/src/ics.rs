//! A created conference as an iCalendar file (RFC 5545): one event, repeating
//! exactly as [`crate::schedule`] says, so a calendar and the form's preview
//! never disagree.
//!
//! Times are the switch's local time: floating (each calendar reads them in
//! its own zone) unless the operator names the switch's zone, which goes in a
//! `TZID` parameter. No `VTIMEZONE` goes with it, though RFC 5545 asks for
//! one: the core has no zone rules to write one from, and calendars (Google,
//! Outlook, Apple, Thunderbird) know IANA zones by name, as RFC 7809 lets
//! CalDAV servers do.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

use crate::digits;
use crate::params::Field;
use crate::request::Conference;
use crate::schedule::Repeats;

/// Minutes a calendar shows for a conference without a duration (0: no limit).
pub const DEFAULT_MINUTES: u32 = 60;

/// An IANA time zone name (`Europe/London`), checked only for its spelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone(String);

impl Zone {
    /// The zone `name` names, if spelled as IANA names are (`Area/Place`: letters, digits, `_+-`).
    pub fn new(name: &str) -> Option<Zone> {
        let name = name.trim();
        // These characters need no quoting in a parameter value.
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
        };
        (name.len() <= 64 && name.split('/').all(part_ok)).then(|| Zone(name.to_owned()))
    }

    /// The name, as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the calendar file needs besides the conference.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    /// The conference's ID on the switch.
    pub id: u64,
    /// The switch's host name: with the ID, the event's stable `UID`.
    pub host: &'a str,
    /// The zone of the switch's local time; `None` writes floating times.
    pub zone: Option<&'a Zone>,
    /// When the file is made (`DTSTAMP`).
    pub stamp: DateTime<Utc>,
    /// The invitation's text (`DESCRIPTION`).
    pub description: &'a str,
}

/// A calendar file, and whether it had to choose the event's length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// The file's text: CRLF line ends, lines folded at 75 octets.
    pub text: String,
    /// The conference has no duration: the event lasts [`DEFAULT_MINUTES`].
    pub assumed_duration: bool,
}

/// The conference's duration in minutes; `None` for no limit (0).
pub fn minutes(conference: &Conference) -> Option<u32> {
    conference
        .get(Field::Duration)
        .parse()
        .ok()
        .filter(|&m| m > 0)
}

/// The calendar file of a conference with a start date (`None` without one).
pub fn calendar(conference: &Conference, event: &Event) -> Option<Calendar> {
    let first = conference.start?;
    let all = conference.occurrences();
    let duration = minutes(conference);
    let summary = match conference.get(Field::Description) {
        "" => conference.code(),
        description => description,
    };
    let zone = event.zone.map(Zone::as_str);

    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//conference-form//Enswitch conference//EN");
    out.line("BEGIN:VEVENT");
    let uid = [&digits::decimal(event.id), "@", event.host].concat();
    out.line(&["UID:", &escape(&uid)].concat());
    out.line(&["DTSTAMP:", &stamp(event.stamp.naive_utc()), "Z"].concat());
    out.line(&local("DTSTART", zone, first));
    out.line(
        &[
            "DURATION:",
            &iso_duration(duration.unwrap_or(DEFAULT_MINUTES)),
        ]
        .concat(),
    );
    match rule(conference.repeats, conference.count, &all) {
        Some(rule) => out.line(&["RRULE:", &rule].concat()),
        // The schedule says what no rule can: every other date, one by one.
        None => all
            .iter()
            .skip(1)
            .for_each(|&at| out.line(&local("RDATE", zone, at))),
    }
    out.line(&["SUMMARY:", &escape(summary)].concat());
    out.line(&["DESCRIPTION:", &escape(event.description)].concat());
    out.line("END:VEVENT");
    out.line("END:VCALENDAR");
    Some(Calendar {
        text: out.0,
        assumed_duration: duration.is_none(),
    })
}

/// The `RRULE` value that gives exactly `all`, if one does.
fn rule(repeats: Repeats, count: u32, all: &[NaiveDateTime]) -> Option<String> {
    let (freq, interval, monthly) = match repeats {
        Repeats::Never => return None,
        Repeats::Daily => ("DAILY", "", false),
        Repeats::Weekly => ("WEEKLY", "", false),
        Repeats::TwoWeekly => ("WEEKLY", ";INTERVAL=2", false),
        Repeats::Monthly => ("MONTHLY", "", true),
        Repeats::TwoMonthly => ("MONTHLY", ";INTERVAL=2", true),
    };
    let first = all.first()?;
    // RFC 5545 skips a month that lacks the first day's number; the schedule
    // takes that month's last day instead. They agree only when no day moved.
    let exact = all.len() == count as usize
        && all.len() > 1
        && (!monthly || all.iter().all(|at| at.day() == first.day()));
    exact.then(|| {
        [
            "FREQ=",
            freq,
            interval,
            ";COUNT=",
            &digits::decimal(count.into()),
        ]
        .concat()
    })
}

/// `NAME:value` or `NAME;TZID=zone:value` for a local date and time.
fn local(name: &str, zone: Option<&str>, at: NaiveDateTime) -> String {
    match zone {
        Some(zone) => [name, ";TZID=", zone, ":", &stamp(at)].concat(),
        None => [name, ":", &stamp(at)].concat(),
    }
}

/// `YYYYMMDDTHHMMSS` (the form's times are whole minutes).
fn stamp(at: NaiveDateTime) -> String {
    // The form's years are positive (`rules::YEARS`).
    let mut out = String::with_capacity(15);
    digits::push(&mut out, at.year().unsigned_abs().into(), 4);
    for part in [at.month(), at.day()] {
        digits::push(&mut out, part.into(), 2);
    }
    out.push('T');
    for part in [at.hour(), at.minute(), at.second()] {
        digits::push(&mut out, part.into(), 2);
    }
    out
}

/// An exact duration (`PT1H30M`): hours, not days, which a calendar would
/// stretch or shrink across a change of daylight saving time.
fn iso_duration(minutes: u32) -> String {
    let mut out = String::from("PT");
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if hours > 0 {
        digits::push(&mut out, hours.into(), 1);
        out.push('H');
    }
    if minutes > 0 || hours == 0 {
        digits::push(&mut out, minutes.into(), 1);
        out.push('M');
    }
    out
}

/// A TEXT value (RFC 5545 3.3.11): `\`, `;`, `,` and line breaks escaped,
/// other control characters but tab left out (TEXT may not hold them).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            // CRLF and a lone CR are one line break, as LF is.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, each folded (RFC 5545 3.1) and ended with CRLF.
#[derive(Default)]
struct Lines(String);

impl Lines {
    /// Lines are at most 75 octets; a continuation starts with a space, which
    /// counts. A character is never split: its bytes stay on one line.
    const MAX: usize = 75;

    fn line(&mut self, line: &str) {
        let mut len = 0;
        for c in line.chars() {
            if len + c.len_utf8() > Self::MAX {
                self.0.push_str("\r\n ");
                len = 1;
            }
            self.0.push(c);
            len += c.len_utf8();
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Draft;
    use chrono::NaiveDate;

    fn conference(changes: &[(Field, &str)]) -> Conference {
        let mut draft = Draft::new()
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "2468");
        for (field, value) in changes {
            draft.set(*field, *value);
        }
        Conference::from_draft(&draft).unwrap()
    }

    fn start(y: i32, m: u32, d: u32) -> Vec<(Field, String)> {
        vec![
            (Field::Year, y.to_string()),
            (Field::Month, m.to_string()),
            (Field::Day, d.to_string()),
            (Field::Hour, "9".into()),
            (Field::Minute, "30".into()),
        ]
    }

    fn with(mut parts: Vec<(Field, String)>, more: &[(Field, &str)]) -> Conference {
        parts.extend(more.iter().map(|(f, v)| (*f, v.to_string())));
        let borrowed: Vec<(Field, &str)> = parts.iter().map(|(f, v)| (*f, v.as_str())).collect();
        conference(&borrowed)
    }

    fn event(zone: Option<&Zone>) -> Event<'_> {
        Event {
            id: 77,
            host: "switch.example.com",
            zone,
            stamp: NaiveDate::from_ymd_opt(2026, 11, 27)
                .unwrap()
                .and_hms_opt(15, 56, 50)
                .unwrap()
                .and_utc(),
            description: "Call +44 20 7946 0000\nCode: 123456",
        }
    }

    fn lines(c: &Conference, zone: Option<&Zone>) -> Vec<String> {
        let cal = calendar(c, &event(zone)).unwrap();
        assert!(cal.text.ends_with("\r\n"));
        cal.text
            .split_terminator("\r\n")
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_weekly_conference_in_full() {
        let c = with(
            start(2027, 2, 1),
            &[
                (Field::Repeats, "2_weekly"),
                (Field::Count, "5"),
                (Field::Duration, "90"),
                (Field::Description, "Team call; weekly, with \\ slash"),
            ],
        );
        assert_eq!(
            lines(&c, None),
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//conference-form//Enswitch conference//EN",
                "BEGIN:VEVENT",
                "UID:77@switch.example.com",
                "DTSTAMP:20261127T155650Z",
                "DTSTART:20270201T093000",
                "DURATION:PT1H30M",
                "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5",
                "SUMMARY:Team call\\; weekly\\, with \\\\ slash",
                "DESCRIPTION:Call +44 20 7946 0000\\nCode: 123456",
                "END:VEVENT",
                "END:VCALENDAR",
            ]
        );
        assert!(!calendar(&c, &event(None)).unwrap().assumed_duration);
    }

    #[test]
    fn a_zone_goes_in_tzid_and_no_duration_is_one_hour() {
        let london = Zone::new("Europe/London").unwrap();
        let c = with(
            start(2027, 2, 1),
            &[(Field::Repeats, "daily"), (Field::Count, "3")],
        );
        let all = lines(&c, Some(&london));
        assert!(all.contains(&"DTSTART;TZID=Europe/London:20270201T093000".to_owned()));
        assert!(all.contains(&"DURATION:PT1H".to_owned()));
        assert!(all.contains(&"RRULE:FREQ=DAILY;COUNT=3".to_owned()));
        assert!(all.contains(&"SUMMARY:123456".to_owned()), "the code");
        assert!(calendar(&c, &event(None)).unwrap().assumed_duration);
    }

    #[test]
    fn monthly_from_the_31st_lists_its_dates() {
        let zone = Zone::new("America/New_York").unwrap();
        let c = with(
            start(2027, 1, 31),
            &[(Field::Repeats, "monthly"), (Field::Count, "4")],
        );
        let all = lines(&c, Some(&zone));
        assert!(!all.iter().any(|l| l.starts_with("RRULE")));
        let rdates: Vec<_> = all.iter().filter(|l| l.starts_with("RDATE")).collect();
        assert_eq!(
            rdates,
            [
                "RDATE;TZID=America/New_York:20270228T093000",
                "RDATE;TZID=America/New_York:20270331T093000",
                "RDATE;TZID=America/New_York:20270430T093000",
            ]
        );
        // From the 30th every 2 months, no month lacks the day until February.
        let c = with(
            start(2027, 4, 30),
            &[(Field::Repeats, "2_monthly"), (Field::Count, "4")],
        );
        assert!(lines(&c, None).contains(&"RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=4".to_owned()));
        let c = with(
            start(2027, 4, 30),
            &[(Field::Repeats, "2_monthly"), (Field::Count, "6")],
        );
        assert!(lines(&c, None).contains(&"RDATE:20280229T093000".to_owned()));
    }

    #[test]
    fn no_start_no_file_and_one_occurrence_no_rule() {
        assert_eq!(calendar(&conference(&[]), &event(None)), None);
        let once = with(start(2027, 2, 1), &[(Field::Repeats, "weekly")]);
        let all = lines(&once, None);
        assert!(!all
            .iter()
            .any(|l| l.starts_with("RRULE") || l.starts_with("RDATE")));
    }

    #[test]
    fn folds_at_75_octets_without_splitting_a_character() {
        let mut out = Lines::default();
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        out.line(&long);
        let folded: Vec<&str> = out.0.split_terminator("\r\n").collect();
        assert!(folded.iter().all(|l| l.len() <= 75), "{folded:?}");
        assert_eq!(
            folded[0].len(),
            74,
            "é is 2 octets: the 75th would split one"
        );
        assert!(folded[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = out.0.trim_end().split("\r\n ").collect();
        assert_eq!(unfolded, long);
        // Exactly 75 octets stays on one line.
        let mut one = Lines::default();
        one.line(&"x".repeat(75));
        assert_eq!(one.0, format!("{}\r\n", "x".repeat(75)));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape("a\\b;c,d\ne\r\nf\rg\th\u{7}"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng\th"
        );
        assert_eq!(escape("ﻣﺮﺣﺒﺎ 😀: \"x\""), "ﻣﺮﺣﺒﺎ 😀: \"x\"");
    }

    #[test]
    fn durations_in_hours_and_minutes() {
        assert_eq!(iso_duration(60), "PT1H");
        assert_eq!(iso_duration(45), "PT45M");
        assert_eq!(iso_duration(61), "PT1H1M");
        assert_eq!(iso_duration(525_600), "PT8760H");
    }

    #[test]
    fn zones_are_spelled_as_iana_names() {
        for ok in [
            "Europe/London",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
            "UTC",
        ] {
            assert_eq!(Zone::new(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "Europe/",
            "/UTC",
            "Europe//London",
            "Europe/London:x",
            "a;b",
            "Zone \"x\"",
        ] {
            assert_eq!(Zone::new(bad), None, "{bad}");
        }
    }
}
