//! "There is a problem": one link per blocking problem, in form order. It
//! takes focus when a submit finds problems, so screen readers announce it
//! and keyboard users start from it.

use leptos::prelude::*;

use crate::i18n::{say, t};
use crate::state::FormState;

pub fn error_summary(form: FormState) -> impl IntoView {
    let items = Memo::new(move |_| form.summary());
    // A memo, so the summary is drawn anew only when it opens or closes.
    let open = Memo::new(move |_| form.summary_open.get() && !items.with(Vec::is_empty));
    // Focus after the summary is drawn, each time a submit asks for it.
    Effect::new(move |ran_before: Option<()>| {
        form.summary_focus.track();
        // Not on the first run: that is the form appearing, not a submit.
        if ran_before.is_some() {
            request_animation_frame(|| crate::dom::focus("cf-summary"));
        }
    });
    view! {
        <div
            class="cf-summary"
            id="cf-summary"
            tabindex="-1"
            role="alert"
            aria-labelledby="cf-summary-title"
            hidden=move || !open.get()
        >
            <h2 class="cf-summary-title" id="cf-summary-title">{t("summary.title")}</h2>
            <ul class="cf-summary-list">
                // Drawn only while open: no work on each keystroke meanwhile.
                {move || {
                    (if open.get() { items.get() } else { Vec::new() })
                        .into_iter()
                        .map(|(target, message)| {
                            // A problem on no control (a key the form does not
                            // know) is an `a` without `href`: text, not a link.
                            let href = (!target.is_empty()).then(|| format!("#{target}"));
                            view! {
                                <li>
                                    <a
                                        href=href
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            crate::dom::focus(target);
                                        }
                                    >
                                        {say(&message)}
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
