//! The fast access-token check used on every request of `/verify`.
//!
//! jwt-simple's Ed25519 arithmetic multiplies 128-bit integers, which Wasm emulates; ed25519-dalek's
//! 32-bit backend does not, and checks a signature in about half the time. After the signature, the
//! rules are exactly jwt-simple's (see `reference.rs`): header size, no critical
//! extensions, `typ` `at+jwt` (any case), `alg` `EdDSA`, a known `kid`; then `iat` and `nbf` no later
//! than now plus the leeway, `exp` no earlier than now minus it, the configured issuer and audience,
//! and every claim the service needs present.

use super::claims::{
    LEEWAY_SECS, MAX_TOKEN_LEN, SessionClaims, TOKEN_TYPE, TokenError, VerifiedToken,
};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::keys::PublicKey;
use ct_codecs::{Base64UrlSafeNoPadding, Decoder};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// What a verifier must be told: which keys, issuer and audience to accept, and the time.
pub struct Expectations<'a> {
    pub keys: &'a [PublicKey],
    pub issuer: &'a str,
    pub audience: &'a str,
    pub now: u64,
}

/// jwt-simple refuses headers longer than this before decoding them.
const MAX_HEADER_B64: usize = 8192;

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    kid: Option<String>,
    crit: Option<Vec<String>>,
    salt: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Audience::One(a) => a == wanted,
            Audience::Many(all) => all.iter().any(|a| a == wanted),
        }
    }
}

/// A Unix time in whole seconds, read as jwt-simple reads it: non-negative integers, or a float
/// truncated toward zero.
#[derive(Clone, Copy)]
struct Timestamp(u64);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Secs;
        impl Visitor<'_> for Secs {
            type Value = Timestamp;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Unix timestamp")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                u64::try_from(v)
                    .map(Timestamp)
                    .map_err(|_| E::custom("negative timestamp"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                // Saturating, as Rust's float-to-integer cast is.
                Ok(Timestamp(v as u64))
            }
        }
        deserializer.deserialize_i64(Secs)
    }
}

#[derive(Deserialize)]
struct Claims {
    iat: Option<Timestamp>,
    exp: Option<Timestamp>,
    nbf: Option<Timestamp>,
    iss: Option<String>,
    sub: Option<UserId>,
    aud: Option<Audience>,
    jti: Option<String>,
    sid: SessionId,
    username: String,
    email: String,
    email_verified: bool,
    is_admin: bool,
}

fn b64(text: &str) -> Result<Vec<u8>, TokenError> {
    Base64UrlSafeNoPadding::decode_to_vec(text, None).map_err(|_| TokenError::Malformed)
}

/// What a token claims about itself, before any check: the key it names and its session. Lets the
/// caller fetch the key and the session state in one database round trip.
pub struct Unverified {
    pub kid: Option<String>,
    pub sid: Option<SessionId>,
}

pub fn decode_unverified(token: &str) -> Result<Unverified, TokenError> {
    #[derive(Deserialize)]
    struct Peek {
        kid: Option<String>,
    }
    #[derive(Deserialize)]
    struct PeekClaims {
        sid: Option<SessionId>,
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims)) = (parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    if token.len() > MAX_TOKEN_LEN || header.len() > MAX_HEADER_B64 {
        return Err(TokenError::Malformed);
    }
    let header: Peek = serde_json::from_slice(&b64(header)?).map_err(|_| TokenError::Malformed)?;
    let claims: PeekClaims =
        serde_json::from_slice(&b64(claims)?).map_err(|_| TokenError::Malformed)?;
    Ok(Unverified {
        kid: header.kid,
        sid: claims.sid,
    })
}

pub fn verify(token: &str, expect: &Expectations<'_>) -> Result<VerifiedToken, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    if header_b64.len() > MAX_HEADER_B64 {
        return Err(TokenError::Malformed);
    }
    let header: Header =
        serde_json::from_slice(&b64(header_b64)?).map_err(|_| TokenError::Malformed)?;
    if header.crit.is_some_and(|c| !c.is_empty()) {
        return Err(TokenError::BadSignatureOrClaims);
    }
    let typ_ok = header
        .typ
        .is_some_and(|t| t.to_uppercase() == TOKEN_TYPE.to_uppercase());
    if !typ_ok || header.alg != "EdDSA" {
        return Err(TokenError::BadSignatureOrClaims);
    }
    let kid = header.kid.ok_or(TokenError::UnknownKey)?;
    let key = expect
        .keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(TokenError::UnknownKey)?;
    if let Some(salt) = header.salt {
        b64(&salt)?;
    }
    let signature = b64(signature_b64)?;
    let signed_len = header_b64.len() + 1 + claims_b64.len();
    let signed = token
        .as_bytes()
        .get(..signed_len)
        .ok_or(TokenError::Malformed)?;
    check_signature(key, signed, &signature)?;

    let claims: Claims =
        serde_json::from_slice(&b64(claims_b64)?).map_err(|_| TokenError::BadSignatureOrClaims)?;
    check_claims(&claims, expect)?;
    let (Some(sub), Some(jti), Some(exp), Some(iat), Some(_)) =
        (claims.sub, claims.jti, claims.exp, claims.iat, claims.nbf)
    else {
        return Err(TokenError::MissingClaim);
    };
    Ok(VerifiedToken {
        sub,
        jti,
        exp: exp.0,
        iat: iat.0,
        claims: SessionClaims {
            sid: claims.sid,
            username: claims.username,
            email: claims.email,
            email_verified: claims.email_verified,
            is_admin: claims.is_admin,
        },
    })
}

/// Strict Ed25519 (RFC 8032 with canonical S and no small-order points).
fn check_signature(key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<(), TokenError> {
    let verifying =
        ed25519_dalek::VerifyingKey::from_bytes(&key.bytes).map_err(|_| TokenError::UnknownKey)?;
    let signature = ed25519_dalek::Signature::from_slice(signature)
        .map_err(|_| TokenError::BadSignatureOrClaims)?;
    verifying
        .verify_strict(message, &signature)
        .map_err(|_| TokenError::BadSignatureOrClaims)
}

fn check_claims(claims: &Claims, expect: &Expectations<'_>) -> Result<(), TokenError> {
    let now = expect.now;
    let fail = Err(TokenError::BadSignatureOrClaims);
    if claims
        .iat
        .is_some_and(|iat| iat.0 > now.saturating_add(LEEWAY_SECS))
    {
        return fail;
    }
    if claims
        .nbf
        .is_some_and(|nbf| now.saturating_add(LEEWAY_SECS) < nbf.0)
    {
        return fail;
    }
    if claims
        .exp
        .is_some_and(|exp| now < LEEWAY_SECS || now - LEEWAY_SECS > exp.0)
    {
        return fail;
    }
    if claims.iss.as_deref() != Some(expect.issuer) {
        return fail;
    }
    if !claims
        .aud
        .as_ref()
        .is_some_and(|aud| aud.contains(expect.audience))
    {
        return fail;
    }
    Ok(())
}
