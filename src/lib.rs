//! The conference form: a Leptos app that creates a conference on an
//! Enswitch switch, checking every value with the shared core as you type.
//!
//! Standalone it mounts into the page; embedded, into
//! `<div id="conference-form" data-api-base="..." ...>` (see `config`).

pub mod config;
pub mod dom;
mod fields;
pub mod http;
pub mod i18n;
mod notices;
pub mod state;
pub mod submit;
mod summary;

use conference::Group;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::Config;
use crate::i18n::t;
use crate::notices::{created_notice, failure_notice, hidden_unless};
use crate::state::{FormState, Phase, MORE_SETTINGS};
use crate::summary::error_summary;

/// Every allocation of the app in the browser: `heap`'s size classes, 1.7 KB
/// of brotli smaller than the standard library's dlmalloc (see the crate).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static HEAP: heap::Allocator = heap::Allocator::new();

/// The id of the element an embedding page mounts the form into.
pub const MOUNT_ID: &str = "conference-form";

/// Mounts the app into `#conference-form`, if the page has one now: the
/// standalone page always does; `embed.js` puts one where the host wants
/// the form, and the framed page (see build/page.js) only once it has the
/// host's settings, each time with a fresh instance of this module.
/// Returns the element it mounted into.
pub fn start() -> Option<web_sys::HtmlElement> {
    let target: web_sys::HtmlElement = web_sys::window()?
        .document()?
        .get_element_by_id(MOUNT_ID)?
        .dyn_into()
        .ok()?;
    mount_into(target.clone());
    Some(target)
}

/// Mounts the app into `target`, configured by its `data-*` attributes,
/// once its words have come (see `i18n`): it is drawn once, in its language.
pub fn mount_into(target: web_sys::HtmlElement) {
    let config = Config::from_element(&target);
    wasm_bindgen_futures::spawn_local(async move {
        i18n::start(&target).await;
        let mount = target.clone();
        leptos::mount::mount_to(target, move || app(config, Some(mount))).forget();
    });
}

/// The form as HTML, in `lang`'s words: what a page shows before the wasm
/// has run (`src/bin/prerender.rs` writes one per language at build time).
/// The same views as the live form's, drawn as they first appear to someone
/// with no settings; the page's loader (`build/i18n.js`) carries what is
/// typed into it over to the live form.
/// (Built for wasm32 too, as the wasm tests build every binary, but only
/// ever run natively: the bundle's `main` does not reach it.)
pub fn prerender(lang: &str, catalog: conference::Catalog) -> String {
    i18n::set(lang, catalog);
    // Untracked: drawn once, nothing here reacts.
    Owner::new().with(|| untrack(|| app(Config::default(), None).to_html()))
}

/// The whole form: the notices, the sections, the submit button, the status.
/// An account the switch will not let create conferences sees, instead of
/// the form, one sentence saying so.
pub fn app(config: Config, mount: Option<web_sys::HtmlElement>) -> impl IntoView {
    let support = config.support_url.clone();
    let more = config.customer.is_some();
    let form = FormState::new(config, mount);
    // A sign-in the host handed over is checked at once.
    submit::check_access(form);
    let submit = move || submit::submit(form);
    let another = move || {
        form.reset_keeping_sign_in();
        request_animation_frame(|| dom::focus("cf-code"));
    };
    // Drawn in one place (one copy of a section's code): what everyone
    // needs, then what only some do.
    let [sign_in, access, schedule, details, options] = [
        Group::SignIn,
        Group::Access,
        Group::Schedule,
        MORE_SETTINGS[0],
        MORE_SETTINGS[1],
    ]
    .map(|group| section(form, group));
    view! {
        <div class="cf" lang=i18n::lang() dir=i18n::dir()>
            {error_summary(form)}
            {failure_notice(form, submit)}
            {created_notice(form, another)}
            <p
                class="cf-refused"
                id="cf-refused"
                tabindex="-1"
                hidden=hidden_unless(form, |p| matches!(p, Phase::Denied))
            >
                {t("refused.account")}
                " "
                {support.map(|href| view! { <a href=href>{t("refused.support")}</a> })}
            </p>
            // Hidden, not removed, once created: "Create another" shows it again.
            // `post`: a form rendered ahead and submitted before the wasm
            // runs (the loader holds such a submit back) never puts what was
            // typed, a password among it, in a URL.
            <form
                class="cf-form"
                method="post"
                hidden=hidden_unless(form, |p| !matches!(p, Phase::Created(_) | Phase::Denied))
                novalidate
                aria-busy=move || form.busy().then(|| String::from("true"))
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                {sign_in}
                {access}
                {schedule}
                // Closed at first (unless the host fixed the customer), then
                // as the person leaves it, across "Create another"; it opens
                // itself to show what it holds (`FormState::open_more_for`).
                <details class="cf-more" id="cf-more" open=more>
                    <summary class="cf-more-title">{t("section.more")}</summary>
                    {details}
                    {options}
                </details>
                // `data-busy`: what the form rendered ahead says when a
                // create is held until the live form is there (build/i18n.js).
                <button type="submit" class="cf-button cf-submit" id="cf-submit" data-busy=t("button.creating")>
                    {move || String::from(t(if form.busy() { "button.creating" } else { "button.create" }))}
                </button>
            </form>
            <p class="cf-status" id="cf-status" role="status" aria-live="polite">
                {move || form.status.get()}
            </p>
        </div>
    }
}

/// One section: a fieldset of its group's controls (each group of the
/// core's table has one, so a parameter added there appears here). The
/// sign-in shows only while it is needed (not when the host page handed
/// over a token): hidden, not removed, so it is drawn once.
fn section(form: FormState, group: Group) -> impl IntoView {
    let title = match group {
        Group::SignIn => "section.sign_in",
        Group::Access => "section.access",
        Group::Schedule => "section.schedule",
        Group::Details => "section.details",
        _ => "section.options",
    };
    view! {
        <fieldset
            class="cf-section"
            hidden=move || group == Group::SignIn && !form.show_sign_in.get()
        >
            <legend class="cf-section-title">{t(title)}</legend>
            {group.fields().map(|f| fields::control(form, f)).collect_view()}
        </fieldset>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! The app's modules form layers: none imports one that imports it
    //! back, directly or through others. (The flow is a crate of its own,
    //! so it cannot import the app at all.)

    use std::collections::{BTreeMap, BTreeSet};

    type Graph = BTreeMap<String, BTreeSet<String>>;

    /// The modules a source names through `crate::`, in a `use` (grouped
    /// or not) or in a path. An item of the crate's root counts as `lib`.
    /// Comments are left out.
    fn imports(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
        let code: String = code
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let ident = |s: &str| -> String {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let mut names = Vec::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            match rest.strip_prefix('{') {
                Some(group) => {
                    // Each part of `{a, b::{C, D}}` at the outer depth.
                    let (mut depth, mut start) = (0, 0);
                    for (i, c) in group.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                names.push(ident(&group[start..i]));
                                break;
                            }
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                names.push(ident(&group[start..i]));
                                start = i + 1;
                            }
                            _ => {}
                        }
                    }
                }
                None => names.push(ident(rest)),
            }
        }
        names
            .into_iter()
            .filter(|n| !n.is_empty())
            .map(|n| {
                if modules.contains(&n) {
                    n
                } else {
                    "lib".into()
                }
            })
            .collect()
    }

    /// `src/`'s modules and what each imports (`main.rs` is the binary, a
    /// crate of its own).
    fn app_graph() -> Graph {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files: BTreeMap<String, String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .map(|p| {
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .filter(|(name, _)| name != "main")
            .collect();
        let modules: BTreeSet<String> = files.keys().cloned().collect();
        files
            .iter()
            .map(|(name, code)| (name.clone(), imports(code, &modules)))
            .collect()
    }

    /// A path of imports that leads back where it started, if there is one.
    fn cycle(graph: &Graph) -> Option<Vec<String>> {
        fn visit(
            graph: &Graph,
            name: &str,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(at) = path.iter().position(|p| p == name) {
                let mut found = path[at..].to_vec();
                found.push(name.to_owned());
                return Some(found);
            }
            if !done.insert(name.to_owned()) {
                return None;
            }
            path.push(name.to_owned());
            for next in graph.get(name).into_iter().flatten() {
                // A module naming its own items is no cycle.
                if next != name {
                    if let Some(found) = visit(graph, next, path, done) {
                        return Some(found);
                    }
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        graph
            .keys()
            .find_map(|name| visit(graph, name, &mut Vec::new(), &mut done))
    }

    #[test]
    fn no_module_imports_one_that_imports_it_back() {
        let graph = app_graph();
        // The reader reads: the root imports the state, the submit the wire.
        assert!(graph["lib"].contains("state") && graph["submit"].contains("http"));
        if let Some(found) = cycle(&graph) {
            panic!("an import cycle in src/: {}", found.join(" -> "));
        }
    }

    #[test]
    fn the_reader_finds_every_form_of_import_and_the_check_a_cycle() {
        let modules: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
        let code = "use crate::a::X;\nuse crate::{b, c::{Y, Z}};\n\
                    fn f() { crate::MOUNT_ID; } // crate::d::not_this\n";
        assert_eq!(
            imports(code, &modules),
            ["a", "b", "c", "lib"].map(String::from).into()
        );
        let graph = |edges: &[(&str, &str)]| {
            let mut g = Graph::new();
            for (from, to) in edges {
                g.entry(from.to_string())
                    .or_default()
                    .insert(to.to_string());
            }
            g
        };
        assert_eq!(
            cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c"), ("c", "c")])),
            None
        );
        assert_eq!(
            cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap(),
            ["a", "b", "c", "a"]
        );
    }
}
