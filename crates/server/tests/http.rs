//! HTTP tests against the real server binary on a loopback port.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn the_reference_example_answers_as_documented() {
    let s = Server::start(&[]);
    let r = get(
        &s,
        "/api/json/conferences/create/?auth_username=demo;auth_password=demo;code=123456;talkpin=234567",
    )
    .await;
    assert_eq!(r.status, 200);
    let id = r.body["data"]["id"].as_u64().expect("a numeric id");
    assert_eq!(
        r.body,
        json!({"responses":[{"code":"200","key":"","message":"OK"}],"data":{"id":id}})
    );
    // And it is stored with what was asked.
    let got = get(&s, &format!("/api/json/conferences/get?{DEMO}&id={id}")).await;
    assert_eq!(got.code(), "200");
    assert_eq!(got.body["data"]["code"], "123456");
    assert_eq!(got.body["data"]["talkpin"], "234567");
}

#[tokio::test]
async fn both_separators_get_and_post_with_and_without_trailing_slash() {
    let s = Server::start(&[]);
    let a = get(
        &s,
        &format!("/api/json/conferences/create?{DEMO}&code=1001&talkpin=5555"),
    )
    .await;
    assert_eq!(a.code(), "200");
    let b = post(
        &s,
        "conferences/create",
        "auth_username=demo;auth_password=demo;code=1002;talkpin=5555",
    )
    .await;
    assert_eq!(b.code(), "200");
    // Query string and body together make one request.
    let c = read(
        client()
            .post(s.url(&format!("/api/json/conferences/create?{DEMO}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("code=1003&talkpin=5555")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(c.code(), "200", "{}", c.text);
    let ids: Vec<u64> = [a, b, c]
        .iter()
        .map(|r| r.body["data"]["id"].as_u64().unwrap())
        .collect();
    assert!(ids[0] < ids[1] && ids[1] < ids[2]);
}

#[tokio::test]
async fn validation_1_answers_201_and_creates_nothing() {
    let s = Server::start(&[]);
    let r = create(&s, "code=2001&talkpin=5555&validation=1").await;
    assert_eq!(r.code(), "201");
    assert!(r.body.get("data").is_none());
    let got = get(&s, &format!("/api/json/conferences/get/?{DEMO}&code=2001")).await;
    assert_eq!(got.code(), "404");
    // Still valid to create for real, once.
    assert_eq!(create(&s, "code=2001&talkpin=5555").await.code(), "200");
    // Validation also sees the duplicate now.
    let again = create(&s, "code=2001&talkpin=5555&validation=1").await;
    assert_eq!((again.code(), again.key()), ("400", "code"));
}

#[tokio::test]
async fn a_duplicate_code_is_400_on_code() {
    let s = Server::start(&[]);
    assert_eq!(create(&s, "code=3001&talkpin=5555").await.code(), "200");
    let r = create(&s, "code=3001&talkpin=6666").await;
    assert_eq!((r.code(), r.key()), ("400", "code"));
    assert!(r.body["responses"][0]["message"]
        .as_str()
        .unwrap()
        .contains("already in use"));
}

#[tokio::test]
async fn every_documented_rule_is_enforced_with_its_key() {
    let s = Server::start(&[]);
    let cases: &[(&str, &[&str])] = &[
        ("talkpin=5555", &["code"]),
        ("code=4001", &["adminpin"]),
        ("code=4002&adminpin=5555&talkpin=5555", &["talkpin"]),
        ("code=4003&talkpin=5555&listenpin=5555", &["listenpin"]),
        ("code=4004&talkpin=5555&repeats=yearly", &["repeats"]),
        ("code=4005&talkpin=5555&month=13", &["month"]),
        ("code=4006&talkpin=5555&day=0", &["day"]),
        ("code=4007&talkpin=5555&hour=24", &["hour"]),
        ("code=4008&talkpin=5555&minute=60", &["minute"]),
        ("code=4009&talkpin=5555&duration=1.5", &["duration"]),
        ("code=4010&talkpin=5555&panel=2", &["panel"]),
        ("code=4011&talkpin=5555&play_join=yes", &["play_join"]),
        ("code=4012&talkpin=5555&count=3", &["year", "count"]),
        ("code=4013&talkpin=5555&year=2099&month=2&day=30", &["year"]),
        ("code=abc&talkpin=5555&maximum=x", &["code", "maximum"]),
    ];
    for (params, keys) in cases {
        let r = create(&s, params).await;
        assert_eq!(r.code(), "400", "{params}: {}", r.text);
        assert_eq!(r.keys(), *keys, "{params}: {}", r.text);
    }
    // None of them was stored.
    let got = get(&s, &format!("/api/json/conferences/get/?{DEMO}&code=4001")).await;
    assert_eq!(got.code(), "404");
}

#[tokio::test]
async fn credentials_role_and_rate_plan() {
    let s = Server::start(&[]);
    let body = "code=5001&talkpin=5555";
    let wrong = create_as(&s, "demo", "nope", body).await;
    assert_eq!(wrong.code(), "401");
    let none = post(&s, "conferences/create", body).await;
    assert_eq!(none.code(), "401");
    let unknown = create_as(&s, "ghost", "ghost", body).await;
    assert_eq!(unknown.code(), "401");
    let role = create_as(&s, "norole", "norole", body).await;
    assert_eq!(role.code(), "402");
    let plan = create_as(&s, "noplan", "noplan", body).await;
    assert_eq!(plan.code(), "403");
    // Authentication comes before validation: a bad draft with bad credentials is 401.
    let both = create_as(&s, "demo", "nope", "code=x").await;
    assert_eq!(both.code(), "401");
}

#[tokio::test]
async fn http_status_mirrors_the_code_when_asked() {
    let s = Server::start(&["--http-status"]);
    let r = create(&s, "code=&talkpin=5555").await;
    assert_eq!((r.status, r.code()), (400, "400"));
    assert_eq!(
        create(&s, "code=5101&talkpin=5555&validation=1")
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn tokens_valid_and_forged() {
    let s = Server::start(&["--token-lifetime", "60"]);
    let login = post(&s, "user/login", &format!("{DEMO}&token=1")).await;
    assert_eq!(login.code(), "200");
    let token = login.body["data"]["auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(login.body["data"]["auth_token_expiry"], 60);
    assert!(login.body["data"]["auth_token_expires"].as_i64().is_some());
    let ok = post(
        &s,
        "conferences/create",
        &format!("auth_token={token}&code=6001&talkpin=5555"),
    )
    .await;
    assert_eq!(ok.code(), "200", "{}", ok.text);
    // A changed signature, a changed payload, nonsense: all 401.
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let parts: Vec<&str> = token.split('.').collect();
    let other_payload = format!(
        "{}.{}.{}",
        parts[0], "eyJzdWIiOiJyZXNlbGxlciIsImV4cCI6OTk5OTk5OTk5OX0", parts[2]
    );
    for bad in [forged.as_str(), other_payload.as_str(), "x.y.z", ""] {
        let r = post(
            &s,
            "conferences/create",
            &format!("auth_token={bad}&code=6002&talkpin=5555"),
        )
        .await;
        assert_eq!(r.code(), "401", "token {bad:?}");
    }
    // Expiry: the simulator's unit tests, and tests/hooks.rs by its clock.
    // A wrong password gets no token.
    let denied = post(
        &s,
        "user/login",
        "auth_username=demo&auth_password=x&token=1",
    )
    .await;
    assert_eq!(denied.code(), "401");
}

#[tokio::test]
async fn what_was_created_survives_a_restart() {
    let s = Server::start(&[]);
    let id = create(&s, "code=7001&talkpin=5555&description=kept")
        .await
        .body["data"]["id"]
        .as_u64()
        .unwrap();
    let data = s.data.clone();
    let keep = s.stop();
    let s = Server::start_with(&data, &[], keep);
    let got = get(&s, &format!("/api/json/conferences/get/?{DEMO}&code=7001")).await;
    assert_eq!(got.body["data"]["id"].as_u64(), Some(id));
    assert_eq!(got.body["data"]["description"], "kept");
    assert_eq!(
        create(&s, "code=7001&talkpin=5555").await.key(),
        "code",
        "still unique after a restart"
    );
}

#[tokio::test]
async fn fifty_concurrent_creates_of_one_code_make_one_conference() {
    let s = Server::start(&[]);
    let client = client();
    let url = s.url("/api/json/conferences/create/");
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("{DEMO}&code=8001&talkpin={}", 1000 + i))
                    .send()
                    .await
                    .unwrap();
                read(r).await
            })
        })
        .collect();
    let mut created = 0;
    let mut duplicate = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match (r.code(), r.key()) {
            ("200", _) => created += 1,
            ("400", "code") => duplicate += 1,
            other => panic!("unexpected {other:?}: {}", r.text),
        }
    }
    assert_eq!((created, duplicate), (1, 49));
}

#[tokio::test]
async fn bad_input_is_a_clear_400_or_413_never_a_500() {
    let s = Server::start(&["--http-status"]);
    let cases: &[(&str, u16, &str)] = &[
        ("code=1%2&talkpin=5555", 400, "code"),
        ("code=%FF%FE&talkpin=5555", 400, "code"),
        ("code=1&code=2&talkpin=5555", 400, "code"),
        (
            "code=9001&talkpin=5555&owner=99999999999999999999999999",
            400,
            "owner",
        ),
        (
            "code=9002&talkpin=5555&count=-99999999999999999999",
            400,
            "count",
        ),
        ("code=9003&talkpin=5555&year=%00", 400, "year"),
    ];
    for (params, status, key) in cases {
        let r = create(&s, params).await;
        assert_eq!((r.status, r.key()), (*status, *key), "{params}: {}", r.text);
        assert!(
            r.body["responses"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{params}"
        );
    }
    let huge = format!("{DEMO}&code=1&description={}", "a".repeat(100_000));
    let r = post(&s, "conferences/create", &huge).await;
    assert_eq!((r.status, r.code()), (413, "413"));
    let unknown = get(&s, &format!("/api/json/conferences/explode/?{DEMO}")).await;
    assert_eq!(unknown.code(), "404");
    assert!(!s.log().contains("panicked"));
}

#[tokio::test]
async fn owners_and_customers_must_exist_and_be_visible() {
    let s = Server::start(&[]);
    assert_eq!(
        create(&s, "code=9101&talkpin=5555&owner=10").await.code(),
        "200"
    );
    let foreign = create(&s, "code=9102&talkpin=5555&owner=20").await;
    assert_eq!((foreign.code(), foreign.key()), ("400", "owner"));
    let missing = create(&s, "code=9103&talkpin=5555&owner=999").await;
    assert_eq!(missing.key(), "owner");
    let other = create(&s, "code=9104&talkpin=5555&customer=2").await;
    assert_eq!((other.code(), other.key()), ("400", "customer"));
    // A reseller may create in the customers below it, with their people.
    let reseller = "auth_username=reseller&auth_password=reseller";
    let r = post(
        &s,
        "conferences/create",
        &format!("{reseller}&code=9105&talkpin=5555&customer=2&owner=20"),
    )
    .await;
    assert_eq!(r.code(), "200", "{}", r.text);
    // ...which demo, in customer 1, cannot see.
    let hidden = get(&s, &format!("/api/json/conferences/get/?{DEMO}&code=9105")).await;
    assert_eq!(hidden.code(), "404");
    let seen = get(
        &s,
        &format!("/api/json/conferences/get/?{reseller}&code=9105"),
    )
    .await;
    assert_eq!(seen.body["data"]["customer"], 2);
}

#[tokio::test]
async fn get_and_unused_code() {
    let s = Server::start(&[]);
    let both = get(
        &s,
        &format!("/api/json/conferences/get/?{DEMO}&id=1&code=2"),
    )
    .await;
    assert_eq!(both.code(), "400");
    let neither = get(&s, &format!("/api/json/conferences/get/?{DEMO}")).await;
    assert_eq!(neither.code(), "400");
    let code = get(&s, &format!("/api/json/conferences/unused/code/?{DEMO}")).await;
    let code = code.body["data"]["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        create(&s, &format!("code={code}&talkpin=5555"))
            .await
            .code(),
        "200"
    );
    let not_mine = get(
        &s,
        &format!("/api/json/conferences/unused/code/?{DEMO}&customer=3"),
    )
    .await;
    assert_eq!(not_mine.key(), "customer");
}

#[tokio::test]
async fn the_log_names_function_caller_and_outcome_never_a_secret() {
    let s = Server::start(&[]);
    let secret = "S3cr3t-Passw0rd";
    post(
        &s,
        "conferences/create",
        &format!("auth_username=demo&auth_password={secret}&code=1"),
    )
    .await;
    let login = post(&s, "user/login", &format!("{DEMO}&token=1")).await;
    let token = login.body["data"]["auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    get(
        &s,
        &format!("/api/json/conferences/create/?auth_token={token}&code=1&talkpin=5555"),
    )
    .await;
    let log = wait_for_log(&s, |log| {
        log.contains("POST conferences/create caller=- code=401")
            && log.contains("GET conferences/create caller=demo code=200")
    });
    assert!(!log.contains(secret));
    assert!(!log.contains(&token));
}

#[tokio::test]
async fn static_files_have_types_compression_caching_and_security_headers() {
    let s = Server::start(&["--frame-ancestors", "https://panel.example.com"]);
    let index = client().get(s.url("/")).send().await.unwrap();
    let h = index.headers().clone();
    assert_eq!(index.status(), 200);
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(csp.contains("frame-ancestors https://panel.example.com"));
    assert!(
        csp.contains("'sha256-"),
        "the inline module script is allowed by hash: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-cache");
    // A static file, asking for `encoding` ("" for none).
    let fetch = async |path: &str, encoding: &str| {
        let mut request = client().get(s.url(path));
        if !encoding.is_empty() {
            request = request.header("accept-encoding", encoding);
        }
        request.send().await.unwrap()
    };
    let wasm_path = "/app-0123456789abcdef_bg.wasm";
    let js_path = "/app-0123456789abcdef.js";
    // Without a precompressed copy: compressed as it goes out.
    let js = fetch(js_path, "br").await;
    assert_eq!(js.headers()["content-encoding"], "br");
    let gz = fetch(js_path, "gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    // A file with a precompressed copy: that copy, byte for byte.
    let br = fetch(wasm_path, "gzip, br").await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert!(br.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(&br.bytes().await.unwrap()[..], common::PRECOMPRESSED_WASM);
    // Asked for no encoding: the file itself.
    let plain = fetch(wasm_path, "").await;
    assert_eq!(plain.headers()["content-type"], "application/wasm");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(&plain.bytes().await.unwrap()[..], b"\0asm\x01\0\0\0");
}

#[tokio::test]
async fn the_proxy_forwards_to_a_real_switch_unchanged() {
    let switch = Server::start(&["--http-status"]);
    let proxy = Server::start(&["--upstream", &switch.base]);
    // The reference example through the proxy, GET with ';'.
    let r = get(
        &proxy,
        "/api/json/conferences/create/?auth_username=demo;auth_password=demo;code=123456;talkpin=234567",
    )
    .await;
    assert_eq!(r.code(), "200", "{}", r.text);
    let id = r.body["data"]["id"].as_u64().unwrap();
    // POST with a body, and the switch's own HTTP status passed back.
    let dup = post(
        &proxy,
        "conferences/create",
        &format!("{DEMO}&code=123456&talkpin=1"),
    )
    .await;
    assert_eq!((dup.status, dup.key()), (400, "code"));
    // The switch itself has it.
    let got = get(
        &switch,
        &format!("/api/json/conferences/get/?{DEMO}&code=123456"),
    )
    .await;
    assert_eq!(got.body["data"]["id"].as_u64(), Some(id));
    // A switch that is gone is a 502 in the envelope, not a hang or a 500.
    drop(switch);
    let gone = post(
        &proxy,
        "conferences/create",
        &format!("{DEMO}&code=1&talkpin=1"),
    )
    .await;
    assert_eq!((gone.status, gone.code()), (502, "502"));
}

/// The hooks are a build feature (tests/hooks.rs): without it, the flag is
/// refused and nothing answers under /_test/.
#[cfg(not(feature = "test-hooks"))]
#[tokio::test]
async fn a_default_build_has_no_test_hooks() {
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_conference-server"))
        .arg("--test-hooks")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--test-hooks"));
    let s = Server::start(&[]);
    for path in ["/_test/faults?kind=500", "/_test/clock?advance=3600"] {
        let r = client().post(s.url(path)).send().await.unwrap();
        assert_ne!(r.status(), 200, "{path}");
    }
    assert_eq!(create(&s, "code=9301&talkpin=5555").await.code(), "200");
}
