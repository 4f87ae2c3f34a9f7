//! Single-use tokens mailed to a user: what each is for, how long it lives, how often it may be sent.

use super::session::is_live;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailVerification,
    /// Proves the owner reads the new address before the account switches to it.
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailVerification => "email_verification",
            Purpose::EmailChange => "email_change",
        }
    }
}

/// At most this many mails of one purpose per account per hour; more requests are accepted
/// (202, so nothing is revealed) but send nothing.
pub const MAILS_PER_HOUR: i64 = 3;
pub const THROTTLE_WINDOW_SECS: i64 = 3600;

/// An email-change link works for one hour.
pub const EMAIL_CHANGE_TTL_SECS: i64 = 3600;

pub fn may_send_another(sent_in_window: i64) -> bool {
    sent_in_window < MAILS_PER_HOUR
}

/// What the database says about a presented token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredToken {
    pub expires_at: i64,
    pub used: bool,
}

/// Usable once, before it expires.
pub fn is_usable(token: Option<&StoredToken>, now: i64) -> bool {
    token.is_some_and(|t| !t.used && is_live(t.expires_at, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fourth_mail_in_an_hour_is_not_sent() {
        assert!(may_send_another(0));
        assert!(may_send_another(2));
        assert!(!may_send_another(3));
    }

    #[test]
    fn a_token_works_until_it_expires_or_is_used() {
        let token = StoredToken {
            expires_at: 100,
            used: false,
        };
        assert!(is_usable(Some(&token), 99));
        assert!(!is_usable(Some(&token), 100));
        assert!(!is_usable(
            Some(&StoredToken {
                used: true,
                ..token
            }),
            50
        ));
        assert!(!is_usable(None, 0));
    }
}
