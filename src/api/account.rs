//! The signed-in caller's own account: `POST /me/password`, `PATCH /me`, `DELETE /me`.

use super::audit;
use super::auth::caller;
use super::commands::{PasswordChange, new_password, wanted_username};
use super::ctx::{self, Ctx};
use super::deletion::delete_account;
use super::error::ApiError;
use super::history;
use super::issuing::profile;
use super::messages::revoked_events;
use super::reauth::check_password;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::events::{Event, UserEvent};
use crate::domain::one_time_token::Purpose;
use crate::domain::password::hash;
use crate::domain::rate_limit::RateLimited;
use crate::domain::revocation::RevocationReason;
use crate::http::{Request, Response, json};
use crate::outbound::mail::{Fill, Template};
use crate::store::users::Changed;

pub fn change_password(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (token, user) = caller(ctx, request)?;
    let change = PasswordChange::parse(request)?;
    let new = new_password(&change.new, &user, "new_password")?;
    throttle::limit(ctx, RateLimited::Account)?;
    check_password(ctx, ctx.store()?, &user, &change.current)?;
    // Hash before the transaction: the write lock is not held for the length of a hash.
    let new_hash = hash::hash(&new, ctx.config.password_hash_params()?, &ctx::random()?)
        .map_err(|e| ApiError::Internal(format!("hashing failed: {e:?}")))?;
    let this_session = token.claims.sid;
    ctx.write(|tx, messages| {
        // Swapped only if the password checked is still the account's: a concurrent change or
        // reset wins, and this one must be retried with the new password.
        if !tx.hold_credential(&user.id, &user.password_hash, Some(&new_hash), ctx.now)? {
            return Err(ApiError::InvalidCredentials);
        }
        tx.invalidate_one_time_tokens(&user.id, Purpose::PasswordReset, ctx.now)?;
        let reason = RevocationReason::PasswordChanged;
        let mut ended = Vec::new();
        for session in tx.live_sessions(&user.id, ctx.now)? {
            if session.id != this_session
                && tx.revoke_session(&session.id, reason.as_str(), ctx.now)?
            {
                ended.push(session.id);
            }
        }
        history::record(ctx, tx, &user.id, "password_changed")?;
        let notice = Fill::plain(&user.username);
        messages.push(ctx.mail(Template::PasswordChanged, &user.email, &notice)?);
        messages.push(ctx.event(Event::UserPasswordChanged(UserEvent::from(&user)))?);
        revoked_events(ctx, &user.id, &ended, reason, messages)
    })?;
    audit::for_user(ctx, AuditEvent::PasswordChanged, &user.id);
    Ok(Response::new(204).no_store())
}

pub fn update_profile(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (_, user) = caller(ctx, request)?;
    let wanted = wanted_username(request)?;
    if wanted.as_str() == user.username {
        return Ok(Response::json(200, &profile(&user)).no_store());
    }
    let updated = ctx.write(|tx, messages| {
        if !tx.lock_user(&user.id)? {
            return Err(ApiError::InvalidToken);
        }
        let changed =
            tx.change_username(&user.id, wanted.as_str(), &wanted.normalized(), ctx.now)?;
        if changed == Changed::Taken {
            return Err(ApiError::UsernameTaken);
        }
        let updated = tx.user_by_id(&user.id)?.ok_or(ApiError::InvalidToken)?;
        history::record(ctx, tx, &user.id, "username_changed")?;
        messages.push(ctx.event(Event::UserUpdated(UserEvent::from(&updated)))?);
        Ok(updated)
    })?;
    audit::for_user(ctx, AuditEvent::UsernameChanged, &user.id);
    Ok(Response::json(200, &profile(&updated)).no_store())
}

pub fn delete_me(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (_, user) = caller(ctx, request)?;
    let password = json::single_field(request, "password")?;
    throttle::limit(ctx, RateLimited::Account)?;
    check_password(ctx, ctx.store()?, &user, &password)?;
    let deleted = ctx.write(|tx, messages| delete_account(ctx, tx, &user.id, messages))?;
    if !deleted {
        return Err(ApiError::InvalidToken);
    }
    audit::for_user(ctx, AuditEvent::AccountDeleted, &user.id);
    Ok(Response::new(204).no_store())
}
