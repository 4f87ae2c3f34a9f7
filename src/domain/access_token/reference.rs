//! The reference verification, through jwt-simple: algorithm EdDSA only, a known `kid`, `typ`
//! `at+jwt`, the configured issuer and audience, `exp`/`nbf`/`iat` with `LEEWAY_SECS`, and every
//! claim present. The service runs the faster [`verify`](super::verify) instead; the tests hold
//! the two to each other, so this one is compiled for tests only.

use super::claims::{
    LEEWAY_SECS, MAX_TOKEN_LEN, SessionClaims, TOKEN_TYPE, TokenError, VerifiedToken,
};
use super::verify::Expectations;
use crate::domain::ids::UserId;
use jwt_simple::prelude::{
    Duration, Ed25519PublicKey, EdDSAPublicKeyLike, Token, VerificationOptions,
};
use std::collections::HashSet;

pub fn verify_with_jwt_simple(
    token: &str,
    expect: &Expectations<'_>,
) -> Result<VerifiedToken, TokenError> {
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
    let public = Ed25519PublicKey::from_bytes(&key.bytes).map_err(|_| TokenError::UnknownKey)?;
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
        sub: UserId::trusted(sub),
        jti,
        exp: exp.as_secs(),
        iat: iat.as_secs(),
        claims: claims.custom,
    })
}
