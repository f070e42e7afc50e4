//! Talking to the switch: every call is a POST with a form body, so that no
//! credential ever appears in a URL, a history or an access log. Replies are
//! read by the shared core's parser.

use conference::reply::{self, Accepted, Outcome, Token};
use conference::{form, Conference, Credentials};
use gloo_net::http::Request;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// No reply within the configured time.
    Timeout,
    /// The request could not be sent or the reply not read.
    Network,
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub timeout_ms: u32,
}

pub type Reply<T> = Result<Outcome<T>, NetError>;

impl Api {
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

    pub async fn login(&self, username: &str, password: &str) -> Reply<Token> {
        let body = form::encode([
            ("auth_username", username),
            ("auth_password", password),
            ("token", "1"),
        ]);
        let (status, bytes) = self.post("user/login", body).await?;
        Ok(reply::parse_login(status, &bytes))
    }

    pub async fn create(
        &self,
        conference: &Conference,
        credentials: &Credentials,
        validation: bool,
    ) -> Reply<Accepted> {
        let (status, bytes) = self
            .post(
                "conferences/create",
                conference.to_body(credentials, validation),
            )
            .await?;
        Ok(reply::parse_create(status, &bytes))
    }

    /// The ID of the conference with this code, if the caller can see one.
    pub async fn find(&self, code: &str, credentials: &Credentials) -> Reply<u64> {
        let mut pairs = credentials.to_pairs();
        pairs.push(("code", code.to_owned()));
        let (status, bytes) = self.post("conferences/get", form::encode(pairs)).await?;
        Ok(reply::parse_get(status, &bytes))
    }

    pub async fn unused_code(
        &self,
        credentials: &Credentials,
        customer: &str,
    ) -> Reply<Option<String>> {
        let mut pairs = credentials.to_pairs();
        if !customer.is_empty() {
            pairs.push(("customer", customer.to_owned()));
        }
        let (status, bytes) = self
            .post("conferences/unused/code", form::encode(pairs))
            .await?;
        Ok(reply::parse_unused_code(status, &bytes))
    }
}
