//! `POST /verify-email` and `POST /verify-email/resend`.

use super::audit;
use super::ctx::Ctx;
use super::error::ApiError;
use super::history;
use super::password_reset::{accepted, first_token, issue_token, requested_email};
use super::responses::profile;
use super::revocations::revoked_events;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::email;
use crate::domain::events::{Event, UserEvent};
use crate::domain::one_time_token::{self, Purpose};
use crate::domain::opaque_token::OpaqueToken;
use crate::domain::rate_limit::RateLimited;
use crate::domain::revocation::RevocationReason;
use crate::http::{Request, Response, json};
use crate::outbound::mail::{self, Template};
use crate::store::Tx;
use crate::store::one_time_tokens::FoundOneTimeToken;
use crate::store::outbox::Message;
use crate::store::users::User;

/// The verification mail for `user`, if the hourly limit allows one. A `new_account` has no earlier
/// links to count or retire, which spares the registration transaction two statements.
pub fn send_verification(
    ctx: &Ctx,
    tx: &Tx<'_>,
    user: &User,
    new_account: bool,
    messages: &mut Vec<Message>,
) -> Result<(), ApiError> {
    let ttl = ctx.config.email_verification_ttl()?;
    let link_template = ctx.config.email_verification_url()?;
    let token = if new_account {
        Some(first_token(ctx, tx, user, Purpose::EmailVerification, ttl)?)
    } else {
        issue_token(ctx, tx, user, Purpose::EmailVerification, ttl)?
    };
    if let Some(token) = token {
        let link = mail::link(&link_template, token.as_str());
        messages.push(
            ctx.mail(
                Template::EmailVerification,
                &user.email,
                &user.username,
                Some(&link),
            )?
            .expiring(ctx.now + ttl),
        );
    }
    Ok(())
}

pub fn verify_email(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let token = json::single_field(request, "token")?;
    let token = OpaqueToken::parse(&token).ok_or(ApiError::InvalidOneTimeToken)?;
    let store = ctx.store()?;
    let found = store.find_one_time_token(&token.hash(), Purpose::EmailVerification)?;
    let Some(FoundOneTimeToken { user_id, .. }) =
        found.filter(|f| one_time_token::is_usable(Some(&f.token), ctx.now))
    else {
        return Err(ApiError::InvalidOneTimeToken);
    };
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
