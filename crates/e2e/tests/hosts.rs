//! The form embedded in host pages as control panels build them: with the
//! CSS of the common frameworks (their npm packages, which `cargo xtask
//! setup` installs into .tools/), a 62.5% root font, a policy that blocks
//! WebAssembly or even frames, and a single-page router that adds and
//! removes `<conference-form>`. Each must render the form as on a bare page
//! and create a conference.

use e2e::*;
use serde_json::Value;

/// A host page: the framework's stylesheets, an optional policy of the
/// host's own (a meta element: the browser enforces it on top of our
/// server's), and the form as the README says to embed it.
fn host_page(stylesheets: &[&str], policy: Option<&str>, body: &str) -> String {
    let links: String = stylesheets
        .iter()
        .map(|href| format!("<link rel=\"stylesheet\" href=\"{href}\">"))
        .collect();
    let policy = policy
        .map(|p| format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{p}\">"))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{policy}\
         <title>Host</title>{links}</head><body><main class=\"container\">\
         <h1>Control panel</h1>{body}</main>\
         <script type=\"module\" src=\"/embed.js\"></script></body></html>"
    )
}

const DIV: &str = "<div id=\"conference-form\" data-api-base=\"/api/json/\"></div>";

/// The host frameworks' CSS, from their npm packages.
const FRAMEWORKS: &[(&str, &str)] = &[
    ("bootstrap", "bootstrap/dist/css/bootstrap.min.css"),
    ("bulma", "bulma/css/bulma.min.css"),
    ("tailwind", "tailwindcss/src/css/preflight.css"),
    ("normalize", "normalize.css/normalize.css"),
];

/// Copies a framework's stylesheet into the served site.
fn serve_css(s: &Server, name: &str, package_file: &str) -> String {
    let file = tools_dir().join("node_modules").join(package_file);
    let css = std::fs::read(&file).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (cargo xtask setup installs the host frameworks)",
            file.display()
        )
    });
    let href = format!("/hosts/{name}.css");
    s.write_site_file(&href[1..], &css);
    href
}

/// Sizes a person sees: for labels, inputs, buttons, legends, a checkbox
/// and a select, [width, height, font size] in CSS pixels ("More settings"
/// open, so that its checkbox is drawn).
async fn sizes(b: &Browser) -> Value {
    b.js(r##"
        document.getElementById("cf-more").open = true;
        const of = (css) => {
          const e = document.querySelector(css);
          const r = e.getBoundingClientRect();
          return [r.width, r.height, parseFloat(getComputedStyle(e).fontSize)];
        };
        return {
          label: of("label[for=cf-code]"),
          input: of("#cf-code"),
          select: of("select.cf-select"),
          checkbox: of(".cf-checkbox input"),
          suggest: of(".cf-input-row .cf-button"),
          submit: of("#cf-submit"),
          section: of(".cf-section-title"),
          start: of(".cf-start legend"),
        };
    "##)
        .await
}

/// Every size within 10% of the bare page's.
fn assert_close(host: &str, bare: &Value, got: &Value) {
    let mut off = Vec::new();
    for (what, want) in bare.as_object().unwrap() {
        let have = &got[what];
        for (i, dim) in ["width", "height", "font size"].iter().enumerate() {
            let (w, h) = (want[i].as_f64().unwrap(), have[i].as_f64().unwrap());
            if (h - w).abs() > w * 0.10 {
                off.push(format!("{what} {dim}: {h:.1} against {w:.1}"));
            }
        }
    }
    assert!(off.is_empty(), "{host}: {}", off.join("; "));
}

async fn create_through(b: &Browser, s: &Server, code: &str) {
    fill_minimum(b, "demo", code).await;
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    assert_eq!(s.stored(code).await.unwrap()["id"].as_u64(), Some(id));
}

#[tokio::test]
async fn framework_hosts_and_a_small_root_font_leave_the_form_as_designed() {
    let s = Server::start(&[]);
    s.write_site_file("hosts/bare.html", host_page(&[], None, DIV).as_bytes());
    s.write_site_file("hosts/root62.css", b"html { font-size: 62.5%; }");
    s.write_site_file(
        "hosts/root62.html",
        host_page(&["/hosts/root62.css"], None, DIV).as_bytes(),
    );
    s.write_site_file("hosts/root125.css", b"html { font-size: 125%; }");
    s.write_site_file(
        "hosts/root125.html",
        host_page(&["/hosts/root125.css"], None, DIV).as_bytes(),
    );
    let mut hosts = vec!["root62".to_owned(), "root125".to_owned()];
    for (name, file) in FRAMEWORKS {
        let href = serve_css(&s, name, file);
        s.write_site_file(
            &format!("hosts/{name}.html"),
            host_page(&[&href], None, DIV).as_bytes(),
        );
        hosts.push((*name).to_owned());
    }
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/hosts/bare.html")).await;
    let bare = sizes(&b).await;
    for (i, host) in hosts.iter().enumerate() {
        b.open(&s.url(&format!("/hosts/{host}.html"))).await;
        let got = sizes(&b).await;
        b.screenshot(&format!("host-{host}")).await;
        assert_close(host, &bare, &got);
        create_through(&b, &s, &format!("7102{i:02}")).await;
    }
    b.close().await;
}

#[tokio::test]
async fn a_host_policy_without_wasm_gets_the_form_in_a_frame_that_creates() {
    let s = Server::start(&[]);
    // The host allows our scripts and frames, but not WebAssembly.
    // The host listens for the event on the element, as the README says.
    s.write_site_file(
        "hosts/listen.js",
        b"window.hostEvents = []; document.getElementById('conference-form').addEventListener('conference-created', (e) => window.hostEvents.push(e.detail));",
    );
    let page = host_page(&[], Some("script-src 'self'; frame-src 'self'"), DIV).replace(
        "</body>",
        "<script src=\"/hosts/listen.js\"></script></body>",
    );
    s.write_site_file("hosts/strict.html", page.as_bytes());
    let b = Browser::start(DESKTOP).await;
    b.client.goto(&s.url("/hosts/strict.html")).await.unwrap();
    let frame = b.wait_for("#conference-form iframe").await;
    // Named for assistive technology by its page's title.
    b.until("the frame named", || async {
        b.js("return document.querySelector('#conference-form iframe').title")
            .await
            == "Create a conference"
    })
    .await;
    // The host page itself ran no wasm: the frame holds the form.
    b.client.enter_frame(Some(0)).await.unwrap();
    b.wait_for("#cf-code").await;
    create_through(&b, &s, "710300").await;
    let id = b.text(".cf-created-id").await;
    b.client.enter_parent_frame().await.unwrap();
    // The host heard of it on its own element, through the frame.
    b.until("the host heard of it", || async {
        b.js("return window.hostEvents.length").await == 1
    })
    .await;
    assert_eq!(
        b.js("return String(window.hostEvents[0].id)").await,
        id.trim()
    );
    // The frame is as tall as its content: no inner scroll bar.
    b.until("the frame's height follows its content", || async {
        let h = b
            .js("const f = document.querySelector('#conference-form iframe'); return f.contentWindow ? Math.abs(f.getBoundingClientRect().height - f.contentDocument.documentElement.scrollHeight) : -1")
            .await;
        h.as_f64().is_some_and(|d| (0.0..=2.0).contains(&d))
    })
    .await;
    let _ = frame;
    b.screenshot("host-strict-policy").await;
    b.close().await;
    assert!(!id.is_empty());
}

#[tokio::test]
async fn a_host_that_blocks_even_the_frame_gets_a_sentence_and_a_link() {
    let s = Server::start(&[]);
    s.write_site_file(
        "hosts/closed.html",
        host_page(&[], Some("script-src 'self'; frame-src 'none'"), DIV).as_bytes(),
    );
    let b = Browser::start_in(DESKTOP, "de-DE").await;
    b.client.goto(&s.url("/hosts/closed.html")).await.unwrap();
    let p = b.wait_for("#conference-form .cf-blocked").await;
    let text = p.text().await.unwrap();
    assert!(
        text.starts_with(&word(&words("de"), "embed.blocked")),
        "{text}"
    );
    let href = b
        .js("return document.querySelector('#conference-form .cf-blocked a').href")
        .await;
    assert_eq!(href.as_str().unwrap(), s.url("/index.html"));
    let warnings: Vec<String> = b
        .console()
        .await
        .into_iter()
        .filter(|(level, text)| level == "WARNING" && text.contains("frame-src"))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(warnings.len(), 1, "one warning naming frame-src");
    b.close().await;
}

#[tokio::test]
async fn the_custom_element_survives_route_changes_and_takes_a_new_token_at_once() {
    let s = Server::start(&[]);
    let token = s.login_token().await;
    // A router in miniature: each route change removes the view and draws
    // the next; the form's view holds <conference-form>.
    let router = r#"<nav><button type="button" id="to-form">Form</button>
        <button type="button" id="to-form-de">Formular</button>
        <button type="button" id="to-other">Other</button></nav><div id="view"></div>"#;
    s.write_site_file("hosts/router.js", br#"
        const view = document.getElementById("view");
        const show = (which, lang) => {
          view.replaceChildren();
          if (which === "form") {
            const el = document.createElement("conference-form");
            el.setAttribute("api-base", "/api/json/");
            if (lang) el.setAttribute("lang", lang);
            view.append(el);
          } else {
            view.append(Object.assign(document.createElement("p"), { id: "other", textContent: "Another page" }));
          }
        };
        document.getElementById("to-form").onclick = () => show("form");
        document.getElementById("to-form-de").onclick = () => show("form", "de");
        document.getElementById("to-other").onclick = () => show("other");
        window.hostEvents = [];
        document.addEventListener("conference-created", (e) => window.hostEvents.push(e.detail));
        show("form");
    "#);
    let page = host_page(&[], None, router).replace(
        "</body>",
        "<script type=\"module\" src=\"/hosts/router.js\"></script></body>",
    );
    s.write_site_file("hosts/router.html", page.as_bytes());
    let b = Browser::start(DESKTOP).await;
    b.open(&s.url("/hosts/router.html")).await;
    for _ in 0..3 {
        b.click("#to-other").await;
        b.wait_for("#other").await;
        b.click("#to-form").await;
        b.wait_for("conference-form #cf-code").await;
    }
    assert_eq!(
        b.js("return document.querySelectorAll('.cf').length").await,
        1,
        "one form, however often the route changed"
    );
    // Typed, then the route comes back with other settings (German): the
    // form is drawn anew in them, and what was typed stays.
    b.type_into("#cf-code", "710400").await;
    b.type_into("#cf-talkpin", "246810").await;
    b.click("#to-other").await;
    b.wait_for("#other").await;
    b.click("#to-form-de").await;
    b.until("the form in German", || async {
        b.js("const f = document.querySelector('conference-form .cf'); return f && f.lang")
            .await
            == "de"
    })
    .await;
    assert_eq!(b.value("#cf-code").await, "710400");
    assert_eq!(b.value("#cf-talkpin").await, "246810");
    // Then the host hands over a token: the sign-in goes at once, and what
    // was typed stays.
    b.js(&format!(
        "document.querySelector('conference-form').setAttribute('token', '{token}')"
    ))
    .await;
    b.until("the sign-in hidden for the host's token", || async {
        !b.visible("#cf-auth_username").await && b.visible("#cf-code").await
    })
    .await;
    assert_eq!(b.value("#cf-code").await, "710400");
    assert_eq!(b.value("#cf-talkpin").await, "246810");
    b.click("#cf-submit").await;
    let id = b.created_id().await;
    b.until("the host heard of it", || async {
        b.js("return window.hostEvents.length").await == 1
    })
    .await;
    assert_eq!(
        b.js("return window.hostEvents[0].id").await.as_u64(),
        Some(id)
    );
    b.close().await;
}
