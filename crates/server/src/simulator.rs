//! The simulated switch: `conferences/create`, `conferences/get`,
//! `conferences/unused/code` and `user/login`, answering as the vendor's
//! documentation describes (docs/enswitch-api.md), with the shared core's
//! validation, plus what only a switch can know: accounts, uniqueness, owners.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use conference::json::Json;
use conference::reply::{Envelope, Response};
use conference::{Conference, Field};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use crate::accounts::{Accounts, User};
use crate::params::Params;
use crate::store::{InsertError, Lookup, Store};
use crate::throttle::{Throttle, FREE_PER_ADDRESS, FREE_PER_USER, FREE_PER_USER_AND_ADDRESS};
use crate::token::{Claims, Signer};

pub(crate) struct Simulator {
    accounts: Accounts,
    store: Store,
    signer: Signer,
    token_lifetime: i64,
    /// username -> keyed hash of the last password that verified, so a busy
    /// caller pays for PBKDF2 once, not on every call.
    verified: Mutex<HashMap<String, Vec<u8>>>,
    cache_key: Vec<u8>,
    throttle: Throttle,
    /// Password hashes computed at once: one a core, so guessing from many
    /// addresses cannot take every core from the rest of the server.
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
}

/// A reply, and who asked (for the log: a verified username, or "-"; never
/// what an unverified caller typed, which may be a password).
pub(crate) struct Answer {
    pub(crate) envelope: Envelope,
    pub(crate) caller: String,
    /// Set when sign-in is locked by the throttle: seconds to wait.
    pub(crate) retry_after: Option<u64>,
}

impl Answer {
    pub(crate) fn code(&self) -> u16 {
        self.envelope
            .responses
            .first()
            .and_then(|r| r.code.parse().ok())
            .unwrap_or(500)
    }
}

fn single(code: u16, key: &str, message: &str) -> Envelope {
    Envelope::single(code, key, message)
}

fn unauthorised() -> Denied {
    Denied {
        envelope: single(401, "", "The authentication details provided are invalid."),
        retry_after: None,
    }
}

struct Denied {
    envelope: Envelope,
    retry_after: Option<u64>,
}

impl Simulator {
    pub(crate) fn new(
        accounts: Accounts,
        store: Store,
        signer: Signer,
        token_lifetime: i64,
    ) -> Self {
        let mut cache_key = vec![0u8; 32];
        getrandom::fill(&mut cache_key).expect("the OS has randomness");
        Simulator {
            accounts,
            store,
            signer,
            token_lifetime,
            verified: Mutex::default(),
            cache_key,
            throttle: Throttle::default(),
            hashing: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }
    }

    /// Whether this call's sign-in will hash a password (cheap to ask): not
    /// for a token, nor for a password that already verified.
    pub(crate) fn needs_hash(&self, function: &str, params: &Params) -> bool {
        if !params.text(Field::AuthToken.name()).is_empty() && function != "user/login" {
            return false;
        }
        let username = params.text(Field::AuthUsername.name());
        let password = params.get(Field::AuthPassword.name()).unwrap_or("");
        !username.is_empty() && !password.is_empty() && !self.cached(username, password)
    }

    fn fingerprint(&self, username: &str, password: &str) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.cache_key).expect("any key length");
        mac.update(username.as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    fn cached(&self, username: &str, password: &str) -> bool {
        let fingerprint = self.fingerprint(username, password);
        // Compared with subtle's ct_eq: the time tells nothing of the bytes.
        self.verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(username)
            .is_some_and(|known| bool::from(known.ct_eq(&fingerprint)))
    }

    /// Answers one API call. `function` is `category/action` without slashes
    /// around it; `client` the caller's address (for the throttle); `now` is
    /// Unix time.
    pub(crate) fn call(
        &self,
        function: &str,
        params: &Params,
        client: Option<IpAddr>,
        now: i64,
    ) -> Answer {
        let caller = match self.authenticate(params, now, function == "user/login", client) {
            Ok(user) => user,
            Err(denied) => {
                return Answer {
                    envelope: denied.envelope,
                    caller: "-".to_owned(),
                    retry_after: denied.retry_after,
                };
            }
        };
        let envelope = match function {
            "conferences/create" => self.create(caller, params),
            "conferences/get" => self.get(caller, params),
            "conferences/unused/code" => self.unused_code(caller, params),
            "user/login" => self.login(caller, params, now),
            _ => single(404, "", "No such function."),
        };
        Answer {
            envelope,
            caller: caller.username.clone(),
            retry_after: None,
        }
    }

    /// [doc] `auth_token`, or `auth_username` + `auth_password`, on every call.
    fn authenticate(
        &self,
        params: &Params,
        now: i64,
        login: bool,
        client: Option<IpAddr>,
    ) -> Result<&User, Denied> {
        let token = params.text(Field::AuthToken.name());
        if !token.is_empty() && !login {
            let claims = self.signer.verify(token, now).map_err(|_| unauthorised())?;
            return self.accounts.user(&claims.sub).ok_or_else(unauthorised);
        }
        let username = params.text(Field::AuthUsername.name());
        let password = params.get(Field::AuthPassword.name()).unwrap_or("");
        if username.is_empty() || password.is_empty() {
            return Err(unauthorised());
        }
        // A password that already verified needs neither the hash nor the
        // throttle: a locked account keeps working where it is signed in,
        // and a busy, honest caller is never slowed.
        if self.cached(username, password) {
            return self.accounts.user(username).ok_or_else(unauthorised);
        }
        let address = client.map_or_else(|| "-".to_owned(), |ip| ip.to_string());
        let pair_key = format!("user:{username}@{address}");
        let user_key = format!("user:{username}");
        let address_key = client.map(|_| format!("addr:{address}"));
        let instant = Instant::now();
        let locked = [Some(&pair_key), Some(&user_key), address_key.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|key| self.throttle.locked(key, instant))
            .max();
        if let Some(wait) = locked {
            // The switch's own shape for a refused sign-in, with the wait;
            // the HTTP reply adds 429 and Retry-After.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let unit = if seconds == 1 { "second" } else { "seconds" };
            return Err(Denied {
                envelope: single(
                    401,
                    "",
                    &format!("Too many failed sign-ins. Try again in {seconds} {unit}."),
                ),
                retry_after: Some(seconds),
            });
        }
        let Some(user) = self.accounts.verify(username, password) else {
            self.throttle
                .failed(&pair_key, FREE_PER_USER_AND_ADDRESS, instant);
            self.throttle.failed(&user_key, FREE_PER_USER, instant);
            if let Some(key) = &address_key {
                self.throttle.failed(key, FREE_PER_ADDRESS, instant);
            }
            return Err(unauthorised());
        };
        self.throttle.succeeded(&pair_key);
        self.throttle.succeeded(&user_key);
        self.verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(username.to_owned(), self.fingerprint(username, password));
        Ok(user)
    }

    /// The customer a call acts in: the one named, if visible, else the caller's.
    fn customer(&self, user: &User, params: &Params) -> Result<u32, Envelope> {
        match params.text(Field::Customer.name()) {
            "" => Ok(user.customer),
            text => match text.parse::<u32>() {
                Ok(id) if self.accounts.can_see_customer(user, id) => Ok(id),
                _ => Err(single(
                    400,
                    Field::Customer.name(),
                    "Customer not found. Enter the ID of a customer you manage",
                )),
            },
        }
    }

    fn create(&self, user: &User, params: &Params) -> Envelope {
        // [doc] "Requires authentication and the user role privilege."
        if !user.user_privilege {
            return single(402, "", "Your role does not allow this.");
        }
        if !user.rate_plan_allows_conferences {
            return single(403, "", "Your rate plan does not allow this.");
        }
        let draft = params.to_draft();
        // The very rules the browser runs; warnings are the browser's business.
        let conference = match Conference::from_draft(&draft) {
            Ok(c) => c,
            Err(report) => {
                let responses = report
                    .errors()
                    .map(|p| Response::new(400, p.field().name(), &p.message.to_string()))
                    .collect();
                return Envelope {
                    responses,
                    data: None,
                };
            }
        };
        match self.store.code_exists(conference.code()) {
            Ok(false) => {}
            Ok(true) => return duplicate_code(),
            Err(e) => return database_error(&e),
        }
        let customer = match self.customer(user, params) {
            Ok(c) => c,
            Err(envelope) => return envelope,
        };
        if conference.owner() != 0
            && self
                .accounts
                .person(conference.owner())
                .is_none_or(|p| p.customer != customer)
        {
            return single(
                400,
                Field::Owner.name(),
                "Owner not found. Enter the ID of a person of this customer, or 0",
            );
        }
        if draft.effective(Field::Validation) == "1" {
            return single(201, "", "Input passed validation.");
        }
        match self.store.insert(&conference, customer, &user.username) {
            Ok(id) => Envelope::ok(Json::object([("id", Json::int(id as i64))])),
            Err(InsertError::DuplicateCode) => duplicate_code(),
            Err(InsertError::Database(e)) => database_error(&e),
        }
    }

    fn get(&self, user: &User, params: &Params) -> Envelope {
        let lookup = match (params.text("id"), params.text("code")) {
            ("", "") => return single(400, "id", "Enter a conference ID or code"),
            (id, "") => match id.parse::<u64>() {
                Ok(id) => Lookup::Id(id),
                Err(_) => return single(400, "id", "Conference ID must be a whole number"),
            },
            ("", code) => Lookup::Code(code),
            _ => return single(400, "code", "Enter a conference ID or a code, not both"),
        };
        match self.store.get(lookup) {
            Ok(Some(found)) if self.accounts.can_see_customer(user, found.customer) => {
                Envelope::ok(found.data)
            }
            Ok(_) => single(404, "", "Not found."),
            Err(e) => database_error(&e),
        }
    }

    /// [doc] a random unused 6-digit code, or "" when none is free.
    fn unused_code(&self, user: &User, params: &Params) -> Envelope {
        if let Err(envelope) = self.customer(user, params) {
            return envelope;
        }
        for _ in 0..100 {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).expect("the OS has randomness");
            let code = format!("{:06}", u32::from_le_bytes(bytes) % 900_000 + 100_000);
            match self.store.code_exists(&code) {
                Ok(false) => return Envelope::ok(Json::object([("code", Json::str(code))])),
                Ok(true) => continue,
                Err(e) => return database_error(&e),
            }
        }
        Envelope::ok(Json::object([("code", Json::str(""))]))
    }

    /// [doc] with `token=1`, a signed token and its lifetime (4.1+).
    fn login(&self, user: &User, params: &Params, now: i64) -> Envelope {
        if params.text("token") != "1" {
            return Envelope::ok(Json::object([
                ("username", Json::str(user.username.as_str())),
                ("customer", Json::int(user.customer)),
            ]));
        }
        let Some(expires) = now.checked_add(self.token_lifetime) else {
            return single(500, "", "The token lifetime is too long.");
        };
        let token = self.signer.sign(&Claims {
            sub: user.username.clone(),
            exp: expires,
        });
        Envelope::ok(Json::object([
            ("auth_token", Json::str(token)),
            ("auth_token_expiry", Json::int(self.token_lifetime)),
            ("auth_token_expires", Json::int(expires)),
        ]))
    }
}

fn duplicate_code() -> Envelope {
    single(
        400,
        Field::Code.name(),
        "That conference code is already in use. Enter a different code",
    )
}

fn database_error(e: &str) -> Envelope {
    tracing::error!("database error: {}", crate::logline::clean(e));
    single(
        500,
        "",
        "The switch could not store the conference. Try again later",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo accounts, 60-second tokens, and a store in a folder that
    /// lives as long as the returned guard.
    fn demo_simulator() -> (Simulator, tempfile::TempDir) {
        let data = tempfile::tempdir().unwrap();
        let sim = Simulator::new(
            Accounts::demo(),
            Store::open(data.path()).unwrap(),
            Signer::new(vec![7; 32]),
            60,
        );
        (sim, data)
    }

    #[test]
    fn only_an_unproven_password_needs_a_hash() {
        let (sim, _data) = demo_simulator();
        let params = |q: &str| Params::read(q.as_bytes(), None).unwrap();
        let right = params("auth_username=demo&auth_password=demo");
        assert!(sim.needs_hash("user/login", &right));
        assert_eq!(sim.call("user/login", &right, None, 0).code(), 200);
        assert!(!sim.needs_hash("user/login", &right), "verified: cached");
        let wrong = params("auth_username=demo&auth_password=other");
        assert!(sim.needs_hash("user/login", &wrong));
        let token = params("auth_token=x.y.z");
        assert!(!sim.needs_hash("conferences/get", &token));
        assert!(!sim.needs_hash("user/login", &params("auth_username=demo")));
    }

    #[test]
    fn a_token_works_to_its_last_second_and_not_at_its_expiry() {
        let (sim, _data) = demo_simulator();
        let params = |q: &str| Params::read(q.as_bytes(), None).unwrap();
        let login = sim.call(
            "user/login",
            &params("auth_username=demo&auth_password=demo&token=1"),
            None,
            1_000,
        );
        let body: serde_json::Value = serde_json::from_str(&login.envelope.to_json()).unwrap();
        let token = body["data"]["auth_token"].as_str().unwrap().to_owned();
        let get = params(&format!("auth_token={token}&code=1"));
        // The clock is an argument: the boundary is tested exactly, no waiting.
        assert_ne!(sim.call("conferences/get", &get, None, 1_059).code(), 401);
        assert_eq!(sim.call("conferences/get", &get, None, 1_060).code(), 401);
    }

    #[test]
    fn the_log_name_is_only_ever_a_verified_one() {
        let (sim, _data) = demo_simulator();
        let call = |q: &str| {
            let p = Params::read(q.as_bytes(), None).unwrap();
            sim.call("user/login", &p, None, 0).caller
        };
        assert_eq!(call("auth_username=demo&auth_password=demo"), "demo");
        assert_eq!(call("auth_username=demo&auth_password=typo"), "-");
        assert_eq!(call("auth_username=hunter2&auth_password=x"), "-");
    }
}
