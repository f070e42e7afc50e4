//! Submitting, as the user sees it: the form's own problems first, then the
//! flow (`flow::create_conference`), whose result this shows. Nothing typed
//! is ever cleared by a failure.

use std::future::Future;

use conference::{Draft, Field, Message, PINS};
use flow::{Failure, NotCreated, ServerProblem, Session, Step};
use leptos::prelude::*;

use crate::http::Http;
use crate::i18n::{say, t};
use crate::state::{FormState, Phase};

/// The submit button, Enter in a field, or "Try again". A second submit while
/// one is in flight does nothing.
pub fn submit(form: FormState, mount: Option<web_sys::HtmlElement>) {
    if form.busy_untracked() {
        return;
    }
    form.reveal_all();
    form.phase.set(Phase::Editing);
    // The failure notice is drawn once: a new attempt's starts folded.
    crate::dom::fold("cf-failure-details");
    if form.report.with_untracked(|r| r.has_errors()) || !form.server.with_untracked(Vec::is_empty)
    {
        open_summary(form);
        return;
    }
    form.summary_open.set(false);
    let attempt = ask(form, None, flow::create_conference);
    wasm_bindgen_futures::spawn_local(async move {
        match attempt.await {
            Ok(created) => {
                form.status.set(say(
                    &Message::new("status.created").text("id", created.id.to_string())
                ));
                if let Some(el) = &mount {
                    crate::dom::announce_created(el, created.id, created.conference.code());
                }
                form.phase.set(Phase::Created(created));
                focus_when_drawn("cf-created");
            }
            Err(NotCreated::Failed(failure)) => {
                form.status.set(say(&failure.message));
                form.phase.set(Phase::Failed(failure));
                focus_when_drawn("cf-failure");
            }
            Err(refusal) => {
                form.phase.set(Phase::Editing);
                if show_refusal(form, refusal) {
                    form.status.set(t("status.refused").into());
                }
                open_summary(form);
            }
        }
    });
}

/// Starts one of the flow's calls with what it needs: the switch, the
/// session and the draft. The form is busy until it ends (still showing
/// `notice`), and then keeps what the flow learnt.
fn ask<T>(
    form: FormState,
    notice: Option<Failure>,
    call: impl AsyncFnOnce(&Http, &mut Session, &mut Draft, &dyn Fn(Step)) -> Result<T, NotCreated>,
) -> impl Future<Output = Result<T, NotCreated>> {
    form.phase.set(Phase::Submitting(notice));
    async move {
        let api = form.config.with_value(|c| Http {
            base: c.api_base.clone(),
            timeout_ms: c.timeout_ms,
        });
        let (mut session, mut draft) = (form.session.get_value(), form.draft());
        let step = |step: Step| form.status.set(t(step.message()).into());
        let result = call(&api, &mut session, &mut draft, &step).await;
        form.session.set_value(session);
        form.keep_token(&draft);
        // Someone typed another sign-in while the request was in flight: to
        // the flow's rule, that is a change after the token came.
        let typed_since = [Field::AuthUsername, Field::AuthPassword]
            .into_iter()
            .any(|f| form.value(f).with_untracked(|v| v != draft.get(f)));
        if typed_since {
            form.sign_in_changed();
        }
        result
    }
}

/// Puts a refusal where it shows: on the fields and the sign-in. True when
/// the switch found problems to list (the status says so).
fn show_refusal(form: FormState, refusal: NotCreated) -> bool {
    match refusal {
        NotCreated::Refused(problems) => form.server.set(problems),
        NotCreated::BadSignIn => {
            form.show_sign_in.set(true);
            form.server.set(vec![ServerProblem {
                fields: vec![Field::AuthUsername, Field::AuthPassword],
                message: Message::new("sign_in.refused"),
            }]);
        }
        NotCreated::SignInNeeded { expired } => {
            form.show_sign_in.set(true);
            if expired {
                // The host's token ended; the empty fields say what they need.
                form.status.set(t("status.sign_in_expired").into());
            } else {
                // Nothing to sign in with: the empty fields say "Enter your username".
                form.revealed.update(|r| {
                    r[Field::AuthUsername] = true;
                    r[Field::AuthPassword] = true;
                });
            }
            return false;
        }
        NotCreated::Failed(_) => return false,
    }
    true
}

/// Focus moves once the element is shown (views update after a tick).
fn focus_when_drawn(id: &'static str) {
    request_animation_frame(move || crate::dom::focus(id));
}

fn open_summary(form: FormState) {
    form.summary_open.set(true);
    focus_when_drawn("cf-summary");
}

/// "Suggest a code": an unused code from the switch (`conferences/unused/code`).
pub fn suggest_code(form: FormState) {
    if form.busy_untracked() {
        return;
    }
    let before = form.phase.get_untracked();
    let notice = match &before {
        Phase::Failed(failure) => Some(failure.clone()),
        _ => None,
    };
    let suggestion = ask(form, notice, flow::suggest_code);
    wasm_bindgen_futures::spawn_local(async move {
        let result = suggestion.await;
        form.phase.set(before);
        match result {
            Ok(Some(code)) => {
                form.input(&[Field::Code], vec![(Field::Code, code.clone())]);
                form.leave(&[Field::Code]);
                form.status
                    .set(say(&Message::new("status.suggested").text("code", code)));
                focus_when_drawn("cf-code");
            }
            Ok(None) => form.status.set(t("status.no_unused_code").into()),
            Err(NotCreated::Failed(failure)) => form.status.set(say(&failure.message)),
            Err(refusal) => {
                show_refusal(form, refusal);
                form.status.set(t("status.sign_in_first").into());
                open_summary(form);
            }
        }
    });
}

/// "Generate": six random digits for a PIN, different from the other PINs.
pub fn generate_pin(form: FormState, field: Field) {
    let others: Vec<String> = PINS
        .into_iter()
        .filter(|&f| f != field)
        .map(|f| form.value(f).get_untracked().trim().to_owned())
        .collect();
    let pin = std::iter::repeat_with(|| crate::dom::random_digits(6))
        .take(10)
        .find(|pin| !pin.is_empty() && !others.contains(pin))
        .unwrap_or_default();
    form.input(&[field], vec![(field, pin)]);
    form.leave(&[field]);
}
