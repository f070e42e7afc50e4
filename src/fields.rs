//! One control per parameter, drawn from the core's table: the label, the
//! hint, the kind of input, and the problems that concern it.

use conference::digits::decimal;
use conference::{Field, Group, Kind, Message, Report, Severity, PINS, START};
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
                        <p class=class id=message_id(id, i)>
                            <span class="cf-visually-hidden">{prefix}" "</span>
                            {say(&problem.message)}
                        </p>
                    }
                })
                .collect_view()
        })
    }
}

/// The id of a control's hint.
fn hint_id(id: &str) -> String {
    [id, "-hint"].concat()
}

/// The id of the `i`th message on a control.
fn message_id(id: &str, i: usize) -> String {
    [id, "-msg-", &decimal(i as u64)].concat()
}

/// The id of the PINs' group, the prefix of its hint's and messages' ids.
const PIN_GROUP: &str = "cf-pins";

/// The ids of a hint and of every message showing, into `ids`, each
/// after a space.
fn ids_of(problems: Problems, id: &str, has_hint: bool, ids: &mut String) {
    if has_hint {
        ids.push(' ');
        ids.push_str(&hint_id(id));
    }
    let count = problems.with(|r| r.problems.len());
    for i in 0..count {
        ids.push(' ');
        ids.push_str(&message_id(id, i));
    }
}

/// `aria-describedby`: a PIN's group's rule and message first, then the
/// hint and every message showing; none without them. (An `Option`, as
/// the form's other changing attributes are: one copy of their code.)
fn described_by(
    problems: Problems,
    id: &'static str,
    has_hint: bool,
    group: Option<Problems>,
) -> impl Fn() -> Option<String> {
    move || {
        let mut ids = String::new();
        if let Some(group) = group {
            ids_of(group, PIN_GROUP, true, &mut ids);
        }
        ids_of(problems, id, has_hint, &mut ids);
        // Without the first space.
        (!ids.is_empty()).then(|| ids.split_off(1))
    }
}

/// Whether an error (not a warning) shows on the control.
fn has_error(problems: Problems) -> impl Fn() -> bool + Copy {
    move || problems.with(Report::has_errors)
}

/// `aria-invalid`, present only while an error shows on the control or
/// on its group.
fn aria_invalid(problems: Problems, group: Option<Problems>) -> impl Fn() -> Option<String> {
    move || (has_error(problems)() || group.is_some_and(|g| has_error(g)())).then(|| "true".into())
}

/// A label, with "(optional)" after it.
fn optional(label: &str) -> String {
    say(&Message::new("label.optional").text("label", label))
}

/// A control's label: "(optional)" where the person may leave it as it is.
/// Not on a PIN (their group says one is needed) nor on a checkbox (ticked
/// or not, it is an answer).
fn label_text(field: Field) -> String {
    let param = field.param();
    if param.required || PINS.contains(&field) || param.kind == Kind::Flag {
        label(field).to_owned()
    } else {
        optional(label(field))
    }
}

fn hint_view(id: &str, hint: Option<&'static str>) -> impl IntoView {
    hint.map(|hint| view! { <p class="cf-hint" id=hint_id(id)>{hint}</p> })
}

/// One field as a `&'static [Field]`, for the message helpers.
fn single_field(field: Field) -> &'static [Field] {
    std::slice::from_ref(&field.param().field)
}

/// The control for one parameter, with what goes beside and after it. The
/// five parts of the start share one control, and the three PINs one
/// group; the token has none (a host page sets it).
pub fn control(form: FormState, field: Field) -> impl IntoView {
    use leptos::either::EitherOf5;
    match field.param().kind {
        _ if field == Field::Year => EitherOf5::A(start(form)),
        _ if field == PINS[0] => EitherOf5::B(pins(form)),
        _ if field == Field::AuthToken || START.contains(&field) || PINS.contains(&field) => {
            EitherOf5::C(())
        }
        Kind::Choice(choices) => EitherOf5::D(choice_control(form, field, choices)),
        _ => EitherOf5::E(input_control(form, field, None)),
    }
}

/// The PINs, one question: a fieldset whose legend and rule ("at least one,
/// no two the same") describe each PIN input. "At least one PIN" is the
/// group's one message; "must differ" stays on the PINs concerned.
fn pins(form: FormState) -> impl IntoView {
    let problems = problems(form, &PINS);
    view! {
        <fieldset class="cf-group cf-pins" class:cf-group-error=has_error(problems)>
            <legend class="cf-label">{t("pins.legend")}</legend>
            <p class="cf-hint" id="cf-pins-hint">{t("hint.pins")}</p>
            {messages(problems, PIN_GROUP)}
            {PINS.map(|f| input_control(form, f, Some(problems)))}
        </fieldset>
    }
}

/// Every `<input>` control, checkbox included, is this one element tree
/// (what differs are attribute values), so the bundle holds one copy of it:
/// the label, the hint, the messages, the input and its button. A checkbox
/// is laid out input first by the stylesheet. A PIN is described by its
/// `group` too.
fn input_control(form: FormState, field: Field, group: Option<Problems>) -> impl IntoView {
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
    let readonly = field == Field::Customer && form.config.customer.is_some();
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
                {label_text(field)}
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
                    aria-invalid=aria_invalid(problems, group)
                    aria-describedby=described_by(problems, id, hint(field).is_some(), group)
                    // The API's default as the initial value, so the form
                    // rendered ahead shows it too (`prop:` renders no HTML).
                    // A checkbox's state is `checked`; its value is always 1.
                    value=if flag { "1" } else { param.default }
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
                    on:blur=move |_| {
                        form.leave(&[field]);
                        // The sign-in typed: find out now whether it may create.
                        if field.param().group == Group::SignIn {
                            crate::submit::check_access(form);
                        }
                    }
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
            <label class="cf-label" for=id>{label_text(field)}</label>
            {hint_view(id, hint(field))}
            {messages(problems, id)}
            <select
                class="cf-select"
                id=id
                name=param.name
                aria-invalid=aria_invalid(problems, None)
                aria-describedby=described_by(problems, id, hint(field).is_some(), None)
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
            <legend class="cf-label">{optional(t("start.legend"))}</legend>
            <p class="cf-hint" id="cf-start-hint">{t("start.hint")}</p>
            {messages(problems, "cf-start")}
            <div class="cf-input-row">
                {start_input(form, problems, "cf-start-date", t("start.date"), "date", date, &START[..3])}
                {start_input(form, problems, "cf-start-time", t("start.time"), "time", time, &START[3..])}
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
    // The API's parts it sets (`start_values`): one copy of this view
    // serves both.
    parts: &'static [Field],
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
                aria-invalid=aria_invalid(problems, None)
                aria-describedby=described_by(problems, "cf-start", true, None)
                prop:value=text
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    text.set(value.clone());
                    form.input(&START, start_values(&value, parts));
                }
                on:blur=move |_| form.leave(&START)
            />
        </div>
    }
}

/// The API's parts of the start from one of its controls: `fields` from
/// the numbers of a date's `YYYY-MM-DD` (year, month, day) or a time's
/// `HH:MM`, maybe `:SS` (hour, minute). The browser reports "" until a
/// control is filled in, which gives the API's defaults: no start date,
/// midnight.
fn start_values(text: &str, fields: &[Field]) -> Vec<(Field, String)> {
    let numbers: Vec<&[u8]> = text.as_bytes().split(|b| !b.is_ascii_digit()).collect();
    fields
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            let value = match numbers.get(i) {
                Some(n) if numbers.len() >= fields.len() => trim_zeros(n),
                _ => f.param().default.into(),
            };
            (f, value)
        })
        .collect()
}

/// `"09"` → `"9"`, `"00"` → `"0"`: the API's integers, written plainly.
fn trim_zeros(digits: &[u8]) -> String {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    // All zeros (or none typed): one zero.
    let kept = &digits[zeros.min(digits.len().saturating_sub(1))..];
    kept.iter().map(|&d| char::from(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_or_a_time_gives_the_apis_parts_and_nothing_typed_its_defaults() {
        let pairs =
            |v: Vec<(Field, String)>| -> Vec<String> { v.into_iter().map(|(_, s)| s).collect() };
        assert_eq!(
            pairs(start_values("2030-01-09", &START[..3])),
            ["2030", "1", "9"]
        );
        assert_eq!(pairs(start_values("09:05", &START[3..])), ["9", "5"]);
        assert_eq!(pairs(start_values("00:30:15", &START[3..])), ["0", "30"]);
        assert_eq!(pairs(start_values("", &START[..3])), ["0", "1", "1"]);
        assert_eq!(pairs(start_values("", &START[3..])), ["0", "0"]);
        assert_eq!(start_values("2030-01-09", &START[..3])[1].0, Field::Month);
    }
}
