//! The conference form: a Leptos app that creates a conference on an
//! Enswitch switch, checking every value with the shared core as you type.
//!
//! Standalone it mounts into the page; embedded, into
//! `<div id="conference-form" data-api-base="..." ...>` (see `config`).

pub mod api;
pub mod config;
pub mod dom;
mod fields;
mod outcome;
pub mod state;
pub mod submit;
mod summary;

use conference::Field;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::Config;
use crate::fields::{Choice, Flag, Start, TextInput};
use crate::outcome::{Created, FailureNotice, SchedulePreview};
use crate::state::FormState;
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

/// Mounts the app into `target`, configured by its `data-*` attributes.
pub fn mount_into(target: web_sys::HtmlElement) {
    let config = Config::from_element(&target);
    let mount = target.clone();
    leptos::mount::mount_to(target, move || view! { <App config=config mount=mount /> }).forget();
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
    let generate = move |field: Field| {
        view! {
            <button
                type="button"
                class="cf-button cf-button-secondary"
                aria-label=format!("Generate a {}", field.label())
                on:click=move |_| submit::generate_pin(form, field)
            >
                "Generate"
            </button>
        }
        .into_any()
    };
    let fixed_customer = form.config.with_value(|c| c.customer.is_some());

    view! {
        <div class="cf">
            <ErrorSummary />
            <FailureNotice on_retry=retry />
            <Created on_another=another />
            <Show when=move || form.created.with(Option::is_none)>
                <form
                    class="cf-form"
                    novalidate
                    aria-busy=move || form.busy.get().then_some("true")
                    on:submit=move |ev| {
                        ev.prevent_default();
                        submit();
                    }
                >
                    <Show when=move || form.show_sign_in.get()>
                        <fieldset class="cf-section">
                            <legend class="cf-section-title">"Sign in to the switch"</legend>
                            <TextInput field=Field::AuthUsername />
                            <TextInput field=Field::AuthPassword />
                        </fieldset>
                    </Show>
                    <fieldset class="cf-section">
                        <legend class="cf-section-title">"Access"</legend>
                        <TextInput
                            field=Field::Code
                            action=view! {
                                <button
                                    type="button"
                                    class="cf-button cf-button-secondary"
                                    on:click=move |_| submit::suggest_code(form)
                                >
                                    "Suggest a code"
                                </button>
                            }
                                .into_any()
                        />
                        <p class="cf-hint cf-section-hint">"Set at least one PIN. No two PINs may be the same."</p>
                        <TextInput field=Field::AdminPin action=generate(Field::AdminPin) />
                        <TextInput field=Field::TalkPin action=generate(Field::TalkPin) />
                        <TextInput field=Field::ListenPin action=generate(Field::ListenPin) />
                    </fieldset>
                    <fieldset class="cf-section">
                        <legend class="cf-section-title">"Schedule"</legend>
                        <Start />
                        <TextInput field=Field::Duration />
                        <Choice field=Field::Repeats />
                        <TextInput field=Field::Count />
                        <SchedulePreview />
                    </fieldset>
                    <fieldset class="cf-section">
                        <legend class="cf-section-title">"Details"</legend>
                        <TextInput field=Field::Description />
                        <TextInput field=Field::Owner />
                        <TextInput field=Field::Customer readonly=fixed_customer />
                        <TextInput field=Field::CallerId />
                        <TextInput field=Field::Maximum />
                    </fieldset>
                    <fieldset class="cf-section">
                        <legend class="cf-section-title">"Options"</legend>
                        <Flag field=Field::Panel />
                        <Flag field=Field::PlayJoin />
                        <Flag field=Field::PlayMusic />
                        <Flag field=Field::RecordName />
                        <Flag field=Field::WaitMusic />
                    </fieldset>
                    <button type="submit" class="cf-button cf-submit" id="cf-submit">
                        {move || if form.busy.get() { "Creating…" } else { "Create conference" }}
                    </button>
                </form>
            </Show>
            <p class="cf-status" id="cf-status" role="status" aria-live="polite">
                {move || form.status.get()}
            </p>
        </div>
    }
}
