//! `POST /verify-email` and `POST /verify-email/resend`.

use super::audit;
use super::commands::requested_email;
use super::ctx::Ctx;
use super::error::ApiError;
use super::history;
use super::issuing::profile;
use super::messages::revoked_events;
use super::one_time_links::{accepted, send_verification, usable_token};
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::email;
use crate::domain::events::{Event, UserEvent};
use crate::domain::one_time_token::Purpose;
use crate::domain::rate_limit::RateLimited;
use crate::domain::revocation::RevocationReason;
use crate::http::{Request, Response, json};

pub fn verify_email(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let token = json::single_field(request, "token")?;
    let (token, user_id) = usable_token(ctx, &token, Purpose::EmailVerification)?;
    let user = ctx.write(|tx, messages| {
        if !tx.consume_one_time_token(&token.hash(), Purpose::EmailVerification, ctx.now)? {
            return Err(ApiError::InvalidOneTimeToken);
        }
        tx.set_email_verified(&user_id, ctx.now)?;
        let user = tx
            .user_by_id(&user_id)?
            .ok_or(ApiError::InvalidOneTimeToken)?;
        messages.push(ctx.event(Event::UserEmailVerified(UserEvent::from(&user)))?);
        // Whoever signed in before the owner proved the address may have registered it first
        // (pre-hijacking): those sessions end, and the owner signs in again.
        let reason = RevocationReason::EmailVerified;
        let ended = tx.revoke_user_sessions(&user_id, reason.as_str(), ctx.now)?;
        revoked_events(ctx, &user_id, &ended, reason, messages)?;
        history::record(ctx, tx, &user_id, "email_verified")?;
        Ok(user)
    })?;
    audit::for_user(ctx, AuditEvent::EmailVerified, &user.id);
    Ok(Response::json(200, &profile(&user)).no_store())
}

pub fn resend(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let email = requested_email(request)?;
    throttle::limit(ctx, RateLimited::VerificationResend)?;
    let store = ctx.store()?;
    let user = store.user_by_email(&email::normalize(email.as_str()))?;
    if let Some(user) = user.filter(|u| !u.email_verified) {
        ctx.write(|tx, messages| send_verification(ctx, tx, &user, false, messages))?;
        audit::for_user(ctx, AuditEvent::VerificationResent, &user.id);
    }
    Ok(accepted())
}
