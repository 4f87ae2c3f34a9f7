//! Building the mail and events a request sends, and sending them once its response is out.
//! Sessions end by one path: whatever ends them (logout, reuse, a password change, a verification,
//! deletion, an admin), `revoked_events` writes the same messages with it.

use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::events::{Event, SessionRevoked, UserEvent};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::revocation::RevocationReason;
use crate::domain::session;
use crate::http::Request;
use crate::log;
use crate::outbound::delivery::{self, PATIENT, QUICK};
use crate::outbound::events;
use crate::outbound::mail::{self, Fill, Template};
use crate::store::outbox::{Kind, Message};
use crate::store::users::User;
use serde_json::json;
use std::time::Duration;

/// The bounded drain at the end of a request: a few messages, tens of milliseconds.
const TAIL_DRAIN_MESSAGES: u32 = 3;
const TAIL_DRAIN_BUDGET: Duration = Duration::from_millis(50);

impl Ctx {
    pub fn event(&self, event: Event<'_>) -> Result<Message, ApiError> {
        let id = self.new_id()?;
        let source = self.config.issuer()?;
        let document = events::cloud_event(&id, &event, &source, self.now)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(Message {
            id,
            kind: Kind::Event,
            topic: event.routing_key().to_owned(),
            payload: document.to_string(),
            expires_at: None,
        })
    }

    /// The revoked session's removal from the key-value cache, needed until its last access token
    /// expires (after that the tokens are refused without the cache).
    pub fn revocation(&self, session_id: &SessionId) -> Result<Message, ApiError> {
        let until = session::revocation_needed_until(self.now, self.config.access_token_ttl()?);
        Ok(Message {
            id: self.new_id()?,
            kind: Kind::Revocation,
            topic: session_id.to_string(),
            payload: String::new(),
            expires_at: Some(until),
        })
    }

    /// A mail in the request's language.
    pub fn mail(&self, template: Template, to: &str, fill: &Fill<'_>) -> Result<Message, ApiError> {
        let from = self.config.mail_from()?;
        let rendered = mail::render(template, self.language, &from, to, fill);
        let payload =
            serde_json::to_string(&rendered).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(Message {
            id: self.new_id()?,
            kind: Kind::Mail,
            topic: template.name().to_owned(),
            payload,
            expires_at: None,
        })
    }
}

impl<'a> From<&'a User> for UserEvent<'a> {
    fn from(user: &'a User) -> Self {
        UserEvent {
            user_id: &user.id,
            email: &user.email,
            username: &user.username,
        }
    }
}

/// What every revocation writes with it, per session: the removal of its entry from the key-value
/// session cache that `/verify` reads, and one `session.revoked` event. Every path that ends
/// sessions goes through here, so none can leave a cache entry behind.
pub fn revoked_events(
    ctx: &Ctx,
    user_id: &UserId,
    session_ids: &[SessionId],
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

/// After the response: deliver this request's own messages, then drain a few older ones that are
/// due. Only requests that wrote messages do this (they already hold a database connection and talk
/// to the same peers); the hot read paths (`/verify`, refresh) never pay for it.
pub fn after_response(ctx: &Ctx, _request: &Request) {
    let written = ctx.take_written();
    let Some(store) = ctx.opened_store().filter(|_| !written.is_empty()) else {
        return;
    };
    if let Err(e) = delivery::deliver_all(store, &ctx.config, &written, ctx.now, QUICK) {
        log::warn(
            "outbox_record_failed",
            json!({"request_id": ctx.request_id, "cause": e.to_string()}),
        );
    }
    let due = store.outbox_has_due(ctx.now).unwrap_or(false);
    if due
        && let Err(e) = delivery::drain(
            store,
            &ctx.config,
            ctx.now,
            TAIL_DRAIN_MESSAGES,
            TAIL_DRAIN_MESSAGES,
            TAIL_DRAIN_BUDGET,
            PATIENT,
        )
    {
        log::warn(
            "outbox_drain_failed",
            json!({"request_id": ctx.request_id, "cause": e.to_string()}),
        );
    }
}
