//! `POST /password-reset` and `POST /password-reset/confirm` (OWASP Forgot Password Cheat Sheet):
//! the same answer whether or not the account exists, single-use hashed tokens, every session
//! revoked after a change, and a notification mail.

use super::audit::{self, Entry};
use super::commands::{ResetConfirmation, new_password, requested_email};
use super::ctx::{self, Ctx};
use super::error::ApiError;
use super::history;
use super::messages::revoked_events;
use super::one_time_links::{Link, Notice, accepted, issue_token, link_mail, usable_token};
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::email;
use crate::domain::events::{Event, UserEvent};
use crate::domain::lockout_key::Subject;
use crate::domain::one_time_token::Purpose;
use crate::domain::password::hash;
use crate::domain::rate_limit::RateLimited;
use crate::domain::revocation::RevocationReason;
use crate::http::{Request, Response};
use crate::outbound::mail::{Fill, Template};

pub fn request_reset(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let email = requested_email(request)?;
    throttle::limit(ctx, RateLimited::PasswordReset)?;
    let store = ctx.store()?;
    let Some(user) = store.user_by_email(&email::normalize(email.as_str()))? else {
        audit::record(
            ctx,
            AuditEvent::PasswordResetRequested,
            Entry {
                reason: Some("unknown_account"),
                ..Entry::default()
            },
        );
        return Ok(accepted());
    };
    let url = ctx.config.password_reset_url()?;
    let ttl = ctx.config.password_reset_ttl()?;
    let sent = ctx.write(|tx, messages| {
        let Some(token) = issue_token(ctx, tx, &user, Purpose::PasswordReset, ttl)? else {
            return Ok(false);
        };
        let link = Link {
            template: Template::PasswordReset,
            to: &user.email,
            username: &user.username,
            url: &url,
            ttl,
        };
        messages.push(link_mail(ctx, &link, &token)?);
        messages.push(ctx.event(Event::UserPasswordResetRequested(UserEvent::from(&user)))?);
        Ok(true)
    })?;
    let reason = if sent { "mail_sent" } else { "throttled" };
    audit::record(
        ctx,
        AuditEvent::PasswordResetRequested,
        Entry {
            user_id: Some(&user.id),
            reason: Some(reason),
            ..Entry::default()
        },
    );
    Ok(accepted())
}

pub fn confirm_reset(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let confirmation = ResetConfirmation::parse(request)?;
    let (token, user_id) = usable_token(ctx, &confirmation.token, Purpose::PasswordReset)?;
    let user = ctx
        .store()?
        .user_by_id(&user_id)?
        .ok_or(ApiError::InvalidOneTimeToken)?;
    let password = new_password(&confirmation.password, &user, "password")?;
    // Hash before the transaction: the write lock is not held for the length of a hash.
    let new_hash = hash::hash(
        &password,
        ctx.config.password_hash_params()?,
        &ctx::random()?,
    )
    .map_err(|e| ApiError::Internal(format!("hashing failed: {e:?}")))?;

    ctx.write(|tx, messages| {
        if !tx.consume_one_time_token(&token.hash(), Purpose::PasswordReset, ctx.now)? {
            return Err(ApiError::InvalidOneTimeToken);
        }
        tx.invalidate_one_time_tokens(&user.id, Purpose::PasswordReset, ctx.now)?;
        tx.set_password_hash(&user.id, &new_hash, ctx.now)?;
        let reason = RevocationReason::PasswordChanged;
        let revoked = tx.revoke_user_sessions(&user.id, reason.as_str(), ctx.now)?;
        // A new password empties every login bucket of the account: the owner proved control of
        // the mailbox, and an attacker must fail the whole ceiling again to re-arm it.
        tx.empty_buckets(&Subject::of_account(&user.email, &user.username, &user.id))?;
        // The notice and the change event first: the request delivers the first few messages
        // itself, and the session events of a large revocation are left to the drain.
        let notice = Fill::plain(&user.username);
        messages.push(ctx.mail(Template::PasswordChanged, &user.email, &notice)?);
        messages.push(ctx.event(Event::UserPasswordChanged(UserEvent::from(&user)))?);
        history::record(ctx, tx, &user.id, "password_reset")?;
        revoked_events(ctx, &user.id, &revoked, reason, messages)
    })?;
    audit::for_user(ctx, AuditEvent::PasswordResetCompleted, &user.id);
    Ok(Response::json(
        200,
        &Notice {
            message: "Your password was changed. Every session was signed out: sign in with the new password.",
        },
    )
    .no_store())
}
