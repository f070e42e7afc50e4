//! Every word a person sees, by message id: the core's problems and replies
//! carry a [`Message`] (an id and its arguments), never a sentence, and a
//! [`Catalog`] turns it into words in one language.
//!
//! English is built in (`i18n/en.json`, the file translators start from);
//! other languages are files of the same shape, loaded by the app at run
//! time and laid over English, so a key a catalog lacks still has words.

use std::fmt;
use std::sync::OnceLock;

use crate::digits;
use crate::json::Json;
use crate::params::Field;

/// English, built in: `i18n/en.json` as the build script wrote it, without
/// its layout.
pub const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.json"));

/// A value put into a message's `{name}` placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A parameter, shown as its label in the catalog's language.
    Field(Field),
    /// A quantity (a limit, a count), written as the language writes numbers
    /// where the caller renders with [`Catalog::render_with`].
    Int(i64),
    /// Text as it is (a switch's own words, an ID or code, a year, a list of
    /// API values).
    Text(String),
    /// Another message, rendered in the same language.
    Message(Box<Message>),
}

/// What to say, in no language yet: a catalog id and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(id: &'static str) -> Self {
        Message {
            id,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, arg: Arg) -> Self {
        self.args.push((name, arg));
        self
    }

    pub fn field(self, name: &'static str, field: Field) -> Self {
        self.with(name, Arg::Field(field))
    }

    pub fn int(self, name: &'static str, n: impl Into<i64>) -> Self {
        self.with(name, Arg::Int(n.into()))
    }

    pub fn text(self, name: &'static str, text: impl Into<String>) -> Self {
        self.with(name, Arg::Text(text.into()))
    }

    pub fn message(self, name: &'static str, message: Message) -> Self {
        self.with(name, Arg::Message(Box::new(message)))
    }
}

/// In English: what the server and the logs say, and what tests read.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Catalog::english().render(self))
    }
}

/// The words of one language: message id to text, `{name}` placeholders in
/// it. What a catalog lacks, English says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    entries: Vec<(String, String)>,
}

impl Catalog {
    /// A catalog file: one JSON object whose values are all strings.
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let Ok(Json::Object(members)) = Json::parse(text.as_bytes()) else {
            return Err("not a JSON object".into());
        };
        let mut catalog = Catalog::default();
        for (key, value) in members {
            let Json::String(text) = value else {
                return Err(["the value of ", &key, " is not a string"].concat());
            };
            catalog.set(key, text);
        }
        Ok(catalog)
    }

    /// English, read once.
    pub fn english() -> &'static Catalog {
        static ENGLISH_CATALOG: OnceLock<Catalog> = OnceLock::new();
        ENGLISH_CATALOG
            .get_or_init(|| Catalog::parse(ENGLISH).expect("en.json was checked by the build"))
    }

    fn set(&mut self, key: String, text: String) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = text,
            None => self.entries.push((key, text)),
        }
    }

    /// Lays `other` over this one: its texts win, the rest stay.
    pub fn overlay(&mut self, other: Catalog) {
        for (key, text) in other.entries {
            self.set(key, text);
        }
    }

    /// The text of `id`, if this catalog or English has it.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.own(id).or_else(|| Catalog::english().own(id))
    }

    fn own(&self, id: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, t)| t.as_str())
    }

    /// Whether the catalog itself (not English under it) has `id`.
    pub fn has_own(&self, id: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == id)
    }

    /// The text of `id`: this catalog's, else English, else the id itself
    /// (a mistake tests catch, shown rather than hidden).
    pub fn text<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).unwrap_or(id)
    }

    /// The catalog's own ids, in file order (not English's under it).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// A parameter's label (`label.<name>`).
    pub fn label(&self, field: Field) -> &str {
        self.get(&label_id(field)).unwrap_or(field.name())
    }

    /// The words for one of a choice's values (`<name>.<value>`, and
    /// `<name>.none` for the empty value).
    pub fn choice(&self, field: Field, value: &str) -> &str {
        let value = if value.is_empty() { "none" } else { value };
        self.get(&[field.name(), ".", value].concat())
            .unwrap_or(field.name())
    }

    /// A parameter's hint (`hint.<name>`), where it has one.
    pub fn hint(&self, field: Field) -> Option<&str> {
        self.get(&["hint.", field.name()].concat())
            .filter(|h| !h.is_empty())
    }

    /// The message in words: each `{name}` replaced by its argument; a
    /// placeholder without one is left as written. Numbers in ASCII digits.
    pub fn render(&self, message: &Message) -> String {
        self.render_with(message, &digits::signed)
    }

    /// [`Catalog::render`], with quantities written by `number` (the browser
    /// passes its `Intl.NumberFormat`).
    pub fn render_with(&self, message: &Message, number: &dyn Fn(i64) -> String) -> String {
        let mut out = String::new();
        let mut rest = self.text(message.id);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let arg = after.find('}').and_then(|close| {
                let name = &after[..close];
                let arg = message.args.iter().find(|(n, _)| *n == name)?;
                Some((close, &arg.1))
            });
            match arg {
                Some((close, arg)) => {
                    match arg {
                        Arg::Field(field) => out.push_str(self.label(*field)),
                        Arg::Int(n) => out.push_str(&number(*n)),
                        Arg::Text(text) => out.push_str(text),
                        Arg::Message(inner) => out.push_str(&self.render_with(inner, number)),
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The writing direction the catalog declares (`"dir": "rtl"`).
    pub fn is_rtl(&self) -> bool {
        self.text("dir") == "rtl"
    }
}

/// The id of a parameter's label.
pub fn label_id(field: Field) -> String {
    ["label.", field.name()].concat()
}

/// The `{name}` placeholders of a text, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            names.push(&rest[..close]);
            rest = &rest[close + 1..];
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_arguments_in_the_catalogs_language() {
        let de = Catalog::parse(
            r#"{"label.code": "Konferenznummer", "rule.not_digits": "{label}: nur Ziffern"}"#,
        )
        .unwrap();
        let m = Message::new("rule.not_digits").field("label", Field::Code);
        assert_eq!(de.render(&m), "Konferenznummer: nur Ziffern");
        assert_eq!(
            m.to_string(),
            "Conference code must contain only digits 0 to 9"
        );
    }

    #[test]
    fn falls_back_to_english_then_the_id() {
        let partial = Catalog::parse(r#"{"label.code": "Code"}"#).unwrap();
        assert_eq!(partial.text("summary.title"), "There is a problem");
        assert_eq!(partial.text("no.such.id"), "no.such.id");
        assert_eq!(partial.label(Field::Code), "Code");
    }

    #[test]
    fn nested_messages_and_missing_arguments() {
        let m =
            Message::new("failure.timeout").message("then", Message::new("failure.nothing_lost"));
        assert_eq!(
            m.to_string(),
            "The switch did not answer in time. Nothing you typed is lost."
        );
        // No argument for {then}: the placeholder stays, visibly.
        assert!(Message::new("failure.timeout")
            .to_string()
            .ends_with("{then}"));
        let odd = Catalog::parse(r#"{"x": "a { b {c"}"#).unwrap();
        assert_eq!(odd.render(&Message::new("x").int("c", 1)), "a { b {c");
    }

    #[test]
    fn quantities_are_written_by_the_callers_formatter() {
        let m = Message::new("preview.more").int("count", 1500);
        assert_eq!(
            Catalog::english().render_with(&m, &|n| format!("<{n}>")),
            "and <1500> more"
        );
        assert_eq!(Catalog::english().render(&m), "and 1500 more");
    }

    #[test]
    fn overlay_replaces_and_adds() {
        let mut c = Catalog::parse(r#"{"a": "1", "b": "2"}"#).unwrap();
        c.overlay(Catalog::parse(r#"{"b": "two", "c": "3"}"#).unwrap());
        assert_eq!(c.ids().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(c.get("b"), Some("two"));
        assert!(c.has_own("a") && !c.has_own("summary.title"));
        assert_eq!(c.get("summary.title"), Some("There is a problem"));
    }

    #[test]
    fn refuses_what_is_not_an_object_of_strings() {
        assert!(Catalog::parse("[]").is_err());
        assert!(Catalog::parse("{").is_err());
        assert_eq!(
            Catalog::parse(r#"{"a": 1}"#).unwrap_err(),
            "the value of a is not a string"
        );
    }

    #[test]
    fn english_is_the_shipped_file() {
        let file = include_str!("../../../i18n/en.json");
        let Ok(Json::Object(members)) = Json::parse(file.as_bytes()) else {
            panic!("en.json is an object");
        };
        let form_words: Vec<_> = members
            .into_iter()
            .filter(|(id, _)| !crate::page_words::is_page_word(id))
            .collect();
        let form_only = Catalog::parse(&Json::Object(form_words).to_string()).unwrap();
        assert_eq!(&form_only, Catalog::english());
        // The page's words are left out, and only they.
        assert!(crate::page_words::is_page_word("page.description"));
        assert!(
            !crate::page_words::is_page_word("dir")
                && !crate::page_words::is_page_word("label.code")
        );
        assert_eq!(Catalog::english().text("page.title"), "page.title");
    }

    #[test]
    fn hints_only_where_there_are_some() {
        let en = Catalog::english();
        assert!(en.hint(Field::Code).is_some());
        assert_eq!(en.hint(Field::Panel), None);
        assert!(!en.is_rtl());
    }

    #[test]
    fn finds_placeholders() {
        assert_eq!(placeholders("{a} and {b}, {a}"), ["a", "b", "a"]);
        assert!(placeholders("none").is_empty());
    }
}
