//! `POST /logout` (one session, RFC 7009 style: unknown tokens are fine) and `POST /logout/all`.

use super::audit::{self, Entry};
use super::auth::authenticate;
use super::ctx::Ctx;
use super::error::ApiError;
use super::messages::revoked_events;
use crate::domain::audit_event::AuditEvent;
use crate::domain::opaque_token::OpaqueToken;
use crate::domain::revocation::RevocationReason;
use crate::http::{Request, Response, bearer, json};

pub fn logout(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let presented = json::single_field(request, "refresh_token")?;
    // The Bearer token is optional, but one that is sent must be valid and must own the session.
    let caller = match bearer::token(request) {
        Some(_) => Some(authenticate(ctx, request)?.sub),
        None if request.header("authorization").is_some() => return Err(ApiError::InvalidToken),
        None => None,
    };
    if let Some(token) = OpaqueToken::parse(&presented) {
        let store = ctx.store()?;
        if let Some(found) = store.find_refresh_token(&token.hash())?
            && caller.as_ref().is_none_or(|sub| *sub == found.user_id)
        {
            audit::record(
                ctx,
                AuditEvent::Logout,
                Entry {
                    user_id: Some(&found.user_id),
                    session_id: Some(&found.session_id),
                    ..Entry::default()
                },
            );
            ctx.write(|tx, messages| {
                if tx.revoke_session(
                    &found.session_id,
                    RevocationReason::Logout.as_str(),
                    ctx.now,
                )? {
                    revoked_events(
                        ctx,
                        &found.user_id,
                        std::slice::from_ref(&found.session_id),
                        RevocationReason::Logout,
                        messages,
                    )?;
                }
                Ok(())
            })?;
        }
    }
    Ok(Response::new(204).no_store())
}

pub fn logout_all(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let caller = authenticate(ctx, request)?;
    ctx.write(|tx, messages| {
        let reason = RevocationReason::LogoutAll;
        let revoked = tx.revoke_user_sessions(&caller.sub, reason.as_str(), ctx.now)?;
        revoked_events(ctx, &caller.sub, &revoked, reason, messages)
    })?;
    audit::for_user(ctx, AuditEvent::LogoutAll, &caller.sub);
    Ok(Response::new(204).no_store())
}
