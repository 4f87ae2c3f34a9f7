//! `GET /verify` (token introspection for the platform's services) and `GET /me`.

use super::auth::authenticate;
use super::ctx::Ctx;
use super::error::ApiError;
use super::issuing::profile;
use crate::http::{Request, Response};
use serde_json::json;

pub fn verify(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let token = authenticate(ctx, request)?;
    Ok(Response::json(
        200,
        &json!({
            "active": true,
            "sub": token.sub,
            "username": token.claims.username,
            "email": token.claims.email,
            "email_verified": token.claims.email_verified,
            "is_admin": token.claims.is_admin,
            "session_id": token.claims.sid,
            "exp": token.exp,
            "iat": token.iat,
        }),
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
