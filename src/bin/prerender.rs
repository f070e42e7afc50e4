//! Renders the form ahead, once per language: `prerender [I18N_DIR OUT_DIR]`
//! reads each `I18N_DIR/<lang>.json` and writes `OUT_DIR/<lang>.html`, the
//! form's markup in that language. Trunk runs it before each build (see
//! Trunk.toml), with no arguments: `i18n` into `$TRUNK_STAGING_DIR/form`;
//! `build/post-build.mjs` then puts each into its page.
//!
//! Native, with the same views the wasm runs (`conference_form::prerender`),
//! so the markup has one source.

use std::path::PathBuf;
use std::process::ExitCode;

use conference::Catalog;

fn main() -> ExitCode {
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        if let Some(stage) = std::env::var_os("TRUNK_STAGING_DIR") {
            args = vec!["i18n".into(), PathBuf::from(stage).join("form")];
        }
    }
    let [i18n, out] = args.as_slice() else {
        eprintln!("usage: prerender I18N_DIR OUT_DIR (or no arguments, as Trunk's hook)");
        return ExitCode::from(2);
    };
    match run(i18n, out) {
        Ok(count) => {
            println!(
                "prerender: the form in {count} languages, in {}",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("prerender: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(i18n: &std::path::Path, out: &std::path::Path) -> Result<usize, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(i18n)
        .map_err(|e| format!("{}: {e}", i18n.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    for path in &entries {
        let lang = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("{}: not a language's file name", path.display()))?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let words = Catalog::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        // As the app does: the language's words over the built-in English.
        let mut catalog = Catalog::default();
        catalog.overlay(words);
        // Without Leptos's placeholders (`<!>`): they only mark places for
        // hydration, and the live form replaces this one instead.
        let html = conference_form::prerender(lang, catalog).replace("<!>", "");
        let target = out.join(format!("{lang}.html"));
        std::fs::write(&target, html).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(entries.len())
}
