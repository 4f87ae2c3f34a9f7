//! The sign-in buckets as a password check uses them, at `POST /login` and when a signed-in
//! caller types the password again: the same steps, so neither is a faster way to guess.

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::audit_event::AuditEvent;
use crate::domain::ids::UserId;
use crate::domain::lockout::{ACCOUNT_CEILING, PER_NETWORK};
use crate::domain::lockout_key::{BucketKey, Identifier};
use crate::store::Store;

/// Takes one attempt from the bucket of this identifier and client network, atomically, before
/// the password is hashed: parallel guesses cannot all slip past a check made earlier.
pub fn reserve_attempt(ctx: &Ctx, store: &Store, identifier: &Identifier) -> Result<(), ApiError> {
    let bucket = BucketKey::per_network(identifier, &ctx.client_network()?);
    if store
        .step_bucket(&bucket, &PER_NETWORK.attempt(ctx.now))?
        .is_some()
    {
        return Ok(());
    }
    let retry_after = PER_NETWORK.retry_after(store.bucket_empty_at(&bucket)?, ctx.now);
    audit::record(
        ctx,
        AuditEvent::LoginFailed,
        Entry {
            reason: Some("throttled"),
            ..Entry::default()
        },
    );
    Err(ApiError::TooManyAttempts { retry_after })
}

/// Adds a wrong password to the account's ceiling.
pub fn count_wrong_password(ctx: &Ctx, store: &Store, user_id: &UserId) -> Result<(), ApiError> {
    store.step_bucket(
        &BucketKey::ceiling(user_id),
        &ACCOUNT_CEILING.failure(ctx.now),
    )?;
    Ok(())
}

/// Whether the account's ceiling is full: even the right password is refused until a reset.
pub fn is_locked(ctx: &Ctx, store: &Store, user_id: &UserId) -> Result<bool, ApiError> {
    let empty_at = store.bucket_empty_at(&BucketKey::ceiling(user_id))?;
    Ok(ACCOUNT_CEILING.is_full(empty_at, ctx.now))
}

/// The right password ends this network's count for this identifier, and the account's run of
/// consecutive failures.
pub fn succeeded(
    ctx: &Ctx,
    store: &Store,
    identifier: &Identifier,
    user_id: &UserId,
) -> Result<(), ApiError> {
    store.empty_bucket(&BucketKey::per_network(identifier, &ctx.client_network()?))?;
    store.empty_bucket(&BucketKey::ceiling(user_id))?;
    Ok(())
}
