//! `POST /me/email` and `POST /me/email/confirm`: the address changes only once a single-use link
//! mailed to the new address is used (one hour), so an account never moves to an address its
//! owner cannot read; until then sign-in keeps using the old one, which is told about the request.

use super::audit::{self, Entry};
use super::auth::caller;
use super::commands::EmailChange;
use super::ctx::Ctx;
use super::error::ApiError;
use super::history;
use super::issuing::profile;
use super::one_time_links::{Link, Notice, issue_token, link_mail, usable_token};
use super::reauth::check_password;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::email::{self, Email};
use crate::domain::events::{Event, UserEvent};
use crate::domain::one_time_token::{EMAIL_CHANGE_TTL_SECS, Purpose};
use crate::domain::rate_limit::RateLimited;
use crate::http::{FieldError, Request, Response, json};
use crate::outbound::mail::{Fill, Template};
use crate::store::users::Changed;

pub const ACCEPTED: &str = "A link to confirm the new address is on its way to it. \
                            Until it is used, the account keeps its current address.";

pub fn request_change(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (_, user) = caller(ctx, request)?;
    let EmailChange {
        password,
        new_email,
    } = EmailChange::parse(request)?;
    if new_email.normalized() == email::normalize(&user.email) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "new_email",
            "unchanged",
            "new_email is already the account's address",
        )]));
    }
    throttle::limit(ctx, RateLimited::Account)?;
    let store = ctx.store()?;
    check_password(ctx, store, &user, &password)?;
    if store.user_by_email(new_email.normalized())?.is_some() {
        return Err(ApiError::EmailTaken);
    }
    let url = ctx.config.email_change_url()?;
    let sent = ctx.write(|tx, messages| {
        let Some(token) = issue_token(ctx, tx, &user, Purpose::EmailChange, EMAIL_CHANGE_TTL_SECS)?
        else {
            return Ok(false);
        };
        tx.set_token_new_email(&token.hash(), new_email.as_str())?;
        let link = Link {
            template: Template::EmailChange,
            to: new_email.as_str(),
            username: &user.username,
            url: &url,
            ttl: EMAIL_CHANGE_TTL_SECS,
        };
        messages.push(link_mail(ctx, &link, &token)?);
        let masked = email::mask(new_email.as_str());
        messages.push(ctx.mail(
            Template::EmailChangeNotice,
            &user.email,
            &Fill::notice(&user.username, &masked),
        )?);
        history::record(ctx, tx, &user.id, "email_change_requested")?;
        Ok(true)
    })?;
    audit::record(
        ctx,
        AuditEvent::EmailChangeRequested,
        Entry {
            user_id: Some(&user.id),
            reason: Some(if sent { "mail_sent" } else { "throttled" }),
            ..Entry::default()
        },
    );
    Ok(Response::json(202, &Notice { message: ACCEPTED }).no_store())
}

pub fn confirm_change(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let token = json::single_field(request, "token")?;
    let (token, user_id) = usable_token(ctx, &token, Purpose::EmailChange)?;
    let user = ctx.write(|tx, messages| {
        if !tx.lock_user(&user_id)? {
            return Err(ApiError::InvalidOneTimeToken);
        }
        let new_email = tx
            .consume_email_change(&token.hash(), Purpose::EmailChange, ctx.now)?
            .ok_or(ApiError::InvalidOneTimeToken)?;
        let new_email = Email::parse(&new_email).map_err(|_| ApiError::InvalidOneTimeToken)?;
        let changed = tx.change_email(
            &user_id,
            new_email.as_str(),
            new_email.normalized(),
            ctx.now,
        )?;
        if changed == Changed::Taken {
            return Err(ApiError::EmailTaken);
        }
        // Links mailed to the old address (reset, verification) must not act on the new one.
        for purpose in [
            Purpose::EmailChange,
            Purpose::EmailVerification,
            Purpose::PasswordReset,
        ] {
            tx.invalidate_one_time_tokens(&user_id, purpose, ctx.now)?;
        }
        let user = tx
            .user_by_id(&user_id)?
            .ok_or(ApiError::InvalidOneTimeToken)?;
        history::record(ctx, tx, &user_id, "email_changed")?;
        messages.push(ctx.event(Event::UserEmailChanged(UserEvent::from(&user)))?);
        Ok(user)
    })?;
    audit::for_user(ctx, AuditEvent::EmailChanged, &user.id);
    Ok(Response::json(200, &profile(&user)).no_store())
}
