//! Access tokens: EdDSA-signed JWTs (`typ` `at+jwt`, RFC 9068) that other services verify offline.

use super::keys::{PublicKey, SigningKey};
use jwt_simple::prelude::{
    Audiences, Duration, EdDSAKeyPairLike, EdDSAPublicKeyLike, HeaderOptions, JWTClaims, Token,
    VerificationOptions,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const TOKEN_TYPE: &str = "at+jwt";
/// Clock difference tolerated between replicas, for `exp`, `nbf` and `iat` alike.
pub const LEEWAY_SECS: u64 = 5;
/// Longest token accepted for verification; ours are well under 1 KiB.
pub const MAX_TOKEN_LEN: usize = 4096;

/// The service's own claims, beside the registered ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sid: String,
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    pub is_admin: bool,
}

/// Everything a verified token says, as `/verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub sub: String,
    pub jti: String,
    pub exp: u64,
    pub iat: u64,
    pub claims: SessionClaims,
}

/// Why a token was refused; never shown to clients in detail (they all get `invalid_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    UnknownKey,
    BadSignatureOrClaims,
    MissingClaim,
}

pub struct IssueParams<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub subject: &'a str,
    pub jti: &'a str,
    pub now: u64,
    pub expires_at: u64,
}

pub fn issue(
    key: &SigningKey,
    params: &IssueParams<'_>,
    claims: SessionClaims,
) -> Result<String, TokenError> {
    let now = Duration::from_secs(params.now);
    let jwt = JWTClaims {
        issued_at: Some(now),
        expires_at: Some(Duration::from_secs(params.expires_at)),
        invalid_before: Some(now),
        issuer: Some(params.issuer.to_owned()),
        subject: Some(params.subject.to_owned()),
        audiences: Some(Audiences::AsString(params.audience.to_owned())),
        jwt_id: Some(params.jti.to_owned()),
        nonce: None,
        custom: claims,
    };
    let options = HeaderOptions {
        signature_type: Some(TOKEN_TYPE.to_owned()),
        ..HeaderOptions::default()
    };
    key.pair()
        .sign_with_options(jwt, &options)
        .map_err(|_| TokenError::Malformed)
}

/// What a verifier must be told: which keys, issuer and audience to accept, and the time.
pub struct Expectations<'a> {
    pub keys: &'a [PublicKey],
    pub issuer: &'a str,
    pub audience: &'a str,
    pub now: u64,
}

/// Verification through jwt-simple: algorithm EdDSA only, a known `kid`, `typ` `at+jwt`, the
/// configured issuer and audience, `exp`/`nbf`/`iat` with `LEEWAY_SECS`, and every claim present.
pub fn verify(token: &str, expect: &Expectations<'_>) -> Result<VerifiedToken, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let metadata = Token::decode_metadata(token).map_err(|_| TokenError::Malformed)?;
    if metadata.algorithm() != "EdDSA" {
        return Err(TokenError::BadSignatureOrClaims);
    }
    let kid = metadata.key_id().ok_or(TokenError::UnknownKey)?;
    let key = expect
        .keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(TokenError::UnknownKey)?;
    let options = VerificationOptions {
        required_key_id: Some(kid.to_owned()),
        required_signature_type: Some(TOKEN_TYPE.to_owned()),
        allowed_issuers: Some(HashSet::from([expect.issuer.to_owned()])),
        allowed_audiences: Some(HashSet::from([expect.audience.to_owned()])),
        time_tolerance: Some(Duration::from_secs(LEEWAY_SECS)),
        artificial_time: Some(Duration::from_secs(expect.now)),
        max_token_length: Some(MAX_TOKEN_LEN),
        ..VerificationOptions::default()
    };
    let public = key.jwt_simple().map_err(|_| TokenError::UnknownKey)?;
    let claims = public
        .verify_token::<SessionClaims>(token, Some(options))
        .map_err(|_| TokenError::BadSignatureOrClaims)?;
    let (Some(sub), Some(jti), Some(exp), Some(iat), Some(_nbf)) = (
        claims.subject,
        claims.jwt_id,
        claims.expires_at,
        claims.issued_at,
        claims.invalid_before,
    ) else {
        return Err(TokenError::MissingClaim);
    };
    Ok(VerifiedToken {
        sub,
        jti,
        exp: exp.as_secs(),
        iat: iat.as_secs(),
        claims: claims.custom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::keys::b64url;

    const NOW: u64 = 1_800_000_000;

    fn claims() -> SessionClaims {
        SessionClaims {
            sid: "sess-1".into(),
            username: "alice".into(),
            email: "alice@example.com".into(),
            email_verified: false,
            is_admin: false,
        }
    }

    fn issue_at(key: &SigningKey, now: u64, ttl: u64) -> String {
        let params = IssueParams {
            issuer: "https://auth.test",
            audience: "chatty",
            subject: "user-1",
            jti: "jti-1",
            now,
            expires_at: now + ttl,
        };
        issue(key, &params, claims()).unwrap()
    }

    fn expect(keys: &[PublicKey], now: u64) -> Expectations<'_> {
        Expectations {
            keys,
            issuer: "https://auth.test",
            audience: "chatty",
            now,
        }
    }

    #[test]
    fn a_fresh_token_verifies_with_all_its_claims() {
        let key = SigningKey::generate();
        let token = issue_at(&key, NOW, 900);
        let keys = [key.public()];
        let verified = verify(&token, &expect(&keys, NOW)).unwrap();
        assert_eq!(verified.sub, "user-1");
        assert_eq!(verified.jti, "jti-1");
        assert_eq!(verified.exp, NOW + 900);
        assert_eq!(verified.iat, NOW);
        assert_eq!(verified.claims, claims());
    }

    #[test]
    fn the_header_names_algorithm_type_and_key() {
        let key = SigningKey::generate();
        let token = issue_at(&key, NOW, 900);
        let metadata = Token::decode_metadata(&token).unwrap();
        assert_eq!(metadata.algorithm(), "EdDSA");
        assert_eq!(metadata.signature_type(), Some("at+jwt"));
        assert_eq!(metadata.key_id(), Some(key.kid.as_str()));
    }

    #[test]
    fn expiry_and_not_before_allow_only_the_leeway() {
        let key = SigningKey::generate();
        let keys = [key.public()];
        let token = issue_at(&key, NOW, 900);
        assert!(verify(&token, &expect(&keys, NOW + 900 + LEEWAY_SECS)).is_ok());
        assert!(verify(&token, &expect(&keys, NOW + 901 + LEEWAY_SECS)).is_err());
        assert!(verify(&token, &expect(&keys, NOW - LEEWAY_SECS)).is_ok());
        assert!(verify(&token, &expect(&keys, NOW - LEEWAY_SECS - 1)).is_err());
    }

    #[test]
    fn refuses_other_keys_issuers_and_audiences() {
        let key = SigningKey::generate();
        let token = issue_at(&key, NOW, 900);
        let other = [SigningKey::generate().public()];
        assert_eq!(
            verify(&token, &expect(&other, NOW)),
            Err(TokenError::UnknownKey)
        );
        let keys = [key.public()];
        let mut wrong_iss = expect(&keys, NOW);
        wrong_iss.issuer = "https://evil.test";
        assert!(verify(&token, &wrong_iss).is_err());
        let mut wrong_aud = expect(&keys, NOW);
        wrong_aud.audience = "other";
        assert!(verify(&token, &wrong_aud).is_err());
    }

    #[test]
    fn a_retired_key_still_verifies_its_tokens() {
        let old = SigningKey::generate();
        let token = issue_at(&old, NOW, 900);
        let keys = [SigningKey::generate().public(), old.public()];
        assert!(verify(&token, &expect(&keys, NOW)).is_ok());
    }

    #[test]
    fn refuses_tampered_and_unsigned_tokens() {
        let key = SigningKey::generate();
        let keys = [key.public()];
        let token = issue_at(&key, NOW, 900);
        let parts: Vec<&str> = token.split('.').collect();
        let forged_payload = b64url(
            br#"{"iat":1800000000,"exp":1900000000,"nbf":1800000000,"iss":"https://auth.test","sub":"user-2","aud":"chatty","jti":"x","sid":"s","username":"mallory","email":"m@example.com","email_verified":true,"is_admin":true}"#,
        );
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert!(verify(&tampered, &expect(&keys, NOW)).is_err());
        let none_header =
            b64url(format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#, key.kid).as_bytes());
        let unsigned = format!("{}.{}.", none_header, parts[1]);
        assert!(verify(&unsigned, &expect(&keys, NOW)).is_err());
        for junk in ["", "a.b", "a.b.c", "....", &"x".repeat(MAX_TOKEN_LEN + 1)] {
            assert!(verify(junk, &expect(&keys, NOW)).is_err(), "{junk}");
        }
    }
}
