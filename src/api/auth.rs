//! Authenticating a caller by access token: signature and claims, then the session still active.

use super::ctx::Ctx;
use super::error::ApiError;
use super::keyring;
use crate::domain::access_token::{self, Expectations, VerifiedToken};
use crate::http::{Request, bearer};

pub fn authenticate(ctx: &Ctx, request: &Request) -> Result<VerifiedToken, ApiError> {
    let token = bearer::token(request).ok_or(ApiError::InvalidToken)?;
    let keys = keyring::verification_keys(ctx)?;
    let issuer = ctx.config.issuer()?;
    let audience = ctx.config.audience()?;
    let verified = access_token::verify(
        token,
        &Expectations {
            keys: &keys,
            issuer: &issuer,
            audience: &audience,
            now: u64::try_from(ctx.now).unwrap_or(0),
        },
    )
    .map_err(|_| ApiError::InvalidToken)?;
    if !ctx
        .store()?
        .session_is_active(&verified.claims.sid, ctx.now)?
    {
        return Err(ApiError::InvalidToken);
    }
    Ok(verified)
}
