//! End to end, the way users meet the product: the release build, served by
//! our server, in headless Chromium, clicked and typed into. Each test asserts
//! on what the page shows and on what the server stored, and leaves a
//! screenshot of its end state in screenshots/.

use e2e::*;

async fn page() -> (Server, Browser) {
    let server = Server::start(&[]);
    let browser = Browser::start(DESKTOP).await;
    browser.open(&server.url("/")).await;
    (server, browser)
}

/// Opens "More settings", where the details and options are.
async fn more_settings(b: &Browser) {
    b.click("#cf-more > summary").await;
    b.wait_for("#cf-description").await;
}

/// Waits until the sign-in typed was checked as its field was left (the
/// sign-in, then whether it may create conferences), so that a fault set
/// next meets the submit's own calls.
async fn signed_in_and_checked(s: &Server, b: &Browser) {
    b.until("the sign-in checked", || async {
        s.requests().await.len() >= 2
    })
    .await;
}

#[tokio::test]
async fn happy_path_validates_then_creates_and_shows_the_stored_id() {
    let (s, b) = page().await;
    fill_minimum(&b, "demo", "700001").await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    assert_eq!(b.text(".cf-created-code").await, "700001");
    // Sign-in, the check, the create: all POST, no credential in a URL.
    let sent = s.requests().await;
    let stored = s.stored("700001").await.expect("stored");
    assert_eq!(stored["id"].as_u64(), Some(id));
    let summary: Vec<(String, String, bool)> = sent
        .iter()
        .map(|r| {
            (
                r["function"].as_str().unwrap().to_owned(),
                r["method"].as_str().unwrap().to_owned(),
                r["validation"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("user/login".to_owned(), "POST".to_owned(), false),
            // As the sign-in's field was left: may this account create?
            ("conferences/create".to_owned(), "POST".to_owned(), true),
            ("conferences/create".to_owned(), "POST".to_owned(), true),
            ("conferences/create".to_owned(), "POST".to_owned(), false),
        ]
    );
    assert!(sent.iter().all(|r| r["secret_in_url"] == false));
    let creates: Vec<_> = sent
        .iter()
        .filter(|r| r["function"] == "conferences/create")
        .collect();
    assert_eq!(
        creates.len(),
        3,
        "exactly three create requests: the sign-in's check and validation=1, then the real one"
    );
    b.screenshot("happy-path-created").await;
    b.close().await;
}

#[tokio::test]
async fn every_parameter_set_is_stored_as_typed() {
    let (s, b) = page().await;
    fill_minimum(&b, "demo", "700002").await;
    b.type_into("#cf-adminpin", "1357").await;
    b.type_into("#cf-listenpin", "8642").await;
    // The date control takes the digits in the locale's order (en-US: mm dd yyyy).
    b.type_into("#cf-start-date", "03152031").await;
    b.type_into("#cf-start-time", "0945AM").await;
    b.retype("#cf-duration", "90").await;
    more_settings(&b).await;
    b.find("#cf-repeats")
        .await
        .send_keys("Weekly")
        .await
        .unwrap();
    b.retype("#cf-count", "4").await;
    b.type_into("#cf-description", "Board <b>meeting</b> & friends")
        .await;
    b.retype("#cf-owner", "11").await;
    b.type_into("#cf-customer", "1").await;
    b.type_into("#cf-callerid", "+441234567890").await;
    b.retype("#cf-maximum", "25").await;
    for flag in [
        "panel",
        "play_join",
        "play_music",
        "record_name",
        "wait_music",
    ] {
        b.click(&format!("#cf-{flag}")).await;
    }
    let preview = b.text(".cf-preview").await;
    assert!(
        // The browser's own words for the dates (Intl.DateTimeFormat, en-US).
        preview.contains("Sat, Mar 15, 2031, 09:45 AM")
            && preview.contains("Sat, Apr 5, 2031, 09:45 AM"),
        "{preview}"
    );
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    let c = s.stored("700002").await.expect("stored");
    let expected = serde_json::json!({
        "id": id, "customer": 1, "code": "700002", "adminpin": "1357", "talkpin": "246810", "listenpin": "8642",
        "year": 2031, "month": 3, "day": 15, "hour": 9, "minute": 45, "duration": 90, "repeats": "weekly",
        "count": 4, "description": "Board <b>meeting</b> & friends", "owner": 11, "callerid": "+441234567890",
        "maximum": 25, "panel": 1, "play_join": 1, "play_music": 1, "record_name": 1, "wait_music": 1,
    });
    assert_eq!(c, expected);
    assert_eq!(
        b.find(".cf-occurrences")
            .await
            .find_all(fantoccini::Locator::Css("li"))
            .await
            .unwrap()
            .len(),
        4
    );
    b.screenshot("every-parameter-created").await;
    b.close().await;
}

#[tokio::test]
async fn rules_show_while_typing_before_any_request_and_warnings_do_not_block() {
    let (s, b) = page().await;
    more_settings(&b).await;
    b.type_into("#cf-code", "12ab").await;
    b.type_into("#cf-adminpin", "5555").await; // leaving code shows its problem
    b.expect_messages(
        "cf-code",
        &["Error: Conference code must contain only digits 0 to 9"],
    )
    .await;
    b.type_into("#cf-talkpin", "5555").await;
    b.type_into("#cf-listenpin", "").await;
    b.expect_messages(
        "cf-talkpin",
        &["Error: Talk PIN must be different from Admin PIN"],
    )
    .await;
    b.expect_messages(
        "cf-adminpin",
        &["Error: Talk PIN must be different from Admin PIN"],
    )
    .await;
    b.retype("#cf-count", "3").await;
    b.type_into("#cf-maximum", "").await;
    let wanted =
        "Error: Select how often the conference repeats, or set the number of conferences to 1";
    b.until(wanted, || async {
        b.messages("cf-count").await.iter().any(|m| m == wanted)
    })
    .await;
    assert!(s.requests().await.is_empty(), "no request per keystroke");
    // Fix everything; leave warnings (short PIN, maximum 1) and submit.
    b.retype("#cf-code", "700003").await;
    b.retype("#cf-talkpin", "12").await;
    b.retype("#cf-count", "1").await;
    b.retype("#cf-maximum", "1").await;
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "demo").await;
    b.until("the short PIN warning", || async {
        b.messages("cf-talkpin")
            .await
            .first()
            .is_some_and(|m| m.starts_with("Warning:"))
    })
    .await;
    b.screenshot("warnings-before-submit").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    assert_eq!(s.stored("700003").await.unwrap()["maximum"], 1);
    b.close().await;
}

#[tokio::test]
async fn a_duplicate_code_lands_on_the_code_field_and_clears_when_changed() {
    let (s, b) = page().await;
    fill_minimum(&b, "demo", "700004").await;
    more_settings(&b).await;
    b.type_into("#cf-description", "first").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    b.click(".cf-created > button:last-of-type").await;
    b.wait_for("#cf-code").await;
    b.type_into("#cf-code", "700004").await;
    b.type_into("#cf-talkpin", "13579").await;
    b.type_into("#cf-description", "second").await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-summary").await;
    b.until("focus in the summary", || async {
        b.focused_id().await == "cf-summary"
    })
    .await;
    b.expect_messages(
        "cf-code",
        &["Error: That conference code is already in use. Enter a different code"],
    )
    .await;
    assert_eq!(b.value("#cf-description").await, "second");
    assert_eq!(b.value("#cf-talkpin").await, "13579");
    assert_eq!(b.value("#cf-auth_username").await, "demo", "sign-in kept");
    b.screenshot("duplicate-code").await;
    b.type_into("#cf-code", "5").await;
    b.expect_messages("cf-code", &[]).await;
    assert_eq!(
        s.stored("700004").await.unwrap()["description"],
        "first",
        "still the first one"
    );
    b.close().await;
}

#[tokio::test]
async fn bad_credentials_then_an_account_without_conferences_each_say_what_happened() {
    let (s, b) = page().await;
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "wrong").await;
    b.type_into("#cf-code", "700005").await;
    b.type_into("#cf-talkpin", "2468").await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-summary").await;
    let expected =
        "Error: The switch did not accept this username and password. Check them and try again";
    b.until("the 401 message", || async {
        b.messages("cf-auth_username").await == [expected]
    })
    .await;
    b.screenshot("401").await;

    // An account whose role lacks the privilege: said in place of the form,
    // in plain words (form_ux.rs has the rate plan, and the words' language).
    b.retype("#cf-auth_username", "norole").await;
    b.retype("#cf-auth_password", "norole").await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-refused").await;
    assert_eq!(
        b.text("#cf-refused").await,
        "Your account cannot create conferences. Your phone company can turn this on."
    );
    assert!(!b.visible("#cf-code").await && !b.visible("#cf-failure").await);
    b.screenshot("refused-norole").await;
    assert!(s.stored("700005").await.is_none());
    b.close().await;
}

#[tokio::test]
async fn an_expired_host_token_leads_back_to_sign_in_without_losing_the_form() {
    // A token handed over by the host page, expired by the simulator's clock.
    let s = Server::start_with_pages(&[], &[("token.html", "data-token=\"PLACEHOLDER\"")]);
    let token = s.login_token().await;
    let page = std::fs::read_to_string(s.dist.join("token.html"))
        .unwrap()
        .replace("PLACEHOLDER", &token);
    std::fs::write(s.dist.join("token.html"), page).unwrap();
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/token.html")).await;
    assert!(
        !b.visible("#cf-auth_username").await,
        "a host token hides the sign-in"
    );
    b.type_into("#cf-code", "700006").await;
    b.type_into("#cf-talkpin", "2468").await;
    s.advance_clock(3601).await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-auth_username").await;
    b.expect_messages("cf-auth_username", &["Error: Enter your username"])
        .await;
    assert_eq!(
        b.text("#cf-status").await,
        "Your sign-in has expired: sign in again."
    );
    assert_eq!(b.value("#cf-code").await, "700006");
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "demo").await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    assert_eq!(s.stored("700006").await.unwrap()["id"].as_u64(), Some(id));
    b.screenshot("expired-token-signed-in-again").await;
    b.close().await;
}

#[tokio::test]
async fn double_click_and_enter_spam_create_exactly_one_conference() {
    let (s, b) = page().await;
    // The sign-in is held until every click and Enter is in.
    s.fault("hold", 1, 0).await;
    fill_minimum(&b, "demo", "700007").await;
    let submit = b.find("#cf-submit").await;
    for _ in 0..4 {
        submit.click().await.unwrap();
    }
    b.find("#cf-talkpin")
        .await
        .send_keys(&format!("{0}{0}{0}", Key::Enter))
        .await
        .unwrap();
    s.release_when_held().await;
    b.created_id().await;
    let creates = s
        .requests()
        .await
        .iter()
        .filter(|r| r["function"] == "conferences/create" && r["validation"] == false)
        .count();
    assert_eq!(creates, 1);
    b.screenshot("double-submit").await;
    b.close().await;
}

async fn fault_then_retry(kind: &str, expect: &str, code: &str) {
    let s = Server::start_with_pages(
        &[],
        &[(
            "quick.html",
            // Long enough for a sign-in on a busy machine; only the held
            // create below meets it.
            "data-api-base=\"/api/json/\" data-timeout-ms=\"8000\"",
        )],
    );
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/quick.html")).await;
    fill_minimum(&b, "demo", code).await;
    more_settings(&b).await;
    b.type_into("#cf-description", "kept").await;
    // The validation goes through; the real create meets the fault.
    signed_in_and_checked(&s, &b).await;
    s.fault("slow", 1, 0).await;
    s.fault(kind, 1, 0).await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-failure").await;
    b.until(expect, || async {
        b.text("#cf-failure").await.contains(expect)
    })
    .await;
    assert_eq!(b.value("#cf-description").await, "kept");
    assert_eq!(b.value("#cf-code").await, code);
    b.screenshot(&format!("fault-{kind}")).await;
    if kind == "hold" {
        // The browser gave up on it; now the switch finishes the create,
        // and the retry must find it rather than make a second.
        s.release_when_held().await;
        b.until("the held create stored", || async {
            s.stored(code).await.is_some()
        })
        .await;
    }
    b.click("#cf-failure button").await;
    let id = b.created_id().await;
    let stored = s.stored(code).await.expect("stored once");
    assert_eq!(
        stored["id"].as_u64(),
        Some(id),
        "the ID shown is the one stored"
    );
    // The real creates that reached the switch: those without a fault, a slow
    // one (it only waits) and a reply dropped after storing. Exactly one was
    // stored; any retry after it met the code in use (400), never a second.
    let reached: Vec<u64> = s
        .requests()
        .await
        .iter()
        .filter(|r| {
            r["function"] == "conferences/create"
                && r["validation"] == false
                && (r["fault"].is_null()
                    || r["fault"] == "drop_after"
                    || r["fault"] == "hold"
                    || r["fault"].get("slow").is_some())
        })
        .map(|r| r["code"].as_u64().unwrap())
        .collect();
    assert_eq!(
        reached.iter().filter(|&&c| c == 200).count(),
        1,
        "exactly one create stored: {reached:?}"
    );
    assert!(
        reached.iter().all(|&c| c == 200 || c == 400),
        "every other create was refused as in use: {reached:?}"
    );
    b.close().await;
}

#[tokio::test]
async fn fault_500_is_a_service_failure_and_a_retry_succeeds() {
    fault_then_retry("500", "HTTP 500", "700010").await;
}

#[tokio::test]
async fn fault_502_html_page_is_a_service_failure_and_a_retry_succeeds() {
    fault_then_retry("502", "HTTP 502: a reply that is not JSON", "700011").await;
}

#[tokio::test]
async fn fault_malformed_body_is_a_service_failure_and_a_retry_succeeds() {
    fault_then_retry("malformed", "a reply that is not JSON", "700012").await;
}

#[tokio::test]
async fn fault_dropped_before_is_retried_and_creates_once() {
    fault_then_retry("drop_before", "could not be reached", "700013").await;
}

#[tokio::test]
async fn fault_dropped_after_storing_retries_without_a_second_conference() {
    fault_then_retry("drop_after", "may have been created", "700014").await;
}

#[tokio::test]
async fn fault_slow_past_the_timeout_retries_without_a_second_conference() {
    fault_then_retry("hold", "did not answer in time", "700015").await;
}

#[tokio::test]
async fn keyboard_only_from_start_to_created_with_visible_focus() {
    let (s, b) = page().await;
    b.js("document.activeElement && document.activeElement.blur()")
        .await;
    // Tab into the page: the page's language menu, then the username.
    b.find("body")
        .await
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    b.until("focus on the language menu", || async {
        b.focused_id().await == "page-language"
    })
    .await;
    b.keys(&Key::Tab.to_string()).await;
    b.until("focus on the username", || async {
        b.focused_id().await == "cf-auth_username"
    })
    .await;
    let outline = b
        .js("return getComputedStyle(document.activeElement).outlineStyle")
        .await;
    assert_eq!(outline, "solid", "focus is visible");
    let tab = Key::Tab.to_string();
    b.keys("demo").await;
    b.keys(&tab).await;
    b.keys("demo").await;
    b.keys(&tab).await;
    assert_eq!(b.focused_id().await, "cf-code");
    b.keys("700020").await;
    b.keys(&tab).await; // Suggest a code
    b.keys(&tab).await; // admin PIN
    b.keys(&tab).await; // Generate
    b.keys(&tab).await; // talk PIN
    assert_eq!(b.focused_id().await, "cf-talkpin");
    b.keys("97531").await;
    b.keys(&Key::Enter.to_string()).await;
    let id = b.created_id().await;
    b.until("focus on the result", || async {
        b.focused_id().await == "cf-created"
    })
    .await;
    assert_eq!(s.stored("700020").await.unwrap()["id"].as_u64(), Some(id));
    b.screenshot("keyboard-only").await;
    b.close().await;
}

#[tokio::test]
async fn embedded_in_a_host_page_with_its_event_and_its_styles_untouched() {
    let s = Server::start(&[]);
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/embed/host.html")).await;
    let before = b.js("const n = getComputedStyle(document.getElementById('host-note')); const k = getComputedStyle(document.getElementById('host-button')); return [n.fontStyle, n.color, k.fontFamily, k.backgroundColor, getComputedStyle(document.body).fontFamily]").await;
    assert_eq!(before[0], "italic");
    assert!(before[2].as_str().unwrap().contains("Georgia"));
    assert!(
        before[4].as_str().unwrap().contains("Georgia"),
        "the host's body font stays"
    );
    fill_minimum(&b, "demo", "700030").await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    b.until("the host saw the event", || async {
        b.text("#host-log").await.contains(&id.to_string())
    })
    .await;
    assert_eq!(
        b.text("#host-log").await,
        format!("Conference {id} created with code 700030.")
    );
    let after = b.js("const n = getComputedStyle(document.getElementById('host-note')); const k = getComputedStyle(document.getElementById('host-button')); return [n.fontStyle, n.color, k.fontFamily, k.backgroundColor, getComputedStyle(document.body).fontFamily]").await;
    assert_eq!(before, after);
    b.screenshot("embedded").await;
    b.close().await;
}

#[tokio::test]
async fn narrow_screen_and_dark_scheme_nothing_overflows_or_hides() {
    let s = Server::start(&[]);
    for screen in [
        Screen {
            width: 375,
            dark: false,
        },
        Screen {
            width: 375,
            dark: true,
        },
        Screen {
            width: 1280,
            dark: true,
        },
    ] {
        let b = Browser::start(screen).await;
        b.open(&s.url("/")).await;
        no_overflow(&b).await;
        b.click("#cf-submit").await;
        b.wait_for("#cf-summary").await;
        no_overflow(&b).await;
        let bg = b
            .js("return getComputedStyle(document.querySelector('.cf')).backgroundColor")
            .await;
        assert_eq!(
            bg == "rgb(17, 20, 24)",
            screen.dark,
            "the dark scheme follows the system: {bg}"
        );
        b.screenshot(&format!(
            "errors-{}-{}",
            screen.width,
            if screen.dark { "dark" } else { "light" }
        ))
        .await;
        b.close().await;
    }
}

#[tokio::test]
async fn axe_finds_no_violations_empty_with_errors_and_created() {
    let (_s, b) = page().await;
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "the empty form"
    );
    b.click("#cf-submit").await;
    b.wait_for("#cf-summary").await;
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "the form with errors"
    );
    // The README's picture of the form as a first submit leaves it (that of a
    // created conference, with its invitations, is tests/created.rs's).
    b.screenshot_into("docs/form.png").await;
    fill_minimum(&b, "demo", "700040").await;
    b.click("#cf-submit").await;
    b.created_id().await;
    assert_eq!(
        b.accessibility_violations().await,
        Vec::<String>::new(),
        "the created page"
    );
    b.screenshot("created").await;
    b.close().await;
}

#[tokio::test]
async fn hostile_text_is_shown_as_text_and_nothing_runs() {
    let (s, b) = page().await;
    fill_minimum(&b, "demo", "700050").await;
    let hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";
    more_settings(&b).await;
    b.type_into("#cf-description", hostile).await;
    // The switch answers with HTML and script in its message: a 502 page.
    signed_in_and_checked(&s, &b).await;
    s.fault("slow", 1, 0).await;
    s.fault("502", 1, 0).await;
    b.click("#cf-submit").await;
    b.wait_for("#cf-failure").await;
    b.until("the reply shown", || async {
        b.text("#cf-failure").await.contains("HTTP 502")
    })
    .await;
    b.click("#cf-failure details summary").await;
    assert!(
        b.text("#cf-failure pre")
            .await
            .contains("<title>502 Bad Gateway</title>"),
        "shown as text"
    );
    b.click("#cf-failure button").await;
    b.created_id().await;
    assert_eq!(s.stored("700050").await.unwrap()["description"], hostile);
    assert_eq!(
        b.js("return window.__pwned === undefined").await,
        true,
        "nothing ran"
    );
    assert_eq!(
        b.js("return document.querySelectorAll('.cf img, .cf script').length")
            .await,
        0
    );
    b.screenshot("hostile-text").await;
    b.close().await;
}

#[tokio::test]
async fn suggest_a_code_fills_an_unused_one_and_generate_fills_distinct_pins() {
    let (s, b) = page().await;
    b.type_into("#cf-auth_username", "demo").await;
    b.type_into("#cf-auth_password", "demo").await;
    b.click("#cf-code ~ button").await;
    b.until("a suggested code", || async {
        b.value("#cf-code").await.len() == 6
    })
    .await;
    let code = b.value("#cf-code").await;
    assert!(code.bytes().all(|c| c.is_ascii_digit()));
    assert!(s.stored(&code).await.is_none(), "unused");
    for pin in ["adminpin", "talkpin", "listenpin"] {
        b.click(&format!("#cf-{pin} ~ button")).await;
    }
    let pins = [
        b.value("#cf-adminpin").await,
        b.value("#cf-talkpin").await,
        b.value("#cf-listenpin").await,
    ];
    assert!(
        pins.iter().all(|p| p.len() == 6)
            && pins[0] != pins[1]
            && pins[1] != pins[2]
            && pins[0] != pins[2]
    );
    b.click("#cf-submit").await;
    b.created_id().await;
    assert_eq!(s.stored(&code).await.unwrap()["adminpin"], pins[0].as_str());
    b.screenshot("suggested-and-generated").await;
    b.close().await;
}
