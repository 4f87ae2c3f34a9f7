//! Single-use links mailed to an address (password reset, email verification, email change): the
//! enumeration-safe answer, issuing a token within the hourly limit, the mail that carries it, and
//! finding a presented token still usable.

use super::ctx::{self, Ctx};
use super::error::ApiError;
use crate::domain::ids::UserId;
use crate::domain::one_time_token::{self, Purpose, THROTTLE_WINDOW_SECS};
use crate::domain::opaque_token::OpaqueToken;
use crate::http::Response;
use crate::outbound::mail::{self, Fill, Template};
use crate::store::Tx;
use crate::store::outbox::Message;
use crate::store::users::User;
use serde::Serialize;

pub const ACCEPTED: &str =
    "If an account uses this address, a message with further steps is on its way.";

/// A body that says only that the request was taken.
#[derive(Serialize)]
pub struct Notice<'a> {
    pub message: &'a str,
}

/// The same 202 for every well-formed request.
pub fn accepted() -> Response {
    Response::json(202, &Notice { message: ACCEPTED }).no_store()
}

/// Issues a single-use token for `user` (retiring earlier ones) unless the hourly mail limit is
/// reached; returns the token for the mail, or `None` when throttled.
pub fn issue_token(
    ctx: &Ctx,
    tx: &Tx<'_>,
    user: &User,
    purpose: Purpose,
    ttl: i64,
) -> Result<Option<OpaqueToken>, ApiError> {
    // Concurrent requests for one user queue here, so each counts the tokens the others issued.
    if !tx.lock_user(&user.id)? {
        return Ok(None);
    }
    let sent = tx.count_one_time_tokens_since(&user.id, purpose, ctx.now - THROTTLE_WINDOW_SECS)?;
    if !one_time_token::may_send_another(sent) {
        return Ok(None);
    }
    tx.invalidate_one_time_tokens(&user.id, purpose, ctx.now)?;
    first_token(ctx, tx, user, purpose, ttl).map(Some)
}

/// A new token, without counting or retiring earlier ones: for an account being created in this
/// transaction, which cannot have any yet.
pub fn first_token(
    ctx: &Ctx,
    tx: &Tx<'_>,
    user: &User,
    purpose: Purpose,
    ttl: i64,
) -> Result<OpaqueToken, ApiError> {
    let token = OpaqueToken::from_random(ctx::random()?);
    tx.insert_one_time_token(&token.hash(), &user.id, purpose, ctx.now, ctx.now + ttl)?;
    Ok(token)
}

/// Where a link goes and what it opens.
pub struct Link<'a> {
    pub template: Template,
    pub to: &'a str,
    pub username: &'a str,
    /// The configured URL the token is put into.
    pub url: &'a str,
    pub ttl: i64,
}

/// The mail carrying `token`, dropped from the outbox once the link has expired.
pub fn link_mail(ctx: &Ctx, link: &Link<'_>, token: &OpaqueToken) -> Result<Message, ApiError> {
    let url = mail::link(link.url, token.as_str());
    Ok(ctx
        .mail(link.template, link.to, &Fill::link(link.username, &url))?
        .expiring(ctx.now + link.ttl))
}

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
    let url = ctx.config.email_verification_url()?;
    let token = if new_account {
        Some(first_token(ctx, tx, user, Purpose::EmailVerification, ttl)?)
    } else {
        issue_token(ctx, tx, user, Purpose::EmailVerification, ttl)?
    };
    if let Some(token) = token {
        let link = Link {
            template: Template::EmailVerification,
            to: &user.email,
            username: &user.username,
            url: &url,
            ttl,
        };
        messages.push(link_mail(ctx, &link, &token)?);
    }
    Ok(())
}

/// The presented token and the account it was issued to, if it is well formed, of this purpose,
/// unused and unexpired. Whoever consumes it must still do so atomically (a race may have won).
pub fn usable_token(
    ctx: &Ctx,
    presented: &str,
    purpose: Purpose,
) -> Result<(OpaqueToken, UserId), ApiError> {
    let token = OpaqueToken::parse(presented).ok_or(ApiError::InvalidOneTimeToken)?;
    let found = ctx.store()?.find_one_time_token(&token.hash(), purpose)?;
    match found.filter(|f| one_time_token::is_usable(Some(&f.token), ctx.now)) {
        Some(found) => Ok((token, found.user_id)),
        None => Err(ApiError::InvalidOneTimeToken),
    }
}
