//! Signed sign-in tokens, as `user/login` with `token=1` hands out (4.1+):
//! a JWT (HS256) whose payload names the user and its expiry.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Claims {
    pub(crate) sub: String,
    /// Unix time after which the token is refused.
    pub(crate) exp: i64,
}

#[derive(Clone)]
pub(crate) struct Signer {
    key: Vec<u8>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

impl Signer {
    pub(crate) fn new(key: Vec<u8>) -> Self {
        Signer { key }
    }

    fn mac(&self, message: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        mac
    }

    pub(crate) fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let message = format!("{}.{}", B64.encode(HEADER), B64.encode(payload));
        let signature = B64.encode(self.mac(&message).finalize().into_bytes());
        format!("{message}.{signature}")
    }

    pub(crate) fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let (message, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let signature = B64.decode(signature).map_err(|_| TokenError::Malformed)?;
        // hmac's own check compares in constant time.
        if self.mac(message).verify_slice(&signature).is_err() {
            return Err(TokenError::BadSignature);
        }
        let (header, payload) = message.split_once('.').ok_or(TokenError::Malformed)?;
        if B64.decode(header).ok().as_deref() != Some(HEADER.as_bytes()) {
            return Err(TokenError::Malformed);
        }
        let payload = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify_until_they_expire() {
        let signer = Signer::new(b"key".to_vec());
        let token = signer.sign(&Claims {
            sub: "demo".into(),
            exp: 100,
        });
        assert_eq!(signer.verify(&token, 99).unwrap().sub, "demo");
        assert_eq!(signer.verify(&token, 100), Err(TokenError::Expired));
        assert_eq!(
            Signer::new(b"other".to_vec()).verify(&token, 0),
            Err(TokenError::BadSignature)
        );
        assert_eq!(signer.verify("nonsense", 0), Err(TokenError::Malformed));
        let mut forged = token.clone();
        forged.insert(forged.find('.').unwrap() + 2, 'x');
        assert!(signer.verify(&forged, 0).is_err());
    }
}
