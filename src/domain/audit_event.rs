//! The audit trail's event names: the `event` of each audit line, which log pipelines and alerts
//! select on, so each is part of the contract like an API field.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    /// An account was created.
    Registered,
    EmailVerified,
    VerificationResent,
    LoginSucceeded,
    /// A wrong password, an unknown account, a full bucket or a lost race with a reset.
    LoginFailed,
    /// The password typed again by a signed-in user was wrong.
    ReauthenticationFailed,
    /// A client address went over a per-minute limit.
    RateLimited,
    TokenRefreshed,
    RefreshFailed,
    /// A retired refresh token came back, and its session ended.
    RefreshTokenReused,
    Logout,
    LogoutAll,
    /// The owner ended one session from the session list.
    SessionRevoked,
    PasswordChanged,
    PasswordResetRequested,
    PasswordResetCompleted,
    UsernameChanged,
    EmailChangeRequested,
    EmailChanged,
    AccountExported,
    /// By the owner, or by an admin (then with `actor`).
    AccountDeleted,
    UserDisabled,
    UserEnabled,
    UserRoleChanged,
    TokenIntrospected,
    /// A service client was unknown or its secret wrong.
    IntrospectionRefused,
    /// `POST /oauth/revoke` ended a session.
    TokenRevoked,
}

impl AuditEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::EmailVerified => "email_verified",
            Self::VerificationResent => "verification_resent",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::ReauthenticationFailed => "reauthentication_failed",
            Self::RateLimited => "rate_limited",
            Self::TokenRefreshed => "token_refreshed",
            Self::RefreshFailed => "refresh_failed",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::SessionRevoked => "session_revoked",
            Self::PasswordChanged => "password_changed",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordResetCompleted => "password_reset_completed",
            Self::UsernameChanged => "username_changed",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::AccountExported => "account_exported",
            Self::AccountDeleted => "account_deleted",
            Self::UserDisabled => "user_disabled",
            Self::UserEnabled => "user_enabled",
            Self::UserRoleChanged => "user_role_changed",
            Self::TokenIntrospected => "token_introspected",
            Self::IntrospectionRefused => "introspection_refused",
            Self::TokenRevoked => "token_revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AuditEvent::{self, *};
    use std::collections::BTreeSet;

    /// Every event with the name the audit pipeline knows it by, written out again so that
    /// renaming one fails here.
    const WIRE: [(AuditEvent, &str); 27] = [
        (Registered, "registered"),
        (EmailVerified, "email_verified"),
        (VerificationResent, "verification_resent"),
        (LoginSucceeded, "login_succeeded"),
        (LoginFailed, "login_failed"),
        (ReauthenticationFailed, "reauthentication_failed"),
        (RateLimited, "rate_limited"),
        (TokenRefreshed, "token_refreshed"),
        (RefreshFailed, "refresh_failed"),
        (RefreshTokenReused, "refresh_token_reused"),
        (Logout, "logout"),
        (LogoutAll, "logout_all"),
        (SessionRevoked, "session_revoked"),
        (PasswordChanged, "password_changed"),
        (PasswordResetRequested, "password_reset_requested"),
        (PasswordResetCompleted, "password_reset_completed"),
        (UsernameChanged, "username_changed"),
        (EmailChangeRequested, "email_change_requested"),
        (EmailChanged, "email_changed"),
        (AccountExported, "account_exported"),
        (AccountDeleted, "account_deleted"),
        (UserDisabled, "user_disabled"),
        (UserEnabled, "user_enabled"),
        (UserRoleChanged, "user_role_changed"),
        (TokenIntrospected, "token_introspected"),
        (IntrospectionRefused, "introspection_refused"),
        (TokenRevoked, "token_revoked"),
    ];

    #[test]
    fn every_event_keeps_its_wire_name() {
        for (event, wire) in WIRE {
            assert_eq!(event.as_str(), wire);
        }
    }

    #[test]
    fn no_two_events_share_a_name() {
        let names: BTreeSet<_> = WIRE.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(names.len(), WIRE.len());
    }
}
