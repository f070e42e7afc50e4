//! Problems found in a draft, and the report that collects them.

use crate::params::Field;
use crate::text::Message;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Blocks submitting; the switch would refuse it.
    Error,
    /// Worth a second look; never blocks.
    Warning,
}

/// One problem: every field it involves (the first is where it is reported
/// first), a stable machine code, and a message that says what to do (in
/// no language yet: see [`crate::text`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub fields: Vec<Field>,
    pub code: &'static str,
    pub message: Message,
    pub severity: Severity,
}

impl Problem {
    pub fn error(fields: &[Field], code: &'static str, message: Message) -> Self {
        Problem::new(Severity::Error, fields, code, message)
    }

    pub fn warning(fields: &[Field], code: &'static str, message: Message) -> Self {
        Problem::new(Severity::Warning, fields, code, message)
    }

    // Not inlined: the validator makes problems in a dozen places, and one
    // copy of this is smaller in the browser's bundle than a dozen.
    #[inline(never)]
    fn new(severity: Severity, fields: &[Field], code: &'static str, message: Message) -> Self {
        Problem {
            fields: fields.to_vec(),
            code,
            message,
            severity,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The field the problem is reported on first: the API's `key`.
    pub fn field(&self) -> Field {
        self.fields[0]
    }

    pub fn involves(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }
}

/// Every problem of a draft, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub problems: Vec<Problem>,
}

impl Report {
    pub(crate) fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Sorts problems into form order (by their first field), errors before
    /// warnings on the same field; the sort is stable so rules keep their order.
    pub(crate) fn finish(mut self) -> Self {
        sort_by_key(&mut self.problems, |p| (p.field(), p.severity));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

    /// Problems that involve `field`, whichever field reports them first.
    pub fn for_field(&self, field: Field) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.involves(field))
    }

    /// Whether any problem has this machine code (handy in tests and logs).
    pub fn has(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }
}

/// Sorts `items` by `key`, keeping the order of equal items. An insertion
/// sort: the lists here hold a few dozen items at most, and each use of the
/// standard library's stable sort adds about 2 KB to the browser bundle.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && key(&items[j - 1]) > key(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}
