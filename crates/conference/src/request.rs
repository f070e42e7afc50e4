//! A valid draft as a typed request, and its encoding for the API.

use chrono::NaiveDateTime;

use crate::digits;
use crate::draft::Draft;
use crate::params::{Field, Kind, PINS, START};
use crate::report::Report;
use crate::rules::{self, integer};
use crate::schedule::{occurrences, Repeats};

/// Everything `conferences/create` takes but the credentials: every value in
/// its canonical spelling, and typed where logic needs it. Made only by
/// [`Conference::from_draft`]; the typed fields are a reading of the values,
/// to be read, not changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conference {
    /// `None`: no start date (the API's year 0).
    pub start: Option<NaiveDateTime>,
    pub repeats: Repeats,
    pub count: u32,
    /// Every request parameter ([`Field::is_request`]), driven by the table;
    /// the credentials and `validation` stay empty.
    values: Draft,
}

/// How a request proves who sends it.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Password {
        username: String,
        password: String,
    },
    /// From `user/login` with `token=1` (4.1+), or handed over by a host page.
    Token(String),
}

impl std::fmt::Debug for Credentials {
    // Never print a secret, not even in a debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password { username, .. } => {
                write!(f, "Password {{ username: {username:?}, password: *** }}")
            }
            Credentials::Token(_) => f.write_str("Token(***)"),
        }
    }
}

impl Credentials {
    /// The credentials a draft holds: its token when it has one.
    pub fn from_draft(draft: &Draft) -> Credentials {
        match draft.trimmed(Field::AuthToken) {
            "" => Credentials::Password {
                username: draft.trimmed(Field::AuthUsername).to_owned(),
                password: draft.get(Field::AuthPassword).to_owned(),
            },
            token => Credentials::Token(token.to_owned()),
        }
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        match self {
            Credentials::Password { username, password } => vec![
                (Field::AuthUsername.name(), username.clone()),
                (Field::AuthPassword.name(), password.clone()),
            ],
            Credentials::Token(token) => vec![(Field::AuthToken.name(), token.clone())],
        }
    }
}

impl Conference {
    /// The typed request a draft describes, or every error it has. Warnings
    /// do not stop it, and neither do the credentials, which are not part of it.
    pub fn from_draft(draft: &Draft) -> Result<Conference, Report> {
        let report = rules::validate(draft);
        let blocking = report.errors().any(|p| {
            !p.fields
                .iter()
                .all(|f| f.param().group == crate::params::Group::SignIn)
        });
        if blocking {
            let mut errors = report;
            errors.problems.retain(|p| p.is_error());
            return Err(errors);
        }
        let start = rules::start(draft).and_then(Result::ok);
        let mut values = Draft::empty();
        for field in Field::all().filter(|f| f.is_request()) {
            let value = match field.param().kind {
                // Validated above: present and in range, or empty where the
                // default is (customer); written as a number is (`+07` is `7`).
                Kind::Integer { .. } => integer(draft, field)
                    .map(digits::signed)
                    .unwrap_or_default(),
                _ => draft.effective(field).to_owned(),
            };
            values.set(field, value);
        }
        if start.is_none() {
            // No start date: the other parts mean nothing, so they go as defaults.
            for field in START {
                values.set(field, field.param().default);
            }
        }
        Ok(Conference {
            start,
            repeats: Repeats::parse(values.get(Field::Repeats)).unwrap_or_default(),
            count: integer(draft, Field::Count).unwrap_or(1) as u32,
            values,
        })
    }

    /// A request parameter's value, defaults filled in.
    pub fn get(&self, field: Field) -> &str {
        self.values.get(field)
    }

    pub fn code(&self) -> &str {
        self.get(Field::Code)
    }

    /// The PINs that are set, with their fields.
    pub fn pins(&self) -> impl Iterator<Item = (Field, &str)> {
        PINS.into_iter()
            .map(|f| (f, self.get(f)))
            .filter(|(_, pin)| !pin.is_empty())
    }

    /// The person who may edit it; 0 for none.
    pub fn owner(&self) -> u32 {
        self.get(Field::Owner).parse().unwrap_or(0)
    }

    /// Every request parameter with its value, defaults included, in form order.
    pub fn pairs(&self) -> impl Iterator<Item = (Field, &str)> {
        Field::all()
            .filter(|f| f.is_request())
            .map(|f| (f, self.get(f)))
    }

    /// The parameters to send: defaults left out (the switch fills them in).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        self.pairs()
            .filter(|(field, value)| *value != field.param().default)
            .map(|(field, value)| (field.name(), value.to_owned()))
            .collect()
    }

    /// The form body of a `conferences/create` call; `validation` asks the
    /// switch only to check it (reply 201).
    pub fn to_body(&self, credentials: &Credentials, validation: bool) -> String {
        let mut pairs = credentials.to_pairs();
        pairs.extend(self.to_pairs());
        if validation {
            pairs.push((Field::Validation.name(), "1".to_owned()));
        }
        crate::form::encode(pairs)
    }

    /// The occurrences this conference will have (empty without a start).
    pub fn occurrences(&self) -> Vec<NaiveDateTime> {
        self.start
            .map(|s| occurrences(s, self.repeats, self.count))
            .unwrap_or_default()
    }
}

/// The occurrences a draft asks for, as far as its schedule fields are valid
/// (the rest of the draft may still have problems): for the live preview.
pub fn planned(draft: &Draft) -> Vec<NaiveDateTime> {
    let Some(Ok(first)) = rules::start(draft) else {
        return Vec::new();
    };
    let repeats = Repeats::parse(draft.effective(Field::Repeats)).unwrap_or_default();
    let count = integer(draft, Field::Count).unwrap_or(1) as u32;
    occurrences(first, repeats, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Draft {
        Draft::new()
            .with(Field::AuthUsername, "demo")
            .with(Field::AuthPassword, "demo")
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "234567")
    }

    #[test]
    fn the_reference_example_encodes_to_its_parameters() {
        let c = Conference::from_draft(&minimal()).unwrap();
        assert_eq!(
            c.to_body(&Credentials::from_draft(&minimal()), false),
            "auth_username=demo&auth_password=demo&code=123456&talkpin=234567"
        );
        assert_eq!(
            c.to_body(&Credentials::Token("t.k".into()), true),
            "auth_token=t.k&code=123456&talkpin=234567&validation=1"
        );
    }

    #[test]
    fn every_non_default_is_sent() {
        let d = minimal()
            .with(Field::Year, "2027")
            .with(Field::Month, "3")
            .with(Field::Day, "4")
            .with(Field::Hour, "5")
            .with(Field::Minute, "6")
            .with(Field::Repeats, "weekly")
            .with(Field::Count, "3")
            .with(Field::Customer, "9")
            .with(Field::WaitMusic, "1")
            .with(Field::Description, "Team call");
        let pairs = Conference::from_draft(&d).unwrap().to_pairs();
        let names: Vec<_> = pairs.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "code",
                "talkpin",
                "year",
                "month",
                "day",
                "hour",
                "minute",
                "repeats",
                "count",
                "description",
                "customer",
                "wait_music"
            ]
        );
    }

    #[test]
    fn values_go_in_canonical_spelling_and_without_a_start_no_start_parts() {
        let d = minimal()
            .with(Field::Month, " 05 ")
            .with(Field::Maximum, "+07")
            .with(Field::Customer, " ");
        let c = Conference::from_draft(&d).unwrap();
        assert_eq!(c.start, None);
        assert_eq!(c.get(Field::Month), "1", "no start date: month is moot");
        assert_eq!(c.get(Field::Maximum), "7");
        assert_eq!(c.get(Field::Customer), "");
        assert_eq!(c.pins().collect::<Vec<_>>(), [(Field::TalkPin, "234567")]);
        let names: Vec<_> = c.to_pairs().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["code", "talkpin", "maximum"]);
    }

    #[test]
    fn errors_stop_it_warnings_and_missing_sign_in_do_not() {
        let no_pin = minimal().with(Field::TalkPin, "");
        assert!(Conference::from_draft(&no_pin)
            .unwrap_err()
            .has(rules::codes::NO_PIN));
        let short = minimal()
            .with(Field::TalkPin, "12")
            .with(Field::AuthPassword, "");
        assert_eq!(
            Conference::from_draft(&short).unwrap().get(Field::TalkPin),
            "12"
        );
    }

    #[test]
    fn planned_follows_the_schedule_fields_alone() {
        let d = Draft::new()
            .with(Field::Year, "2027")
            .with(Field::Month, "1")
            .with(Field::Day, "31")
            .with(Field::Repeats, "monthly")
            .with(Field::Count, "3");
        // No code, no PIN: still a preview.
        assert_eq!(planned(&d).len(), 3);
        assert!(planned(&d.clone().with(Field::Day, "32")).is_empty());
        assert!(planned(&Draft::new()).is_empty());
        assert_eq!(planned(&d.with(Field::Count, "x")).len(), 1);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::Password {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{:?}", Credentials::Token("sekret".into())).contains("sekret"));
    }
}
