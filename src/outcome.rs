//! What the user sees after submitting: the created conference, or why not.

use conference::{Field, START};
use leptos::prelude::*;

use crate::state::{FormState, Phase};

/// The conference ID, large, with a copy button, the code and occurrences.
#[component]
pub fn CreatedNotice(on_another: Callback<()>) -> impl IntoView {
    let form = expect_context::<FormState>();
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
                    copied.set(if done { "Copied the conference ID." } else { "Copying is blocked here: select the ID and copy it." }.into());
                });
            };
            let occurrences = c.occurrences.clone();
            view! {
                <section class="cf-created" id="cf-created" tabindex="-1" aria-labelledby="cf-created-title">
                    <h2 class="cf-created-title" id="cf-created-title">"Conference created"</h2>
                    <p class="cf-created-label">"Conference ID"</p>
                    <p class="cf-created-id" data-conference-id=id.clone()>{id.clone()}</p>
                    <button type="button" class="cf-button cf-button-secondary" on:click=copy>
                        "Copy ID"
                    </button>
                    <p class="cf-copied" role="status">{move || copied.get()}</p>
                    <dl class="cf-created-details">
                        <dt>"Code"</dt>
                        <dd class="cf-created-code">{c.code.clone()}</dd>
                        <dt>"When"</dt>
                        <dd>
                            {if occurrences.is_empty() {
                                view! { <p>"Always open: no start date."</p> }.into_any()
                            } else {
                                view! {
                                    <ol class="cf-occurrences">
                                        {occurrences.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}
                                    </ol>
                                }
                                    .into_any()
                            }}
                        </dd>
                    </dl>
                    <button type="button" class="cf-button" on:click=move |_| on_another.run(())>
                        "Create another conference"
                    </button>
                </section>
            }
        })
    }
}

/// Why the last attempt failed, in plain words, with what came back when it
/// was unexpected, and a way to try again.
#[component]
pub fn FailureNotice(on_retry: Callback<()>) -> impl IntoView {
    let form = expect_context::<FormState>();
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
                    <h2 class="cf-failure-title">"The conference was not created"</h2>
                    <p>{f.message.clone()}</p>
                    {f.detail.map(|u| {
                        view! {
                            <details class="cf-details">
                                <summary>"What the switch sent back"</summary>
                                <p>{format!("HTTP status {}: {}", u.status, u.what)}</p>
                                <pre>{u.excerpt}</pre>
                            </details>
                        }
                    })}
                    {f.retry.then(|| view! {
                        <button type="button" class="cf-button" on:click=move |_| on_retry.run(())>
                            "Try again"
                        </button>
                    })}
                </div>
            }
        })
    }
}

/// The occurrences the switch will hold, as the schedule fields stand.
#[component]
pub fn SchedulePreview() -> impl IntoView {
    let form = expect_context::<FormState>();
    const SHOWN: usize = 10;
    let planned = Memo::new(move |_| {
        for field in START.into_iter().chain([Field::Repeats, Field::Count]) {
            form.value(field).track();
        }
        conference::planned(&form.draft())
            .into_iter()
            .map(conference::describe)
            .collect::<Vec<_>>()
    });
    view! {
        <div class="cf-preview" aria-live="polite">
            <p class="cf-preview-title">"When it takes place"</p>
            {move || {
                let all = planned.get();
                if all.is_empty() {
                    return view! { <p class="cf-preview-empty">"Always open: no start date."</p> }.into_any();
                }
                let more = all.len().saturating_sub(SHOWN);
                view! {
                    <ol class="cf-occurrences">
                        {all.into_iter().take(SHOWN).map(|o| view! { <li>{o}</li> }).collect_view()}
                    </ol>
                    {(more > 0).then(|| view! { <p class="cf-preview-more">{format!("and {more} more")}</p> })}
                }
                    .into_any()
            }}
        </div>
    }
}
