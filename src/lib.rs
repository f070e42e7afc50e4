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

use conference::{Field, Group, Kind, PINS, START};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::Config;
use crate::fields::{Choice, Flag, Start, TextInput};
use crate::i18n::t;
use crate::outcome::{CreatedNotice, FailureNotice, SchedulePreview};
use crate::state::{FormState, Phase};
use crate::summary::ErrorSummary;

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
        leptos::mount::mount_to(target, move || view! { <App config mount /> }).forget();
    });
}

#[component]
pub fn App(config: Config, mount: web_sys::HtmlElement) -> impl IntoView {
    let form = FormState::new(config);
    provide_context(form);
    let mount = StoredValue::new_local(mount);
    let submit = move || submit::submit(form, Some(mount.get_value()));
    let another = Callback::new(move |_| {
        form.reset_keeping_sign_in();
        request_animation_frame(|| dom::focus("cf-code"));
    });
    let retry = Callback::new(move |_| submit());
    view! {
        <div class="cf" lang=i18n::lang() dir=i18n::dir()>
            <ErrorSummary />
            <FailureNotice on_retry=retry />
            <CreatedNotice on_another=another />
            <Show when=move || form.phase.with(|p| !matches!(p, Phase::Created(_)))>
                <form
                    class="cf-form"
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
            </Show>
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
/// while it is needed (not when the host page handed over a token).
fn section(form: FormState, group: Group, title: &'static str) -> impl IntoView {
    move || {
        (group != Group::SignIn || form.show_sign_in.get()).then(|| {
            let controls = group.fields().map(|f| control(form, f)).collect_view();
            view! {
                <fieldset class="cf-section">
                    <legend class="cf-section-title">{t(title)}</legend>
                    {controls}
                </fieldset>
            }
        })
    }
}

/// The control for one parameter, with what goes beside it. The five parts
/// of the start share one control; the token has none (a host page sets it).
fn control(form: FormState, field: Field) -> AnyView {
    let kind = field.param().kind;
    match field {
        Field::Year => return view! { <Start /> }.into_any(),
        _ if field == Field::AuthToken || START.contains(&field) => return ().into_any(),
        Field::Repeats => return view! { <Choice field /> }.into_any(),
        _ if matches!(kind, Kind::Flag) => return view! { <Flag field /> }.into_any(),
        _ => {}
    }
    let action = match field {
        Field::Code => Some(button(t("button.suggest_code"), None, move || {
            submit::suggest_code(form)
        })),
        _ if PINS.contains(&field) => Some(button(
            t("button.generate"),
            Some(i18n::say(
                &conference::Message::new("button.generate_for").field("label", field),
            )),
            move || submit::generate_pin(form, field),
        )),
        _ => None,
    };
    let readonly = field == Field::Customer && form.config.with_value(|c| c.customer.is_some());
    // What follows the control in its section.
    let after = match field {
        Field::Code => Some(
            view! {
                <p class="cf-hint cf-section-hint">{t("hint.pins")}</p>
            }
            .into_any(),
        ),
        Field::Count => Some(view! { <SchedulePreview /> }.into_any()),
        _ => None,
    };
    view! {
        <TextInput field action readonly />
        {after}
    }
    .into_any()
}

/// A secondary button beside a control (Suggest a code, Generate).
fn button(text: &'static str, label: Option<String>, act: impl Fn() + 'static) -> AnyView {
    view! {
        <button
            type="button"
            class="cf-button cf-button-secondary"
            aria-label=label
            on:click=move |_| act()
        >
            {text}
        </button>
    }
    .into_any()
}
