//! One control per parameter, drawn from the core's table: the label, the
//! hint, the kind of input, and the problems that concern it.

use conference::{Field, Kind, Message, Report, Severity, PINS, START};
use leptos::prelude::*;

use crate::i18n::{choice, hint, label, say, t};
use crate::notices::schedule_preview;
use crate::state::{control_id, FormState};

/// The problems showing on a control, worked out once per change for every
/// part that shows them: the messages, the group's error style,
/// `aria-invalid` and `aria-describedby`. Those rerun only when they change.
/// A `Report`, as the form's other memos hold: each type of memo brings its
/// own copy of the memo's code (a list of pairs here cost 156 bytes gzipped).
type Problems = Memo<Report>;

fn problems(form: FormState, fields: &'static [Field]) -> Problems {
    Memo::new(move |_| form.report_for(fields))
}

/// The messages under a control's label, and the ids that describe it.
fn messages(problems: Problems, id: &'static str) -> impl IntoView {
    move || {
        problems.with(|report| {
            report
                .problems
                .iter()
                .enumerate()
                .map(|(i, problem)| {
                    let (class, prefix) = match problem.severity {
                        Severity::Error => ("cf-message cf-error", t("message.error")),
                        Severity::Warning => ("cf-message cf-warning", t("message.warning")),
                    };
                    view! {
                        <p class=class id=format!("{id}-msg-{i}")>
                            <span class="cf-visually-hidden">{prefix}" "</span>
                            {say(&problem.message)}
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

/// `aria-describedby`: the hint, then every message showing.
fn described_by(problems: Problems, id: &'static str, has_hint: bool) -> impl Fn() -> String {
    move || {
        let mut ids: Vec<String> = Vec::new();
        if has_hint {
            ids.push(format!("{id}-hint"));
        }
        let count = problems.with(|r| r.problems.len());
        ids.extend((0..count).map(|i| format!("{id}-msg-{i}")));
        ids.join(" ")
    }
}

/// Whether an error (not a warning) shows on the control.
fn has_error(problems: Problems) -> impl Fn() -> bool + Copy {
    move || problems.with(Report::has_errors)
}

/// `aria-invalid`, present only while an error shows.
fn aria_invalid(problems: Problems) -> impl Fn() -> Option<&'static str> {
    let error = has_error(problems);
    move || error().then_some("true")
}

fn hint_view(id: &str, hint: Option<&'static str>) -> impl IntoView {
    hint.map(|hint| view! { <p class="cf-hint" id=format!("{id}-hint")>{hint}</p> })
}

/// One field as a `&'static [Field]`, for the message helpers.
fn single_field(field: Field) -> &'static [Field] {
    std::slice::from_ref(&field.param().field)
}

/// The control for one parameter, with what goes beside and after it. The
/// five parts of the start share one control; the token has none (a host
/// page sets it).
pub fn control(form: FormState, field: Field) -> impl IntoView {
    use leptos::either::EitherOf4;
    match field.param().kind {
        _ if field == Field::Year => EitherOf4::A(start(form)),
        _ if field == Field::AuthToken || START.contains(&field) => EitherOf4::B(()),
        Kind::Choice(choices) => EitherOf4::C(choice_control(form, field, choices)),
        _ => EitherOf4::D(input_control(form, field)),
    }
}

/// Every `<input>` control, checkbox included, is this one element tree
/// (what differs are attribute values), so the bundle holds one copy of it:
/// the label, the hint, the messages, the input and its button. A checkbox
/// is laid out input first by the stylesheet.
fn input_control(form: FormState, field: Field) -> impl IntoView {
    let param = field.param();
    let id = control_id(field);
    let problems = problems(form, single_field(field));
    let value = form.value(field);
    let flag = matches!(param.kind, Kind::Flag);
    let (input_type, inputmode, autocomplete, class) = match param.kind {
        Kind::Flag => ("checkbox", None, None, "cf-check"),
        Kind::Digits { .. } => ("text", Some("numeric"), Some("off"), "cf-input cf-w14"),
        Kind::Integer { .. } => ("text", Some("numeric"), Some("off"), "cf-input cf-w7"),
        Kind::Phone { .. } => ("tel", None, Some("off"), "cf-input cf-w14"),
        Kind::Secret => (
            "password",
            None,
            Some("current-password"),
            "cf-input cf-w24",
        ),
        _ if field == Field::AuthUsername => ("text", None, Some("username"), "cf-input cf-w24"),
        _ => ("text", None, None, "cf-input cf-wfull"),
    };
    // The host page fixed the customer (`data-customer`): shown, not editable.
    let readonly = field == Field::Customer && form.config.with_value(|c| c.customer.is_some());
    let action = match field {
        Field::Code => Some((t("button.suggest_code"), None)),
        _ if PINS.contains(&field) => Some((
            t("button.generate"),
            Some(say(
                &Message::new("button.generate_for").field("label", field)
            )),
        )),
        _ => None,
    };
    let act = move || match field {
        Field::Code => crate::submit::suggest_code(form),
        _ => crate::submit::generate_pin(form, field),
    };
    view! {
        <div
            class=if flag { "cf-group cf-checkbox" } else { "cf-group" }
            class:cf-group-error=has_error(problems)
        >
            <label class=if flag { "cf-check-label" } else { "cf-label" } for=id>
                {label(field)}
            </label>
            {hint_view(id, hint(field))}
            {messages(problems, id)}
            <div class="cf-input-row">
                <input
                    class=class
                    id=id
                    name=param.name
                    type=input_type
                    inputmode=inputmode
                    autocomplete=autocomplete
                    spellcheck=if field == Field::Description { "true" } else { "false" }
                    readonly=readonly
                    aria-invalid=aria_invalid(problems)
                    aria-describedby=described_by(problems, id, hint(field).is_some())
                    // A checkbox's state is `checked`; its value is always 1.
                    prop:value=move || if flag { "1".to_owned() } else { value.get() }
                    prop:checked=move || flag && value.get().trim() == "1"
                    on:input=move |ev| {
                        let v = if flag {
                            (if event_target_checked(&ev) { "1" } else { "0" }).to_owned()
                        } else {
                            event_target_value(&ev)
                        };
                        form.input(&[field], vec![(field, v)]);
                        if flag {
                            form.leave(&[field]);
                        }
                    }
                    on:blur=move |_| form.leave(&[field])
                />
                {action.map(|(text, label)| {
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
                })}
            </div>
            {(field == Field::Code).then(|| view! { <p class="cf-hint cf-section-hint">{t("hint.pins")}</p> })}
            {(field == Field::Count).then(|| schedule_preview(form))}
        </div>
    }
}

/// A select for a parameter with a fixed list of values (`repeats`).
fn choice_control(
    form: FormState,
    field: Field,
    choices: &'static [&'static str],
) -> impl IntoView {
    let param = field.param();
    let id = control_id(field);
    let problems = problems(form, single_field(field));
    let value = form.value(field);
    view! {
        <div class="cf-group" class:cf-group-error=has_error(problems)>
            <label class="cf-label" for=id>{label(field)}</label>
            {hint_view(id, hint(field))}
            {messages(problems, id)}
            <select
                class="cf-select"
                id=id
                name=param.name
                aria-invalid=aria_invalid(problems)
                aria-describedby=described_by(problems, id, hint(field).is_some())
                prop:value=move || value.get()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.input(&[field], vec![(field, v)]);
                    form.leave(&[field]);
                }
            >
                {choices
                    .iter()
                    .map(|v| {
                        view! {
                            <option value=*v selected=move || value.get() == *v>
                                {choice(field, v)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The start: a date and a time, written into year, month, day, hour and
/// minute (kept in hidden inputs named as the API names them). No date
/// means no start date (year 0).
fn start(form: FormState) -> impl IntoView {
    let v = move |f: Field| form.value(f);
    let [date, time] = form.start_text;
    let problems = problems(form, &START);
    let hidden = START.map(|f| {
        view! { <input type="hidden" name=f.name() prop:value=move || v(f).get() /> }
    });
    view! {
        <fieldset class="cf-group cf-start" class:cf-group-error=has_error(problems)>
            <legend class="cf-label">{t("start.legend")}</legend>
            <p class="cf-hint" id="cf-start-hint">{t("start.hint")}</p>
            {messages(problems, "cf-start")}
            <div class="cf-input-row">
                {start_input(form, problems, "cf-start-date", t("start.date"), "date", date, date_values)}
                {start_input(form, problems, "cf-start-time", t("start.time"), "time", time, time_values)}
            </div>
            {hidden}
        </fieldset>
    }
}

/// One of the start's two controls, the browser's own date or time input,
/// described by the start's hint and messages.
fn start_input(
    form: FormState,
    problems: Problems,
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    text: RwSignal<String>,
    // A plain function, not a closure: one copy of this view serves both.
    values: fn(&str) -> Vec<(Field, String)>,
) -> impl IntoView {
    let date = kind == "date";
    view! {
        <div class="cf-inline">
            <label class="cf-sublabel" for=id>{label}</label>
            <input
                class="cf-input"
                id=id
                type=kind
                min=date.then_some("2000-01-01")
                max=date.then_some("2100-12-31")
                aria-invalid=aria_invalid(problems)
                aria-describedby=described_by(problems, "cf-start", true)
                prop:value=text
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    text.set(value.clone());
                    form.input(&START, values(&value));
                }
                on:blur=move |_| form.leave(&START)
            />
        </div>
    }
}

/// The API's year, month and day from a date control's `YYYY-MM-DD`; an
/// empty (or half-typed) date is no start date.
fn date_values(text: &str) -> Vec<(Field, String)> {
    match text.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] => vec![
            (Field::Year, trim_zeros(y)),
            (Field::Month, trim_zeros(m)),
            (Field::Day, trim_zeros(d)),
        ],
        _ => vec![
            (Field::Year, "0".into()),
            (Field::Month, "1".into()),
            (Field::Day, "1".into()),
        ],
    }
}

/// The API's hour and minute from a time control's `HH:MM` (or `HH:MM:SS`);
/// an empty time is midnight.
fn time_values(text: &str) -> Vec<(Field, String)> {
    match text.split_once(':') {
        Some((h, m)) => vec![
            (Field::Hour, trim_zeros(h)),
            (Field::Minute, trim_zeros(&m[..m.len().min(2)])),
        ],
        None => vec![(Field::Hour, "0".into()), (Field::Minute, "0".into())],
    }
}

/// `"09"` → `"9"`, `"00"` → `"0"`: the API's integers, written plainly.
fn trim_zeros(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".into()
    } else {
        t.into()
    }
}
