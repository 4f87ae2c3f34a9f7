//! The audit trail: one JSON line per authentication event, with who, from where and which request;
//! never a password, token or hash.

use super::ctx::Ctx;
use crate::domain::audit_event::AuditEvent;
use crate::domain::ids::{SessionId, UserId};
use crate::domain::time::rfc3339;
use crate::log;
use serde_json::{Value, json};

#[derive(Default)]
pub struct Entry<'a> {
    pub user_id: Option<&'a UserId>,
    pub session_id: Option<&'a SessionId>,
    /// Why a failure failed, or other detail safe to keep.
    pub reason: Option<&'a str>,
    /// Who acted on `user_id`: an admin's user id, `admin_token`, or a service client.
    pub actor: Option<&'a str>,
}

pub fn record(ctx: &Ctx, event: AuditEvent, entry: Entry<'_>) {
    let client_addr = ctx.client_addr().unwrap_or("unknown");
    let mut line = json!({
        "audit": true,
        "time": rfc3339(ctx.now),
        "request_id": ctx.request_id,
        "client_addr": client_addr,
        "user_id": entry.user_id,
        "session_id": entry.session_id,
    });
    if let Value::Object(map) = &mut line {
        if let Some(reason) = entry.reason {
            map.insert("reason".to_owned(), json!(reason));
        }
        if let Some(actor) = entry.actor {
            map.insert("actor".to_owned(), json!(actor));
        }
    }
    log::info(event.as_str(), line);
}

/// The common case: an event about one user, with nothing else to say.
pub fn for_user(ctx: &Ctx, event: AuditEvent, user_id: &UserId) {
    record(
        ctx,
        event,
        Entry {
            user_id: Some(user_id),
            ..Entry::default()
        },
    );
}
