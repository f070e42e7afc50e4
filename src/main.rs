//! The standalone page's entry point (Trunk builds this), and the two
//! functions `embed.js` calls to put forms into a host page and take them
//! away again.

use wasm_bindgen::prelude::*;

fn main() {
    // embed.js, and the standalone page framed by it, mount forms themselves.
    let embedded = js_sys::Reflect::get(&js_sys::global(), &"conferenceFormEmbedded".into())
        .is_ok_and(|v| v.is_truthy());
    if !embedded {
        conference_form::start();
    }
}

#[wasm_bindgen]
pub fn mount(el: web_sys::HtmlElement) -> u32 {
    conference_form::mount(el)
}

#[wasm_bindgen]
pub fn unmount(id: u32) {
    conference_form::unmount(id);
}
