//! The one table of every parameter of `conferences/create` (plus `auth_token`).
//!
//! The form, the validator, the encoder, the server's parser and its store are
//! all driven from [`PARAMS`]: adding a parameter is one [`Field`] variant and
//! one entry.
//! The table is in form order, so sorting by [`Field`] sorts problems the way a
//! person reads the page.

/// Every parameter, in form order, `Validation` last. `Field as usize` indexes
/// [`PARAMS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    AuthUsername,
    AuthPassword,
    AuthToken,
    Code,
    AdminPin,
    TalkPin,
    ListenPin,
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Duration,
    Repeats,
    Count,
    Description,
    Owner,
    Customer,
    CallerId,
    Maximum,
    Panel,
    PlayJoin,
    PlayMusic,
    RecordName,
    WaitMusic,
    Validation,
}

/// Where a parameter sits on the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    SignIn,
    Access,
    Schedule,
    Details,
    Options,
    /// Not a user control (`validation` is set by the client itself).
    Control,
}

impl Group {
    /// Its fields, in form order (`Options` are the flags).
    pub fn fields(self) -> impl Iterator<Item = Field> {
        PARAMS
            .iter()
            .filter(move |p| p.group == self)
            .map(|p| p.field)
    }
}

/// What a parameter's value may be. Bounds here are the ones the validator
/// enforces; see `rules.rs` for which are documented and which are ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text, at most `max_chars` characters, no control characters.
    Text { max_chars: usize },
    /// A secret (password or token): never shown, logged or stored.
    Secret,
    /// ASCII digits only, 1 to `max_len` of them (codes and PINs).
    Digits { max_len: usize },
    /// A whole number within `min..=max`.
    Integer { min: i64, max: i64 },
    /// 0 or 1.
    Flag,
    /// One of the listed API values (labels are `repeats.<value>` in the
    /// catalogs, `repeats.none` for the empty one).
    Choice(&'static [&'static str]),
    /// Digits with one optional leading `+`, at most `max_len` characters.
    Phone { max_len: usize },
}

/// One row of the table.
#[derive(Debug)]
pub struct Param {
    pub field: Field,
    /// The API's name, also the form control's `name`.
    pub name: &'static str,
    pub kind: Kind,
    /// The API's default as it is sent; a value equal to it is left out.
    pub default: &'static str,
    pub group: Group,
    /// The API itself requires it (code; the credentials unless a token is used).
    pub required: bool,
}

/// The values of `repeats`, in the order the form offers them.
pub const REPEATS: &[&str] = &["", "daily", "weekly", "2_weekly", "monthly", "2_monthly"];

/// The three PINs: at least one is required, no two alike.
pub const PINS: [Field; 3] = [Field::AdminPin, Field::TalkPin, Field::ListenPin];

/// The parts of the start date and time, one control group on the form.
pub const START: [Field; 5] = [
    Field::Year,
    Field::Month,
    Field::Day,
    Field::Hour,
    Field::Minute,
];

/// Largest ID we accept for `owner` and `customer` (a signed 32-bit key on
/// the switch's database is the safe assumption).
pub const MAX_ID: i64 = 2_147_483_647;

/// One row of the table, not required (see [`required`]).
const fn row(
    field: Field,
    name: &'static str,
    kind: Kind,
    default: &'static str,
    group: Group,
) -> Param {
    Param {
        field,
        name,
        kind,
        default,
        group,
        required: false,
    }
}

const fn required(mut param: Param) -> Param {
    param.required = true;
    param
}

use Field as F;
use Group as G;

#[rustfmt::skip]
pub static PARAMS: [Param; Field::COUNT] = [
    required(row(F::AuthUsername, "auth_username", Kind::Text { max_chars: 255 }, "", G::SignIn)),
    required(row(F::AuthPassword, "auth_password", Kind::Secret, "", G::SignIn)),
    row(F::AuthToken, "auth_token", Kind::Secret, "", G::SignIn),
    required(row(F::Code, "code", Kind::Digits { max_len: 20 }, "", G::Access)),
    row(F::AdminPin, "adminpin", Kind::Digits { max_len: 20 }, "", G::Access),
    row(F::TalkPin, "talkpin", Kind::Digits { max_len: 20 }, "", G::Access),
    row(F::ListenPin, "listenpin", Kind::Digits { max_len: 20 }, "", G::Access),
    row(F::Year, "year", Kind::Integer { min: 0, max: 2100 }, "0", G::Schedule),
    row(F::Month, "month", Kind::Integer { min: 1, max: 12 }, "1", G::Schedule),
    row(F::Day, "day", Kind::Integer { min: 1, max: 31 }, "1", G::Schedule),
    row(F::Hour, "hour", Kind::Integer { min: 0, max: 23 }, "0", G::Schedule),
    row(F::Minute, "minute", Kind::Integer { min: 0, max: 59 }, "0", G::Schedule),
    row(F::Duration, "duration", Kind::Integer { min: 0, max: 525_600 }, "0", G::Schedule),
    row(F::Repeats, "repeats", Kind::Choice(REPEATS), "", G::Schedule),
    row(F::Count, "count", Kind::Integer { min: 1, max: 1000 }, "1", G::Schedule),
    row(F::Description, "description", Kind::Text { max_chars: 255 }, "", G::Details),
    row(F::Owner, "owner", Kind::Integer { min: 0, max: MAX_ID }, "0", G::Details),
    row(F::Customer, "customer", Kind::Integer { min: 1, max: MAX_ID }, "", G::Details),
    row(F::CallerId, "callerid", Kind::Phone { max_len: 32 }, "", G::Details),
    row(F::Maximum, "maximum", Kind::Integer { min: 0, max: 10_000 }, "0", G::Details),
    row(F::Panel, "panel", Kind::Flag, "0", G::Options),
    row(F::PlayJoin, "play_join", Kind::Flag, "0", G::Options),
    row(F::PlayMusic, "play_music", Kind::Flag, "0", G::Options),
    row(F::RecordName, "record_name", Kind::Flag, "0", G::Options),
    row(F::WaitMusic, "wait_music", Kind::Flag, "0", G::Options),
    row(F::Validation, "validation", Kind::Flag, "0", G::Control),
];

impl Field {
    /// How many there are: `Validation` is the last variant, so the table's
    /// length follows the enum and a missing or extra entry does not compile.
    pub const COUNT: usize = Field::Validation as usize + 1;

    /// Every field, in form order.
    pub fn all() -> impl Iterator<Item = Field> {
        PARAMS.iter().map(|p| p.field)
    }

    pub fn param(self) -> &'static Param {
        &PARAMS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.param().name
    }

    /// The field whose API name is `name`.
    pub fn from_name(name: &str) -> Option<Field> {
        PARAMS.iter().find(|p| p.name == name).map(|p| p.field)
    }

    /// A parameter of the conference itself: not the credentials, and not
    /// `validation`, which the client sets per call.
    pub fn is_request(self) -> bool {
        !matches!(self.param().group, Group::SignIn | Group::Control)
    }

    /// Fields that hold credentials: never echoed, never logged.
    pub fn is_secret(self) -> bool {
        matches!(self.param().kind, Kind::Secret)
    }
}

/// One `T` per parameter, indexed by [`Field`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerField<T>([T; Field::COUNT]);

impl<T> PerField<T> {
    pub fn from_fn(mut value: impl FnMut(Field) -> T) -> Self {
        PerField(std::array::from_fn(|i| value(PARAMS[i].field)))
    }
}

impl<T: Clone> PerField<T> {
    /// Every field holding `value`.
    pub fn filled(value: T) -> Self {
        Self::from_fn(|_| value.clone())
    }
}

impl<T> std::ops::Index<Field> for PerField<T> {
    type Output = T;
    fn index(&self, field: Field) -> &T {
        &self.0[field as usize]
    }
}

impl<T> std::ops::IndexMut<Field> for PerField<T> {
    fn index_mut(&mut self, field: Field) -> &mut T {
        &mut self.0[field as usize]
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_field() {
        for (i, param) in PARAMS.iter().enumerate() {
            assert_eq!(param.field as usize, i, "{} is out of place", param.name);
        }
    }

    #[test]
    fn every_reference_parameter_is_in_the_table() {
        // The 25 names of the vendor's reference page, plus auth_token (4.1+).
        let reference = [
            "auth_username",
            "auth_password",
            "code",
            "adminpin",
            "callerid",
            "count",
            "customer",
            "description",
            "duration",
            "listenpin",
            "maximum",
            "owner",
            "panel",
            "play_join",
            "play_music",
            "record_name",
            "repeats",
            "talkpin",
            "wait_music",
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "validation",
        ];
        assert_eq!(reference.len(), 25);
        for name in reference {
            assert!(Field::from_name(name).is_some(), "{name} missing");
        }
        assert_eq!(Field::from_name("auth_token"), Some(Field::AuthToken));
        assert_eq!(PARAMS.len(), 26);
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = PARAMS.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PARAMS.len());
    }

    #[test]
    fn reference_defaults() {
        let d = |f: Field| f.param().default;
        assert_eq!(d(Field::Count), "1");
        assert_eq!(d(Field::Month), "1");
        assert_eq!(d(Field::Day), "1");
        assert_eq!(d(Field::Year), "0");
        assert_eq!(d(Field::Hour), "0");
        assert_eq!(d(Field::Repeats), "");
        let flags: Vec<_> = Group::Options.fields().collect();
        assert_eq!(
            flags,
            [
                Field::Panel,
                Field::PlayJoin,
                Field::PlayMusic,
                Field::RecordName,
                Field::WaitMusic
            ]
        );
        for f in flags {
            assert_eq!(d(f), "0");
            assert_eq!(f.param().kind, Kind::Flag);
        }
    }
}
