//! `POST /verify-email` and `POST /verify-email/resend`.

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use super::password_reset::{accepted, issue_token, requested_email};
use super::responses::profile;
use super::throttle;
use crate::config::RateLimited;
use crate::domain::email;
use crate::domain::one_time_token::{self, Purpose};
use crate::domain::opaque_token::OpaqueToken;
use crate::http::{Request, Response, json};
use crate::outbound::events::Topic;
use crate::outbound::mail::{self, Template};
use crate::store::Store;
use crate::store::outbox::Message;
use crate::store::users::User;
use serde_json::json;

/// The verification mail for `user`, if the hourly limit allows one; used at registration and resend.
pub fn send_verification(
    ctx: &Ctx,
    tx: &Store,
    user: &User,
    messages: &mut Vec<Message>,
) -> Result<(), ApiError> {
    let ttl = ctx.config.email_verification_ttl()?;
    let link_template = ctx.config.email_verification_url()?;
    if let Some(token) = issue_token(ctx, tx, user, Purpose::EmailVerification, ttl)? {
        let link = mail::link(&link_template, token.as_str());
        messages.push(ctx.mail(
            Template::EmailVerification,
            &user.email,
            &user.username,
            Some(&link),
        )?);
    }
    Ok(())
}

pub fn verify_email(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let token = body.required_str("token", &mut errors);
    let Some(token) = token.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let token = OpaqueToken::parse(token).ok_or(ApiError::InvalidOneTimeToken)?;
    let store = ctx.store()?;
    let found = store.find_one_time_token(&token.hash(), Purpose::EmailVerification)?;
    let Some((user_id, _)) = found.filter(|(_, t)| one_time_token::is_usable(Some(t), ctx.now))
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
        messages.push(ctx.event(
            Topic::UserEmailVerified,
            json!({"user_id": user.id, "email": user.email, "username": user.username}),
        )?);
        Ok(user)
    })?;
    audit::record(
        ctx,
        "email_verified",
        Entry {
            user_id: Some(&user.id),
            ..Entry::default()
        },
    );
    Ok(Response::json(200, &profile(&user)).no_store())
}

pub fn resend(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let email = requested_email(request)?;
    throttle::limit(ctx, RateLimited::VerificationResend)?;
    let store = ctx.store()?;
    let user = store.user_by_email(&email::normalize(email.as_str()))?;
    if let Some(user) = user.filter(|u| !u.email_verified) {
        ctx.write(|tx, messages| send_verification(ctx, tx, &user, messages))?;
        audit::record(
            ctx,
            "verification_resent",
            Entry {
                user_id: Some(&user.id),
                ..Entry::default()
            },
        );
    }
    Ok(accepted())
}
