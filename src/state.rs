//! The form's state: one signal per parameter, which problems are showing,
//! the switch's own complaints, and the submit status. All of it is `Copy`
//! (Leptos signals are handles), so every view takes it by value.

use std::cell::{Cell, RefCell};

use conference::{
    validate_at, Draft, Field, Group, PerField, Problem, Report, PARAMS, PINS, START,
};
use flow::{CreatedConference, Failure, ServerProblem, Session};
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::config::Config;

/// The groups inside "More settings": what only some people need.
pub const MORE_SETTINGS: [Group; 2] = [Group::Details, Group::Options];

/// Where the form is: one value, so that (say) "in flight" and "created"
/// cannot both hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Editing,
    /// Signing in as soon as the sign-in is typed, and asking whether this
    /// account may create conferences, while the person goes on typing.
    Checking,
    /// A request is in flight: a second submit does nothing. A suggestion
    /// asked for after a failure leaves that failure's notice up meanwhile.
    Submitting(Option<Failure>),
    /// The last attempt ended short of a conference.
    Failed(Failure),
    Created(CreatedConference),
    /// The switch will not let this account create conferences: the form
    /// gives way to a sentence saying so.
    Denied,
}

/// Something the person asked for: a submit, a suggestion.
pub type Action = fn(FormState);

#[derive(Clone, Copy)]
pub struct FormState {
    pub values: PerField<RwSignal<String>>,
    /// Fields whose problems are showing: left after a change, or submitted.
    pub revealed: RwSignal<PerField<bool>>,
    changed: RwSignal<PerField<bool>>,
    /// The switch's problems: each stays until one of its fields changes.
    pub server: RwSignal<Vec<ServerProblem>>,
    pub report: Memo<Report>,
    /// The error summary is open (after a submit that found problems).
    pub summary_open: RwSignal<bool>,
    /// What the start's date and time controls hold, as the browser reports
    /// it. The browser reports "" until every part of a date or time is
    /// typed, so writing the API fields back into the controls would reset
    /// them mid-typing: the controls own their text, the API fields follow.
    pub start_text: [RwSignal<String>; 2],
    pub status: RwSignal<String>,
    pub phase: RwSignal<Phase>,
    /// Whether the sign-in fields show (not when the host page gave a token).
    pub show_sign_in: RwSignal<bool>,
    // What no view shows is not a signal nor a stored value but a reference
    // made once per mount and kept for the page's life, as the app itself
    // is (`mount_to(..).forget()`): each stored value's type brought its own
    // copy of their code into the bundle (1 KB of brotli for these
    // four). Wrapped where Leptos's closures, which must be `Send`, could
    // not otherwise hold it (the browser runs the app on one thread).
    /// What the submit flow remembers between attempts.
    pub session: &'static SendWrapper<RefCell<Session>>,
    /// What was asked for (a submit, a suggestion) while the sign-in was
    /// being checked: it goes once the check ends.
    pub queued: &'static SendWrapper<Cell<Option<Action>>>,
    /// The element the app is mounted in, which announces a conference
    /// (none when the form is rendered ahead as HTML: `crate::prerender`).
    pub mount: &'static SendWrapper<Option<web_sys::HtmlElement>>,
    pub config: &'static Config,
}

impl FormState {
    pub fn new(config: Config, mount: Option<web_sys::HtmlElement>) -> FormState {
        let values = PerField::from_fn(|f| RwSignal::new(f.param().default.to_owned()));
        values[Field::Customer].set(config.customer.clone().unwrap_or_default());
        if let Some(token) = &config.token {
            values[Field::AuthToken].set(token.clone());
        }
        let report = Memo::new(move |_| validate_at(&draft_of(&values), crate::dom::now()));
        FormState {
            values,
            revealed: RwSignal::new(PerField::filled(false)),
            changed: RwSignal::new(PerField::filled(false)),
            server: RwSignal::new(Vec::new()),
            report,
            summary_open: RwSignal::new(false),
            start_text: [RwSignal::new(String::new()), RwSignal::new(String::new())],
            status: RwSignal::new(String::new()),
            phase: RwSignal::new(Phase::Editing),
            show_sign_in: RwSignal::new(config.token.is_none()),
            session: Box::leak(Box::new(SendWrapper::new(RefCell::default()))),
            queued: Box::leak(Box::new(SendWrapper::new(Cell::new(None)))),
            mount: Box::leak(Box::new(SendWrapper::new(mount))),
            config: Box::leak(Box::new(config)),
        }
    }

    pub fn value(&self, field: Field) -> RwSignal<String> {
        self.values[field]
    }

    /// The draft as it stands (untracked: for actions, not views).
    pub fn draft(&self) -> Draft {
        untrack(|| draft_of(&self.values))
    }

    /// The user typed into a control: its server problems go, and its own
    /// problems will show once it is left.
    pub fn input(&self, fields: &[Field], values: Vec<(Field, String)>) {
        for (field, v) in values {
            self.values[field].set(v);
        }
        self.changed
            .update(|c| fields.iter().for_each(|f| c[*f] = true));
        // A problem on no known field (a key we do not know) goes with any change.
        self.server.update(|s| {
            s.retain(|p| !p.fields.is_empty() && !p.fields.iter().any(|f| fields.contains(f)))
        });
        if fields
            .iter()
            .any(|f| matches!(f, Field::AuthUsername | Field::AuthPassword))
        {
            self.sign_in_changed();
        }
        // A value put in from outside (a host's redraw) shows.
        self.open_more_for(fields);
        // Every problem the summary listed is fixed: it goes, and a problem
        // typed later shows on its field, not in a list no submit asked for.
        if !self.blocked() {
            self.summary_open.set(false);
        }
    }

    /// Opens "More settings" if any of `fields` is inside it: it holds
    /// something to see (a value put in from outside, a problem listed).
    pub fn open_more_for(&self, fields: &[Field]) {
        if fields
            .iter()
            .any(|f| MORE_SETTINGS.contains(&f.param().group))
        {
            open_around("cf-more");
        }
    }

    /// The username or password changed: the flow's rule says whether the
    /// token goes (ours does: it was for the sign-in before).
    pub fn sign_in_changed(&self) {
        let mut draft = self.draft();
        self.session.borrow_mut().sign_in_changed(&mut draft);
        self.keep_token(&draft);
    }

    /// The token as the flow left it in `draft`.
    pub fn keep_token(&self, draft: &Draft) {
        let token = draft.get(Field::AuthToken);
        if self.value(Field::AuthToken).with_untracked(|v| v != token) {
            self.value(Field::AuthToken).set(token.to_owned());
        }
    }

    /// The user left a control: show its problems if they changed it.
    pub fn leave(&self, fields: &[Field]) {
        let changed = self
            .changed
            .with_untracked(|c| fields.iter().any(|f| c[*f]));
        if changed
            && !self
                .revealed
                .with_untracked(|r| fields.iter().all(|f| r[*f]))
        {
            self.revealed
                .update(|r| fields.iter().for_each(|f| r[*f] = true));
        }
    }

    /// A request the person asked for is in flight (not the check of the
    /// sign-in, which runs while they type).
    pub fn busy(&self) -> bool {
        self.phase.with(|p| matches!(p, Phase::Submitting(_)))
    }

    /// Any request is in flight; outside any reactive scope (event handlers).
    pub fn busy_untracked(&self) -> bool {
        self.phase
            .with_untracked(|p| matches!(p, Phase::Submitting(_) | Phase::Checking))
    }

    pub fn reveal_all(&self) {
        self.revealed.set(PerField::filled(true));
    }

    /// The problems to show on a control of `fields`: the core's, once any
    /// field they involve is revealed (so a cross-field problem shows on
    /// every field it names), then the switch's. Each once. A problem of
    /// every PIN at once ("at least one PIN") is the PINs' group's: it shows
    /// there, once, and not on each PIN.
    pub fn report_for(&self, fields: &[Field]) -> Report {
        // (Only the PINs' group passes all three, and no other control three.)
        let group = fields.len() == PINS.len() && fields[0] == PINS[0];
        let concerns = |p: &Problem| {
            PINS.iter().all(|f| p.involves(*f)) == group
                && p.fields.iter().any(|f| fields.contains(f))
        };
        let revealed = self.revealed.get();
        let mut problems: Vec<Problem> = self.report.with(|r| {
            r.problems
                .iter()
                .filter(|p| concerns(p) && p.fields.iter().any(|f| revealed[*f]))
                .cloned()
                .collect()
        });
        self.server
            .with(|s| problems.extend(s.iter().map(switch_problem).filter(concerns)));
        problems.dedup_by(|a, b| a.severity == b.severity && a.message == b.message);
        Report { problems }
    }

    /// Whether anything blocks a submit: an error of the form's, or a
    /// complaint of the switch's.
    pub fn blocked(&self) -> bool {
        self.report.with_untracked(Report::has_errors) || !self.server.with_untracked(Vec::is_empty)
    }

    /// Every blocking problem, in form order, those on no field the form
    /// knows last: the error summary's list.
    pub fn summary(&self) -> Report {
        let mut problems: Vec<Problem> = self.report.with(|r| r.errors().cloned().collect());
        self.server
            .with(|s| problems.extend(s.iter().map(switch_problem)));
        conference::report::sort_by_key(&mut problems, |p| {
            (p.fields.is_empty(), p.fields.first().copied())
        });
        problems.dedup_by(|a, b| a.fields.first() == b.fields.first() && a.message == b.message);
        Report { problems }
    }

    /// Starts over for another conference, keeping the sign-in and the
    /// customer: a reseller's next conference goes where the last one did,
    /// not to their own customer by default.
    pub fn reset_keeping_sign_in(&self) {
        for param in &PARAMS {
            if param.group != conference::Group::SignIn && param.field != Field::Customer {
                self.values[param.field].set(param.default.to_owned());
            }
        }
        for text in self.start_text {
            text.set(String::new());
        }
        self.revealed.set(PerField::filled(false));
        self.changed.set(PerField::filled(false));
        self.server.set(Vec::new());
        self.summary_open.set(false);
        self.phase.set(Phase::Editing);
        self.session.borrow_mut().uncertain_code = None;
        self.status.set(String::new());
    }
}

/// Opens the disclosure (`<details>`) around the element `id`, or that
/// element itself, at once: on the element, which is drawn once and keeps
/// its state as the person leaves it, so no signal mirrors it.
pub fn open_around(id: &str) {
    let around = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.closest("details").ok().flatten());
    if let Some(details) = around {
        let _ = details.set_attribute("open", "");
    }
}

/// The draft, read tracked: a memo built on it reruns when any value changes.
fn draft_of(values: &PerField<RwSignal<String>>) -> Draft {
    let mut draft = Draft::new();
    for field in Field::all() {
        draft.set(field, values[field].get());
    }
    draft
}

/// A problem the switch reported, as the core writes problems: an error on
/// the fields its key names.
fn switch_problem(p: &ServerProblem) -> Problem {
    Problem::error(&p.fields, "switch", p.message.clone())
}

/// The id of the control that shows `field`: the link target of the summary.
/// Made once per field and kept for the page's life: views capture a
/// `&'static str`, which is `Copy`, so their closures need no clones and no
/// drop code.
pub fn control_id(field: Field) -> &'static str {
    thread_local! {
        static IDS: PerField<&'static str> = PerField::from_fn(|f| match f {
            Field::Hour | Field::Minute => "cf-start-time",
            f if START.contains(&f) => "cf-start-date",
            f => ["cf-", f.name()].concat().leak(),
        });
    }
    IDS.with(|ids| ids[field])
}
