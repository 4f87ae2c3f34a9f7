//! Why a session ended. The name is stored with the session, sent in `session.revoked` events and
//! shown in the account export, so each is part of the contract with other services.

use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationReason {
    /// `POST /logout`.
    Logout,
    /// `POST /logout/all`.
    LogoutAll,
    /// The owner ended it from the session list.
    UserRevoked,
    /// `POST /oauth/revoke`.
    Revoked,
    /// A retired refresh token came back: whoever holds it may be a thief.
    RefreshTokenReused,
    PasswordChanged,
    /// Sessions opened before the address was proved may belong to whoever registered it first.
    EmailVerified,
    /// The oldest sessions beyond the per-account cap.
    SessionLimit,
    AccountDeleted,
    AccountDisabled,
    /// Access tokens carry the role, so removing it ends the sessions that hold it.
    RoleChanged,
}

impl RevocationReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::UserRevoked => "user_revoked",
            Self::Revoked => "revoked",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::PasswordChanged => "password_changed",
            Self::EmailVerified => "email_verified",
            Self::SessionLimit => "session_limit",
            Self::AccountDeleted => "account_deleted",
            Self::AccountDisabled => "account_disabled",
            Self::RoleChanged => "role_changed",
        }
    }
}

/// As its name, so that an event can never spell it differently from the stored one.
impl Serialize for RevocationReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::RevocationReason::{self, *};
    use std::collections::BTreeSet;

    /// Every reason with the name other services know it by, written out again so that renaming
    /// one fails here.
    const WIRE: [(RevocationReason, &str); 11] = [
        (Logout, "logout"),
        (LogoutAll, "logout_all"),
        (UserRevoked, "user_revoked"),
        (Revoked, "revoked"),
        (RefreshTokenReused, "refresh_token_reused"),
        (PasswordChanged, "password_changed"),
        (EmailVerified, "email_verified"),
        (SessionLimit, "session_limit"),
        (AccountDeleted, "account_deleted"),
        (AccountDisabled, "account_disabled"),
        (RoleChanged, "role_changed"),
    ];

    #[test]
    fn every_reason_keeps_its_wire_name_as_text_and_in_json() {
        for (reason, wire) in WIRE {
            assert_eq!(reason.as_str(), wire);
            assert_eq!(serde_json::to_value(reason).unwrap(), wire);
        }
    }

    #[test]
    fn no_two_reasons_share_a_name() {
        let names: BTreeSet<_> = WIRE.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(names.len(), WIRE.len());
    }
}
