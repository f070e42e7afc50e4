//! The form as people fill it (issue 25), end to end: essentials first on a
//! phone with the rest in "More settings", the PINs as one question, helpers
//! that ask only for what they need, a refusal known right after signing in,
//! a reseller's customer kept, and targets a thumb can hit. Screenshots at
//! 375 px go to screenshots/ux-375-*.png.

use e2e::*;

const PHONE: Screen = Screen {
    width: 375,
    dark: false,
};

/// Every control a person can see that is smaller than 44 × 44 CSS pixels:
/// inputs, selects, buttons, disclosures' summaries and links. A checkbox
/// counts with its label, which takes the tap too, provided the label's box
/// holds the box's.
async fn small_targets(b: &Browser) -> Vec<String> {
    let found = b
        .js(r#"
            const small = [];
            const controls = '.cf input:not([type=hidden]), .cf select, .cf button, .cf summary, .cf a[href]';
            for (const e of document.querySelectorAll(controls)) {
              if (!e.getClientRects().length) continue;
              let r = e.getBoundingClientRect();
              if (e.type === 'checkbox') {
                const l = document.querySelector(`label[for="${e.id}"]`).getBoundingClientRect();
                const holds = l.left <= r.left && l.right >= r.right && l.top <= r.top && l.bottom >= r.bottom;
                r = holds ? l : { width: 0, height: 0 };
              }
              if (r.width < 43.99 || r.height < 43.99) {
                const name = e.id || `${e.localName} "${e.textContent.trim().slice(0, 30)}"`;
                small.push(`${name}: ${Math.round(r.width)} x ${Math.round(r.height)}`);
              }
            }
            return small;
        "#)
        .await;
    serde_json::from_value(found).unwrap()
}

/// How far down the page an element's top is, in CSS pixels.
async fn top_of(b: &Browser, id: &str) -> f64 {
    b.js(&format!(
        "return document.getElementById('{id}').getBoundingClientRect().top + scrollY"
    ))
    .await
    .as_f64()
    .unwrap()
}

/// Whether "More settings" is open.
async fn more_open(b: &Browser) -> bool {
    b.js("return document.getElementById('cf-more').open")
        .await
        .as_bool()
        .unwrap()
}

/// The API calls the server saw: (function, validation=1, result code).
async fn calls(s: &Server) -> Vec<(String, bool, u64)> {
    s.requests()
        .await
        .iter()
        .map(|r| {
            (
                r["function"].as_str().unwrap().to_owned(),
                r["validation"].as_bool().unwrap(),
                r["code"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn on_a_phone_the_simple_journey_reaches_create_within_1600_px_with_44_px_targets() {
    let s = Server::start(&[]);
    let b = Browser::start(PHONE).await;
    b.open(&s.url("/")).await;
    assert!(!more_open(&b).await, "More settings starts closed");
    assert_eq!(small_targets(&b).await, Vec::<String>::new(), "the form");
    no_overflow(&b).await;
    b.screenshot("ux-375-empty").await;

    fill_minimum(&b, "demo", "710001").await;
    let top = top_of(&b, "cf-submit").await;
    assert!(top <= 1600.0, "Create is {top} px down the page");
    b.screenshot("ux-375-filled").await;

    // Everything else is one tap away, every control of it as large.
    b.click("#cf-more > summary").await;
    b.wait_for("#cf-maximum").await;
    assert_eq!(
        small_targets(&b).await,
        Vec::<String>::new(),
        "More settings"
    );
    no_overflow(&b).await;
    b.screenshot("ux-375-more-open").await;

    b.click("#cf-submit").await;
    b.created_id().await;
    assert_eq!(
        small_targets(&b).await,
        Vec::<String>::new(),
        "the created view"
    );
    b.screenshot("ux-375-created").await;
    b.close().await;
}

#[tokio::test]
async fn on_a_phone_the_summary_of_problems_has_44_px_links_and_the_pins_one_message() {
    let s = Server::start(&[]);
    let b = Browser::start(PHONE).await;
    b.open(&s.url("/")).await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-summary").await;
    assert_eq!(small_targets(&b).await, Vec::<String>::new());
    no_overflow(&b).await;
    b.screenshot("ux-375-errors").await;

    // "At least one PIN": once on the form, on the PINs' group, and the
    // summary's link leads to the first PIN.
    let said = b
        .js("return document.querySelector('.cf-form').textContent.split('Enter at least one PIN').length - 1")
        .await;
    assert_eq!(said, 1);
    for pin in ["cf-adminpin", "cf-talkpin", "cf-listenpin"] {
        assert_eq!(b.messages(pin).await, Vec::<String>::new(), "{pin}");
    }
    b.click("#cf-summary a[href='#cf-adminpin']").await;
    b.until("focus on the first PIN", || async {
        b.focused_id().await == "cf-adminpin"
    })
    .await;
    // Every problem fixed: the summary goes, and stays gone.
    fill_minimum(&b, "demo", "710002").await;
    b.until("the summary gone", || async {
        !b.visible("#cf-summary").await
    })
    .await;
    b.retype("#cf-code", "71x").await;
    b.click("#cf-talkpin").await;
    b.expect_messages(
        "cf-code",
        &["Error: Conference code must contain only digits 0 to 9"],
    )
    .await;
    assert!(
        !b.visible("#cf-summary").await,
        "no summary without a submit"
    );
    b.close().await;
}

#[tokio::test]
async fn suggest_before_signing_in_names_only_the_sign_in_fields() {
    let s = Server::start(&[]);
    let b = Browser::start(PHONE).await;
    b.open(&s.url("/")).await;
    b.click("#cf-code ~ button").await;
    b.expect_messages("cf-auth_username", &["Error: Enter your username"])
        .await;
    b.expect_messages("cf-auth_password", &["Error: Enter your password"])
        .await;
    for quiet in ["cf-code", "cf-adminpin", "cf-talkpin", "cf-listenpin"] {
        assert_eq!(b.messages(quiet).await, Vec::<String>::new(), "{quiet}");
    }
    assert!(!b.visible("#cf-summary").await, "no summary");
    assert!(!b.visible("#cf-pins-msg-0").await);
    assert_eq!(
        b.text("#cf-status").await,
        "Sign in first, then ask for a code again."
    );
    b.until("focus on the username", || async {
        b.focused_id().await == "cf-auth_username"
    })
    .await;
    assert!(s.requests().await.is_empty(), "nothing was asked");
    b.screenshot("ux-375-suggest-unsigned").await;

    // Signed in, the same button suggests a code: still no summary, and no
    // problem left on the sign-in.
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "demo").await;
    b.click("#cf-code ~ button").await;
    b.until("a suggested code", || async {
        b.value("#cf-code").await.len() == 6
    })
    .await;
    assert!(!b.visible("#cf-summary").await);
    assert_eq!(b.messages("cf-auth_username").await, Vec::<String>::new());
    b.close().await;
}

#[tokio::test]
async fn a_refused_account_hears_so_after_signing_in_and_never_reaches_the_fields() {
    // The server's page has the operator's support address (--support-url);
    // a host page sets its own (data-support-url).
    let s = Server::start_with_pages(
        &[
            "--support-url",
            "https://help.example.com/conferences?from=form",
        ],
        &[(
            "de.html",
            "data-api-base=/api/json/ data-lang=de data-support-url=https://support.example.com/",
        )],
    );
    // The role lacks the privilege (402), on a phone, in English.
    let b = Browser::start(PHONE).await;
    b.open(&s.url("/")).await;
    b.type_into("#cf-auth_username", "norole").await;
    b.type_into("#cf-auth_password", "norole").await;
    b.keys(&Key::Tab.to_string()).await;
    let refused = b.wait_for("#cf-refused").await;
    assert_eq!(
        refused.text().await.unwrap(),
        "Your account cannot create conferences. Your phone company can turn this on. Contact support"
    );
    assert_eq!(
        b.js("return document.querySelector('#cf-refused a').href")
            .await,
        "https://help.example.com/conferences?from=form"
    );
    for field in ["#cf-code", "#cf-talkpin", "#cf-submit", "#cf-more"] {
        assert!(!b.visible(field).await, "{field} is gone");
    }
    b.until("focus on the sentence", || async {
        b.focused_id().await == "cf-refused"
    })
    .await;
    assert_eq!(
        calls(&s).await,
        [
            ("user/login".to_owned(), false, 200),
            ("conferences/create".to_owned(), true, 402),
        ],
        "the sign-in, then the check: nothing else"
    );
    assert_eq!(b.accessibility_violations().await, Vec::<String>::new());
    b.screenshot("ux-375-refused").await;
    b.close().await;

    // The rate plan lacks conferences (403), in German, with the operator's
    // support address.
    let de = words("de");
    let b = Browser::start(PHONE).await;
    b.open(&s.url("/de.html")).await;
    b.type_into("#cf-auth_username", "noplan").await;
    b.type_into("#cf-auth_password", "noplan").await;
    b.keys(&Key::Tab.to_string()).await;
    let refused = b.wait_for("#cf-refused").await;
    let text = refused.text().await.unwrap();
    assert!(
        text.starts_with(de["refused.account"].as_str().unwrap()),
        "{text}"
    );
    assert_eq!(
        b.text("#cf-refused a").await,
        de["refused.support"].as_str().unwrap()
    );
    assert_eq!(
        b.js("return document.querySelector('#cf-refused a').href")
            .await,
        "https://support.example.com/"
    );
    assert!(!b.visible("#cf-code").await);
    assert_eq!(small_targets(&b).await, Vec::<String>::new());
    b.screenshot("ux-375-refused-de").await;
    b.close().await;
}

#[tokio::test]
async fn a_resellers_second_conference_keeps_customer_2() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/")).await;
    fill_minimum(&b, "reseller", "710010").await;
    b.click("#cf-more > summary").await;
    b.type_into("#cf-customer", "2").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    assert_eq!(
        s.stored_for("reseller", "710010").await.unwrap()["customer"],
        2
    );
    let another = b
        .js("const b = [...document.querySelectorAll('.cf-created button')].find(b => b.textContent === 'Create another conference'); b.click(); return true")
        .await;
    assert_eq!(another, true);
    b.wait_for("#cf-code").await;
    assert_eq!(b.value("#cf-customer").await, "2", "the customer stays");
    assert!(more_open(&b).await, "More settings as it was left");
    b.type_into("#cf-code", "710011").await;
    b.type_into("#cf-talkpin", "135790").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    assert_eq!(
        s.stored_for("reseller", "710011").await.unwrap()["customer"],
        2,
        "not the reseller's own customer"
    );
    b.close().await;
}

#[tokio::test]
async fn more_settings_opens_for_a_problem_inside_and_axe_finds_nothing_either_way() {
    let s = Server::start(&[]);
    for screen in [PHONE, DESKTOP] {
        let b = Browser::start(screen).await;
        b.open(&s.url("/")).await;
        assert!(!more_open(&b).await);
        assert_eq!(
            b.accessibility_violations().await,
            Vec::<String>::new(),
            "More settings closed, {} px",
            screen.width
        );
        b.click("#cf-more > summary").await;
        b.wait_for("#cf-maximum").await;
        assert_eq!(
            b.accessibility_violations().await,
            Vec::<String>::new(),
            "More settings open, {} px",
            screen.width
        );
        // A problem inside, the disclosure closed again: the submit that
        // lists it opens it, and its link reaches the field.
        b.type_into("#cf-maximum", "lots").await;
        b.click("#cf-more > summary").await;
        b.until("closed", || async { !more_open(&b).await }).await;
        b.click("#cf-submit").await;
        b.wait_for("#cf-summary").await;
        b.until("opened for the problem", || async { more_open(&b).await })
            .await;
        assert_eq!(
            b.accessibility_violations().await,
            Vec::<String>::new(),
            "with errors, {} px",
            screen.width
        );
        b.click("#cf-more > summary").await;
        b.until("closed", || async { !more_open(&b).await }).await;
        b.click("#cf-summary a[href='#cf-maximum']").await;
        b.until("focus on Maximum callers", || async {
            b.focused_id().await == "cf-maximum"
        })
        .await;
        assert!(more_open(&b).await);
        b.close().await;
    }
}

#[tokio::test]
async fn on_a_desktop_controls_stay_fine_and_the_date_keeps_its_focus_ring() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/")).await;
    // The 44 px targets are for phones and touch screens only.
    let height = b
        .js("return document.getElementById('cf-code').getBoundingClientRect().height")
        .await
        .as_f64()
        .unwrap();
    assert!(
        height < 44.0,
        "a text input is {height} px tall on a desktop"
    );
    // Into the date's control (its first part), then on to its next part:
    // the ring stays.
    b.js("document.getElementById('cf-start-date').focus()")
        .await;
    let ring = "const e = document.activeElement; return [e.id, getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]";
    assert_eq!(
        b.js(ring).await,
        serde_json::json!(["cf-start-date", "solid", "3px"])
    );
    b.keys(&Key::Tab.to_string()).await;
    assert_eq!(
        b.js(ring).await,
        serde_json::json!(["cf-start-date", "solid", "3px"])
    );
    b.close().await;
}
