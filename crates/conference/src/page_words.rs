//! Which words of a catalog are the page's, not the form's: the standalone
//! page's title, description and language menu, and embed.js's sentences.
//! The build's JavaScript reads those from the catalogs; the form never
//! shows them, so the English built into the core leaves them out (the
//! build script includes this file too).

/// Whether message `id` is one only the page and embed.js use.
pub fn is_page_word(id: &str) -> bool {
    id == "language"
        || ["page.", "language.", "embed."]
            .iter()
            .any(|p| id.starts_with(p))
}
