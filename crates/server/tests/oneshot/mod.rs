//! The router asked in process (axum's `oneshot`, no socket), and its reply
//! as the in-process tests read it.
#![allow(dead_code)] // Each test file uses its own part of this.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

pub struct Got {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// `router`'s reply to `request`, its body read whole.
pub async fn ask(router: Router, request: Request<Body>) -> Got {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Got {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl Got {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// Every `Vary` token, lower case.
    pub fn vary(&self) -> Vec<String> {
        self.headers
            .get_all("vary")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .collect()
    }

    /// The API reply's first response code.
    pub fn code(&self) -> String {
        let v: serde_json::Value = serde_json::from_str(&self.body).unwrap_or_default();
        v["responses"][0]["code"].as_str().unwrap_or("").to_owned()
    }
}
