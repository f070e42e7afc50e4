//! The test hooks (`--test-hooks`, in a build with the `test-hooks`
//! feature): fault injection, the simulator's clock, the request log, and
//! what they make testable.

mod common;

use common::*;
use serde_json::{json, Value};

/// A POST to a `/_test/` route; its HTTP status.
async fn hook(s: &Server, path_and_query: &str) -> u16 {
    client()
        .post(s.url(path_and_query))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Sends a create whose reply a fault drops: whether it was lost (the
/// connection closed before a whole reply came).
async fn reply_lost(s: &Server, params: &str) -> bool {
    let sent = client()
        .post(s.url("/api/json/conferences/create/"))
        .body(format!("{DEMO}&{params}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await;
    match sent {
        Err(_) => true,
        Ok(reply) => reply.text().await.is_err(),
    }
}

async fn inject(s: &Server, query: &str) -> u16 {
    hook(s, &format!("/_test/faults?{query}")).await
}

/// What a GET of a `/_test/` route answers.
async fn hook_text(s: &Server, path: &str) -> String {
    client()
        .get(s.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// How many requests a slow fault is holding now.
async fn delayed(s: &Server) -> u64 {
    let text = hook_text(s, "/_test/delayed").await;
    text.parse().unwrap_or_else(|_| panic!("{text:?}"))
}

/// The request log: names and facts, never values.
async fn requests(s: &Server) -> Vec<Value> {
    serde_json::from_str(&hook_text(s, "/_test/requests").await).unwrap()
}

#[tokio::test]
async fn faults_are_injected_only_when_asked() {
    let s = Server::with_hooks(&[]);
    let inject = |kind: &'static str| {
        let s = &s;
        async move { inject(s, &format!("kind={kind}&count=1&ms=300")).await }
    };
    assert_eq!(inject("500").await, 200);
    let r = create(&s, "code=9201&talkpin=5555").await;
    assert_eq!(r.status, 500);
    assert_eq!(inject("502").await, 200);
    let r = create(&s, "code=9201&talkpin=5555").await;
    assert!(r.status == 502 && r.text.contains("<html>"));
    assert_eq!(inject("malformed").await, 200);
    let r = create(&s, "code=9201&talkpin=5555").await;
    assert!(r.status == 200 && r.body.is_null());
    assert_eq!(inject("drop_before").await, 200);
    assert!(reply_lost(&s, "code=9201&talkpin=5555").await);
    let none = get(&s, &format!("/api/json/conferences/get/?{DEMO}&code=9201")).await;
    assert_eq!(none.code(), "404", "dropped before: nothing stored");
    assert_eq!(inject("drop_after").await, 200);
    assert!(reply_lost(&s, "code=9201&talkpin=5555").await);
    let stored = get(&s, &format!("/api/json/conferences/get/?{DEMO}&code=9201")).await;
    assert_eq!(stored.code(), "200", "dropped after: stored, reply lost");
    assert_eq!(inject("slow").await, 200);
    let started = std::time::Instant::now();
    assert_eq!(create(&s, "code=9202&talkpin=5555").await.code(), "200");
    // A lower bound only: the fault sleeps 300 ms before the reply goes
    // out, so no machine, however slow, answers sooner.
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    // The request log has names and facts, never values; the slow request
    // is there with its fault.
    let log = requests(&s).await;
    let last = log.last().unwrap();
    assert_eq!(
        (&last["function"], &last["code"], &last["fault"]),
        (
            &json!("conferences/create"),
            &json!(200),
            &json!({"slow": 300})
        )
    );
    let text = serde_json::to_string(&log).unwrap();
    assert!(text.contains("auth_password") && !text.contains("\"demo\""));
    assert_eq!(inject("nonsense").await, 400);

    // Without --test-hooks there is no such door.
    let plain = Server::start(&[]);
    assert_ne!(hook(&plain, "/_test/faults?kind=500").await, 200);
    assert_ne!(hook(&plain, "/_test/clock?advance=3600").await, 200);
    assert_eq!(create(&plain, "code=9301&talkpin=5555").await.code(), "200");
}

#[tokio::test]
async fn a_huge_fault_count_is_fine() {
    let s = Server::with_hooks(&[]);
    assert_eq!(inject(&s, "kind=500&count=100000000000").await, 200);
    assert_eq!(create(&s, "code=1&talkpin=5555").await.status, 500);
    assert_eq!(inject(&s, "kind=500&count=1e99").await, 400);
}

#[tokio::test]
async fn a_token_expires_by_the_simulators_clock() {
    let s = Server::with_hooks(&["--token-lifetime", "60"]);
    let login = post(&s, "user/login", &format!("{DEMO}&token=1")).await;
    let token = login.body["data"]["auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let create_with_token = |code: &'static str| {
        let (s, token) = (&s, &token);
        async move {
            let body = format!("auth_token={token}&code={code}&talkpin=5555");
            post(s, "conferences/create", &body).await.code().to_owned()
        }
    };
    assert_eq!(create_with_token("6001").await, "200");
    // A minute later by the simulator's clock, not by waiting.
    assert_eq!(hook(&s, "/_test/clock?advance=61").await, 200);
    assert_eq!(create_with_token("6003").await, "401");
}

#[tokio::test]
async fn a_request_in_flight_finishes_after_sigterm() {
    // The drain lasts longer than the fault holds the request.
    let mut s = Server::with_hooks(&["--drain-timeout-ms", "60000"]);
    assert_eq!(inject(&s, "kind=slow&ms=2000&count=1").await, 200);
    let url = s.url("/api/json/conferences/create/");
    let pending = tokio::spawn(async move {
        let r = client()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("{DEMO}&code=31337&talkpin=5555"))
            .send()
            .await
            .unwrap();
        read(r).await
    });
    // The signal goes once the fault holds the request (if the request
    // somehow finished first, the test still passes, having shown less).
    let started = std::time::Instant::now();
    while delayed(&s).await == 0 && !pending.is_finished() {
        assert!(started.elapsed() < GUARD, "the request never arrived");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    s.signal("TERM");
    let r = pending.await.unwrap();
    assert_eq!(r.code(), "200", "{}", r.text);
    let status = tokio::task::spawn_blocking(move || s.wait_exit(GUARD))
        .await
        .unwrap();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

#[tokio::test]
async fn a_held_wasm_request_holds_up_no_other_connection() {
    let s = Server::with_hooks(&[]);
    assert_eq!(hook(&s, "/_test/hold-wasm").await, 200);
    let url = s.url("/app-0123456789abcdef_bg.wasm");
    let wasm = tokio::spawn(async move { client().get(url).send().await.unwrap().status() });
    let started = std::time::Instant::now();
    while hook_text(&s, "/_test/held-wasm").await != "1" {
        assert!(started.elapsed() < GUARD, "the wasm request was never held");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Other connections are served meanwhile: the page, the API.
    let page = client().get(s.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(create(&s, "code=9401&talkpin=5555").await.code(), "200");
    assert!(!wasm.is_finished());
    assert_eq!(hook(&s, "/_test/release-wasm").await, 200);
    assert_eq!(wasm.await.unwrap(), 200);
    assert_eq!(hook_text(&s, "/_test/held-wasm").await, "0");
}
