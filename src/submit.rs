//! Submitting: the form's own problems first, then sign-in (a token where the
//! switch has them), `validation=1`, and only then the real create. Every
//! outcome of the core's reply parser has its own presentation; nothing typed
//! is ever cleared by a failure.

use conference::reply::{Accepted, Invalid, Outcome, Unexpected};
use conference::{describe, Conference, Credentials, Field, PINS};
use leptos::prelude::*;

use crate::api::NetError;
use crate::state::{fields_of_key, CreatedConference, Failure, FormState, ServerProblem};

/// How an attempt stopped short of a conference.
enum NotCreated {
    /// Problems are on the fields and in the summary.
    FieldProblems,
    /// Nobody is signed in: the sign-in fields show what they need.
    SignInNeeded,
    Failed(Failure),
}

/// The submit button, Enter in a field, or "Try again". A second submit while
/// one is in flight does nothing.
pub fn submit(form: FormState, mount: Option<web_sys::HtmlElement>) {
    if form.busy.get_untracked() {
        return;
    }
    form.reveal_all();
    form.failure.set(None);
    if form.report.with_untracked(|r| r.has_errors()) || !form.server.with_untracked(Vec::is_empty)
    {
        open_summary(form);
        return;
    }
    form.summary_open.set(false);
    form.busy.set(true);
    leptos::task::spawn_local(async move {
        let outcome = attempt(form).await;
        form.busy.set(false);
        match outcome {
            Ok(created) => {
                form.status
                    .set(format!("Conference {} created.", created.id));
                if let Some(el) = &mount {
                    crate::dom::announce_created(el, created.id, &created.code);
                }
                form.created.set(Some(created));
                focus_when_drawn("cf-created");
            }
            Err(NotCreated::FieldProblems) => {
                form.status
                    .set("The switch found a problem: see the list above the form.".into());
                open_summary(form);
            }
            Err(NotCreated::SignInNeeded) => open_summary(form),
            Err(NotCreated::Failed(failure)) => {
                form.status.set(failure.message.clone());
                form.failure.set(Some(failure));
                focus_when_drawn("cf-failure");
            }
        }
    });
}

/// Focus moves once the element is on the page (views update after a tick).
fn focus_when_drawn(id: &'static str) {
    request_animation_frame(move || crate::dom::focus(id));
}

fn open_summary(form: FormState) {
    form.summary_open.set(true);
    form.summary_focus.update(|n| *n += 1);
}

async fn attempt(form: FormState) -> Result<CreatedConference, NotCreated> {
    let draft = form.draft();
    // The form's own check passed, so this cannot fail; be safe anyway.
    let conference = Conference::from_draft(&draft).map_err(|_| NotCreated::FieldProblems)?;
    let mut credentials = sign_in(form).await?;
    let api = form.api.get_value();

    // A create whose reply was lost may have happened: look before repeating it.
    if form
        .session
        .with_value(|s| s.uncertain_code.as_deref() == Some(conference.code()))
    {
        form.status
            .set("Checking whether the conference was already created…".into());
        match api.find(conference.code(), &credentials).await {
            Ok(Outcome::Success(id)) => {
                form.session.update_value(|s| s.uncertain_code = None);
                return Ok(created_conference(&conference, id));
            }
            Ok(Outcome::NotFound) => form.session.update_value(|s| s.uncertain_code = None),
            // Still unclear (or signed out): say so, and keep remembering the code.
            other => return Err(apply_refusal(form, other.map(|o| o.map(drop)), true)),
        }
    }

    form.status
        .set("Checking the details with the switch…".into());
    let mut checked = api.create(&conference, &credentials, true).await;
    if matches!(checked, Ok(Outcome::BadCredentials))
        && form.session.with_value(|s| s.token_is_ours)
    {
        // Our token expired: sign in again once, with the password still typed.
        form.value(Field::AuthToken).set(String::new());
        credentials = sign_in(form).await?;
        checked = api.create(&conference, &credentials, true).await;
    }
    match checked {
        Ok(Outcome::Success(Accepted::Validated)) => {}
        // A switch that ignores validation=1 and creates straight away.
        Ok(Outcome::Success(Accepted::Id(id))) => return Ok(created_conference(&conference, id)),
        other => return Err(apply_refusal(form, other.map(|o| o.map(drop)), false)),
    }

    form.status.set("Creating the conference…".into());
    match api.create(&conference, &credentials, false).await {
        Ok(Outcome::Success(Accepted::Id(id))) => Ok(created_conference(&conference, id)),
        Ok(Outcome::Success(Accepted::Validated)) => Err(NotCreated::Failed(Failure {
            message: "The switch only checked the details and created nothing. Try again.".into(),
            detail: None,
            retry: true,
        })),
        other => {
            // No clear answer: the switch may have stored it. Remember to look first.
            let unclear = matches!(other, Err(_) | Ok(Outcome::Unexpected(_)));
            if unclear {
                form.session
                    .update_value(|s| s.uncertain_code = Some(conference.code().to_owned()));
            }
            Err(apply_refusal(form, other.map(|o| o.map(drop)), unclear))
        }
    }
}

/// What the user is shown of the conference the switch created.
fn created_conference(conference: &Conference, id: u64) -> CreatedConference {
    CreatedConference {
        id,
        code: conference.code().to_owned(),
        occurrences: conference.occurrences().into_iter().map(describe).collect(),
    }
}

/// The credentials to send: a token (the host's, or one from `user/login`),
/// or the username and password where the switch has no tokens.
async fn sign_in(form: FormState) -> Result<Credentials, NotCreated> {
    let draft = form.draft();
    if let Credentials::Token(token) = Credentials::from_draft(&draft) {
        return Ok(Credentials::Token(token));
    }
    let username = draft.trimmed(Field::AuthUsername).to_owned();
    let password = draft.get(Field::AuthPassword).to_owned();
    if username.is_empty() || password.is_empty() {
        // Nothing to sign in with: the empty fields say "Enter your username".
        form.show_sign_in.set(true);
        form.revealed.update(|r| {
            r[Field::AuthUsername] = true;
            r[Field::AuthPassword] = true;
        });
        return Err(NotCreated::SignInNeeded);
    }
    let password_credentials = Credentials::Password {
        username: username.clone(),
        password: password.clone(),
    };
    if form
        .session
        .with_value(|s| s.tokens_supported == Some(false))
    {
        return Ok(password_credentials);
    }
    form.status.set("Signing in…".into());
    match form.api.get_value().login(&username, &password).await {
        Ok(Outcome::Success(token)) => {
            form.session.update_value(|s| {
                s.tokens_supported = Some(true);
                s.token_is_ours = true;
            });
            form.value(Field::AuthToken).set(token.token.clone());
            Ok(Credentials::Token(token.token))
        }
        // A switch before 4.1: no tokens, so credentials go in each POST body.
        Ok(Outcome::Unexpected(_)) | Ok(Outcome::NotFound) => {
            form.session
                .update_value(|s| s.tokens_supported = Some(false));
            Ok(password_credentials)
        }
        Ok(Outcome::SecondFactor) => Err(NotCreated::Failed(Failure {
            message:
                "Your account signs in with a second step, which this form does not support yet. \
                      Ask for a sign-in token for this page instead."
                    .into(),
            detail: None,
            retry: false,
        })),
        other => Err(apply_refusal(form, other.map(|o| o.map(drop)), false)),
    }
}

/// Where a reply that is not a success leaves the user: its problems put on
/// the fields, the sign-in shown again, or a failure to explain.
fn apply_refusal(
    form: FormState,
    reply: Result<Outcome<()>, NetError>,
    maybe_created: bool,
) -> NotCreated {
    match reply {
        Ok(Outcome::Invalid(invalid)) => {
            form.server.set(server_problems(invalid));
            NotCreated::FieldProblems
        }
        Ok(Outcome::BadCredentials) => {
            // A token refused is a sign-in that ended; a password refused is a typing slip.
            let had_token = !form.value(Field::AuthToken).get_untracked().is_empty();
            form.show_sign_in.set(true);
            form.value(Field::AuthToken).set(String::new());
            form.session.update_value(|s| s.token_is_ours = false);
            if had_token && form.value(Field::AuthPassword).get_untracked().is_empty() {
                // The host's token ended; the empty fields say what they need.
                form.status
                    .set("Your sign-in has expired: sign in again.".into());
                return NotCreated::SignInNeeded;
            }
            form.server.set(vec![ServerProblem {
                fields: vec![Field::AuthUsername, Field::AuthPassword],
                message:
                    "The switch did not accept this username and password. Check them and try again"
                        .into(),
            }]);
            NotCreated::FieldProblems
        }
        other => NotCreated::Failed(failure_for(other, maybe_created)),
    }
}

fn server_problems(invalid: Vec<Invalid>) -> Vec<ServerProblem> {
    invalid
        .into_iter()
        .map(|i| ServerProblem {
            fields: fields_of_key(&i.key),
            message: if i.message.trim().is_empty() {
                format!(
                    "The switch refused {}",
                    if i.key.is_empty() {
                        "the request"
                    } else {
                        &i.key
                    }
                )
            } else {
                i.message
            },
        })
        .collect()
}

/// The plain words for a reply that ends the attempt.
fn failure_for(reply: Result<Outcome<()>, NetError>, maybe_created: bool) -> Failure {
    let unclear = if maybe_created {
        " The conference may have been created: trying again checks first, so it will not be created twice."
    } else {
        " Nothing you typed is lost."
    };
    let (message, detail, retry) = match reply {
        Err(NetError::Timeout) => (format!("The switch did not answer in time.{unclear}"), None, true),
        Err(NetError::Network) => (
            format!("The switch could not be reached. Check your connection and try again.{unclear}"),
            None,
            true,
        ),
        Ok(Outcome::RoleDenied) => (
            "Your account's role does not allow creating conferences. Ask your switch administrator to give your \
             role the user privilege."
                .into(),
            None,
            false,
        ),
        Ok(Outcome::RatePlanDenied) => (
            "Your rate plan does not include conferences. Ask your provider to add conferences to your plan.".into(),
            None,
            false,
        ),
        Ok(Outcome::NotFound) => (
            "The switch does not offer this function at this address. Check the API address the form is \
             configured with."
                .into(),
            None,
            false,
        ),
        Ok(Outcome::Unexpected(u)) => (
            format!("The switch failed to answer properly ({}).{unclear}", unexpected_summary(&u)),
            Some(u),
            true,
        ),
        Ok(Outcome::SecondFactor) => ("The switch asked for a second sign-in step, which this form does not support.".into(), None, false),
        Ok(Outcome::Success(())) | Ok(Outcome::Invalid(_)) | Ok(Outcome::BadCredentials) => {
            ("The switch gave an answer this form did not expect.".into(), None, true)
        }
    };
    Failure {
        message,
        detail,
        retry,
    }
}

/// What came back instead of an answer, short enough for a sentence.
fn unexpected_summary(u: &Unexpected) -> String {
    if u.status == 200 {
        u.what.clone()
    } else {
        format!("HTTP {}: {}", u.status, u.what)
    }
}

/// "Suggest a code": an unused code from the switch (`conferences/unused/code`).
pub fn suggest_code(form: FormState) {
    if form.busy.get_untracked() {
        return;
    }
    form.busy.set(true);
    leptos::task::spawn_local(async move {
        let result = async {
            let credentials = sign_in(form).await?;
            form.status
                .set("Asking the switch for an unused code…".into());
            let customer = form
                .value(Field::Customer)
                .get_untracked()
                .trim()
                .to_owned();
            match form
                .api
                .get_value()
                .unused_code(&credentials, &customer)
                .await
            {
                Ok(Outcome::Success(code)) => Ok(code),
                other => Err(apply_refusal(form, other.map(|o| o.map(drop)), false)),
            }
        }
        .await;
        form.busy.set(false);
        match result {
            Ok(Some(code)) => {
                form.input(&[Field::Code], vec![(Field::Code, code.clone())]);
                form.leave(&[Field::Code]);
                form.status.set(format!("Suggested code {code}."));
                focus_when_drawn("cf-code");
            }
            Ok(None) => form
                .status
                .set("The switch has no unused code to suggest: type one.".into()),
            Err(NotCreated::FieldProblems | NotCreated::SignInNeeded) => {
                form.status
                    .set("Sign in first: see the list above the form.".into());
                open_summary(form);
            }
            Err(NotCreated::Failed(failure)) => form.status.set(failure.message),
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
