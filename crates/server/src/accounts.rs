//! Who may call the simulator: customers, people (owners) and users, with
//! their roles and rate plans. Loaded from a JSON file the user can edit, or
//! the built-in demo accounts. Passwords are stored as PBKDF2-SHA256 hashes.

use std::path::Path;

use hmac::Hmac;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// OWASP's 2023 advice for PBKDF2-HMAC-SHA256.
const ITERATIONS: u32 = 600_000;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Customer {
    pub(crate) id: u32,
    pub(crate) name: String,
    /// The reseller customer above this one, if any.
    #[serde(default)]
    parent: Option<u32>,
}

/// A person of a customer, who may own a conference.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Person {
    pub(crate) id: u32,
    pub(crate) customer: u32,
    pub(crate) name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) username: String,
    /// `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
    password_hash: String,
    pub(crate) customer: u32,
    /// The role's name, for people to read.
    role: String,
    /// [doc] conferences/create needs the "user" role privilege (else 402).
    pub(crate) user_privilege: bool,
    /// [doc] a rate plan can forbid conferences (403).
    pub(crate) rate_plan_allows_conferences: bool,
    /// A reseller may create in the customers below its own.
    #[serde(default)]
    pub(crate) reseller: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Accounts {
    customers: Vec<Customer>,
    people: Vec<Person>,
    users: Vec<User>,
    /// Checked against for an unknown username, so that it costs as much as a
    /// known one and the time does not tell which names exist.
    #[serde(skip)]
    dummy_hash: String,
}

/// The demo sign-ins the README lists: username = password.
pub(crate) const DEMO: &[(&str, &str)] = &[
    ("demo", "may create conferences in customer 1 (Demo Ltd)"),
    ("norole", "has a role without the user privilege (402)"),
    ("noplan", "has a rate plan without conferences (403)"),
    ("reseller", "a reseller who may create in customers 1 and 2"),
];

impl Accounts {
    /// The built-in demo accounts. Hashing is deliberately slow, so these use
    /// fewer iterations: their passwords are public anyway.
    pub(crate) fn demo() -> Accounts {
        let user = |name: &str, customer, role: &str, privilege, plan, reseller| User {
            username: name.to_owned(),
            password_hash: hash_password_with(name, 1_000),
            customer,
            role: role.to_owned(),
            user_privilege: privilege,
            rate_plan_allows_conferences: plan,
            reseller,
        };
        let customer = |id, name: &str, parent| Customer {
            id,
            name: name.to_owned(),
            parent,
        };
        let person = |id, customer, name: &str| Person {
            id,
            customer,
            name: name.to_owned(),
        };
        Accounts {
            dummy_hash: String::new(),
            customers: vec![
                customer(1, "Demo Ltd", Some(100)),
                customer(2, "Second Customer plc", Some(100)),
                customer(3, "Elsewhere Inc", None),
                customer(100, "Demo Reseller", None),
            ],
            people: vec![
                person(10, 1, "Ada Lovelace"),
                person(11, 1, "Alan Turing"),
                person(20, 2, "Grace Hopper"),
                person(30, 3, "Edsger Dijkstra"),
            ],
            users: vec![
                user("demo", 1, "Administrator", true, true, false),
                user("norole", 1, "Read only", false, true, false),
                user("noplan", 3, "Administrator", true, false, false),
                user("reseller", 100, "Reseller", true, true, true),
            ],
        }
        .with_dummy_hash()
    }

    pub(crate) fn load(path: &Path) -> Result<Accounts, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let accounts: Accounts =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(accounts.with_dummy_hash())
    }

    /// The dummy hash takes the most iterations any user's hash has.
    fn with_dummy_hash(mut self) -> Accounts {
        let iterations = self
            .users
            .iter()
            .filter_map(|u| u.password_hash.split('$').nth(1)?.parse::<u32>().ok())
            .filter(|&n| (1..=MAX_ITERATIONS).contains(&n))
            .max()
            .unwrap_or(ITERATIONS);
        self.dummy_hash = hash_password_with("not a password", iterations);
        self
    }

    pub(crate) fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    pub(crate) fn customer(&self, id: u32) -> Option<&Customer> {
        self.customers.iter().find(|c| c.id == id)
    }

    /// Whether `user` may see (and create in) customer `id`: its own, or one
    /// below it for a reseller.
    pub(crate) fn can_see_customer(&self, user: &User, id: u32) -> bool {
        if id == user.customer {
            return self.customer(id).is_some();
        }
        user.reseller
            && self
                .customer(id)
                .is_some_and(|c| c.parent == Some(user.customer))
    }

    pub(crate) fn person(&self, id: u32) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// Checks a password in constant time with respect to the stored hash; an
    /// unknown user costs one hash too.
    pub(crate) fn verify(&self, username: &str, password: &str) -> Option<&User> {
        let (user, stored) = self.stored_hash(username);
        let verified = verify_password(password, stored);
        user.filter(|_| verified)
    }

    /// The user and the hash a password for `username` is checked against:
    /// for an unknown name, the dummy hash.
    fn stored_hash(&self, username: &str) -> (Option<&User>, &str) {
        match self.user(username) {
            Some(user) => (Some(user), &user.password_hash),
            None => (None, &self.dummy_hash),
        }
    }
}

/// A hash for an accounts file. A NUL is refused: HMAC pads a short key
/// with zeros, so `pw` and `pw\0` would hash alike.
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.contains('\0') {
        return Err("a password may not contain a NUL character".into());
    }
    Ok(hash_password_with(password, ITERATIONS))
}

const MAX_ITERATIONS: u32 = 10_000_000;

fn hash_password_with(password: &str, iterations: u32) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS has randomness");
    let hash = derive(password, &salt, iterations);
    format!("pbkdf2-sha256${iterations}${}${}", hex(&salt), hex(&hash))
}

fn derive(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2::<Hmac<Sha256>>(password.as_bytes(), salt, iterations, &mut out)
        .expect("HMAC takes any key length");
    out
}

fn verify_password(password: &str, stored: &str) -> bool {
    // No stored password holds a NUL (see hash_password), and with HMAC's zero
    // padding `pw\0` would otherwise match `pw`.
    let refused = password.contains('\0');
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iterations), Some(salt), Some(hash)) =
        (iterations.parse::<u32>(), unhex(salt), unhex(hash))
    else {
        return false;
    };
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return false;
    }
    let derived = derive(password, &salt, iterations);
    // subtle's comparison takes the same time wherever the bytes differ.
    bool::from(derived[..].ct_eq(&hash)) && !refused
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password_with("secret", 10);
        let b = hash_password_with("secret", 10);
        assert_ne!(a, b);
        assert!(verify_password("secret", &a));
        assert!(!verify_password("Secret", &a));
        assert!(!verify_password("secret", "plain"));
        assert!(!verify_password("secret", "pbkdf2-sha256$0$00$00"));
    }

    #[test]
    fn trailing_nuls_do_not_sign_in() {
        let accounts = Accounts::demo();
        assert!(accounts.verify("demo", "demo").is_some());
        assert!(accounts.verify("demo", "demo\0").is_none());
        assert!(accounts.verify("demo", "demo\0\0\0").is_none());
        assert!(hash_password("a\0").is_err());
    }

    #[test]
    fn unknown_users_cost_a_hash_of_the_same_iterations() {
        let mut accounts = Accounts::demo();
        for user in &mut accounts.users {
            user.password_hash = hash_password_with(&user.username, 40_000);
        }
        let accounts = accounts.with_dummy_hash();
        // The cost of a check is its hash's iteration count: the same for a
        // name that exists and one that does not (no clock needed).
        let iterations = |name: &str| {
            let (user, stored) = accounts.stored_hash(name);
            (user.is_some(), stored.split('$').nth(1).unwrap().to_owned())
        };
        assert_eq!(iterations("demo"), (true, "40000".to_owned()));
        assert_eq!(iterations("nobody"), (false, "40000".to_owned()));
        assert!(accounts.verify("nobody", "wrong").is_none());
        assert!(accounts.verify("demo", "demo").is_some());
    }

    #[test]
    fn demo_accounts_and_visibility() {
        let accounts = Accounts::demo();
        let demo = accounts.verify("demo", "demo").unwrap();
        assert!(accounts.verify("demo", "wrong").is_none());
        assert!(accounts.can_see_customer(demo, 1));
        assert!(!accounts.can_see_customer(demo, 2));
        let reseller = accounts.user("reseller").unwrap();
        assert!(accounts.can_see_customer(reseller, 2));
        assert!(!accounts.can_see_customer(reseller, 3));
        assert!(!accounts.can_see_customer(reseller, 999));
    }
}
