//! The conference form: a Leptos app that creates a conference on an
//! Enswitch switch, checking every value with the shared core as you type.
//!
//! Standalone it mounts into the page; embedded, into
//! `<div id="conference-form" data-api-base="..." ...>` (see `config`).

pub mod api;
pub mod config;
pub mod dom;
mod fields;
pub mod flow;
pub mod i18n;
mod outcome;
pub mod state;
pub mod submit;
mod summary;

use conference::Group;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::Config;
use crate::i18n::t;
use crate::outcome::{created_notice, failure_notice, hidden_unless};
use crate::state::{FormState, Phase};
use crate::summary::error_summary;

/// The id of the element an embedding page mounts the form into.
pub const MOUNT_ID: &str = "conference-form";

/// Mounts the app: into `#conference-form` when the page has one, else into
/// the body. Returns the element it mounted into.
pub fn start() -> Option<web_sys::HtmlElement> {
    let document = web_sys::window()?.document()?;
    let target: web_sys::HtmlElement = match document.get_element_by_id(MOUNT_ID) {
        Some(el) => el.dyn_into().ok()?,
        None => document.body()?,
    };
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
        leptos::mount::mount_to(target, move || app(config, mount)).forget();
    });
}

/// The whole form: the notices, the sections, the submit button, the status.
pub fn app(config: Config, mount: web_sys::HtmlElement) -> impl IntoView {
    let form = FormState::new(config);
    let mount = StoredValue::new_local(mount);
    let submit = move || submit::submit(form, Some(mount.get_value()));
    let another = Callback::new(move |_| {
        form.reset_keeping_sign_in();
        request_animation_frame(|| dom::focus("cf-code"));
    });
    let retry = Callback::new(move |_| submit());
    view! {
        <div class="cf" lang=i18n::lang() dir=i18n::dir()>
            {error_summary(form)}
            {failure_notice(form, retry)}
            {created_notice(form, another)}
            // Hidden, not removed, once created: "Create another" shows it again.
            <form
                class="cf-form"
                hidden=hidden_unless(form, |p| !matches!(p, Phase::Created(_)))
                novalidate
                aria-busy=move || form.busy().then_some("true")
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                {SECTIONS.map(|(group, title)| section(form, group, title))}
                <button type="submit" class="cf-button cf-submit" id="cf-submit">
                    {move || t(if form.busy() { "button.creating" } else { "button.create" })}
                </button>
            </form>
            <p class="cf-status" id="cf-status" role="status" aria-live="polite">
                {move || form.status.get()}
            </p>
        </div>
    }
}

/// The form's sections, in order, with their titles' ids. Each holds the
/// parameters of its group in the core's table, so a parameter added there
/// appears here.
const SECTIONS: [(Group, &str); 5] = [
    (Group::SignIn, "section.sign_in"),
    (Group::Access, "section.access"),
    (Group::Schedule, "section.schedule"),
    (Group::Details, "section.details"),
    (Group::Options, "section.options"),
];

/// One section: a fieldset of its group's controls. The sign-in shows only
/// while it is needed (not when the host page handed over a token): hidden,
/// not removed, so it is drawn once.
fn section(form: FormState, group: Group, title: &'static str) -> impl IntoView {
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
