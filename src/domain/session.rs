//! Session and refresh-token rules. A session is one refresh-token family: created at login, with an
//! absolute lifetime that rotation never extends.

/// What the database knows about a presented refresh token and its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedToken {
    /// When this token was exchanged for a successor; `None` while it is the current one.
    pub rotated_at: Option<i64>,
    /// Whether its one extra use inside the grace window has been spent.
    pub grace_used: bool,
    pub session_expires_at: i64,
    pub session_revoked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// The current token: issue a successor and retire this one.
    Rotate,
    /// Retired moments ago (another tab refreshed first): honour it once more.
    ReissueInGrace,
    /// Retired and presented again too late, or twice: assume theft, revoke the whole session.
    Reused,
    /// Unknown, expired or revoked: refuse, change nothing.
    Invalid,
}

pub fn decide_refresh(
    token: Option<&PresentedToken>,
    now: i64,
    grace_secs: i64,
) -> RefreshDecision {
    let Some(token) = token else {
        return RefreshDecision::Invalid;
    };
    if token.session_revoked || !is_live(token.session_expires_at, now) {
        return RefreshDecision::Invalid;
    }
    match token.rotated_at {
        None => RefreshDecision::Rotate,
        Some(rotated_at) if !token.grace_used && now - rotated_at < grace_secs => {
            RefreshDecision::ReissueInGrace
        }
        Some(_) => RefreshDecision::Reused,
    }
}

/// A session (or anything with an absolute expiry) is usable strictly before its expiry instant.
pub fn is_live(expires_at: i64, now: i64) -> bool {
    now < expires_at
}

/// Seconds left before `expires_at`, never negative: what `refresh_expires_in` reports.
pub fn remaining(expires_at: i64, now: i64) -> i64 {
    (expires_at - now).max(0)
}

/// Until when a revoked session must stay in the key-value revocation cache: past this instant
/// every access token it was ever issued has expired (the longest is issued now, for `access_ttl`,
/// and verifies for `LEEWAY_SECS` more), so `/verify` refuses them without the cache.
pub fn revocation_needed_until(now: i64, access_ttl: i64) -> i64 {
    let leeway = i64::try_from(super::access_token::LEEWAY_SECS).unwrap_or(i64::MAX);
    now.saturating_add(access_ttl).saturating_add(leeway)
}

/// An access token never outlives its session.
pub fn access_expiry(now: i64, access_ttl: i64, session_expires_at: i64) -> i64 {
    (now + access_ttl).min(session_expires_at)
}

#[cfg(test)]
mod tests {
    use super::RefreshDecision::*;
    use super::*;

    const GRACE: i64 = 10;
    const T0: i64 = 1_000_000;

    fn current() -> PresentedToken {
        PresentedToken {
            rotated_at: None,
            grace_used: false,
            session_expires_at: T0 + 3600,
            session_revoked: false,
        }
    }

    #[test]
    fn an_unknown_token_is_invalid() {
        assert_eq!(decide_refresh(None, T0, GRACE), Invalid);
    }

    #[test]
    fn the_current_token_rotates() {
        assert_eq!(decide_refresh(Some(&current()), T0, GRACE), Rotate);
    }

    #[test]
    fn a_rotated_token_is_honoured_once_inside_the_grace_window() {
        let rotated = PresentedToken {
            rotated_at: Some(T0),
            ..current()
        };
        assert_eq!(decide_refresh(Some(&rotated), T0, GRACE), ReissueInGrace);
        assert_eq!(
            decide_refresh(Some(&rotated), T0 + GRACE - 1, GRACE),
            ReissueInGrace
        );
    }

    #[test]
    fn the_grace_window_closes_after_its_length() {
        let rotated = PresentedToken {
            rotated_at: Some(T0),
            ..current()
        };
        assert_eq!(decide_refresh(Some(&rotated), T0 + GRACE, GRACE), Reused);
    }

    #[test]
    fn a_second_use_inside_the_window_is_reuse() {
        let spent = PresentedToken {
            rotated_at: Some(T0),
            grace_used: true,
            ..current()
        };
        assert_eq!(decide_refresh(Some(&spent), T0 + 1, GRACE), Reused);
    }

    #[test]
    fn zero_grace_means_any_replay_is_reuse() {
        let rotated = PresentedToken {
            rotated_at: Some(T0),
            ..current()
        };
        assert_eq!(decide_refresh(Some(&rotated), T0, 0), Reused);
    }

    #[test]
    fn a_revoked_session_refuses_every_token_without_raising_reuse() {
        let revoked = PresentedToken {
            session_revoked: true,
            ..current()
        };
        assert_eq!(decide_refresh(Some(&revoked), T0, GRACE), Invalid);
        let rotated_and_revoked = PresentedToken {
            rotated_at: Some(T0 - 100),
            ..revoked
        };
        assert_eq!(
            decide_refresh(Some(&rotated_and_revoked), T0, GRACE),
            Invalid
        );
    }

    #[test]
    fn the_absolute_lifetime_ends_the_session() {
        let token = current();
        assert_eq!(decide_refresh(Some(&token), T0 + 3599, GRACE), Rotate);
        assert_eq!(decide_refresh(Some(&token), T0 + 3600, GRACE), Invalid);
    }

    #[test]
    fn a_revocation_is_cached_until_its_last_access_token_is_dead() {
        assert_eq!(revocation_needed_until(T0, 900), T0 + 905);
    }

    #[test]
    fn access_tokens_stop_at_the_session_end() {
        assert_eq!(access_expiry(T0, 900, T0 + 3600), T0 + 900);
        assert_eq!(access_expiry(T0, 900, T0 + 60), T0 + 60);
        assert_eq!(remaining(T0 + 60, T0), 60);
        assert_eq!(remaining(T0, T0 + 5), 0);
    }
}
