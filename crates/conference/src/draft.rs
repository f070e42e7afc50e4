//! What the user typed, as strings, one per parameter.

use crate::params::{Field, PerField};

/// The form's values, exactly as typed (a checkbox is `"0"` or `"1"`).
///
/// A new draft holds every parameter's API default, so an untouched form
/// encodes to nothing but what the user changed.
#[derive(Clone, PartialEq, Eq)]
pub struct Draft {
    values: PerField<String>,
}

/// Every value by its API name, a secret (the password) as `***`: a draft
/// printed in a test failure or a log shows no password.
impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for field in Field::all() {
            let value = &self.values[field];
            map.entry(
                &field.name(),
                &if field.is_secret() && !value.is_empty() {
                    "***"
                } else {
                    value.as_str()
                },
            );
        }
        map.finish()
    }
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            values: PerField::from_fn(|f| f.param().default.to_owned()),
        }
    }
}

impl Draft {
    /// A draft holding the API's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// A draft where every value is empty, as a server sees a request before
    /// reading any parameter. Empty means "not given", which the validator
    /// treats as the default.
    pub fn empty() -> Self {
        Draft {
            values: PerField::filled(String::new()),
        }
    }

    pub fn get(&self, field: Field) -> &str {
        &self.values[field]
    }

    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        self.values[field] = value.into();
    }

    /// Builder form of [`Draft::set`], handy in tests and examples.
    pub fn with(mut self, field: Field, value: impl Into<String>) -> Self {
        self.set(field, value);
        self
    }

    /// The value with surrounding whitespace removed, as every rule sees it.
    pub fn trimmed(&self, field: Field) -> &str {
        self.get(field).trim()
    }

    /// The trimmed value, or the parameter's default when nothing was given.
    pub fn effective(&self, field: Field) -> &str {
        match self.trimmed(field) {
            "" => field.param().default,
            value => value,
        }
    }

    /// Every field with its trimmed value, defaults filled in: two drafts that
    /// mean the same request normalize to the same draft.
    pub fn normalized(&self) -> Draft {
        Draft {
            values: PerField::from_fn(|f| self.effective(f).to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_draft_holds_defaults_and_empty_holds_nothing() {
        let d = Draft::new();
        assert_eq!(d.get(Field::Count), "1");
        assert_eq!(d.get(Field::Code), "");
        let e = Draft::empty();
        assert_eq!(e.get(Field::Count), "");
        assert_eq!(e.effective(Field::Count), "1");
        assert_eq!(e.normalized(), d);
    }

    #[test]
    fn effective_trims_and_falls_back_to_default() {
        let d = Draft::new()
            .with(Field::Month, "  ")
            .with(Field::Code, " 12 ");
        assert_eq!(d.effective(Field::Month), "1");
        assert_eq!(d.effective(Field::Code), "12");
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_shows_values_but_never_the_password() {
        let draft = Draft::new()
            .with(Field::AuthPassword, "hunter2")
            .with(Field::Code, "4242");
        let shown = format!("{draft:?}");
        assert!(shown.contains("\"code\": \"4242\""), "{shown}");
        assert!(shown.contains("\"auth_password\": \"***\""), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
