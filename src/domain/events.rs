//! Domain events: what other services hear about accounts and sessions. Each kind has its routing
//! key and its own `data`, which holds ids and profile fields only: never a token or a hash. Both
//! are part of the contract with the services that consume them.

use super::ids::{SessionId, UserId};
use super::revocation::RevocationReason;
use serde::Serialize;

/// An account's profile, as every `user.*` event that describes the account carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserEvent<'a> {
    pub user_id: &'a UserId,
    pub email: &'a str,
    pub username: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoggedIn<'a> {
    pub user_id: &'a UserId,
    pub username: &'a str,
    pub session_id: &'a SessionId,
}

/// Only the id: the account's personal data is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserDeleted<'a> {
    pub user_id: &'a UserId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SessionRevoked<'a> {
    pub user_id: &'a UserId,
    pub session_id: &'a SessionId,
    pub reason: RevocationReason,
}

/// `actor` is the acting admin's user id, or `admin_token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserDisabled<'a> {
    pub user_id: &'a UserId,
    /// The admin's own words.
    pub reason: &'a str,
    pub actor: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserEnabled<'a> {
    pub user_id: &'a UserId,
    pub actor: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoleChanged<'a> {
    pub user_id: &'a UserId,
    pub is_admin: bool,
    pub actor: &'a str,
}

/// One event: the kind names the routing key, and serializing it gives its `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Event<'a> {
    UserRegistered(UserEvent<'a>),
    UserEmailVerified(UserEvent<'a>),
    UserLoggedIn(LoggedIn<'a>),
    UserPasswordResetRequested(UserEvent<'a>),
    UserPasswordChanged(UserEvent<'a>),
    UserEmailChanged(UserEvent<'a>),
    UserUpdated(UserEvent<'a>),
    UserDeleted(UserDeleted<'a>),
    SessionRevoked(SessionRevoked<'a>),
    UserDisabled(UserDisabled<'a>),
    UserEnabled(UserEnabled<'a>),
    UserRoleChanged(RoleChanged<'a>),
}

impl Event<'_> {
    pub fn routing_key(&self) -> &'static str {
        match self {
            Event::UserRegistered(_) => "user.registered",
            Event::UserEmailVerified(_) => "user.email_verified",
            Event::UserLoggedIn(_) => "user.logged_in",
            Event::UserPasswordResetRequested(_) => "user.password_reset_requested",
            Event::UserPasswordChanged(_) => "user.password_changed",
            Event::UserEmailChanged(_) => "user.email_changed",
            Event::UserUpdated(_) => "user.updated",
            Event::UserDeleted(_) => "user.deleted",
            Event::SessionRevoked(_) => "session.revoked",
            Event::UserDisabled(_) => "user.disabled",
            Event::UserEnabled(_) => "user.enabled",
            Event::UserRoleChanged(_) => "user.role_changed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::collections::BTreeSet;

    /// Every kind with its routing key and `data`, written out again so that renaming a key or a
    /// field fails here.
    fn wire<'a>(id: &'a UserId, sid: &'a SessionId) -> Vec<(Event<'a>, &'static str, Value)> {
        let user = UserEvent {
            user_id: id,
            email: "ann@example.com",
            username: "ann",
        };
        let profile = json!({"user_id": "u-1", "email": "ann@example.com", "username": "ann"});
        vec![
            (
                Event::UserRegistered(user),
                "user.registered",
                profile.clone(),
            ),
            (
                Event::UserEmailVerified(user),
                "user.email_verified",
                profile.clone(),
            ),
            (
                Event::UserLoggedIn(LoggedIn {
                    user_id: id,
                    username: "ann",
                    session_id: sid,
                }),
                "user.logged_in",
                json!({"user_id": "u-1", "username": "ann", "session_id": "s-1"}),
            ),
            (
                Event::UserPasswordResetRequested(user),
                "user.password_reset_requested",
                profile.clone(),
            ),
            (
                Event::UserPasswordChanged(user),
                "user.password_changed",
                profile.clone(),
            ),
            (
                Event::UserEmailChanged(user),
                "user.email_changed",
                profile.clone(),
            ),
            (Event::UserUpdated(user), "user.updated", profile),
            (
                Event::UserDeleted(UserDeleted { user_id: id }),
                "user.deleted",
                json!({"user_id": "u-1"}),
            ),
            (
                Event::SessionRevoked(SessionRevoked {
                    user_id: id,
                    session_id: sid,
                    reason: RevocationReason::SessionLimit,
                }),
                "session.revoked",
                json!({"user_id": "u-1", "session_id": "s-1", "reason": "session_limit"}),
            ),
            (
                Event::UserDisabled(UserDisabled {
                    user_id: id,
                    reason: "spam",
                    actor: "admin_token",
                }),
                "user.disabled",
                json!({"user_id": "u-1", "reason": "spam", "actor": "admin_token"}),
            ),
            (
                Event::UserEnabled(UserEnabled {
                    user_id: id,
                    actor: "a-1",
                }),
                "user.enabled",
                json!({"user_id": "u-1", "actor": "a-1"}),
            ),
            (
                Event::UserRoleChanged(RoleChanged {
                    user_id: id,
                    is_admin: true,
                    actor: "a-1",
                }),
                "user.role_changed",
                json!({"user_id": "u-1", "is_admin": true, "actor": "a-1"}),
            ),
        ]
    }

    fn ids() -> (UserId, SessionId) {
        (
            UserId::trusted("u-1".into()),
            SessionId::trusted("s-1".into()),
        )
    }

    #[test]
    fn every_event_keeps_its_routing_key_and_data() {
        let (id, sid) = ids();
        for (event, key, data) in wire(&id, &sid) {
            assert_eq!(event.routing_key(), key);
            assert_eq!(serde_json::to_value(event).unwrap(), data, "{key}");
        }
    }

    #[test]
    fn no_two_events_share_a_routing_key() {
        let (id, sid) = ids();
        let all = wire(&id, &sid);
        let keys: BTreeSet<_> = all.iter().map(|(e, _, _)| e.routing_key()).collect();
        assert_eq!(keys.len(), all.len());
    }
}
