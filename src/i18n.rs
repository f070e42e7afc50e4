//! The form's language: the catalog its words come from, and dates written
//! the way the browser writes them in that language.
//!
//! The page's loader (`build/i18n.js`, inline in index.html and at the head
//! of embed.js) chooses the language and starts fetching its catalog while
//! the wasm downloads; it leaves `{lang, texts, …}` on the mount element.
//! The app waits for `texts` before drawing anything, so the form appears
//! once, in its language. Without the loader (a bare mount, the wasm tests)
//! the form is English. The standalone page's own parts (its title, the
//! language menu) are the loader's: the form is the same wherever it is.

use std::cell::{Cell, RefCell};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use conference::{invite, Catalog, Field, Message};
use js_sys::{Array, Function, Intl, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static CATALOG: Cell<&'static Catalog> = Cell::new(Catalog::english());
    static LANG: RefCell<String> = RefCell::new("en".into());
    static DATES: RefCell<Option<Function>> = const { RefCell::new(None) };
    static DAYS: RefCell<Option<Function>> = const { RefCell::new(None) };
    static NUMBERS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// The form's catalog.
pub fn catalog() -> &'static Catalog {
    CATALOG.with(Cell::get)
}

/// The text of a message id in the form's language.
pub fn t(id: &'static str) -> &'static str {
    CATALOG.with(|c| c.get().text(id))
}

/// A parameter's label.
pub fn label(field: Field) -> &'static str {
    CATALOG.with(|c| c.get().label(field))
}

/// The words for one of a choice's values.
pub fn choice(field: Field, value: &str) -> &'static str {
    CATALOG.with(|c| c.get().choice(field, value))
}

/// A parameter's hint, where it has one.
pub fn hint(field: Field) -> Option<&'static str> {
    CATALOG.with(|c| c.get().hint(field))
}

/// A message in words, its quantities written as the language writes them.
pub fn say(message: &Message) -> String {
    CATALOG.with(|c| c.get().render_with(message, &number))
}

/// A quantity by the browser's `Intl.NumberFormat` (1.000 in German, ١٠٠٠
/// in Arabic).
fn number(n: i64) -> String {
    formatted(
        &NUMBERS,
        || Intl::NumberFormat::new(&locales(), &Object::new()).format(),
        &(n as f64).into(),
    )
    .unwrap_or_else(|| conference::digits::signed(n))
}

/// The language's code (`lang`), as the form's root element carries it.
pub fn lang() -> String {
    LANG.with(|l| l.borrow().clone())
}

/// `dir` for the form's root element.
pub fn dir() -> &'static str {
    if CATALOG.with(|c| c.get().is_rtl()) {
        "rtl"
    } else {
        "ltr"
    }
}

/// A start as people of this language write it, weekday included, in the
/// switch's local time.
pub fn when(at: NaiveDateTime) -> String {
    written(at, &DATES, 7)
}

/// `at` by an `Intl.DateTimeFormat` with the first `options` of the list
/// below: the date's alone, or with the time. The naive time is written as
/// if it were UTC, and formatted in UTC, so no time zone moves it.
fn written(
    at: NaiveDateTime,
    cache: &'static std::thread::LocalKey<RefCell<Option<Function>>>,
    options: usize,
) -> String {
    let millis = js_sys::Date::utc(f64::from(at.year()), f64::from(at.month0()))
        + (f64::from(at.day() - 1) * 24.0 + f64::from(at.hour())) * 3_600_000.0
        + f64::from(at.minute()) * 60_000.0;
    let format = || {
        let object = Object::new();
        for (k, v) in [
            ("timeZone", "UTC"),
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ]
        .into_iter()
        .take(options)
        {
            let _ = Reflect::set(&object, &k.into(), &v.into());
        }
        Intl::DateTimeFormat::new(&locales(), &object).format()
    };
    formatted(cache, format, &js_sys::Date::new(&millis.into())).unwrap_or_default()
}

/// Dates and quantities for the invitations, written as the preview writes
/// them.
pub struct IntlFormat;

impl invite::Format for IntlFormat {
    fn date_time(&self, at: NaiveDateTime) -> String {
        when(at)
    }

    fn date(&self, day: NaiveDate) -> String {
        written(day.and_time(chrono::NaiveTime::MIN), &DAYS, 5)
    }

    fn number(&self, n: i64) -> String {
        number(n)
    }
}

/// The form's language, as `Intl` takes it.
fn locales() -> Array {
    Array::of1(&lang().into())
}

/// `value` written by an `Intl` formatter's `format`, made once per
/// language (`install` forgets it) and kept in `cache`.
fn formatted(
    cache: &'static std::thread::LocalKey<RefCell<Option<Function>>>,
    make: impl FnOnce() -> Function,
    value: &JsValue,
) -> Option<String> {
    let format = cache.with(|f| f.borrow_mut().get_or_insert_with(make).clone());
    format.call1(&JsValue::NULL, value).ok()?.as_string()
}

/// What the loader left on the mount element, if it ran.
fn loader(mount: &web_sys::HtmlElement) -> Option<Object> {
    Reflect::get(mount, &"conferenceFormI18n".into())
        .ok()?
        .dyn_into()
        .ok()
}

fn get(object: &Object, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Waits for the words the loader is fetching, and makes them the form's.
pub async fn start(mount: &web_sys::HtmlElement) {
    let Some(loader) = loader(mount) else {
        return;
    };
    let lang = get(&loader, "lang").as_string().unwrap_or_default();
    install(&lang, get(&loader, "texts")).await;
}

/// `texts` resolves to `[shipped catalog or null, operator catalog or null]`:
/// the operator's words over the language's, over English. A
/// catalog that does not parse is skipped with a warning (the loader already
/// warned about one that did not load).
async fn install(lang: &str, texts: JsValue) {
    let texts = match texts.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    let texts = Array::from(&texts);
    // What the catalogs leave out, `Catalog` takes from English itself.
    let mut catalog = Catalog::default();
    // The language actually shown: English when its catalog did not come.
    let mut shown = "en";
    for (i, what) in ["language", "override"].into_iter().enumerate() {
        let Some(text) = texts.get(i as u32).as_string() else {
            continue;
        };
        match Catalog::parse(&text) {
            Ok(words) => {
                catalog.overlay(words);
                if i == 0 {
                    shown = lang;
                }
            }
            Err(e) => web_sys::console::warn_1(
                &[
                    "conference form: the ",
                    what,
                    " catalog for ",
                    lang,
                    " is unusable (",
                    &e,
                    "); using the built-in words",
                ]
                .concat()
                .into(),
            ),
        }
    }
    set(shown, catalog);
}

/// Makes `catalog`, in language `lang`, the form's words from now on.
pub fn set(lang: &str, catalog: Catalog) {
    CATALOG.with(|c| c.set(Box::leak(Box::new(catalog))));
    LANG.with(|l| *l.borrow_mut() = lang.to_owned());
    DATES.with(|d| d.take());
    DAYS.with(|d| d.take());
    NUMBERS.with(|f| f.take());
}
