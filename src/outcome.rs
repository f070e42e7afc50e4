//! What the user sees after submitting: the created conference, or why not.

use conference::{Field, Message, START};
use leptos::prelude::*;

use crate::i18n::{say, t, when};

use crate::state::{FormState, Phase};

/// The conference ID, large, with a copy button, the code and occurrences.
pub fn created_notice(form: FormState, on_another: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(String::new());
    move || {
        form.phase.with(|p| match p {
            Phase::Created(c) => Some(c.clone()),
            _ => None,
        })
        .map(|c| {
            let id = c.id.to_string();
            let copy_id = id.clone();
            let copy = move |_| {
                let text = copy_id.clone();
                leptos::task::spawn_local(async move {
                    let done = crate::dom::copy(&text).await;
                    copied.set(t(if done { "created.copied" } else { "created.copy_blocked" }).into());
                });
            };
            let occurrences = c.occurrences.clone();
            view! {
                <section class="cf-created" id="cf-created" tabindex="-1" aria-labelledby="cf-created-title">
                    <h2 class="cf-created-title" id="cf-created-title">{t("created.title")}</h2>
                    <p class="cf-created-label">{t("created.id")}</p>
                    <p class="cf-created-id" data-conference-id=id.clone()>{id.clone()}</p>
                    <button type="button" class="cf-button cf-button-secondary" on:click=copy>
                        {t("created.copy")}
                    </button>
                    <p class="cf-copied" role="status">{move || copied.get()}</p>
                    <dl class="cf-created-details">
                        <dt>{t("created.code")}</dt>
                        <dd class="cf-created-code">{c.code.clone()}</dd>
                        <dt>{t("created.when")}</dt>
                        <dd>{occurrences_view(occurrences.into_iter().map(when).collect(), usize::MAX)}</dd>
                    </dl>
                    <button type="button" class="cf-button" on:click=move |_| on_another.run(())>
                        {t("created.another")}
                    </button>
                </section>
            }
        })
    }
}

/// Why the last attempt failed, in plain words, with what came back when it
/// was unexpected, and a way to try again.
pub fn failure_notice(form: FormState, on_retry: Callback<()>) -> impl IntoView {
    // Still showing while a suggestion runs (the submitting phase carries
    // it), updated in place: the alert's element stays the same.
    move || {
        form.phase.with(|p| match p {
            Phase::Failed(f) | Phase::Submitting(Some(f)) => Some(f.clone()),
            _ => None,
        })
        .map(|f| {
            view! {
                <div class="cf-failure" id="cf-failure" tabindex="-1" role="alert">
                    <h2 class="cf-failure-title">{t("failure.title")}</h2>
                    <p>{say(&f.message)}</p>
                    {f.detail.map(|u| {
                        view! {
                            <details class="cf-details">
                                <summary>{t("failure.sent_back")}</summary>
                                <p>
                                    {say(
                                        &Message::new("failure.http_status")
                                            .text("status", u.status.to_string())
                                            .message("what", u.what),
                                    )}
                                </p>
                                <pre>{u.excerpt}</pre>
                            </details>
                        }
                    })}
                    {f.retry.then(|| view! {
                        <button type="button" class="cf-button" on:click=move |_| on_retry.run(())>
                            {t("failure.retry")}
                        </button>
                    })}
                </div>
            }
        })
    }
}

/// The occurrences the switch will hold, as the schedule fields stand.
pub fn schedule_preview(form: FormState) -> impl IntoView {
    const SHOWN: usize = 10;
    let planned = Memo::new(move |_| {
        for field in START.into_iter().chain([Field::Repeats, Field::Count]) {
            form.value(field).track();
        }
        conference::planned(&form.draft())
            .into_iter()
            .map(when)
            .collect::<Vec<_>>()
    });
    view! {
        <div class="cf-preview" aria-live="polite">
            <p class="cf-preview-title">{t("preview.title")}</p>
            {move || occurrences_view(planned.get(), SHOWN)}
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
