//! A small JSON reader and writer, just enough for the API's envelope.
//!
//! Why not serde_json: in the browser bundle it cost about 25 KB gzipped,
//! more than everything else in this crate together, for a reply of a few
//! fields. This reader is strict (RFC 8259), bounded in depth, and never
//! panics; numbers keep their text, so nothing is lost or rounded.

use std::fmt;

use crate::digits;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number as written: `123`, `-1.5e3`.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in the order written; a repeated name keeps its last value.
    Object(Vec<(String, Json)>),
}

/// Deeper nesting than this is refused: no reply of the API comes near it,
/// and it keeps a hostile body from exhausting the stack.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl Json {
    pub fn parse(input: &[u8]) -> Result<Json, JsonError> {
        let mut p = Parser { input, pos: 0 };
        p.skip_ws();
        let value = p.value(0)?;
        p.skip_ws();
        if p.pos != input.len() {
            return Err(p.error("text after the value"));
        }
        Ok(value)
    }

    /// A member of an object (the last one of that name).
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => member(members, name).map(|i| &members[i].1),
            _ => None,
        }
    }

    /// What `get` finds, taken out of the value (no copy of it made).
    pub fn take(self, name: &str) -> Option<Json> {
        match self {
            Json::Object(mut members) => member(&members, name).map(|i| members.swap_remove(i).1),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A whole number that fits in `u64` (`12`, not `12.0` or `-1`).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// An object from name/value pairs, for writing replies.
    pub fn object<const N: usize>(members: [(&str, Json); N]) -> Json {
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    pub fn str(s: impl Into<String>) -> Json {
        Json::String(s.into())
    }

    pub fn int(n: impl Into<i64>) -> Json {
        Json::Number(digits::signed(n.into()))
    }

    /// Appends the value as JSON text (what `Display` writes), without
    /// `core::fmt` (see `digits`).
    pub fn write_to(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write_to(out);
                }
                out.push('}');
            }
        }
    }

    /// The value as JSON text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Where the member named `name` is: the last of that name, as browsers
/// and serde_json read a repeated name.
fn member(members: &[(String, Json)], name: &str) -> Option<usize> {
    members.iter().rposition(|(k, _)| k == name)
}

fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `<` too, so a reply can never close a script element it sits in.
            c if (c as u32) < 0x20 || c == '<' => {
                out.push_str("\\u00");
                out.push(char::from(HEX[c as usize >> 4]));
                out.push(char::from(HEX[c as usize & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, word: &'static [u8], value: Json) -> Result<Json, JsonError> {
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("an unknown word"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        match self.peek() {
            None => Err(self.error("the end of the text where a value was due")),
            Some(b'n') => self.expect(b"null", Json::Null),
            Some(b't') => self.expect(b"true", Json::Bool(true)),
            Some(b'f') => self.expect(b"false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("a character that starts no value")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("a list without , or ]")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("an object member without a quoted name"));
            }
            let name = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("an object member without :"));
            }
            self.pos += 1;
            self.skip_ws();
            members.push((name, self.value(depth + 1)?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("an object without , or }")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let first = self.peek();
        match self.digits() {
            0 => return Err(self.error("a number without digits")),
            n if n > 1 && first == Some(b'0') => {
                return Err(self.error("a number with a leading zero"))
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("a number without digits after the point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("a number without digits in its exponent"));
            }
        }
        // Only ASCII was consumed, so this is valid UTF-8.
        Ok(Json::Number(
            String::from_utf8_lossy(&self.input[start..self.pos]).into_owned(),
        ))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .input
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("a short \\u escape"))?;
        let mut n = 0;
        for &d in digits {
            n = n * 16
                + (d as char)
                    .to_digit(16)
                    .ok_or_else(|| self.error("a \\u escape that is not hex"))?;
        }
        self.pos += 4;
        Ok(n)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("a string without its closing quote"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("a string without its closing quote"))?;
                    self.pos += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("an unknown escape")),
                    };
                    let mut buf = [0; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err(self.error("a control character in a string")),
                b => bytes.push(b),
            }
        }
        String::from_utf8(bytes).map_err(|_| self.error("a string that is not UTF-8"))
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            // A high surrogate must be followed by an escaped low one.
            if !self.input[self.pos..].starts_with(b"\\u") {
                return Err(self.error("a lone surrogate"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("a lone surrogate"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("a lone surrogate"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_value() {
        let v = Json::parse(
            br#" {"a":[1,-2.5e3,true,false,null],"b":"x\"\\\/\n\u00e9\ud83d\ude00","a":{}} "#,
        )
        .unwrap();
        assert_eq!(
            v.get("a"),
            Some(&Json::Object(vec![])),
            "the last of a repeated name wins"
        );
        assert_eq!(v.get("b").unwrap().as_str(), Some("x\"\\/\né😀"));
        let Json::Object(members) = &v else { panic!() };
        assert_eq!(
            members[0].1,
            Json::Array(vec![
                Json::Number("1".into()),
                Json::Number("-2.5e3".into()),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ])
        );
    }

    #[test]
    fn take_finds_what_get_finds() {
        let v = Json::parse(br#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Json::Number("3".into())));
        assert_eq!(v.clone().take("a"), Some(Json::Number("3".into())));
        assert_eq!(v.clone().take("c"), None);
        assert_eq!(Json::Null.take("a"), None);
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,]",
            b"{\"a\"}",
            b"01",
            b"1.",
            b"-",
            b"1e",
            b"\"\\x\"",
            b"\"\\ud800\"",
            b"\"a\nb\"",
            b"nul",
            b"{} x",
            b"'a'",
            b"\"\xff\"",
            b"[1 2]",
        ] {
            assert!(
                Json::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert_eq!(
            Json::parse(deep.as_bytes()).unwrap_err().reason,
            "nesting too deep"
        );
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Json::parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn numbers_as_integers() {
        assert_eq!(Json::parse(b"123").unwrap().as_u64(), Some(123));
        assert_eq!(Json::parse(b"1.0").unwrap().as_u64(), None);
        assert_eq!(Json::parse(b"-1").unwrap().as_u64(), None);
        assert_eq!(
            Json::parse(b"99999999999999999999999").unwrap().as_u64(),
            None
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let v = Json::object([
            ("s", Json::str("a\"b\\c\n\u{1}</script>")),
            ("n", Json::int(-5)),
            ("l", Json::Array(vec![Json::Null, Json::Bool(true)])),
        ]);
        let text = v.to_string();
        assert_eq!(
            text,
            r#"{"s":"a\"b\\c\n\u0001\u003c/script>","n":-5,"l":[null,true]}"#
        );
        assert_eq!(Json::parse(text.as_bytes()).unwrap(), v);
    }
}
