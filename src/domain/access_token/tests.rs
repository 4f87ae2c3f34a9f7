//! Issuing and both verifiers together: every token issued verifies, every forgery fails, and the
//! fast check and the reference always agree.

use super::reference::verify_with_jwt_simple;
use super::*;
use crate::domain::ids::{SessionId, UserId};
use crate::domain::keys::{PublicKey, SigningKey, b64url};
use jwt_simple::prelude::Token;
use serde_json::{Value, json};

const NOW: u64 = 1_800_000_000;
const SEED: [u8; 32] = [42; 32];

fn claims() -> SessionClaims {
    SessionClaims {
        sid: SessionId::trusted("sess-1".into()),
        username: "alice".into(),
        email: "alice@example.com".into(),
        email_verified: false,
        is_admin: false,
    }
}

/// The same key as jwt-simple sees it (for issuing) and as a raw signer (for forging).
fn keys() -> (SigningKey, ed25519_dalek::SigningKey) {
    let raw = ed25519_dalek::SigningKey::from_bytes(&SEED);
    let ours = SigningKey::from_stored(&b64url(&raw.to_keypair_bytes())).unwrap();
    (ours, raw)
}

fn issue_at(key: &SigningKey, now: u64, ttl: u64) -> String {
    let params = IssueParams {
        issuer: "https://auth.test",
        audience: "chatty",
        subject: &UserId::trusted("user-1".into()),
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

/// Both verification paths, which must always agree.
fn both(token: &str, expect: &Expectations<'_>) -> Result<VerifiedToken, TokenError> {
    let fast = verify(token, expect);
    let reference = verify_with_jwt_simple(token, expect);
    assert_eq!(
        fast.is_ok(),
        reference.is_ok(),
        "paths disagree on {token}: {fast:?} vs {reference:?}"
    );
    if let (Ok(a), Ok(b)) = (&fast, &reference) {
        assert_eq!(a, b);
    }
    fast
}

fn sign(raw: &ed25519_dalek::SigningKey, header: &Value, claims: &Value) -> String {
    use ed25519_dalek::Signer;
    let signed = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = raw.sign(signed.as_bytes());
    format!("{signed}.{}", b64url(&signature.to_bytes()))
}

fn genuine_claims() -> Value {
    json!({
        "iat": NOW, "nbf": NOW, "exp": NOW + 900, "iss": "https://auth.test", "aud": "chatty",
        "sub": "user-1", "jti": "jti-1", "sid": "sess-1", "username": "alice",
        "email": "alice@example.com", "email_verified": false, "is_admin": false,
    })
}

#[test]
fn a_fresh_token_verifies_with_all_its_claims_on_both_paths() {
    let (key, _) = keys();
    let token = issue_at(&key, NOW, 900);
    let keys = [key.public()];
    let verified = both(&token, &expect(&keys, NOW)).unwrap();
    assert_eq!(verified.sub, "user-1");
    assert_eq!(verified.jti, "jti-1");
    assert_eq!(verified.exp, NOW + 900);
    assert_eq!(verified.iat, NOW);
    assert_eq!(verified.claims, claims());
}

#[test]
fn every_issued_token_verifies_on_both_paths() {
    for _ in 0..50 {
        let key = SigningKey::generate();
        let keys = [key.public()];
        let token = issue_at(&key, NOW, 900);
        assert!(both(&token, &expect(&keys, NOW + 30)).is_ok());
    }
}

#[test]
fn the_header_names_algorithm_type_and_key() {
    let (key, _) = keys();
    let token = issue_at(&key, NOW, 900);
    let metadata = Token::decode_metadata(&token).unwrap();
    assert_eq!(metadata.algorithm(), "EdDSA");
    assert_eq!(metadata.signature_type(), Some("at+jwt"));
    assert_eq!(metadata.key_id(), Some(key.kid.as_str()));
}

#[test]
fn expiry_and_not_before_allow_only_the_leeway() {
    let (key, _) = keys();
    let keys = [key.public()];
    let token = issue_at(&key, NOW, 900);
    assert!(both(&token, &expect(&keys, NOW + 900 + LEEWAY_SECS)).is_ok());
    assert!(both(&token, &expect(&keys, NOW + 901 + LEEWAY_SECS)).is_err());
    assert!(both(&token, &expect(&keys, NOW - LEEWAY_SECS)).is_ok());
    assert!(both(&token, &expect(&keys, NOW - LEEWAY_SECS - 1)).is_err());
}

#[test]
fn refuses_other_keys_issuers_and_audiences() {
    let (key, _) = keys();
    let token = issue_at(&key, NOW, 900);
    let other = [SigningKey::generate().public()];
    assert_eq!(
        both(&token, &expect(&other, NOW)),
        Err(TokenError::UnknownKey)
    );
    let keys = [key.public()];
    let mut wrong_iss = expect(&keys, NOW);
    wrong_iss.issuer = "https://evil.test";
    assert!(both(&token, &wrong_iss).is_err());
    let mut wrong_aud = expect(&keys, NOW);
    wrong_aud.audience = "other";
    assert!(both(&token, &wrong_aud).is_err());
}

#[test]
fn a_retired_key_still_verifies_its_tokens() {
    let old = SigningKey::generate();
    let token = issue_at(&old, NOW, 900);
    let keys = [SigningKey::generate().public(), old.public()];
    assert!(both(&token, &expect(&keys, NOW)).is_ok());
}

#[test]
fn the_forging_harness_makes_tokens_both_paths_accept() {
    let (key, raw) = keys();
    let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": key.kid});
    let keys = [key.public()];
    assert!(both(&sign(&raw, &header, &genuine_claims()), &expect(&keys, NOW)).is_ok());
    // Variations jwt-simple also accepts: typ in capitals, an audience list, float times.
    let upper = json!({"alg": "EdDSA", "typ": "AT+JWT", "kid": key.kid});
    assert!(both(&sign(&raw, &upper, &genuine_claims()), &expect(&keys, NOW)).is_ok());
    let mut listed = genuine_claims();
    listed["aud"] = json!(["other", "chatty"]);
    listed["exp"] = json!((NOW + 900) as f64 + 0.5);
    assert!(both(&sign(&raw, &header, &listed), &expect(&keys, NOW)).is_ok());
}

#[test]
fn every_forgery_fails_on_both_paths() {
    let (key, raw) = keys();
    let keys = [key.public()];
    let header = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": key.kid});
    let genuine = sign(&raw, &header, &genuine_claims());
    let with = |name: &str, value: Value| {
        let mut c = genuine_claims();
        if value.is_null() {
            c.as_object_mut().unwrap().remove(name);
        } else {
            c[name] = value;
        }
        sign(&raw, &header, &c)
    };
    let with_header = |h: Value| sign(&raw, &h, &genuine_claims());
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let parts: Vec<&str> = genuine.split('.').collect();
    let mut flipped = crate::domain::keys::b64url(&[0u8; 64]);
    flipped.truncate(86);
    let tampered_payload = {
        let mut c = genuine_claims();
        c["is_admin"] = json!(true);
        format!(
            "{}.{}.{}",
            parts[0],
            b64url(c.to_string().as_bytes()),
            parts[2]
        )
    };
    let forgeries: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64url(
                    json!({"alg": "none", "typ": "at+jwt", "kid": key.kid})
                        .to_string()
                        .as_bytes()
                ),
                parts[1]
            ),
        ),
        (
            "alg HS256 header",
            with_header(json!({"alg": "HS256", "typ": "at+jwt", "kid": key.kid})),
        ),
        (
            "another key under the real kid",
            sign(&other, &header, &genuine_claims()),
        ),
        (
            "unknown kid",
            with_header(json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "nope"})),
        ),
        (
            "no kid",
            with_header(json!({"alg": "EdDSA", "typ": "at+jwt"})),
        ),
        (
            "typ JWT",
            with_header(json!({"alg": "EdDSA", "typ": "JWT", "kid": key.kid})),
        ),
        (
            "no typ",
            with_header(json!({"alg": "EdDSA", "kid": key.kid})),
        ),
        (
            "critical extension",
            with_header(json!({"alg": "EdDSA", "typ": "at+jwt", "kid": key.kid, "crit": ["exp"]})),
        ),
        ("wrong issuer", with("iss", json!("https://evil.test"))),
        ("no issuer", with("iss", Value::Null)),
        ("wrong audience", with("aud", json!("other"))),
        ("no audience", with("aud", Value::Null)),
        ("expired", with("exp", json!(NOW - 60))),
        ("not yet valid", with("nbf", json!(NOW + 600))),
        ("issued in the future", with("iat", json!(NOW + 600))),
        ("no expiry", with("exp", Value::Null)),
        ("no subject", with("sub", Value::Null)),
        ("no session", with("sid", Value::Null)),
        ("negative time", with("iat", json!(-1))),
        ("tampered payload", tampered_payload),
        (
            "zero signature",
            format!("{}.{}.{}", parts[0], parts[1], flipped),
        ),
        (
            "short signature",
            format!("{}.{}.{}", parts[0], parts[1], &parts[2][..40]),
        ),
        ("extra part", format!("{genuine}.x")),
        ("two parts", format!("{}.{}", parts[0], parts[1])),
        ("garbage", "not a token".into()),
        ("empty", String::new()),
        ("too long", "a".repeat(MAX_TOKEN_LEN + 1)),
    ];
    for (flaw, token) in forgeries {
        assert!(
            both(&token, &expect(&keys, NOW)).is_err(),
            "accepted: {flaw}"
        );
    }
}

#[test]
fn the_unverified_peek_finds_key_and_session() {
    let (key, _) = keys();
    let token = issue_at(&key, NOW, 900);
    let peek = decode_unverified(&token).unwrap();
    assert_eq!(peek.kid.as_deref(), Some(key.kid.as_str()));
    assert_eq!(peek.sid.as_ref().map(SessionId::as_str), Some("sess-1"));
    assert!(decode_unverified("x").is_err());
}
