//! Fixed-window request limits per client address: the kinds of request limited, their windows
//! and default limits, and the window arithmetic.

/// Kinds of request limited per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimited {
    Login,
    Refresh,
    Register,
    PasswordReset,
    VerificationResend,
    /// Signed-in requests that check the password or send mail (`/me/password`, `/me/email`,
    /// `DELETE /me`).
    Account,
}

impl RateLimited {
    /// Every kind, for what covers them all (the configuration's variables, the tests).
    #[cfg(test)]
    pub const ALL: [RateLimited; 6] = [
        RateLimited::Login,
        RateLimited::Refresh,
        RateLimited::Register,
        RateLimited::PasswordReset,
        RateLimited::VerificationResend,
        RateLimited::Account,
    ];

    /// The bucket's prefix and the audit trail's reason.
    pub fn name(self) -> &'static str {
        match self {
            RateLimited::Login => "login",
            RateLimited::Refresh => "refresh",
            RateLimited::Register => "register",
            RateLimited::PasswordReset => "password_reset",
            RateLimited::VerificationResend => "verification_resend",
            RateLimited::Account => "account",
        }
    }

    /// Sign-in and refresh come in bursts from legitimate clients: a short window forgives them
    /// sooner. The rest are rare for a person and costly for the service (hashing, mail).
    pub const fn window_secs(self) -> i64 {
        match self {
            RateLimited::Login | RateLimited::Refresh => 60,
            RateLimited::Register
            | RateLimited::PasswordReset
            | RateLimited::VerificationResend
            | RateLimited::Account => 3600,
        }
    }

    /// Requests per window when the deployment does not say otherwise.
    pub const fn default_limit(self) -> u64 {
        match self {
            RateLimited::Login | RateLimited::Account => 30,
            RateLimited::Refresh => 120,
            RateLimited::Register
            | RateLimited::PasswordReset
            | RateLimited::VerificationResend => 20,
        }
    }
}

/// Where one request of `kind` counts: its client network, the network's bucket, the current
/// window's start, and the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub kind: RateLimited,
    pub network: String,
    pub bucket: String,
    pub start: i64,
    pub limit: i64,
}

impl Window {
    pub fn new(kind: RateLimited, network: String, now: i64, limit: i64) -> Self {
        Self {
            kind,
            bucket: format!("{}:{network}", kind.name()),
            network,
            start: window_start(now, kind.window_secs()),
            limit,
        }
    }
}

/// The window an instant falls in: its start, aligned to the window length.
pub fn window_start(now: i64, window_secs: i64) -> i64 {
    now - now.rem_euclid(window_secs.max(1))
}

/// `Some(retry_after)` when the `count`-th request of the window is over `limit`.
pub fn exceeded(
    count: i64,
    limit: i64,
    window_start: i64,
    window_secs: i64,
    now: i64,
) -> Option<i64> {
    (count > limit).then(|| (window_start + window_secs - now).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requests_window_names_its_bucket_by_kind_and_network() {
        let window = Window::new(RateLimited::Refresh, "10.0.0.1".to_owned(), 125, 120);
        assert_eq!(window.bucket, "refresh:10.0.0.1");
        assert_eq!(window.network, "10.0.0.1");
        assert_eq!((window.start, window.limit), (120, 120));
    }

    #[test]
    fn windows_are_aligned() {
        assert_eq!(window_start(125, 60), 120);
        assert_eq!(window_start(120, 60), 120);
        assert_eq!(window_start(7_199, 3600), 3600);
    }

    #[test]
    fn the_request_after_the_limit_waits_for_the_next_window() {
        assert_eq!(exceeded(3, 3, 120, 60, 130), None);
        assert_eq!(exceeded(4, 3, 120, 60, 130), Some(50));
        assert_eq!(exceeded(4, 3, 120, 60, 179), Some(1));
    }
}
