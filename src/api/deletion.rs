//! Deleting an account, the one way every path that deletes (`DELETE /me`, the admin API) does it.

use super::ctx::Ctx;
use super::error::ApiError;
use super::messages::revoked_events;
use crate::domain::events::{Event, UserDeleted};
use crate::domain::ids::UserId;
use crate::domain::lockout_key::{Identifier, Subject};
use crate::domain::revocation::RevocationReason;
use crate::store::Tx;
use crate::store::outbox::Message;
use serde_json::json;

/// Deletes an account inside the caller's transaction: every session ends (with its
/// `session.revoked` event), personal data leaves every table that holds it (the account row,
/// session addresses and user agents, pending links, the account's history, login buckets, mail
/// and events still in the outbox), and an anonymous tombstone keeps the id, so ids stay unique and
/// earlier events still point at something. Emits `user.deleted` with the id only. `false` if
/// there is no live account with this id.
pub fn delete_account(
    ctx: &Ctx,
    tx: &Tx<'_>,
    user_id: &UserId,
    messages: &mut Vec<Message>,
) -> Result<bool, ApiError> {
    // Held first: a concurrent change to the account waits, then finds the tombstone.
    if !tx.lock_user(user_id)? {
        return Ok(false);
    }
    let Some(user) = tx.user_by_id(user_id)? else {
        return Ok(false);
    };
    let reason = RevocationReason::AccountDeleted;
    let ended = tx.revoke_user_sessions(user_id, reason.as_str(), ctx.now)?;
    tx.forget_session_clients(user_id)?;
    let mut addresses = tx.token_addresses(user_id)?;
    addresses.push(user.email.clone());
    tx.delete_user_tokens(user_id)?;
    tx.delete_account_events(user_id)?;
    let mut subjects = Subject::of_account(&user.email, &user.username, user_id);
    for address in &addresses {
        let subject = Subject::Typed(Identifier::email(address));
        if !subjects.contains(&subject) {
            subjects.push(subject);
        }
        let quoted = json!(address).to_string();
        tx.scrub_outbox(&format!("\"to\":{quoted}"))?;
        tx.scrub_outbox(&format!("\"email\":{quoted}"))?;
    }
    tx.scrub_outbox(&format!("\"username\":{}", json!(user.username)))?;
    tx.empty_buckets(&subjects)?;
    tx.tombstone_user(user_id, ctx.now)?;
    messages.push(ctx.event(Event::UserDeleted(UserDeleted { user_id }))?);
    revoked_events(ctx, user_id, &ended, reason, messages)?;
    Ok(true)
}
