//! The shared core of the conference form: every parameter and rule of
//! Enswitch's `conferences/create`, used unchanged by the browser app and by
//! the server, so the two can never disagree. It knows nothing of the web.
//!
//! - [`params`]: the one table of parameters that drives everything else;
//! - [`Draft`] and [`validate`]: what was typed, and every problem with it;
//! - [`Conference`]: a valid draft, typed, encoding to a form body;
//! - [`form`]: form bodies and query strings, both ways (`;` or `&`);
//! - [`json`]: a small, strict JSON reader and writer for the envelope;
//! - [`reply`]: the reply envelope, read into one outcome, never panicking;
//! - [`schedule`]: the occurrences a start, repeat and count describe;
//! - [`text`]: messages by id, and the catalogs that put them into words;
//! - [`invite`]: once created, an invitation for each role, and a `mailto:` link;
//! - [`ics`]: once created, the conference as a calendar file;
//! - [`digits`]: numbers written out without `core::fmt`, for the bundle's size.

pub mod digits;
pub mod draft;
pub mod form;
pub mod ics;
pub mod invite;
pub mod json;
pub mod page_words;
pub mod params;
pub mod reply;
pub mod report;
pub mod request;
pub mod rules;
pub mod schedule;
pub mod text;

pub use draft::Draft;
pub use params::{Field, Group, Kind, Param, PerField, PARAMS, PINS, START};
pub use report::{Problem, Report, Severity};
pub use request::{planned, Conference, Credentials};
pub use rules::{codes, validate, validate_at};
pub use schedule::{occurrences, Repeats};
pub use text::{Catalog, Message};
