//! How the app is configured: the `data-*` attributes of the element it
//! mounts into (`<div id="conference-form" data-api-base="/api/json/" ...>`).

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_base: "/api/json/".into(),
            token: None,
            customer: None,
            timeout_ms: 15_000,
        }
    }
}

impl Config {
    pub fn from_element(el: &HtmlElement) -> Config {
        let data = el.dataset();
        let get = |name: &str| {
            data.get(name)
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
        }
    }
}
