//! The one path by which sessions end: whatever ends them (logout, reuse, a password change, a
//! verification, deletion, an admin), the same messages go with it.

use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::events::{Event, SessionRevoked};
use crate::domain::revocation::RevocationReason;
use crate::store::outbox::Message;

/// What every revocation writes with it, per session: the removal of its entry from the key-value
/// session cache that `/verify` reads, and one `session.revoked` event. Every path that ends
/// sessions goes through here, so none can leave a cache entry behind.
pub fn revoked_events(
    ctx: &Ctx,
    user_id: &str,
    session_ids: &[String],
    reason: RevocationReason,
    messages: &mut Vec<Message>,
) -> Result<(), ApiError> {
    for session_id in session_ids {
        messages.push(ctx.revocation(session_id)?);
    }
    for session_id in session_ids {
        messages.push(ctx.event(Event::SessionRevoked(SessionRevoked {
            user_id,
            session_id,
            reason,
        }))?);
    }
    Ok(())
}
