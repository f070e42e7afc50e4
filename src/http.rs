//! The switch's API over HTTP: the app's implementation of the flow's
//! [`Api`]. Every call is a POST with a form body, so that no credential
//! ever appears in a URL, a history or an access log. What each function
//! sends and how its reply reads is in the `flow` crate; this is the wire.

use flow::{Api, NetError};
use gloo_net::http::Request;

/// The switch's API over HTTP (gloo-net), with a timeout on every call.
pub struct Http {
    pub base: String,
    pub timeout_ms: u32,
}

impl Api for Http {
    async fn post(&self, function: &str, body: String) -> Result<(u16, Vec<u8>), NetError> {
        let url = format!("{}{function}/", self.base);
        let started = js_sys::Date::now();
        let signal = web_sys::AbortSignal::timeout_with_u32(self.timeout_ms);
        let result = async {
            let response = Request::post(&url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .abort_signal(Some(&signal))
                .body(body)?
                .send()
                .await?;
            let status = response.status();
            Ok::<_, gloo_net::Error>((status, response.binary().await?))
        }
        .await;
        // The browser says no more than "failed to fetch" either way, and
        // formatting gloo's error would pull its JSON error texts into the bundle.
        result.map_err(|_| {
            if js_sys::Date::now() - started >= f64::from(self.timeout_ms) - 50.0 {
                NetError::Timeout
            } else {
                NetError::Network
            }
        })
    }
}
