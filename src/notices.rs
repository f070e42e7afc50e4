//! What the user sees after submitting: the created conference, or why not.

use conference::digits::decimal;
use conference::invite::{self, Role};
use conference::reply::Unexpected;
use conference::{ics, Field, Message, START};
use flow::{CreatedConference, Failure};
use leptos::prelude::*;

use crate::i18n::{label, say, t, when, IntlFormat};
use crate::state::{FormState, Phase};

// The notices are drawn once, hidden, and filled in from the phase: a view
// drawn anew by a closure costs its build, rebuild and unmount code in the
// bundle, and these are the largest views the form has. Each is focused when
// it shows (`submit`), so it is read out as a whole.
//
// Every text and flag they show is read from the phase by a plain function
// through `text` and `hidden_unless`: one closure type each, so one copy of
// the code that draws and updates them.

/// A text drawn from the phase.
fn text(form: FormState, part: fn(&Phase) -> Option<String>) -> impl Fn() -> Option<String> {
    move || form.phase.with(part)
}

/// `hidden` for what shows only in some phases: hidden unless `shows` holds.
pub fn hidden_unless(form: FormState, shows: fn(&Phase) -> bool) -> impl Fn() -> bool {
    move || !form.phase.with(shows)
}

fn created(phase: &Phase) -> Option<&CreatedConference> {
    match phase {
        Phase::Created(c) => Some(c),
        _ => None,
    }
}

/// The failure showing, if one is: still while a suggestion runs (the
/// submitting phase carries it), updated in place, so the alert's element
/// stays the same.
fn failure(phase: &Phase) -> Option<&Failure> {
    match phase {
        Phase::Failed(f) | Phase::Submitting(Some(f)) => Some(f),
        _ => None,
    }
}

fn detail(phase: &Phase) -> Option<&Unexpected> {
    failure(phase)?.detail.as_ref()
}

/// The conference ID, large, with a copy button; the code, the customer and
/// the occurrences; everything about it, as the organiser's invitation says
/// it; the invitations to copy or email, and the calendar file.
pub fn created_notice(form: FormState, on_another: impl Fn() + Copy + 'static) -> impl IntoView {
    // Each group of buttons has its own "Copied", read out where it was clicked.
    let copied = RwSignal::new(String::new());
    let shared = RwSignal::new(String::new());
    let id = |p: &Phase| created(p).map(|c| decimal(c.id));
    let another = move |_| {
        copied.set(String::new());
        shared.set(String::new());
        on_another();
    };
    view! {
        <section
            class="cf-created"
            id="cf-created"
            tabindex="-1"
            aria-labelledby="cf-created-title"
            hidden=hidden_unless(form, |p| created(p).is_some())
        >
            <h2 class="cf-created-title" id="cf-created-title">{t("created.title")}</h2>
            <p class="cf-created-label">{t("created.id")}</p>
            <p class="cf-created-id" data-conference-id=text(form, id)>{text(form, id)}</p>
            <button
                type="button"
                class="cf-button cf-button-secondary"
                on:click=move |_| {
                    let text = form.phase.with_untracked(id).unwrap_or_default();
                    copy(form, copied, text, "created.copied", "created.copy_blocked")
                }
            >
                {t("created.copy")}
            </button>
            {status(copied)}
            <dl class="cf-created-details">
                <dt>{t("created.code")}</dt>
                <dd class="cf-created-code">{text(form, |p| created(p).map(|c| c.conference.code().into()))}</dd>
                <dt>{label(Field::Customer)}</dt>
                <dd class="cf-created-customer">
                    {text(form, |p| {
                        created(p).map(|c| match c.conference.get(Field::Customer) {
                            "" => t("created.own_customer").into(),
                            customer => customer.into(),
                        })
                    })}
                </dd>
                <dt>{t("created.when")}</dt>
                <dd>
                    {move || {
                        let all = form.phase.with(|p| {
                            created(p).map(|c| c.conference.occurrences().into_iter().map(when).collect())
                        });
                        occurrences_view(all.unwrap_or_default(), usize::MAX)
                    }}
                </dd>
            </dl>
            // Everything the switch holds, in the words "Copy everything" copies.
            <p class="cf-invitation" id="cf-invitation">
                {move || form.phase.with(|p| invitation(form, p, Role::Organiser))}
            </p>
            {SHARES.map(|(role, what)| share(form, shared, role, what))}
            {status(shared)}
            <button type="button" class="cf-button" on:click=another>
                {t("created.another")}
            </button>
        </section>
    }
}

/// Where a copy says whether it worked: read out, as a status.
fn status(said: RwSignal<String>) -> impl IntoView {
    view! { <p class="cf-copied" role="status">{move || said.get()}</p> }
}

/// The invitations offered, each with its button's words, then the calendar
/// file (no role).
const SHARES: [(Option<Role>, &str); 4] = [
    (Some(Role::Speaker), "created.copy_speakers"),
    (Some(Role::Listener), "created.copy_listeners"),
    (Some(Role::Organiser), "created.copy_all"),
    (None, "created.calendar"),
];

/// A row of the created view's buttons: an invitation to copy, or to email
/// (a `mailto:` link with the same text), shown only when its role's PIN is
/// set; or the calendar file, only for a conference with a start date. One
/// view shape for them all.
fn share(
    form: FormState,
    status: RwSignal<String>,
    role: Option<Role>,
    what: &'static str,
) -> impl IntoView {
    let offered = move || {
        form.phase.with(|p| match role {
            Some(role) => invitation(form, p, role).is_some(),
            None => created(p).is_some_and(|c| c.conference.start.is_some()),
        })
    };
    let act = move |_| match role {
        Some(role) => {
            let text = form.phase.with_untracked(|p| invitation(form, p, role));
            copy(
                form,
                status,
                text.unwrap_or_default(),
                "created.copied_invitation",
                "created.copy_invitation_blocked",
            )
        }
        None => calendar(form),
    };
    let mail = move || {
        form.phase.with(|p| {
            let c = created(p)?;
            let subject = invite::subject(&c.conference, crate::i18n::catalog());
            Some(invite::mailto(&subject, &invitation(form, p, role?)?))
        })
    };
    view! {
        <p class="cf-share" hidden=move || !offered()>
            <button type="button" class="cf-button cf-button-secondary" on:click=act>
                {t(what)}
            </button>
            " "
            <a class="cf-mail" href=mail hidden=role.is_none()>{t("created.email")}</a>
        </p>
    }
}

/// The invitation for `role` to the conference showing, in the form's
/// language; `None` without a conference or without that role's PIN.
fn invitation(form: FormState, phase: &Phase, role: Role) -> Option<String> {
    let c = created(phase)?;
    let details = invite::Details {
        id: c.id,
        numbers: &form.config.dial_in,
        zone: form.config.time_zone.as_ref(),
    };
    invite::text(
        &c.conference,
        role,
        &details,
        crate::i18n::catalog(),
        &IntlFormat,
    )
}

/// Copies `text`, then says in `status` whether it could (`done`, or
/// `blocked` where the browser refuses).
fn copy(
    form: FormState,
    status: RwSignal<String>,
    text: String,
    done: &'static str,
    blocked: &'static str,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let copied = crate::dom::copy(&text).await;
        // Not if "Create another" was clicked meanwhile.
        if form.phase.with_untracked(|p| created(p).is_some()) {
            status.set(t(if copied { done } else { blocked }).into());
        }
    });
}

/// "Add to calendar": the conference as an iCalendar file, downloaded from
/// memory. Its `UID` names this page's host; its text is the first
/// invitation offered, never the admin PIN's unless it is the only PIN (a
/// calendar entry is often forwarded).
fn calendar(form: FormState) {
    form.phase.with_untracked(|p| {
        let Some(c) = created(p) else { return };
        let description = invite::roles(&c.conference)
            .find_map(|role| invitation(form, p, role))
            .unwrap_or_default();
        let host = crate::dom::host();
        let file = ics::calendar(
            &c.conference,
            &ics::Event {
                id: c.id,
                host: &host,
                zone: form.config.time_zone.as_ref(),
                stamp: crate::dom::now_utc(),
                description: &description,
            },
        );
        if let Some(file) = file {
            crate::dom::download(
                &["conference-", c.conference.code(), ".ics"].concat(),
                "text/calendar",
                &file.text,
            );
        }
    });
}

/// Why the last attempt failed, in plain words, with what came back when it
/// was unexpected, and a way to try again.
pub fn failure_notice(form: FormState, on_retry: impl Fn() + Copy + 'static) -> impl IntoView {
    view! {
        <div
            class="cf-failure"
            id="cf-failure"
            tabindex="-1"
            role="alert"
            hidden=hidden_unless(form, |p| failure(p).is_some())
        >
            <h2 class="cf-failure-title">{t("failure.title")}</h2>
            <p>{text(form, |p| failure(p).map(|f| say(&f.message)))}</p>
            <details class="cf-details" id="cf-failure-details" hidden=hidden_unless(form, |p| detail(p).is_some())>
                <summary>{t("failure.sent_back")}</summary>
                <p>
                    {text(form, |p| {
                        detail(p).map(|u| {
                            say(
                                &Message::new("failure.http_status")
                                    .text("status", decimal(u.status.into()))
                                    .message("what", u.what.clone()),
                            )
                        })
                    })}
                </p>
                <pre>{text(form, |p| detail(p).map(|u| u.excerpt.clone()))}</pre>
            </details>
            <button
                type="button"
                class="cf-button"
                hidden=hidden_unless(form, |p| failure(p).is_some_and(|f| f.retry))
                on:click=move |_| on_retry()
            >
                {t("failure.retry")}
            </button>
        </div>
    }
}

/// The occurrences the switch will hold, as the schedule fields stand.
pub fn schedule_preview(form: FormState) -> impl IntoView {
    const SHOWN: usize = 10;
    // Redrawn only when a field of the schedule changes, and then only the
    // texts that differ are written (tachys compares them), so the live
    // region does not read out a preview that stayed the same. Not a memo:
    // a memo of this type would bring its own copy of the memo's code into
    // the bundle (450 bytes of brotli).
    let planned = move || {
        for field in START.into_iter().chain([Field::Repeats, Field::Count]) {
            form.value(field).track();
        }
        conference::planned(&form.draft())
            .into_iter()
            .map(when)
            .collect::<Vec<_>>()
    };
    view! {
        <div class="cf-preview" aria-live="polite">
            <p class="cf-preview-title">{t("preview.title")}</p>
            {move || occurrences_view(planned(), SHOWN)}
        </div>
    }
}

/// The starts of a conference, at most `shown` of them and a line saying how
/// many more; none is a conference always open. One view for the created
/// conference and the preview.
fn occurrences_view(all: Vec<String>, shown: usize) -> impl IntoView {
    let more = all.len().saturating_sub(shown);
    view! {
        {all.is_empty().then(|| view! { <p class="cf-preview-empty">{t("schedule.always_open")}</p> })}
        {(!all.is_empty()).then(|| view! {
            <ol class="cf-occurrences">
                {all.into_iter().take(shown).map(|o| view! { <li>{o}</li> }).collect_view()}
            </ol>
        })}
        {(more > 0).then(|| view! {
            <p class="cf-preview-more">{say(&Message::new("preview.more").int("count", more as i64))}</p>
        })}
    }
}
