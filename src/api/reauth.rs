//! The password typed again by a signed-in caller before a sensitive change. A wrong one counts as
//! a failed sign-in: it is reserved in the bucket of the account's email from this client network
//! and added to the account's ceiling, exactly as at `POST /login`, so a stolen access token gives
//! no faster way to guess the password.

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use super::sign_in;
use crate::domain::audit_event::AuditEvent;
use crate::domain::ids::UserId;
use crate::domain::lockout_key::Identifier;
use crate::domain::password::{Password, hash};
use crate::store::Store;
use crate::store::users::User;

pub fn check_password(
    ctx: &Ctx,
    store: &Store,
    user: &User,
    presented: &str,
) -> Result<(), ApiError> {
    let identifier = Identifier::email(&user.email);
    sign_in::reserve_attempt(ctx, store, &identifier)?;
    let matches =
        hash::verify(&Password::for_login(presented), &user.password_hash).unwrap_or(false);
    if !matches {
        sign_in::count_wrong_password(ctx, store, &user.id)?;
        failed(ctx, &user.id, "wrong_password");
        return Err(ApiError::InvalidCredentials);
    }
    if sign_in::is_locked(ctx, store, &user.id)? {
        failed(ctx, &user.id, "account_locked");
        return Err(ApiError::AccountLocked);
    }
    sign_in::succeeded(ctx, store, &identifier, &user.id)
}

fn failed(ctx: &Ctx, user_id: &UserId, reason: &'static str) {
    audit::record(
        ctx,
        AuditEvent::ReauthenticationFailed,
        Entry {
            user_id: Some(user_id),
            reason: Some(reason),
            ..Entry::default()
        },
    );
}
