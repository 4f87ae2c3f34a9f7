//! `GET /me/sessions`, `DELETE /me/sessions/{id}` and `GET /me/export`: what the caller's account
//! holds, and ending one of its sessions.

use super::audit::{self, Entry};
use super::auth::caller;
use super::ctx::Ctx;
use super::error::ApiError;
use super::history;
use super::issuing::{Profile, profile};
use super::messages::revoked_events;
use crate::domain::audit_event::AuditEvent;
use crate::domain::ids::SessionId;
use crate::domain::revocation::RevocationReason;
use crate::domain::time::rfc3339;
use crate::http::{Request, Response};
use crate::store::sessions::SessionInfo;
use serde::Serialize;

/// One session as its owner sees it.
#[derive(Serialize)]
struct Session<'a> {
    client_addr: Option<&'a str>,
    created_at: String,
    current: bool,
    expires_at: String,
    id: &'a SessionId,
    last_used_at: Option<String>,
    /// In the export only: ended sessions are listed too, with when and why.
    #[serde(flatten)]
    ended: Option<Ended<'a>>,
    user_agent: Option<&'a str>,
}

#[derive(Serialize)]
struct Ended<'a> {
    revoked_at: Option<String>,
    revoked_reason: Option<&'a str>,
}

impl<'a> Session<'a> {
    fn of(session: &'a SessionInfo, current_sid: &SessionId) -> Self {
        Self {
            client_addr: session.client_addr.as_deref(),
            created_at: rfc3339(session.created_at),
            current: session.id == *current_sid,
            expires_at: rfc3339(session.expires_at),
            id: &session.id,
            last_used_at: session.last_used_at.map(rfc3339),
            ended: None,
            user_agent: session.user_agent.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Sessions<'a> {
    sessions: Vec<Session<'a>>,
}

/// One entry of the account's history.
#[derive(Serialize)]
struct HistoryEntry<'a> {
    client_addr: &'a str,
    time: String,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct Export<'a> {
    events: Vec<HistoryEntry<'a>>,
    exported_at: String,
    profile: Profile<'a>,
    sessions: Vec<Session<'a>>,
}

pub fn list(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (token, user) = caller(ctx, request)?;
    let live = ctx.store()?.live_sessions(&user.id, ctx.now)?;
    let sessions = live
        .iter()
        .map(|s| Session::of(s, &token.claims.sid))
        .collect();
    Ok(Response::json(200, &Sessions { sessions }).no_store())
}

pub fn end(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (_, user) = caller(ctx, request)?;
    // Session ids are UUIDs: anything else is no session and need not reach the database.
    let id = SessionId::parse(ctx.path_param("id")?).map_err(|_| ApiError::SessionNotFound)?;
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
    let all = store.all_sessions(&user.id)?;
    let history = store.account_events(&user.id)?;
    audit::for_user(ctx, AuditEvent::AccountExported, &user.id);
    let export = Export {
        events: history
            .iter()
            .map(|e| HistoryEntry {
                client_addr: &e.client_addr,
                time: rfc3339(e.created_at),
                kind: &e.kind,
            })
            .collect(),
        exported_at: rfc3339(ctx.now),
        profile: profile(&user),
        sessions: all
            .iter()
            .map(|s| Session {
                ended: Some(Ended {
                    revoked_at: s.revoked_at.map(rfc3339),
                    revoked_reason: s.revoked_reason.as_deref(),
                }),
                ..Session::of(s, &token.claims.sid)
            })
            .collect(),
    };
    Ok(Response::json(200, &export).no_store())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> SessionInfo {
        SessionInfo {
            id: SessionId::trusted("s-1".into()),
            created_at: 0,
            last_used_at: None,
            expires_at: 60,
            revoked_at: Some(30),
            revoked_reason: Some("logout".into()),
            client_addr: Some("203.0.113.7".into()),
            user_agent: None,
        }
    }

    #[test]
    fn a_listed_session_says_nothing_of_how_sessions_end() {
        let info = info();
        let listed = Session::of(&info, &SessionId::trusted("s-1".into()));
        assert_eq!(
            serde_json::to_string(&listed).unwrap(),
            r#"{"client_addr":"203.0.113.7","created_at":"1970-01-01T00:00:00Z","current":true,"expires_at":"1970-01-01T00:01:00Z","id":"s-1","last_used_at":null,"user_agent":null}"#
        );
    }

    #[test]
    fn an_exported_session_says_when_and_why_it_ended_in_the_usual_order() {
        let info = info();
        let exported = Session {
            ended: Some(Ended {
                revoked_at: info.revoked_at.map(rfc3339),
                revoked_reason: info.revoked_reason.as_deref(),
            }),
            ..Session::of(&info, &SessionId::trusted("s-2".into()))
        };
        assert_eq!(
            serde_json::to_string(&exported).unwrap(),
            r#"{"client_addr":"203.0.113.7","created_at":"1970-01-01T00:00:00Z","current":false,"expires_at":"1970-01-01T00:01:00Z","id":"s-1","last_used_at":null,"revoked_at":"1970-01-01T00:00:30Z","revoked_reason":"logout","user_agent":null}"#
        );
    }
}
