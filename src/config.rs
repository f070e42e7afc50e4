//! How the app is configured: the `data-*` attributes of the element it
//! mounts into (`<div id="conference-form" data-api-base="/api/json/" ...>`).

use conference::ics::Zone;
use conference::invite::{parse_numbers, DialIn};
use web_sys::HtmlElement;

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Where the API is, ending in `/` (`data-api-base`, default `/api/json/`).
    pub api_base: String,
    /// A token the host page already has (`data-token`): no sign-in shown.
    pub token: Option<String>,
    /// A customer the host fixes (`data-customer`).
    pub customer: Option<String>,
    /// How long to wait for the switch, in milliseconds (`data-timeout-ms`).
    pub timeout_ms: u32,
    /// Where an account that may not create conferences can ask for help
    /// (`data-support-url`); none: no link.
    pub support_url: Option<String>,
    /// The numbers callers dial (`data-dial-in`, `"+44 20 7946 0000 (UK); …"`);
    /// none: the invitations name "the number you were given".
    pub dial_in: Vec<DialIn>,
    /// The zone of the switch's local time (`data-time-zone`, IANA): the
    /// calendar file's `TZID`; none: floating times.
    pub time_zone: Option<Zone>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_base: "/api/json/".into(),
            token: None,
            customer: None,
            timeout_ms: 15_000,
            support_url: None,
            dial_in: Vec::new(),
            time_zone: None,
        }
    }
}

impl Config {
    pub fn from_element(el: &HtmlElement) -> Config {
        let data = el.dataset();
        // Read as a property, as JavaScript does: `DomStringMap::get`
        // would bring an import of its own.
        let get = |name: &str| {
            js_sys::Reflect::get(&data, &name.into())
                .ok()
                .and_then(|v| v.as_string())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let defaults = Config::default();
        let mut api_base = get("apiBase").unwrap_or(defaults.api_base);
        if !api_base.ends_with('/') {
            api_base.push('/');
        }
        Config {
            api_base,
            token: get("token"),
            customer: get("customer"),
            timeout_ms: get("timeoutMs")
                .and_then(|v| v.parse().ok())
                .unwrap_or(defaults.timeout_ms),
            support_url: get("supportUrl"),
            // A setting that does not read is left out, with a warning: the
            // invitations then say what they say without it.
            dial_in: get("dialIn")
                .map(|v| {
                    parse_numbers(&v).unwrap_or_else(|e| {
                        unusable("dial-in", &e.0);
                        Vec::new()
                    })
                })
                .unwrap_or_default(),
            time_zone: get("timeZone").and_then(|v| {
                let zone = Zone::new(&v);
                if zone.is_none() {
                    unusable("time-zone", &v);
                }
                zone
            }),
        }
    }
}

/// Says in the console which part of a setting is unusable.
fn unusable(setting: &str, part: &str) {
    web_sys::console::warn_1(
        &[
            "conference form: data-",
            setting,
            " left out: cannot read \"",
            part,
            "\"",
        ]
        .concat()
        .into(),
    );
}
