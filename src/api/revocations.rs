//! The one path by which sessions end: whatever ends them (logout, reuse, a password change, a
//! verification, deletion, an admin), the same messages go with it.

use super::ctx::Ctx;
use super::error::ApiError;
use crate::outbound::events::Topic;
use crate::store::outbox::Message;
use serde_json::json;

/// What every revocation writes with it, per session: the removal of its entry from the key-value
/// session cache that `/verify` reads, and one `session.revoked` event. Every path that ends
/// sessions goes through here, so none can leave a cache entry behind.
pub fn revoked_events(
    ctx: &Ctx,
    user_id: &str,
    session_ids: &[String],
    reason: &str,
    messages: &mut Vec<Message>,
) -> Result<(), ApiError> {
    for session_id in session_ids {
        messages.push(ctx.revocation(session_id)?);
    }
    for session_id in session_ids {
        messages.push(ctx.event(
            Topic::SessionRevoked,
            json!({"user_id": user_id, "session_id": session_id, "reason": reason}),
        )?);
    }
    Ok(())
}
