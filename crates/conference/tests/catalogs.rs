//! The shipped catalogs (`i18n/*.json`) against English and against the
//! sources that use them: every language complete, every placeholder kept,
//! every id the code asks for present, no id left unused, and no English
//! sentence left in the app's views or the core's messages.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use conference::params::REPEATS;
use conference::text::{label_id, placeholders};
use conference::{Catalog, Field};

/// The languages the product ships, English first.
const SHIPPED: [&str; 7] = ["en", "de", "fr", "es", "nl", "pt", "ar"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn catalog_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(root().join("i18n"))
        .expect("i18n/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let lang = p.file_stem().unwrap().to_string_lossy().into_owned();
            (lang, fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn english() -> Catalog {
    Catalog::parse(&fs::read_to_string(root().join("i18n/en.json")).unwrap()).unwrap()
}

/// A catalog's own ids, with their sorted placeholders.
fn shape(catalog: &Catalog) -> Vec<(String, Vec<String>)> {
    let mut ids: Vec<_> = catalog
        .ids()
        .map(|id| {
            let mut names: Vec<String> = placeholders(catalog.get(id).unwrap())
                .into_iter()
                .map(str::to_owned)
                .collect();
            names.sort();
            names.dedup();
            (id.to_owned(), names)
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_shipped_language_is_complete_with_the_same_placeholders() {
    let files = catalog_files();
    let langs: BTreeSet<&str> = files.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(langs, SHIPPED.into_iter().collect(), "the i18n/ folder");
    let english = english();
    let want = shape(&english);
    let mut problems = Vec::new();
    for (lang, text) in &files {
        let catalog = match Catalog::parse(text) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{lang}.json: {e}"));
                continue;
            }
        };
        let have = shape(&catalog);
        for (id, names) in &want {
            match have.iter().find(|(i, _)| i == id) {
                None => problems.push(format!("{lang}.json lacks {id}")),
                Some((_, n)) if n != names => problems.push(format!(
                    "{lang}.json: {id} has {{{n:?}}}, English {{{names:?}}}"
                )),
                Some(_) => {}
            }
        }
        for (id, _) in &have {
            if !english.has_own(id) {
                problems.push(format!("{lang}.json has {id}, which English does not"));
            }
            if catalog.get(id).unwrap().trim().is_empty() {
                problems.push(format!("{lang}.json: {id} is empty"));
            }
        }
        if !matches!(catalog.get("dir"), Some("ltr" | "rtl")) {
            problems.push(format!("{lang}.json: dir must be ltr or rtl"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn arabic_is_right_to_left_and_the_rest_left_to_right() {
    for (lang, text) in catalog_files() {
        let catalog = Catalog::parse(&text).unwrap();
        assert_eq!(catalog.is_rtl(), lang == "ar", "{lang}");
    }
}

/// Ids built from the parameter table rather than written in the code.
fn table_ids() -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = Field::all().map(label_id).collect();
    ids.extend(Field::all().map(|f| format!("hint.{}", f.name())));
    ids.extend(
        REPEATS
            .iter()
            .map(|v| format!("repeats.{}", if v.is_empty() { "none" } else { v })),
    );
    ids.extend(["language", "dir"].map(String::from));
    ids
}

/// The non-test Rust sources of the app, its flow and the core.
fn sources() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in ["src", "crates/flow/src", "crates/conference/src"] {
        for entry in fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                // Tests come last in a file, after `#[cfg(test)]`.
                let code = text.split("#[cfg(test)]").next().unwrap().to_owned();
                out.push((path, code));
            }
        }
    }
    out
}

/// The string literals of a source (simple ones: no raw strings or escapes
/// needed for what is looked for here), with comments left out.
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut parts = line.split('"');
        parts.next();
        while let Some(lit) = parts.next() {
            out.push(lit.to_owned());
            parts.next();
        }
    }
    out
}

#[test]
fn every_id_the_code_asks_for_exists_and_none_is_unused() {
    let english = english();
    let prefixes: BTreeSet<&str> = english
        .ids()
        .filter_map(|id| id.split_once('.'))
        .map(|(p, _)| p)
        .collect();
    let is_id = |s: &str| {
        s.split_once('.').is_some_and(|(p, rest)| {
            prefixes.contains(p)
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
    };
    let mut used = table_ids();
    // The standalone page's words, which the build hands to its loader.
    let page = fs::read_to_string(root().join("build/post-build.mjs")).unwrap();
    used.extend(literals(&page).into_iter().filter(|l| is_id(l)));
    let mut problems = Vec::new();
    for (path, code) in sources() {
        for lit in literals(&code).into_iter().filter(|l| is_id(l)) {
            if !english.has_own(&lit) {
                problems.push(format!("{}: {lit} is not in en.json", path.display()));
            }
            used.insert(lit);
        }
    }
    for id in english.ids() {
        if !used.contains(id) {
            problems.push(format!("en.json: {id} is used nowhere"));
        }
    }
    for id in table_ids() {
        if !id.starts_with("hint.") && !english.has_own(&id) {
            problems.push(format!("en.json lacks {id}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A literal that reads as English prose: two words or more, letters only
/// apart from punctuation, and not an id, a CSS class or a selector.
fn looks_like_prose(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && words
            .iter()
            .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic() || ",.:;!?'…".contains(c)))
            .count()
            >= 2
        && !s.contains("cf-")
        // Debug output for developers (`Token {{ token: *** }}`), not words for users.
        && !s.contains("{{")
}

#[test]
fn no_english_sentence_is_left_in_the_views_or_the_rules() {
    let mut found = Vec::new();
    for (path, code) in sources() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for lit in literals(&code) {
            if looks_like_prose(&lit) {
                found.push(format!("{name}: {lit:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English outside i18n/en.json:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_prose_detector_detects_prose() {
    assert!(looks_like_prose("Enter a conference code"));
    assert!(looks_like_prose("Conference {} created."));
    assert!(!looks_like_prose("cf-message cf-error"));
    assert!(!looks_like_prose("rule.not_digits"));
    assert!(!looks_like_prose("application/x-www-form-urlencoded"));
}
