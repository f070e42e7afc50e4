//! Submitting, as the user sees it: the form's own problems first, then the
//! flow (`flow::create_conference`), whose result this shows. Nothing typed
//! is ever cleared by a failure. Before that, as soon as the sign-in is
//! typed, whether this account may create conferences at all; and the
//! helpers, which ask only for what they need.

use std::cell::Cell;

use conference::{Field, Message, PINS};
use flow::{Done, NotCreated, Request, ServerProblem, Step};
use leptos::prelude::*;

use crate::http::Http;
use crate::i18n::{say, t};
use crate::state::{control_id, Action, FormState, Phase};

/// The submit button, Enter in a field, or "Try again". A second submit while
/// one is in flight does nothing; one while the sign-in is checked goes
/// once that ends.
pub fn submit(form: FormState) {
    if wait_for_check(form, submit) {
        return;
    }
    form.reveal_all();
    form.phase.set(Phase::Editing);
    // The failure notice is drawn once: a new attempt's starts folded.
    crate::dom::fold("cf-failure-details");
    if form.blocked() {
        open_summary(form);
        return;
    }
    form.summary_open.set(false);
    ask(form, Request::Create, Phase::Submitting(None));
}

/// Signs in as soon as the sign-in is typed (a field of it left) or handed
/// over, and asks the switch whether this account may create conferences,
/// so that a refusal comes before the work (`flow::check_access`).
pub fn check_access(form: FormState) {
    let draft = form.draft();
    let typed = !draft.trimmed(Field::AuthUsername).is_empty()
        && !draft.get(Field::AuthPassword).is_empty();
    let signed_in = typed || !draft.get(Field::AuthToken).is_empty();
    // Not while the switch's complaints show: after a refused sign-in, the
    // same guess again would only count against the throttle; they go as
    // their fields change.
    if signed_in
        && form.server.with_untracked(Vec::is_empty)
        && !form.busy_untracked()
        && !form.session.borrow().access_known()
    {
        ask(form, Request::Check, Phase::Checking);
    }
}

/// "Suggest a code": an unused code from the switch (`conferences/unused/code`).
pub fn suggest_code(form: FormState) {
    if wait_for_check(form, suggest_code) {
        return;
    }
    let notice = form.phase.with_untracked(|p| match p {
        Phase::Failed(failure) => Some(failure.clone()),
        _ => None,
    });
    ask(form, Request::Suggest, Phase::Submitting(notice));
}

/// Whether `action` must wait: while a request is in flight it does
/// nothing, unless that is the check of the sign-in (which starts as the
/// person leaves it, so their very next click comes during it): then it
/// runs once the check ends.
fn wait_for_check(form: FormState, action: Action) -> bool {
    if form.phase.with_untracked(|p| matches!(p, Phase::Checking)) {
        form.queued.set(Some(action));
    }
    form.busy_untracked()
}

/// Runs one of the flow's requests with what it needs (the switch, the
/// session, the draft), the form in `phase` meanwhile; then keeps what the
/// flow learnt and shows the answer. One function for every request, so
/// the bundle holds one copy of it.
fn ask(form: FormState, request: Request, phase: Phase) {
    // A suggestion or a check leaves the form as it found it: a failure's
    // notice stays up.
    let before = match &phase {
        Phase::Submitting(Some(failure)) => Phase::Failed(failure.clone()),
        _ => Phase::Editing,
    };
    form.phase.set(phase);
    wasm_bindgen_futures::spawn_local(async move {
        let api = Http {
            base: form.config.api_base.clone(),
            timeout_ms: form.config.timeout_ms,
        };
        let (mut session, mut draft) = (form.session.borrow().clone(), form.draft());
        let step = |step: Step| form.status.set(t(step.message()).into());
        let result = flow::run(&api, &mut session, &mut draft, &step, request).await;
        *form.session.borrow_mut() = session;
        form.keep_token(&draft);
        // Someone typed another sign-in while the request was in flight: to
        // the flow's rule, that is a change after the token came.
        let typed_since = [Field::AuthUsername, Field::AuthPassword]
            .into_iter()
            .any(|f| form.value(f).with_untracked(|v| v != draft.get(f)));
        if typed_since {
            form.sign_in_changed();
        }
        form.phase.set(before);
        if request == Request::Check {
            // "Signing in…" is over; the person is typing elsewhere.
            form.status.set(String::new());
        }
        match result {
            Ok(Done::Created(created)) => {
                form.status.set(say(&Message::new("status.created")
                    .text("id", conference::digits::decimal(created.id))));
                if let Some(el) = form.mount.as_ref() {
                    crate::dom::announce_created(el, created.id, created.conference.code());
                }
                form.phase.set(Phase::Created(created));
                focus_when_drawn("cf-created");
            }
            Ok(Done::Suggested(Some(code))) => {
                form.input(&[Field::Code], vec![(Field::Code, code.clone())]);
                form.leave(&[Field::Code]);
                form.status
                    .set(say(&Message::new("status.suggested").text("code", code)));
                focus_when_drawn("cf-code");
            }
            Ok(Done::Suggested(None)) => form.status.set(t("status.no_unused_code").into()),
            Ok(Done::Checked) => {}
            // A check that could not reach the switch says nothing: the
            // create that meets it again does.
            Err(NotCreated::Failed(_)) if request == Request::Check => {}
            Err(NotCreated::Failed(failure)) => {
                form.status.set(say(&failure.message));
                if request == Request::Create {
                    form.phase.set(Phase::Failed(failure));
                    focus_when_drawn("cf-failure");
                }
            }
            Err(refusal) => show_refusal(form, refusal, request),
        }
        // What was asked for during the check goes now, unless it ended
        // the form.
        if let Some(action) = Cell::take(form.queued) {
            if form.phase.with_untracked(|p| matches!(p, Phase::Editing)) {
                action(form);
            }
        }
    });
}

/// Puts a refusal where it shows: on the fields it concerns (the sign-in,
/// or those the switch named) and in the status, or, for an account that
/// may not create conferences, in place of the form. A create then lists
/// it in the summary; a suggestion moves to its field; a check, which runs
/// while the person types elsewhere, leaves it there.
fn show_refusal(form: FormState, refusal: NotCreated, request: Request) {
    // Where to look, and what to say of it.
    let (field, said) = match refusal {
        NotCreated::Denied => {
            form.phase.set(Phase::Denied);
            form.summary_open.set(false);
            form.status.set(String::new());
            focus_when_drawn("cf-refused");
            return;
        }
        NotCreated::Failed(_) => return,
        NotCreated::Refused(problems) => {
            let first = problems.first();
            let field = first.and_then(|p| p.fields.first().copied());
            let said = first.map(|p| say(&p.message)).unwrap_or_default();
            form.server.set(problems);
            (field, said)
        }
        NotCreated::BadSignIn => {
            let message = Message::new("sign_in.refused");
            let said = say(&message);
            form.server.set(vec![ServerProblem {
                fields: vec![Field::AuthUsername, Field::AuthPassword],
                message,
            }]);
            (Some(Field::AuthUsername), said)
        }
        // The host's token ended; the empty fields say what they need.
        NotCreated::SignInNeeded { expired: true } => (
            Some(Field::AuthUsername),
            t("status.sign_in_expired").into(),
        ),
        // Nothing to sign in with (only a helper gets here: a submit's own
        // check asks first): the empty fields say "Enter your username".
        NotCreated::SignInNeeded { expired: false } => {
            form.revealed.update(|r| {
                r[Field::AuthUsername] = true;
                r[Field::AuthPassword] = true;
            });
            let named = form
                .value(Field::AuthUsername)
                .with_untracked(|v| !v.trim().is_empty());
            let first = if named {
                Field::AuthPassword
            } else {
                Field::AuthUsername
            };
            (Some(first), t("status.sign_in_to_suggest").into())
        }
    };
    if field.is_some_and(|f| f.param().group == conference::Group::SignIn) {
        form.show_sign_in.set(true);
    }
    form.status.set(said);
    match (request, field) {
        (Request::Create, _) => open_summary(form),
        (Request::Suggest, Some(field)) => focus_when_drawn(control_id(field)),
        _ => {}
    }
}

/// Focus moves once the element is shown (views update after a tick).
fn focus_when_drawn(id: &'static str) {
    request_animation_frame(move || crate::dom::focus(id));
}

/// Opens the summary of what a submit found, and "More settings" if what
/// it lists is in there.
fn open_summary(form: FormState) {
    let listed: Vec<Field> = form
        .summary()
        .problems
        .iter()
        .filter_map(|p| p.fields.first().copied())
        .collect();
    form.open_more_for(&listed);
    form.summary_open.set(true);
    focus_when_drawn("cf-summary");
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
    form.input(&[field], vec![(field, pin.clone())]);
    form.leave(&[field]);
    // Said in the live region: a person who cannot see the field hears it.
    form.status.set(say(&Message::new("status.generated")
        .text("label", crate::i18n::label(field))
        .text("pin", pin)));
}
