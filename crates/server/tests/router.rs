//! In-process tests of the router (no socket): paths, methods, headers, and
//! the sign-in throttle by the client's address (axum's `MockConnectInfo`
//! stands for the connection's peer).
//!
//! The throttle's tests pause tokio's clock: a lock lasts until the test
//! moves the clock, however slow the machine is.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use conference_server::{app_state, router, Options};

mod oneshot;
use oneshot::{ask, Got};

struct App {
    router: Router,
    _dirs: [tempfile::TempDir; 2],
}

fn app(extra: &[&str]) -> App {
    let data = tempfile::tempdir().unwrap();
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!DOCTYPE html><html><body>form</body></html>",
    )
    .unwrap();
    std::fs::write(dist.path().join("app-0123456789abcdef.js"), "x()").unwrap();
    let mut args = vec![
        "conference-server".to_owned(),
        "--data".into(),
        data.path().display().to_string(),
        "--dist".into(),
        dist.path().display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let options = Options::parse_from(args);
    let state = Arc::new(app_state(&options).unwrap());
    App {
        router: router(state, dist.path()),
        _dirs: [data, dist],
    }
}

/// The peer of a request, unless a test names another.
const PEER: SocketAddr = peer(1);

/// A documentation address (192.0.2.0/24) and a port.
const fn peer(host: u8) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, host)), 40_000)
}

async fn send(app: &App, method: Method, uri: &str, body: &str) -> Got {
    send_from(app, PEER, &[], method, uri, body).await
}

/// A request from `peer`, with extra `headers`.
async fn send_from(
    app: &App,
    peer: SocketAddr,
    headers: &[(&str, &str)],
    method: Method,
    uri: &str,
    body: &str,
) -> Got {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body.to_owned())).unwrap();
    ask(app.router.clone().layer(MockConnectInfo(peer)), request).await
}

const DEMO: &str = "auth_username=demo&auth_password=demo";

#[tokio::test]
async fn unknown_api_paths_are_json_404s_that_cannot_be_framed() {
    let app = app(&[]);
    for path in [
        "/api",
        "/api/",
        "/api/x",
        "/api/json",
        "/api/json/",
        "/api/other/conferences/create/",
        "/api/json/conferences/delete/",
        "/api/json/..%2F..%2Fadmin%2Fsecret",
        "/api/json/x%3Fauth_username=admin%26",
        "/api/json/conferences%2Fcreate/",
    ] {
        let got = send(&app, Method::GET, path, "").await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(got.header("content-type"), "application/json", "{path}");
        assert_eq!(got.code(), "404", "{path}");
        assert!(!got.body.contains("<html"), "{path}");
        assert_eq!(
            got.header("content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(got.header("x-content-type-options"), "nosniff");
    }
}

#[tokio::test]
async fn api_replies_carry_a_strict_csp_and_no_store() {
    let app = app(&[]);
    let got = send(
        &app,
        Method::POST,
        "/api/json/user/login/",
        &format!("{DEMO}&token=1"),
    )
    .await;
    assert_eq!(got.code(), "200");
    assert_eq!(
        got.header("content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(got.header("cache-control"), "no-store");
    assert_eq!(got.header("x-content-type-options"), "nosniff");
    assert_eq!(got.header("referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn only_get_and_post_reach_the_simulator() {
    let app = app(&[]);
    for method in [Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS] {
        let uri = format!("/api/json/conferences/create/?{DEMO}&code=4242&talkpin=5555");
        let got = send(&app, method.clone(), &uri, "").await;
        assert_eq!(got.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(got.header("allow"), "GET, POST", "{method}");
    }
    let got = send(
        &app,
        Method::GET,
        &format!("/api/json/conferences/get/?{DEMO}&code=4242"),
        "",
    )
    .await;
    assert_eq!(got.code(), "404", "nothing was created");
}

#[tokio::test]
async fn missing_files_with_an_extension_are_404_routes_get_the_form() {
    let app = app(&["--frame-ancestors", "https://panel.example.com"]);
    let missing = send(
        &app,
        Method::GET,
        "/conference-form-0123456789abcdef.js",
        "",
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(!missing.header("cache-control").contains("immutable"));
    assert!(!missing.body.contains("form</body>"));
    let real = send(&app, Method::GET, "/app-0123456789abcdef.js", "").await;
    assert_eq!(real.status, StatusCode::OK);
    assert!(real.header("cache-control").contains("immutable"));
    // Every HTML answer carries the CSP with frame-ancestors.
    for path in ["/", "/index.html", "/some/route"] {
        let page = send(&app, Method::GET, path, "").await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("form</body>"), "{path}");
        assert!(
            page.header("content-security-policy")
                .contains("frame-ancestors https://panel.example.com"),
            "{path}"
        );
        assert!(!page.header("cache-control").contains("immutable"));
        assert_eq!(page.header("x-content-type-options"), "nosniff");
        assert_eq!(page.header("referrer-policy"), "no-referrer");
    }
}

#[tokio::test]
async fn a_taken_code_is_taken_for_everyone_but_hidden_from_get() {
    let app = app(&[]);
    let reseller = "auth_username=reseller&auth_password=reseller";
    let created = send(
        &app,
        Method::POST,
        "/api/json/conferences/create/",
        &format!("{reseller}&code=777001&talkpin=5555&customer=2"),
    )
    .await;
    assert_eq!(created.code(), "200", "{}", created.body);
    // Codes are unique switch-wide: demo (customer 1) cannot take it, and
    // validation says the same as the real call...
    for validation in ["&validation=1", ""] {
        let got = send(
            &app,
            Method::POST,
            "/api/json/conferences/create/",
            &format!("{DEMO}&code=777001&talkpin=5555{validation}"),
        )
        .await;
        assert_eq!(got.code(), "400", "{validation}: {}", got.body);
        assert!(got.body.contains("already in use"), "{}", got.body);
        assert!(!got.body.contains("Second Customer"), "names no customer");
    }
    // ...but what the conference is stays hidden: get says 404.
    let hidden = send(
        &app,
        Method::GET,
        &format!("/api/json/conferences/get/?{DEMO}&code=777001"),
        "",
    )
    .await;
    assert_eq!(hidden.code(), "404");
    let unused = send(
        &app,
        Method::GET,
        &format!("/api/json/conferences/unused/code/?{DEMO}"),
        "",
    )
    .await;
    assert_ne!(unused.body, "", "{}", unused.body);
}

#[tokio::test(start_paused = true)]
async fn guessing_is_throttled_but_a_verified_password_is_not() {
    let app = app(&[]);
    // demo signs in once: that password is now known good.
    let ok = send(&app, Method::POST, "/api/json/user/login/", DEMO).await;
    assert_eq!(ok.code(), "200");
    let mut throttled = None;
    for i in 0..8 {
        let got = send(
            &app,
            Method::POST,
            "/api/json/user/login/",
            "auth_username=demo&auth_password=guess",
        )
        .await;
        assert_eq!(got.code(), "401", "{}", got.body);
        if got.status == StatusCode::TOO_MANY_REQUESTS {
            throttled.get_or_insert(i);
            assert!(got.header("retry-after").parse::<u64>().unwrap() >= 1);
            assert!(got.body.contains("Too many failed sign-ins"));
        }
    }
    assert_eq!(throttled, Some(6), "five free failures, the sixth locks");
    // The right password, already verified, still works at once.
    let ok = send(&app, Method::POST, "/api/json/user/login/", DEMO).await;
    assert_eq!((ok.status, ok.code().as_str()), (StatusCode::OK, "200"));
    // Another user is not affected; an unknown one is throttled alike.
    let other = send(
        &app,
        Method::POST,
        "/api/json/user/login/",
        "auth_username=reseller&auth_password=reseller",
    )
    .await;
    assert_eq!(other.code(), "200");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let got = send(
            &app,
            Method::POST,
            "/api/json/user/login/",
            "auth_username=ghost&auth_password=x",
        )
        .await;
        statuses.push(got.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429]);
}

#[tokio::test]
async fn a_password_with_trailing_nuls_does_not_sign_in() {
    let app = app(&[]);
    let got = send(
        &app,
        Method::POST,
        "/api/json/user/login/",
        "auth_username=demo&auth_password=demo%00%00%00",
    )
    .await;
    assert_eq!(got.code(), "401");
}

#[test]
fn token_lifetime_is_bounded() {
    for bad in ["9223372036854775807", "0", "31536001", "-1"] {
        assert!(
            Options::try_parse_from(["conference-server", "--token-lifetime", bad]).is_err(),
            "{bad}"
        );
    }
    let ok = Options::try_parse_from(["conference-server", "--token-lifetime", "31536000"]);
    assert!(ok.is_ok(), "a year is allowed");
}

/// A failed sign-in as `username` from `peer`, with extra `headers`: the
/// HTTP status (the envelope says 401 either way).
async fn guess(app: &App, peer: SocketAddr, headers: &[(&str, &str)], username: &str) -> u16 {
    let body = format!("auth_username={username}&auth_password=guess");
    let got = send_from(
        app,
        peer,
        headers,
        Method::POST,
        "/api/json/user/login/",
        &body,
    )
    .await;
    assert_eq!(got.code(), "401", "{}", got.body);
    got.status.as_u16()
}

#[tokio::test(start_paused = true)]
async fn an_address_is_locked_after_its_free_failures_whatever_the_names() {
    let app = app(&[]);
    // 20 free failures from one address, each for another name; the 21st
    // locks the address.
    for i in 0..21 {
        assert_eq!(
            guess(&app, peer(1), &[], &format!("user{i}")).await,
            200,
            "{i}"
        );
    }
    let locked = send_from(
        &app,
        peer(1),
        &[],
        Method::POST,
        "/api/json/user/login/",
        "auth_username=reseller&auth_password=reseller",
    )
    .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert_eq!(locked.header("retry-after"), "1");
    assert!(
        locked.body.contains("Try again in 1 second."),
        "{}",
        locked.body
    );
    // Another address is not locked; after the lock, this one is not either.
    assert_eq!(guess(&app, peer(2), &[], "user0").await, 200);
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    assert_eq!(guess(&app, peer(1), &[], "user21").await, 200);
    // The next failure doubles the lock.
    let again = send_from(
        &app,
        peer(1),
        &[],
        Method::POST,
        "/api/json/user/login/",
        DEMO,
    )
    .await;
    assert_eq!(again.header("retry-after"), "2");
}

/// Failed sign-ins from one peer, each for a new name, each claiming to come
/// from another address: the statuses of the 22 of them.
async fn guesses_behind_a_proxy(app: &App) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..22 {
        let forwarded = format!("198.51.100.{i}");
        let headers = [("x-forwarded-for", forwarded.as_str())];
        statuses.push(guess(app, peer(1), &headers, &format!("user{i}")).await);
    }
    statuses
}

#[tokio::test(start_paused = true)]
async fn x_forwarded_for_names_the_client_only_when_trusted() {
    // Untrusted, the header is the client's own claim: all 22 guesses come
    // from the peer, which the 21st failure locks.
    let statuses = guesses_behind_a_proxy(&app(&[])).await;
    assert_eq!(statuses[..21], [200; 21]);
    assert_eq!(statuses[21], 429);
    // Behind a trusted proxy, each is its own client: none is locked.
    let trusted = app(&["--trust-forwarded-for"]);
    assert_eq!(guesses_behind_a_proxy(&trusted).await, [200; 22]);
    // ...and the last entry is the one that counts (the one our proxy added).
    for i in 0..21 {
        let headers = [("x-forwarded-for", "203.0.113.9, 198.51.100.7")];
        guess(&trusted, peer(1), &headers, &format!("name{i}")).await;
    }
    let headers = [("x-forwarded-for", "203.0.113.10, 198.51.100.7")];
    assert_eq!(guess_status(&trusted, &headers).await, 429);
    let headers = [("x-forwarded-for", "198.51.100.7, 203.0.113.9")];
    assert_eq!(guess_status(&trusted, &headers).await, 200);
}

/// A fresh name's failed sign-in from [`PEER`] with `headers`: its status.
async fn guess_status(app: &App, headers: &[(&str, &str)]) -> u16 {
    guess(app, PEER, headers, "fresh-name").await
}

#[tokio::test(start_paused = true)]
async fn a_guesser_at_one_name_does_not_lock_its_owner_out_elsewhere() {
    let app = app(&[]);
    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..7 {
            statuses.push(guess(&app, peer(2), &[], "demo").await);
        }
        statuses
    };
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429]);
    // demo from its own address: never signed in before, not slowed.
    let own = send_from(
        &app,
        peer(1),
        &[],
        Method::POST,
        "/api/json/user/login/",
        DEMO,
    )
    .await;
    assert_eq!((own.status, own.code().as_str()), (StatusCode::OK, "200"));
}
