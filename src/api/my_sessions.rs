//! `GET /me/sessions`, `DELETE /me/sessions/{id}` and `GET /me/export`: what the caller's account
//! holds, and ending one of its sessions.

use super::audit::{self, Entry};
use super::auth::caller;
use super::ctx::Ctx;
use super::error::ApiError;
use super::history;
use super::issuing::profile;
use super::messages::revoked_events;
use crate::domain::audit_event::AuditEvent;
use crate::domain::revocation::RevocationReason;
use crate::domain::time::rfc3339;
use crate::http::{Request, Response};
use crate::store::sessions::SessionInfo;
use serde_json::{Value, json};

/// Session ids are UUIDs; anything much longer is no session and need not reach the database.
const MAX_ID_CHARS: usize = 64;

fn session_json(session: &SessionInfo, current_sid: &str) -> Value {
    json!({
        "id": session.id,
        "created_at": rfc3339(session.created_at),
        "last_used_at": session.last_used_at.map(rfc3339),
        "expires_at": rfc3339(session.expires_at),
        "client_addr": session.client_addr,
        "user_agent": session.user_agent,
        "current": session.id == current_sid,
    })
}

pub fn list(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (token, user) = caller(ctx, request)?;
    let sessions: Vec<Value> = ctx
        .store()?
        .live_sessions(&user.id, ctx.now)?
        .iter()
        .map(|s| session_json(s, &token.claims.sid))
        .collect();
    Ok(Response::json(200, &json!({"sessions": sessions})).no_store())
}

pub fn end(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (_, user) = caller(ctx, request)?;
    let id = ctx.path_param("id")?.to_owned();
    if id.chars().count() > MAX_ID_CHARS {
        return Err(ApiError::SessionNotFound);
    }
    let reason = RevocationReason::UserRevoked;
    ctx.write(|tx, messages| {
        // Only a live session of the caller's own: any other id is simply not found.
        if !tx.owns_live_session(&user.id, &id, ctx.now)?
            || !tx.revoke_session(&id, reason.as_str(), ctx.now)?
        {
            return Err(ApiError::SessionNotFound);
        }
        history::record(ctx, tx, &user.id, "session_revoked")?;
        revoked_events(ctx, &user.id, std::slice::from_ref(&id), reason, messages)
    })?;
    audit::record(
        ctx,
        AuditEvent::SessionRevoked,
        Entry {
            user_id: Some(&user.id),
            session_id: Some(&id),
            reason: Some(reason.as_str()),
            ..Entry::default()
        },
    );
    Ok(Response::new(204).no_store())
}

/// Everything the service holds about the caller (GDPR Art. 20): the profile, every session still
/// on record with where it signed in from, and the account's history within its retention.
pub fn export(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (token, user) = caller(ctx, request)?;
    let store = ctx.store()?;
    let sessions: Vec<Value> = store
        .all_sessions(&user.id)?
        .iter()
        .map(|s| {
            let mut value = session_json(s, &token.claims.sid);
            if let Value::Object(map) = &mut value {
                map.insert("revoked_at".to_owned(), json!(s.revoked_at.map(rfc3339)));
                map.insert("revoked_reason".to_owned(), json!(s.revoked_reason));
            }
            value
        })
        .collect();
    let events: Vec<Value> = store
        .account_events(&user.id)?
        .iter()
        .map(|e| json!({"type": e.kind, "time": rfc3339(e.created_at), "client_addr": e.client_addr}))
        .collect();
    audit::for_user(ctx, AuditEvent::AccountExported, &user.id);
    Ok(Response::json(
        200,
        &json!({
            "exported_at": rfc3339(ctx.now),
            "profile": profile(&user),
            "sessions": sessions,
            "events": events,
        }),
    )
    .no_store())
}
