//! What to send people once a conference exists: an invitation for each role
//! in the reader's language, its subject line, and a `mailto:` link.
//!
//! Dates, times and quantities are written by the caller (the browser's
//! `Intl`) through [`Format`], so the core stays free of the web.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use crate::digits;
use crate::ics::{self, Zone};
use crate::params::Field;
use crate::request::Conference;
use crate::text::{Catalog, Message};

/// Who an invitation is for: each keys in a different PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Talks and listens, with the talk PIN.
    Speaker,
    /// Only listens, with the listen PIN.
    Listener,
    /// Whoever set it up: every PIN, the admin PIN included.
    Organiser,
}

impl Role {
    /// The PIN this role is given; `None` for the organiser, who gets them all.
    pub fn pin(self) -> Option<Field> {
        match self {
            Role::Speaker => Some(Field::TalkPin),
            Role::Listener => Some(Field::ListenPin),
            Role::Organiser => None,
        }
    }
}

/// The roles a conference has invitations for: each whose PIN is set, and the organiser.
pub fn roles(conference: &Conference) -> impl Iterator<Item = Role> + '_ {
    [Role::Speaker, Role::Listener, Role::Organiser]
        .into_iter()
        .filter(|role| role.pin().is_none_or(|f| !conference.get(f).is_empty()))
}

/// A number to call the switch on, and what it is called by (`UK`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialIn {
    /// As the operator wrote it (`+44 20 7946 0000`).
    pub number: String,
    /// What it is called by, without its brackets.
    pub label: Option<String>,
}

/// An entry of a list of numbers that is not a number with an optional label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadNumber(pub String);

impl fmt::Display for BadNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a phone number with an optional (label)",
            self.0
        )
    }
}

/// The operator's numbers, `"+44 20 7946 0000 (UK); +1 415 555 0100 (US)"`; empty for none.
pub fn parse_numbers(list: &str) -> Result<Vec<DialIn>, BadNumber> {
    // Plain loops and bytes: in the browser's bundle the same rules written
    // as iterator chains over chars cost 763 bytes brotli more.
    let mut all = Vec::new();
    for entry in list.split(';') {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        match dial_in(entry) {
            Some(d) => all.push(d),
            None => return Err(BadNumber(entry.to_owned())),
        }
    }
    Ok(all)
}

/// A number (an optional `+`, digits, and spaces, `-` or `.` between them),
/// then an optional label in brackets.
fn dial_in(entry: &str) -> Option<DialIn> {
    let (number, label) = match entry.find('(') {
        Some(open) => {
            let rest = &entry[open + 1..];
            let label = rest.strip_suffix(')')?.trim();
            if label.is_empty()
                || label
                    .chars()
                    .any(|c| c == '(' || c == ')' || c.is_control())
            {
                return None;
            }
            (entry[..open].trim(), Some(label.to_owned()))
        }
        None => (entry, None),
    };
    let digits = number.strip_prefix('+').unwrap_or(number).as_bytes();
    let ok = |b: &u8| b.is_ascii_digit();
    let well_formed = digits.first().is_some_and(ok)
        && digits.last().is_some_and(ok)
        && digits
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.'));
    well_formed.then(|| DialIn {
        number: number.to_owned(),
        label,
    })
}

/// Writes dates, times and quantities as the reader's language does.
pub trait Format {
    /// A date and time of day (the switch's local time).
    fn date_time(&self, at: NaiveDateTime) -> String;
    /// A date alone.
    fn date(&self, day: NaiveDate) -> String;
    /// A quantity.
    fn number(&self, n: i64) -> String;
}

/// ISO 8601 dates and plain digits: for tests, logs and the server.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plain;

impl Format for Plain {
    fn date_time(&self, at: NaiveDateTime) -> String {
        at.format("%Y-%m-%d %H:%M").to_string()
    }

    fn date(&self, day: NaiveDate) -> String {
        day.to_string()
    }

    fn number(&self, n: i64) -> String {
        n.to_string()
    }
}

/// What an invitation needs besides the conference.
#[derive(Clone, Copy, Debug)]
pub struct Details<'a> {
    /// The conference's ID on the switch (the organiser's invitation shows it).
    pub id: u64,
    /// The numbers to call; none gives the catalog's words for "the number you were given".
    pub numbers: &'a [DialIn],
    /// The zone of the switch's local time, named after the start when known.
    pub zone: Option<&'a Zone>,
}

/// The invitation for `role`, one line per `\n`; `None` when its PIN is not set.
pub fn text(
    conference: &Conference,
    role: Role,
    details: &Details,
    catalog: &Catalog,
    format: &dyn Format,
) -> Option<String> {
    let pin = role.pin().map(|f| (f, conference.get(f)));
    if pin.is_some_and(|(_, p)| p.is_empty()) {
        return None;
    }
    let say = |m: Message| catalog.render_with(&m, &|n| format.number(n));
    let field = |label: &str, value: &str| {
        say(Message::new("invite.field")
            .text("label", label)
            .text("value", value))
    };
    // In a right-to-left text, a number read as part of the sentence comes
    // out reversed ("+49 30" as "30 49+"): each is isolated left to right
    // (U+2066 ... U+2069), as Unicode's bidi rules provide.
    let rtl = catalog.is_rtl();
    let ltr = |s: &str| {
        if rtl {
            ["\u{2066}", s, "\u{2069}"].concat()
        } else {
            s.to_owned()
        }
    };
    let noted = |text: &str, note: Option<&str>| match note {
        Some(note) => say(Message::new("invite.noted")
            .text("text", text)
            .text("note", note)),
        None => text.to_owned(),
    };

    // Written straight into one string (a list of lines joined at the end
    // brought a second copy of `join` into the bundle).
    let mut text = String::new();
    let mut line = |line: &str| {
        text.push_str(line);
        text.push('\n');
    };
    line(&say(Message::new(match role {
        Role::Speaker => "invite.speaker",
        Role::Listener => "invite.listener",
        Role::Organiser => "invite.organiser",
    })));
    if role == Role::Organiser && !conference.get(Field::AdminPin).is_empty() {
        line(&say(Message::new("invite.keep_admin")));
    }
    let description = conference.get(Field::Description);
    if !description.is_empty() {
        line(description);
    }

    line("");
    let number = |d: &DialIn| noted(&ltr(&d.number), d.label.as_deref());
    match details.numbers {
        [] => line(&say(Message::new("invite.call_given"))),
        [one] => line(&say(Message::new("invite.call").text("number", number(one)))),
        all => {
            line(&say(Message::new("invite.call_any")));
            for d in all {
                line(&["• ", &number(d)].concat());
            }
        }
    }
    line(&field(catalog.label(Field::Code), &ltr(conference.code())));
    match pin {
        Some((f, pin)) => line(&field(catalog.label(f), &ltr(pin))),
        None => {
            for (f, pin) in conference.pins() {
                line(&field(catalog.label(f), &ltr(pin)));
            }
            line(&field(
                catalog.text("created.id"),
                &ltr(&digits::decimal(details.id)),
            ));
        }
    }

    line("");
    match conference.start {
        None => line(&say(Message::new("schedule.always_open"))),
        Some(first) => {
            let when = noted(&format.date_time(first), details.zone.map(Zone::as_str));
            line(&field(catalog.text("created.when"), &when));
            let all = conference.occurrences();
            if let [_, .., last] = all[..] {
                let repeats = Message::new("invite.repeats")
                    .text(
                        "repeats",
                        catalog.choice(Field::Repeats, conference.repeats.as_str()),
                    )
                    .int("count", all.len() as i64)
                    .text("last", format.date(last.date()));
                line(&field(catalog.label(Field::Repeats), &say(repeats)));
            }
            line(&match ics::minutes(conference) {
                Some(m) => field(catalog.label(Field::Duration), &format.number(m.into())),
                None => say(Message::new("invite.no_limit")),
            });
        }
    }
    // No line break after the last line.
    text.pop();
    Some(text)
}

/// The subject line: the description, or else the conference's code.
pub fn subject(conference: &Conference, catalog: &Catalog) -> String {
    let title = match conference.get(Field::Description) {
        "" => catalog.render(&Message::new("invite.title").text("code", conference.code())),
        description => description.to_owned(),
    };
    catalog.render(&Message::new("invite.subject").text("title", title))
}

/// A `mailto:` URL (RFC 6068) with no address, that subject and that body (CRLF line breaks).
pub fn mailto(subject: &str, body: &str) -> String {
    let mut out = String::from("mailto:?subject=");
    percent_encode(&mut out, subject, "%20");
    out.push_str("&body=");
    percent_encode(&mut out, body, "%0D%0A");
    out
}

/// Everything but RFC 3986's unreserved characters percent-encoded as UTF-8;
/// each line break (LF, CRLF or CR) as `line_break`.
fn percent_encode(out: &mut String, text: &str, line_break: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut chars = text.chars().peekable();
    let mut buf = [0; 4];
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push_str(line_break),
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' => out.push(c),
            c => {
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    out.push('%');
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 15)] as char);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Draft;

    fn conference(changes: &[(Field, &str)]) -> Conference {
        let mut draft = Draft::new().with(Field::Code, "123456");
        for (field, value) in changes {
            draft.set(*field, *value);
        }
        Conference::from_draft(&draft).unwrap()
    }

    #[test]
    fn numbers_with_and_without_labels() {
        assert_eq!(
            parse_numbers(" +44 20 7946 0000 (UK); +1 415 555 0100 (US) ;").unwrap(),
            [
                DialIn {
                    number: "+44 20 7946 0000".into(),
                    label: Some("UK".into())
                },
                DialIn {
                    number: "+1 415 555 0100".into(),
                    label: Some("US".into())
                },
            ]
        );
        assert_eq!(
            parse_numbers("0800-123.456").unwrap(),
            [DialIn {
                number: "0800-123.456".into(),
                label: None
            }]
        );
        assert_eq!(parse_numbers("  ; ").unwrap(), []);
        assert_eq!(
            parse_numbers("+44 20 (Sales, London)").unwrap()[0]
                .label
                .as_deref(),
            Some("Sales, London")
        );
    }

    #[test]
    fn numbers_that_are_not_refused_by_entry() {
        for bad in [
            "+44 20 (UK",
            "+44 20 (UK) x",
            "+44 20 ()",
            "+44 (20) 7946 (UK)",
            "call us",
            "++44",
            "+",
            "-44",
            "44-",
            "(UK)",
            "+44 20 (U\u{7}K)",
        ] {
            let list = format!("+1 415 555 0100; {bad}");
            assert_eq!(parse_numbers(&list), Err(BadNumber(bad.into())), "{bad}");
        }
        assert!(BadNumber("x".into())
            .to_string()
            .starts_with("\"x\" is not"));
    }

    #[test]
    fn roles_follow_the_pins() {
        let talk = conference(&[(Field::TalkPin, "2468")]);
        assert_eq!(
            roles(&talk).collect::<Vec<_>>(),
            [Role::Speaker, Role::Organiser]
        );
        let none = Details {
            id: 1,
            numbers: &[],
            zone: None,
        };
        let en = Catalog::english();
        assert_eq!(text(&talk, Role::Listener, &none, en, &Plain), None);
        let listen = conference(&[(Field::ListenPin, "1357")]);
        assert_eq!(
            roles(&listen).collect::<Vec<_>>(),
            [Role::Listener, Role::Organiser]
        );
    }

    #[test]
    fn mailto_encodes_everything_but_unreserved() {
        assert_eq!(
            mailto("Invitation: A&B = 100%", "Line 1\nLine 2\r\nÉ 😀 ~x_y.z-"),
            "mailto:?subject=Invitation%3A%20A%26B%20%3D%20100%25\
             &body=Line%201%0D%0ALine%202%0D%0A%C3%89%20%F0%9F%98%80%20~x_y.z-"
        );
        assert_eq!(
            mailto("a\nb", "c\rd"),
            "mailto:?subject=a%20b&body=c%0D%0Ad"
        );
    }
}
