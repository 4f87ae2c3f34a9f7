//! `GET /verify` (token introspection for the platform's services) and `GET /me`.

use super::auth::authenticate;
use super::ctx::Ctx;
use super::error::ApiError;
use super::issuing::profile;
use crate::domain::ids::{SessionId, UserId};
use crate::http::{Request, Response};
use serde::Serialize;

/// What a valid access token says, for the platform's services.
#[derive(Serialize)]
struct Verified<'a> {
    active: bool,
    email: &'a str,
    email_verified: bool,
    exp: u64,
    iat: u64,
    is_admin: bool,
    session_id: &'a SessionId,
    sub: &'a UserId,
    username: &'a str,
}

pub fn verify(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let token = authenticate(ctx, request)?;
    Ok(Response::json(
        200,
        &Verified {
            active: true,
            email: &token.claims.email,
            email_verified: token.claims.email_verified,
            exp: token.exp,
            iat: token.iat,
            is_admin: token.claims.is_admin,
            session_id: &token.claims.sid,
            sub: &token.sub,
            username: &token.claims.username,
        },
    )
    .no_store())
}

pub fn me(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let token = authenticate(ctx, request)?;
    let user = ctx
        .store()?
        .user_by_id(&token.sub)?
        .ok_or(ApiError::InvalidToken)?;
    Ok(Response::json(200, &profile(&user)).no_store())
}
