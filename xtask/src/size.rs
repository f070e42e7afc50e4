//! `cargo xtask size`: where the bundle's bytes go.
//!
//! It builds the bundle as `cargo xtask build` does (the same Trunk, the same
//! index.html, profile `bundle` and `SIZE_BUILD` flags, the same wasm-opt
//! level) with three differences that touch names only, not code:
//! - cargo keeps symbols (`CARGO_PROFILE_BUNDLE_STRIP=none`);
//! - symbols use the v0 mangling, whose demangled names carry a generic
//!   function's type arguments, so an instantiation made for our code can be
//!   told from the framework's own;
//! - wasm-opt runs with `-g`, so the name section survives it (a wrapper
//!   first on PATH adds the flag to the wasm-opt Trunk calls).
//!
//! It builds into its own target folder (`target/bundle-names`) and dist
//! (`target/bundle-names/dist`), so the release build is not disturbed, and
//! prints the code size next to the release's to show that only names were
//! added. Then twiggy lists every function and data segment.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use anyhow::{Context, Result};
use xshell::{cmd, Cmd, Shell};

use crate::app::SIZE_BUILD;
use crate::run::{output, root, run, step, tool_path};

/// The code size profiler; only this command needs it, so `setup` does not
/// install it.
pub const TWIGGY: &str = "0.8.0";

pub fn size(sh: &Shell) -> Result<()> {
    twiggy(sh)?;
    let wasm = build_with_names(sh)?;
    attribute(sh, &wasm)
}

fn twiggy(sh: &Shell) -> Result<()> {
    if output(cmd!(sh, "twiggy --version")).is_some_and(|v| v.contains(TWIGGY)) {
        return Ok(());
    }
    step(&format!(
        "installing twiggy {TWIGGY} (once; compiled from source, about 2.5 minutes on 2 cores)"
    ));
    run(cmd!(sh, "cargo install twiggy --version {TWIGGY} --locked"))
}

/// The release build's own flags (`SIZE_BUILD`), so this build cannot drift
/// from it, plus v0 mangling and symbols kept.
fn build_with_names<'a>(sh: &'a Shell) -> Result<PathBuf> {
    let target = root().join("target/bundle-names");
    let bin = target.join("bin");
    std::fs::create_dir_all(&bin).with_context(|| bin.display().to_string())?;
    let real = std::env::split_paths(&tool_path())
        .map(|dir| dir.join("wasm-opt"))
        .find(|p| p.is_file())
        .context("no wasm-opt on PATH (cargo xtask setup installs it)")?;
    let wrapper = bin.join("wasm-opt");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\n# cargo xtask size: Trunk's wasm-opt call, keeping the name section.\n\
             case \"$1\" in --version) exec '{0}' \"$@\";; esac\nexec '{0}' -g \"$@\"\n",
            real.display()
        ),
    )
    .with_context(|| wrapper.display().to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
            .with_context(|| wrapper.display().to_string())?;
    }
    let path = format!("{}:{}", bin.display(), tool_path());
    let with_flags = |c: Cmd<'a>| -> Cmd<'a> {
        SIZE_BUILD
            .iter()
            .fold(c, |c, &(key, value)| match key {
                "RUSTFLAGS" => c.env(key, format!("{value} -Csymbol-mangling-version=v0")),
                _ => c.env(key, value),
            })
            .env("PATH", &path)
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_PROFILE_BUNDLE_STRIP", "none")
    };
    step("fetching the bundle's crates (as the release build does)");
    run(with_flags(cmd!(
        sh,
        "cargo fetch --target wasm32-unknown-unknown"
    )))?;
    step("building the bundle with names kept (target/bundle-names)");
    let dist = target.join("dist");
    run(
        with_flags(cmd!(sh, "trunk build --release --offline --dist {dist}"))
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )?;
    find_wasm(&dist)
}

fn find_wasm(dir: &Path) -> Result<PathBuf> {
    std::fs::read_dir(dir)
        .with_context(|| dir.display().to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with("_bg.wasm"))
        .with_context(|| format!("no *_bg.wasm in {}", dir.display()))
}

/// The module's bytes without its `name` custom section: what the release
/// would ship.
fn without_names(wasm: &[u8]) -> Vec<u8> {
    fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let b = *bytes.get(*at)?;
            *at += 1;
            value |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
    }
    let mut out = wasm[..8.min(wasm.len())].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let Some(len) = leb(wasm, &mut at) else { break };
        let end = (at + len).min(wasm.len());
        let mut name_at = at;
        let is_names = id == 0
            && leb(wasm, &mut name_at)
                .is_some_and(|n| wasm.get(name_at..name_at + n) == Some(b"name".as_slice()));
        if !is_names {
            out.extend_from_slice(&wasm[start..end]);
        }
        at = end;
    }
    out
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory").len()
}

/// The name without v0's crate disambiguators (`core[5706738c43f292b7]::`);
/// twiggy's own `code[12]` and `type[3]` stay.
fn without_disambiguators(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close)
                if close > 0
                    && after[..close].chars().all(|c| c.is_ascii_hexdigit())
                    && after[close + 1..].starts_with("::") =>
            {
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Our crate names as they appear in paths, with a word boundary before.
fn find_ours(name: &str) -> Option<(usize, &'static str)> {
    ["conference_form::", "conference::"]
        .iter()
        .filter_map(|ours| {
            name.match_indices(ours)
                .find(|(i, _)| {
                    !name[..*i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
                .map(|(i, _)| (i, *ours))
        })
        .min()
}

/// The first path's crate: the first identifier followed by `::`. For
/// `<T as Trait>::f` that is `T`'s crate, or the trait's when `T` is a
/// primitive or a tuple of them.
fn first_crate(name: &str) -> Option<&str> {
    let at = name.find("::")?;
    let start = name[..at]
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let word = &name[start..at];
    (!word.is_empty()).then_some(word)
}

/// The row of one twiggy item, twice: by where it was instantiated (a
/// function whose name mentions our code anywhere, a generic instantiated
/// for one of our closures or types included, is ours, under the module of
/// the first such path) and by the crate whose path comes first.
fn classify(name: &str, modules: &[String]) -> (String, String) {
    let name = &without_disambiguators(name);
    let fixed = |row: &str| (row.to_owned(), row.to_owned());
    if name.starts_with("data segment") || name.starts_with("data[") {
        return fixed("(data segments: strings, tables)");
    }
    let structural = [
        "type[",
        "export ",
        "import ",
        "table[",
        "elem[",
        "global[",
        "memory[",
        "custom section",
    ];
    if structural.iter().any(|p| name.starts_with(p)) || name.starts_with('"') {
        return fixed("(wasm types, imports, exports, tables, headers)");
    }
    if name.starts_with("code[") {
        return fixed("(functions without a name)");
    }
    // The binary's entry: `mount` and what LTO inlined into it.
    if name == "main" {
        return fixed("conference_form::main");
    }
    // Exported by wasm-streams, which gloo-net's `http` feature pulls in.
    if name.contains("intounderlying") {
        return fixed("wasm_streams");
    }
    if name.starts_with("__wbg")
        || name.starts_with("__wbindgen")
        || name.starts_with("__externref")
        || name.starts_with("Closure(")
        || name.ends_with("externref shim")
    {
        return fixed("wasm_bindgen");
    }
    let label = |krate: &str, rest: &str| -> String {
        if krate == "conference_form" {
            let module = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            if modules.iter().any(|m| m == module) {
                format!("conference_form::{module}")
            } else {
                // An item of lib.rs itself (`section`, `button`, ...): by name,
                // small ones merged later.
                format!("conference_form::lib::{module}")
            }
        } else {
            krate.to_owned()
        }
    };
    let defining = match first_crate(name) {
        Some(k) => {
            let at = name.find(&format!("{k}::")).unwrap_or(0) + k.len() + 2;
            label(k, &name[at..])
        }
        // Inherent methods of primitives (`<str>::parse::<u64>`) live in core,
        // a few in alloc.
        None if name.starts_with('<') => "core".to_owned(),
        None => "(other unmangled symbols)".to_owned(),
    };
    let instantiated = match find_ours(name) {
        Some((at, ours)) => label(ours.trim_end_matches("::"), &name[at + ours.len()..]),
        None => defining.clone(),
    };
    (instantiated, defining)
}

fn attribute(sh: &Shell, wasm: &Path) -> Result<()> {
    let bytes = std::fs::read(wasm).with_context(|| wasm.display().to_string())?;
    let code = without_names(&bytes);
    let (raw, gz) = (code.len(), gzip_len(&code));
    let ratio = gz as f64 / raw as f64;
    step("where the bytes go (twiggy top)");
    let release = find_wasm(&root().join("dist"))
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    println!(
        "this build without its name section: {raw} bytes, {gz} gzip -9 (ratio {ratio:.3}); \
         dist/ (the release build): {}",
        release.map_or("absent".to_owned(), |n| format!("{n} bytes"))
    );
    let wasm_arg = wasm.to_string_lossy().into_owned();
    let top = output(cmd!(sh, "twiggy top -n 100000 --format json {wasm}"))
        .context("twiggy top failed")?;
    let items: Value = serde_json::from_str(&top).context("twiggy top")?;
    let modules: Vec<String> = std::fs::read_dir(root().join("src"))
        .context("src")?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    let (mut by_use, mut by_def) = (BTreeMap::new(), BTreeMap::<String, usize>::new());
    let mut names_section = 0;
    for item in items.as_array().context("twiggy top: not a list")? {
        let name = item["name"].as_str().unwrap_or("");
        let size = item["shallow_size"].as_u64().unwrap_or(0) as usize;
        // The name section is what this build adds; the release has none.
        if name.contains(" names\" subsection") {
            names_section += size;
            continue;
        }
        let (used, defined) = classify(name, &modules);
        *by_use.entry(used).or_insert(0usize) += size;
        *by_def.entry(defined).or_insert(0) += size;
    }
    merge_small_lib_items(&mut by_use, &mut by_def);
    print_table(&by_use, &by_def, ratio);
    println!(
        "left out: the name section ({:.1} KB), which only this build has.\n\
         raw KB by use: a function whose demangled (v0) name mentions conference_form or\n\
         conference anywhere (a generic instantiated for our closures and types too) counts\n\
         there, under the module of the first such path; by def: the crate of the first path\n\
         in the name (for `<T as Trait>::f`, T's). gzip KB is an estimate: each row's raw\n\
         bytes times the whole module's gzip -9 ratio ({ratio:.3}); code and data compress\n\
         differently, so read it as a share, not a measurement.",
        names_section as f64 / 1024.0
    );
    step("generic functions with the most copies (twiggy monos, top 15)");
    print_head(sh, &["monos", "-m", "15", "-n", "0", &wasm_arg], 40);
    // Nearly every function hangs under the indirect-call table, so the
    // interesting part starts a few levels down.
    step("what keeps the most bytes alive (twiggy dominators, 6 levels, top 30)");
    print_head(sh, &["dominators", "-d", "6", "-r", "30", &wasm_arg], 45);
    Ok(())
}

/// lib.rs's items under 1 KB either way go into one row, so the table stays
/// readable.
fn merge_small_lib_items(
    by_use: &mut BTreeMap<String, usize>,
    by_def: &mut BTreeMap<String, usize>,
) {
    let small: Vec<String> = by_use
        .keys()
        .chain(by_def.keys())
        .filter(|k| k.starts_with("conference_form::lib::"))
        .filter(|k| {
            by_use
                .get(*k)
                .copied()
                .unwrap_or(0)
                .max(by_def.get(*k).copied().unwrap_or(0))
                < 1024
        })
        .cloned()
        .collect();
    for key in small {
        for map in [&mut *by_use, &mut *by_def] {
            if let Some(n) = map.remove(&key) {
                *map.entry("conference_form::lib (other items)".to_owned())
                    .or_insert(0) += n;
            }
        }
    }
}

fn print_table(by_use: &BTreeMap<String, usize>, by_def: &BTreeMap<String, usize>, ratio: f64) {
    let total: usize = by_use.values().sum();
    let mut rows: Vec<(&String, usize)> = by_use
        .iter()
        .map(|(k, v)| (k, *v))
        .chain(
            by_def
                .iter()
                .filter(|(k, _)| !by_use.contains_key(*k))
                .map(|(k, _)| (k, 0)),
        )
        .collect();
    // Ours first (the form's modules, then the core), then the rest by size.
    let rank = |k: &str| {
        if k.starts_with("conference_form::") {
            0
        } else if k == "conference" {
            1
        } else if k.starts_with('(') {
            3
        } else {
            2
        }
    };
    rows.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(b.1.cmp(&a.1)));
    let kb = |n: usize| n as f64 / 1024.0;
    println!(
        "{:<48} {:>9} {:>7} {:>8} {:>9}",
        "part", "raw KB", "share", "gzip KB", "by def KB"
    );
    for (name, size) in &rows {
        println!(
            "{name:<48} {:>9.1} {:>6.1}% {:>8.1} {:>9.1}",
            kb(*size),
            100.0 * *size as f64 / total as f64,
            kb(*size) * ratio,
            kb(by_def.get(*name).copied().unwrap_or(0)),
        );
    }
    let ours = |map: &BTreeMap<String, usize>| -> usize {
        map.iter()
            .filter(|(k, _)| rank(k) < 2)
            .map(|(_, v)| v)
            .sum()
    };
    println!(
        "{:<48} {:>9.1} {:>6.1}% {:>8.1} {:>9.1}",
        "ours (conference_form and conference)",
        kb(ours(by_use)),
        100.0 * ours(by_use) as f64 / total as f64,
        kb(ours(by_use)) * ratio,
        kb(ours(by_def)),
    );
    println!(
        "{:<48} {:>9.1} {:>6.1}% {:>8.1} {:>9.1}",
        "total",
        kb(total),
        100.0,
        kb(total) * ratio,
        kb(by_def.values().sum())
    );
}

/// A twiggy report's first lines, each cut to a readable width (v0 names of
/// view types run to thousands of characters).
fn print_head(sh: &Shell, args: &[&str], lines: usize) {
    let Some(text) = output(cmd!(sh, "twiggy {args...}")) else {
        println!("(twiggy {} failed)", args[0]);
        return;
    };
    for line in text.lines().take(lines) {
        let cut: String = without_disambiguators(line).chars().take(150).collect();
        println!("{cut}");
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn a_generic_instantiated_for_our_closure_is_ours() {
        let modules = vec!["fields".to_owned(), "state".to_owned()];
        let name = "<tachys::html::element::HtmlElement<tachys::html::element::Input, \
                    conference_form::fields::text::{closure#0}> as tachys::view::Render>::build";
        assert_eq!(
            classify(name, &modules),
            ("conference_form::fields".into(), "tachys".into())
        );
        assert_eq!(
            classify("<u8 as core[5706738c43f292b7]::fmt::Debug>::fmt", &modules),
            ("core".into(), "core".into())
        );
        assert_eq!(
            classify("code[12]", &modules).0,
            "(functions without a name)"
        );
        assert_eq!(
            classify("conference::validate::validate", &modules).0,
            "conference"
        );
        assert_eq!(
            classify("conference_form::section::{closure#0}", &modules).0,
            "conference_form::lib::section"
        );
    }
}
