//! The switch's API over HTTP: the app's implementation of the flow's
//! [`Api`]. Every call is a POST with a form body, so that no credential
//! ever appears in a URL, a history or an access log. What each function
//! sends and how its reply reads is in the `flow` crate; this is the wire.

use flow::{Api, NetError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::dom::object;

/// The switch's API over HTTP (the browser's `fetch`, called directly: a
/// client library cost 1.1 KB brotli for the one request shape used here),
/// with a timeout on every call. Its options are a plain object, as
/// JavaScript writes them: each of web-sys's typed setters brings one more
/// import and its glue into the bundle.
pub struct Http {
    pub base: String,
    pub timeout_ms: u32,
}

impl Api for Http {
    async fn post(&self, function: &str, body: String) -> Result<(u16, Vec<u8>), NetError> {
        let url = [&self.base, function, "/"].concat();
        let started = js_sys::Date::now();
        let result = async {
            let headers = object(&[("Content-Type", &"application/x-www-form-urlencoded".into())]);
            let init = object(&[
                ("method", &"POST".into()),
                ("headers", &headers),
                ("body", &body.into()),
                (
                    "signal",
                    &web_sys::AbortSignal::timeout_with_u32(self.timeout_ms),
                ),
            ]);
            let window = web_sys::window().ok_or(JsValue::NULL)?;
            // fetch's promise only ever resolves to a Response.
            let response: web_sys::Response =
                JsFuture::from(window.fetch_with_str_and_init(&url, init.unchecked_ref()))
                    .await?
                    .unchecked_into();
            let bytes = JsFuture::from(response.array_buffer()?).await?;
            Ok::<_, JsValue>((response.status(), js_sys::Uint8Array::new(&bytes).to_vec()))
        }
        .await;
        // The browser says no more than "failed to fetch" either way.
        result.map_err(|_| {
            if js_sys::Date::now() - started >= f64::from(self.timeout_ms) - 50.0 {
                NetError::Timeout
            } else {
                NetError::Network
            }
        })
    }
}
