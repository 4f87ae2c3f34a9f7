//! What a sign-in hands out, shared by the endpoints that answer with it: the account's profile,
//! a fresh refresh token, and the token pair of a session.

use super::ctx::{self, Ctx};
use super::error::ApiError;
use super::keyring;
use crate::domain::access_token::{self, IssueParams, SessionClaims};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::keys::SigningKey;
use crate::domain::opaque_token::OpaqueToken;
use crate::domain::session;
use crate::domain::time::rfc3339;
use crate::http::Response;
use crate::store::users::User;
use serde::Serialize;

/// The account as its owner sees it. Fields in the order the answers have always listed them
/// (alphabetical), here and in every body below.
#[derive(Serialize)]
pub struct Profile<'a> {
    created_at: String,
    email: &'a str,
    email_verified: bool,
    id: &'a UserId,
    username: &'a str,
}

pub fn profile(user: &User) -> Profile<'_> {
    Profile {
        created_at: rfc3339(user.created_at),
        email: &user.email,
        email_verified: user.email_verified,
        id: &user.id,
        username: &user.username,
    }
}

/// The login and refresh answer (RFC 6749 section 5.1, plus the refresh token's own lifetime).
#[derive(Serialize)]
struct TokenPair<'a> {
    access_token: &'a str,
    expires_in: i64,
    refresh_expires_in: i64,
    refresh_token: &'a str,
    token_type: &'static str,
}

/// A fresh refresh token (the secret for the client) and its hash (for the database).
pub fn new_refresh_token() -> Result<(OpaqueToken, String), ApiError> {
    let token = OpaqueToken::from_random(ctx::random()?);
    let hash = token.hash();
    Ok((token, hash))
}

/// The login/refresh answer: a new access token for the session plus the client's refresh token.
pub fn token_pair(
    ctx: &Ctx,
    user: &User,
    session_id: &SessionId,
    session_expires_at: i64,
    refresh: &OpaqueToken,
) -> Result<Response, ApiError> {
    let key = keyring::signing_key(ctx)?;
    token_pair_signed_with(ctx, &key, user, session_id, session_expires_at, refresh)
}

/// As `token_pair`, with the signing key the caller already holds.
pub fn token_pair_signed_with(
    ctx: &Ctx,
    key: &SigningKey,
    user: &User,
    session_id: &SessionId,
    session_expires_at: i64,
    refresh: &OpaqueToken,
) -> Result<Response, ApiError> {
    let expires_at =
        session::access_expiry(ctx.now, ctx.config.access_token_ttl()?, session_expires_at);
    let jti = ctx.new_id()?;
    let issuer = ctx.config.issuer()?;
    let audience = ctx.config.audience()?;
    let access = access_token::issue(
        key,
        &IssueParams {
            issuer: &issuer,
            audience: &audience,
            subject: &user.id,
            jti: &jti,
            now: u64::try_from(ctx.now).unwrap_or(0),
            expires_at: u64::try_from(expires_at).unwrap_or(0),
        },
        SessionClaims {
            sid: session_id.to_owned(),
            username: user.username.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            is_admin: user.is_admin,
        },
    )
    .map_err(|e| ApiError::Internal(format!("signing failed: {e:?}")))?;
    Ok(Response::json(
        200,
        &TokenPair {
            access_token: &access,
            expires_in: expires_at - ctx.now,
            refresh_expires_in: session::remaining(session_expires_at, ctx.now),
            refresh_token: refresh.as_str(),
            token_type: "Bearer",
        },
    )
    .no_store())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    #[test]
    fn the_profile_body_keeps_its_members_and_their_order() {
        let user = User {
            id: UserId::trusted("0190a0a0-0000-7000-8000-000000000001".into()),
            email: "Ann@Example.com".into(),
            username: "ann".into(),
            password_hash: "never shown".into(),
            email_verified: false,
            is_admin: true,
            created_at: 0,
            disabled_at: None,
        };
        assert_eq!(
            serde_json::to_string(&profile(&user)).unwrap(),
            r#"{"created_at":"1970-01-01T00:00:00Z","email":"Ann@Example.com","email_verified":false,"id":"0190a0a0-0000-7000-8000-000000000001","username":"ann"}"#
        );
    }
}
