//! `POST /logout` (one session, RFC 7009 style: unknown tokens are fine) and `POST /logout/all`.

use super::auth::authenticate;
use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::refresh_token::RefreshToken;
use crate::http::{Request, Response, bearer, json};

pub fn logout(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let presented = body.required_str("refresh_token", &mut errors);
    let Some(presented) = presented.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    // The Bearer token is optional, but one that is sent must be valid and must own the session.
    let caller = match bearer::token(request) {
        Some(_) => Some(authenticate(ctx, request)?.sub),
        None if request.header("authorization").is_some() => return Err(ApiError::InvalidToken),
        None => None,
    };
    if let Some(token) = RefreshToken::parse(presented) {
        let store = ctx.store()?;
        if let Some(found) = store.find_refresh_token(&token.hash())?
            && caller.as_ref().is_none_or(|sub| *sub == found.user_id)
        {
            store.revoke_session(&found.session_id, "logout", ctx.now)?;
        }
    }
    Ok(Response::new(204).no_store())
}

pub fn logout_all(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let caller = authenticate(ctx, request)?;
    ctx.store()?
        .revoke_user_sessions(&caller.sub, "logout_all", ctx.now)?;
    Ok(Response::new(204).no_store())
}
