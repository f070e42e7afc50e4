//! Writes `i18n/en.json` without its layout and without the page's words
//! (`page_words`) as `$OUT_DIR/en.json`, the copy
//! built into the core: it is in every browser's download. (A Rust table of
//! `(id, text)` pairs was measured too: 1 KB smaller raw, 0.5 KB larger
//! gzipped, its pointers compressing worse than the text they replace.)

use std::path::Path;

// The crate's own JSON reader: no second parser for the build.
#[allow(dead_code)]
#[path = "src/digits.rs"]
mod digits;
#[allow(dead_code)]
#[path = "src/json.rs"]
mod json;
#[path = "src/page_words.rs"]
mod page_words;

fn main() {
    // Read at run time: a build script binary may be reused for a checkout elsewhere.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let source = Path::new(&manifest_dir).join("../../i18n/en.json");
    println!("cargo::rerun-if-changed={}", source.display());
    let text = std::fs::read(&source).expect("i18n/en.json");
    let Ok(json::Json::Object(members)) = json::Json::parse(&text) else {
        panic!("i18n/en.json is not a JSON object");
    };
    for (id, value) in &members {
        assert!(
            matches!(value, json::Json::String(_)),
            "i18n/en.json: the value of {id} is not a string"
        );
    }
    // The page's words are read by the build's JavaScript, never by the form.
    let members: Vec<_> = members
        .into_iter()
        .filter(|(id, _)| !page_words::is_page_word(id))
        .collect();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("en.json");
    std::fs::write(dest, json::Json::Object(members).to_string()).expect("en.json");
}
