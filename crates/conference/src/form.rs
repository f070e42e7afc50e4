//! `application/x-www-form-urlencoded`, both ways: what the browser sends and
//! what the server (or a test) reads back, with `;` or `&` between pairs
//! ([doc] the vendor's examples use `;`; [seen] clients send `&`).

use std::fmt;

use crate::draft::Draft;
use crate::params::{Field, PerField};

/// Percent-encodes pairs into a form body (or query string), joined by `&`.
pub fn encode<'a, I, K, V>(pairs: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str> + 'a,
    V: AsRef<str> + 'a,
{
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, name.as_ref());
        out.push('=');
        encode_into(&mut out, value.as_ref());
    }
    out
}

fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// Why a query string or form body could not be read. Each names the
/// parameter, so the server can answer 400 with it as the `key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormError {
    /// A `%` not followed by two hex digits.
    BadEncoding { name: String },
    /// The decoded bytes are not UTF-8.
    NotUtf8 { name: String },
    /// The same parameter given twice: which one counts is anybody's guess.
    Repeated { name: String },
}

impl FormError {
    /// The parameter the problem is in (lossy for names that are not UTF-8).
    pub fn name(&self) -> &str {
        match self {
            FormError::BadEncoding { name }
            | FormError::NotUtf8 { name }
            | FormError::Repeated { name } => name,
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormError::BadEncoding { name } => {
                write!(f, "{name} has a % that is not followed by two hex digits")
            }
            FormError::NotUtf8 { name } => write!(f, "{name} is not valid UTF-8 text"),
            FormError::Repeated { name } => {
                write!(f, "{name} is given more than once; give it once")
            }
        }
    }
}

impl std::error::Error for FormError {}

/// Splits and decodes a query string or form body. Pairs are separated by
/// `;` or `&`; empty segments are skipped; `+` is a space.
pub fn decode(input: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    input
        .split(|&b| b == b'&' || b == b';')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (raw_name, raw_value) = match segment.iter().position(|&b| b == b'=') {
                Some(i) => (&segment[..i], &segment[i + 1..]),
                None => (segment, &segment[..0]),
            };
            let name =
                decode_part(raw_name).map_err(|e| e.naming(&String::from_utf8_lossy(raw_name)))?;
            let value = decode_part(raw_value).map_err(|e| e.naming(&name))?;
            Ok((name, value))
        })
        .collect()
}

enum PartError {
    BadEncoding,
    NotUtf8,
}

impl PartError {
    fn naming(self, name: &str) -> FormError {
        let name = name.to_owned();
        match self {
            PartError::BadEncoding => FormError::BadEncoding { name },
            PartError::NotUtf8 => FormError::NotUtf8 { name },
        }
    }
}

fn decode_part(raw: &[u8]) -> Result<String, PartError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = |j: usize| raw.get(j).and_then(|&b| (b as char).to_digit(16));
                match (hex(i + 1), hex(i + 2)) {
                    (Some(hi), Some(lo)) => bytes.push((hi * 16 + lo) as u8),
                    _ => return Err(PartError::BadEncoding),
                }
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| PartError::NotUtf8)
}

/// What a request's parameters say: the draft (known parameters; everything
/// else not given is empty) and the names it did not know, which the switch
/// ignores [assumed].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub draft: Draft,
    pub unknown: Vec<String>,
}

/// Reads decoded pairs into a draft. A known parameter given twice is an error.
pub fn to_draft(pairs: Vec<(String, String)>) -> Result<Parsed, FormError> {
    let mut draft = Draft::empty();
    let mut seen = PerField::filled(false);
    let mut unknown = Vec::new();
    for (name, value) in pairs {
        match Field::from_name(&name) {
            Some(field) if seen[field] => return Err(FormError::Repeated { name }),
            Some(field) => {
                seen[field] = true;
                draft.set(field, value);
            }
            None => unknown.push(name),
        }
    }
    Ok(Parsed { draft, unknown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_and_non_ascii_bytes() {
        assert_eq!(
            encode([("a b", "x&y=z;é+%")]),
            "a+b=x%26y%3Dz%3B%C3%A9%2B%25"
        );
        assert_eq!(encode([("a", "1"), ("b", "")]), "a=1&b=");
        assert_eq!(encode(Vec::<(&str, &str)>::new()), "");
    }

    #[test]
    fn decodes_both_separators_plus_and_percent() {
        let pairs = decode(b"code=123;talkpin=45&description=a+b%21;;flag").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("code".into(), "123".into()),
                ("talkpin".into(), "45".into()),
                ("description".into(), "a b!".into()),
                ("flag".into(), "".into()),
            ]
        );
    }

    #[test]
    fn bad_percent_and_non_utf8_name_the_parameter() {
        assert_eq!(
            decode(b"code=1%2").unwrap_err(),
            FormError::BadEncoding {
                name: "code".into()
            }
        );
        assert_eq!(
            decode(b"code=%zz1").unwrap_err(),
            FormError::BadEncoding {
                name: "code".into()
            }
        );
        assert_eq!(
            decode(b"description=%FF").unwrap_err(),
            FormError::NotUtf8 {
                name: "description".into()
            }
        );
    }

    #[test]
    fn repeated_known_parameter_is_refused_unknown_ones_are_listed() {
        let err = to_draft(decode(b"code=1&code=2").unwrap()).unwrap_err();
        assert_eq!(
            err,
            FormError::Repeated {
                name: "code".into()
            }
        );
        assert!(err.to_string().contains("code"));
        let parsed = to_draft(decode(b"code=1&colour=red").unwrap()).unwrap();
        assert_eq!(parsed.draft.get(Field::Code), "1");
        assert_eq!(parsed.unknown, vec!["colour".to_owned()]);
    }
}
