//! "There is a problem": one link per blocking problem, in form order. It
//! takes focus when a submit finds problems, so screen readers announce it
//! and keyboard users start from it. Only a submit opens it: the helpers
//! ("Suggest a code") say what they need on the fields concerned.

use conference::Report;
use leptos::prelude::*;

use crate::i18n::{say, t};
use crate::state::{control_id, open_around, FormState};

pub fn error_summary(form: FormState) -> impl IntoView {
    let items = Memo::new(move |_| form.summary());
    // Open after a submit that found problems, until they are gone. While
    // closed it reads nothing else, so typing neither tracks nor draws the list.
    let open = move || form.summary_open.get() && !items.with(Report::is_empty);
    view! {
        <div
            class="cf-summary"
            id="cf-summary"
            tabindex="-1"
            role="alert"
            aria-labelledby="cf-summary-title"
            hidden=move || !open()
        >
            <h2 class="cf-summary-title" id="cf-summary-title">{t("summary.title")}</h2>
            <ul class="cf-summary-list">
                {move || {
                    (if open() { items.get() } else { Report::default() })
                        .problems
                        .into_iter()
                        .map(|problem| {
                            // A problem on no control (a key the form does not
                            // know) is an `a` without `href`: text, not a link.
                            let target = problem.fields.first().map_or("", |&f| control_id(f));
                            let href = (!target.is_empty()).then(|| ["#", target].concat());
                            view! {
                                <li>
                                    <a
                                        href=href
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            // Inside "More settings", closed: open it first.
                                            open_around(target);
                                            crate::dom::focus(target);
                                        }
                                    >
                                        {say(&problem.message)}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
