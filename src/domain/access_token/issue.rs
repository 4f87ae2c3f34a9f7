//! Signing a new access token, through jwt-simple.

use super::claims::{SessionClaims, TOKEN_TYPE, TokenError};
use crate::domain::ids::UserId;
use crate::domain::keys::SigningKey;
use jwt_simple::prelude::{Audiences, Duration, EdDSAKeyPairLike, HeaderOptions, JWTClaims};

pub struct IssueParams<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub subject: &'a UserId,
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
        subject: Some(params.subject.to_string()),
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
