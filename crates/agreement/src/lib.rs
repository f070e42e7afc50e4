//! Drafts generated from a fixed seed, each validated and rendered as one
//! line of text, so that the native build (the server) and the wasm32 build
//! (the browser) can be compared line for line (`cargo xtask test`, through
//! xtask's `agreement`).
//!
//! A line holds the draft's index, every problem (fields, code, severity,
//! message) in report order, and, when the draft makes a request, the body the
//! browser would send and the occurrences the preview would show. Validation
//! runs on a fixed clock, so "in the past" means the same on both sides.
//!
//! The generator aims at every rule: most drafts are a valid draft with a few
//! values changed to something near a rule's edge (boundary numbers, signs,
//! leading zeros, dates that do not exist, starts a minute either side of the
//! clock, identical PINs, the repeats words), others are empty, padded with
//! Unicode whitespace, or hold non-ASCII digits and control characters.

use std::fmt::Write;

use chrono::{NaiveDate, NaiveDateTime};
use conference::params::REPEATS;
use conference::{planned, validate_at, Conference, Credentials, Draft, Field, Kind};

/// The seed of the corpus: change it and both sides see new drafts.
pub const SEED: u64 = 0x5EED_C0F3_2026_0014;

/// The clock both sides validate against: the rules tests' noon.
pub fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 27)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a real date")
}

/// SplitMix64: a few lines, the same numbers on every target (only `u64`
/// arithmetic, never `usize`).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn int(&mut self, min: i64, max: i64) -> i64 {
        min + self.below((max - min + 1) as u64) as i64
    }
}

/// Whitespace `trim` removes, and two look-alikes it does not (U+200B, U+FEFF).
const PADDING: &[&str] = &[
    " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "\u{2003}", "\u{85}", "\u{200b}",
    "\u{feff}",
];

/// Numbers written every way an integer rule must decide on.
const EDGES: &[&str] = &[
    "0",
    "00",
    "-0",
    "+0",
    "1",
    "+1",
    "-1",
    "007",
    "+",
    "-",
    "+-1",
    "--1",
    "1.0",
    "1e3",
    "0x10",
    "1 000",
    "1_000",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999999",
];

/// Non-ASCII digits, control characters and other Unicode traps.
const UNICODE: &[&str] = &[
    "١٢٣٤",
    "۱۲۳۴",
    "１２３４",
    "²³",
    "½",
    "Ⅻ",
    "𝟙𝟚𝟛𝟜",
    "1\u{301}2",
    "\u{202e}4321",
    "12\u{0}34",
    "12\u{7f}",
    "\u{9f}",
    "😀",
    "é",
    "ß",
    "İ",
    "Weekly sync — all staff",
    "line\nbreak",
    "tab\there",
    "<script>",
    "daily\u{0}",
];

const WORDS: &[&str] = &[
    "daily",
    "weekly",
    "2_weekly",
    "monthly",
    "2_monthly",
    "",
    "Daily",
    "WEEKLY",
    "yearly",
    "2_daily",
    "2-weekly",
    "monthly ",
    "ｄａｉｌｙ",
];

fn digits(rng: &mut Rng, n: u64) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

/// A value the field's own rule accepts, often at its edge.
fn near_valid(rng: &mut Rng, field: Field) -> String {
    match field.param().kind {
        Kind::Text { max_chars } => match rng.below(6) {
            0 => "x".repeat(max_chars),
            1 => "é".repeat(max_chars),
            2 => "😀".repeat(max_chars + rng.below(2) as usize),
            _ => rng
                .pick(&["Team call", "Board — monthly", "a", "Ünïcödé", "20"])
                .to_owned(),
        },
        Kind::Secret => rng
            .pick(&["demo", "t.k", "pass word", " spaced "])
            .to_owned(),
        Kind::Digits { max_len } => {
            let max = max_len as u64;
            let n = match rng.below(4) {
                0 => max,
                1 => max + 1,
                _ => 1 + rng.below(6),
            };
            digits(rng, n)
        }
        Kind::Integer { .. } if field == Field::Year => match rng.below(5) {
            0 => "0".to_owned(),
            1 => rng
                .pick(&["1999", "2000", "2100", "2101", "2026"])
                .to_owned(),
            2 => rng.pick(&["2028", "2096", "2100", "2027"]).to_owned(),
            _ => rng.int(2000, 2100).to_string(),
        },
        Kind::Integer { min, max } => match rng.below(6) {
            0 => min.to_string(),
            1 => max.to_string(),
            2 => (min - 1).to_string(),
            3 => (max + 1).to_string(),
            _ => rng.int(min, max.min(min + 100)).to_string(),
        },
        Kind::Flag => rng.pick(&["0", "1", "2", "true", "01"]).to_owned(),
        Kind::Choice(choices) => rng.pick(choices).to_owned(),
        Kind::Phone { max_len } => {
            let plus = if rng.percent(50) { "+" } else { "" };
            let n = match rng.below(4) {
                0 => max_len as u64 - plus.len() as u64,
                1 => max_len as u64 - plus.len() as u64 + 1,
                _ => rng.below(14),
            };
            format!("{plus}{}", digits(rng, n))
        }
    }
}

fn value(rng: &mut Rng, draft: &Draft, field: Field) -> String {
    match rng.below(20) {
        0..=5 => near_valid(rng, field),
        6..=8 => rng.pick(EDGES).to_owned(),
        9 => String::new(),
        10 => rng.pick(PADDING).repeat(1 + rng.below(2) as usize),
        11 | 12 => {
            let pad = rng.pick(PADDING);
            format!("{pad}{}{pad}", near_valid(rng, field))
        }
        13 | 14 => rng.pick(UNICODE).to_owned(),
        15 => {
            // A copy of another field: identical PINs, a code as a PIN.
            let from = rng.pick(&["code", "adminpin", "talkpin", "listenpin", "year", "count"]);
            draft
                .get(Field::from_name(from).expect("a known name"))
                .to_owned()
        }
        16 => rng.pick(WORDS).to_owned(),
        _ => {
            let alphabet: Vec<char> = "0123456789+- .e\u{e9}a\t_".chars().collect();
            (0..rng.below(8))
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect()
        }
    }
}

/// A start a minute or a day either side of the clock, or a date that does
/// not exist, with a repeat and count to expand.
fn schedule(rng: &mut Rng, draft: &mut Draft) {
    let (year, month, day, hour, minute) = match rng.below(4) {
        0 => (2026, 11, 27, 12, rng.int(0, 1)),
        1 => (2026, 11, 27, 11, 59),
        2 => (
            rng.pick(&["2000", "2024", "2026", "2100", "2096"])
                .parse()
                .unwrap(),
            rng.int(1, 12),
            rng.int(28, 31),
            rng.int(0, 23),
            rng.int(0, 59),
        ),
        _ => (
            rng.int(2026, 2027),
            rng.int(1, 12),
            rng.int(1, 31),
            rng.int(0, 23),
            rng.int(0, 59),
        ),
    };
    for (field, n) in [
        (Field::Year, year),
        (Field::Month, month),
        (Field::Day, day),
        (Field::Hour, hour),
        (Field::Minute, minute),
    ] {
        draft.set(field, n.to_string());
    }
    let word = REPEATS[rng.below(REPEATS.len() as u64) as usize];
    draft.set(Field::Repeats, word);
    let count = rng.pick(&["1", "2", "12", "1000", "1001", "0"]);
    draft.set(Field::Count, count);
}

/// The `index`-th draft of the corpus: each is drawn from its own stream, so
/// one can be shown without generating those before it.
pub fn draft(index: u64) -> Draft {
    let mut rng = Rng(SEED ^ index.wrapping_mul(0xA24B_AED4_963E_E407));
    let mut draft = match rng.below(20) {
        0..=11 => Draft::new()
            .with(Field::AuthUsername, "demo")
            .with(Field::AuthPassword, "demo")
            .with(Field::Code, "123456")
            .with(Field::TalkPin, "234567"),
        12..=15 => Draft::new(),
        16..=17 => Draft::empty(),
        _ => Draft::new().with(Field::AuthToken, "t.k"),
    };
    if rng.percent(30) {
        schedule(&mut rng, &mut draft);
    }
    let edits = if rng.percent(85) {
        1 + rng.below(4)
    } else {
        5 + rng.below(30)
    };
    let fields: Vec<Field> = Field::all().collect();
    for _ in 0..edits {
        let field = fields[rng.below(fields.len() as u64) as usize];
        let value = value(&mut rng, &draft, field);
        draft.set(field, value);
    }
    draft
}

/// One draft's verdict as one line (see the crate's doc). Control
/// characters in messages or bodies are escaped, so a line stays a line.
pub fn line(index: u64) -> String {
    let draft = draft(index);
    let report = validate_at(&draft, now());
    let mut out = format!("{index}");
    for p in &report.problems {
        let fields: Vec<&str> = p.fields.iter().map(|f| f.name()).collect();
        let severity = if p.is_error() { "E" } else { "W" };
        let _ = write!(
            out,
            "\t{} {} {severity} {:?}",
            fields.join(","),
            p.code,
            p.message.to_string()
        );
    }
    match Conference::from_draft(&draft) {
        Ok(conference) => {
            let body = conference.to_body(&Credentials::from_draft(&draft), false);
            let _ = write!(out, "\t=> {body:?}");
        }
        Err(errors) => {
            let _ = write!(out, "\t=> {} errors", errors.problems.len());
        }
    }
    let occurrences = planned(&draft);
    if let (Some(first), Some(last)) = (occurrences.first(), occurrences.last()) {
        let _ = write!(out, "\t{} from {} to {}", occurrences.len(), first, last);
    }
    out
}

/// The first `count` lines, each ending in a newline.
pub fn lines(count: u64) -> String {
    let mut out = String::new();
    for index in 0..count {
        out.push_str(&line(index));
        out.push('\n');
    }
    out
}

/// A draft's values, non-empty ones only, escaped: for a person reading a
/// difference.
pub fn show(index: u64) -> String {
    let draft = draft(index);
    Field::all()
        .filter(|&f| !draft.get(f).is_empty())
        .map(|f| format!("{}={:?}", f.name(), draft.get(f)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The wasm32 side: Node calls these (run.mjs) with no JavaScript glue.
#[cfg(target_arch = "wasm32")]
mod wasm {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LEN: AtomicUsize = AtomicUsize::new(0);

    /// Renders the first `count` lines and returns where they start in
    /// memory; [`agreement_len`] says how many bytes. The text is leaked:
    /// the module runs once.
    #[no_mangle]
    pub extern "C" fn agreement_lines(count: u32) -> *const u8 {
        let text = crate::lines(u64::from(count))
            .into_bytes()
            .into_boxed_slice();
        LEN.store(text.len(), Ordering::Relaxed);
        Box::leak(text).as_ptr()
    }

    #[no_mangle]
    pub extern "C" fn agreement_len() -> usize {
        LEN.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use conference::{codes, Severity};

    #[test]
    fn the_corpus_is_the_same_every_time() {
        assert_eq!(lines(200), lines(200));
        assert_eq!(draft(12_345), draft(12_345));
        assert_ne!(draft(1), draft(2));
    }

    #[test]
    fn the_corpus_exercises_every_rule_both_ways() {
        let all = [
            codes::REQUIRED,
            codes::NOT_DIGITS,
            codes::TOO_LONG,
            codes::NOT_INTEGER,
            codes::OUT_OF_RANGE,
            codes::NOT_FLAG,
            codes::NOT_CHOICE,
            codes::CONTROL_CHARS,
            codes::NOT_PHONE,
            codes::NO_PIN,
            codes::SAME_PIN,
            codes::SHORT_PIN,
            codes::COUNT_NEEDS_REPEATS,
            codes::NEEDS_START,
            codes::NO_SUCH_DATE,
            codes::START_IN_PAST,
            codes::MAXIMUM_ONE,
            codes::WAIT_MUSIC_NO_ADMIN,
        ];
        let mut seen = Vec::new();
        let (mut clean, mut requests, mut warnings) = (0, 0, 0);
        for index in 0..20_000 {
            let d = draft(index);
            let report = validate_at(&d, now());
            clean += u32::from(report.is_empty());
            requests += u32::from(Conference::from_draft(&d).is_ok());
            for p in &report.problems {
                warnings += u32::from(p.severity == Severity::Warning);
                if !seen.contains(&p.code) {
                    seen.push(p.code);
                }
            }
        }
        let missing: Vec<_> = all.iter().filter(|c| !seen.contains(c)).collect();
        assert!(missing.is_empty(), "never produced: {missing:?}");
        // Enough drafts pass to compare bodies and schedules too.
        assert!(
            clean > 1_000 && requests > 1_500 && warnings > 1_000,
            "{clean} {requests} {warnings}"
        );
    }
}
