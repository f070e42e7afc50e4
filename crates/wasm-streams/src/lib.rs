//! Leptos always links its server-function client (`server_fn`, feature
//! `browser`), which names `wasm_streams::ReadableStream` for streaming
//! bodies. The crates.io `wasm-streams` exports three JavaScript classes
//! (`IntoUnderlyingSource`, `IntoUnderlyingByteSource`, `IntoUnderlyingSink`)
//! through wasm-bindgen; exports are kept whether anything calls them or
//! not, and with their glue they cost this app about 10 KB of wasm (4 KB
//! gzipped) for server functions it does not have. This crate, patched in
//! for it (see the workspace's Cargo.toml), has the same names, no exports:
//! reading a stream works; turning a Rust stream into a JavaScript one, which
//! only a streaming server-function request would do, is refused.

use futures_util::stream::{self, Stream};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub mod readable {
    pub use super::ReadableStream;

    pub mod sys {
        pub use web_sys::ReadableStream;
    }
}

/// A JavaScript `ReadableStream`.
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

impl ReadableStream {
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        ReadableStream { raw }
    }

    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// Not available here: it needs the JavaScript classes this crate leaves
    /// out. Only a streaming server-function request calls it.
    pub fn from_stream<St>(_stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        panic!("this app has no streaming requests (crates/wasm-streams)")
    }

    /// The stream's chunks, read one by one; an error ends it.
    pub fn into_stream(self) -> impl Stream<Item = Result<JsValue, JsValue>> {
        let reader: web_sys::ReadableStreamDefaultReader = self.raw.get_reader().unchecked_into();
        stream::unfold(Some(reader), |reader| async move {
            let reader = reader?;
            match JsFuture::from(reader.read()).await {
                Err(e) => Some((Err(e), None)),
                Ok(chunk) => {
                    let get = |name: &str| js_sys::Reflect::get(&chunk, &name.into());
                    if get("done").ok()?.is_truthy() {
                        None
                    } else {
                        Some((get("value"), Some(reader)))
                    }
                }
            }
        })
    }
}
