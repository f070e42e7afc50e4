//! The standalone page's entry point (Trunk builds this).

fn main() {
    conference_form::start();
}
