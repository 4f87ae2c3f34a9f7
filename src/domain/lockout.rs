//! Per-account login throttling after consecutive failures (OWASP ASVS V6, NIST SP 800-63B 5.2.2).
//!
//! Five failures in a row are free; from the fifth on, each failure locks the account for a delay
//! that starts at one minute and doubles up to fifteen. While locked, even the right password is
//! refused, so guessing cannot continue. The lock slows an attacker down without giving them more
//! than that delay as a lever against the real user. At 100 consecutive failures the account is
//! held for a day at a time (NIST's ceiling), until the user resets the password.
//! Unknown accounts go through the same rules, so a 429 reveals nothing about existence.

pub const FREE_FAILURES: u32 = 5;
pub const FIRST_DELAY_SECS: i64 = 60;
pub const MAX_DELAY_SECS: i64 = 15 * 60;
pub const CEILING: u32 = 100;
pub const CEILING_DELAY_SECS: i64 = 24 * 3600;

/// The stored count of consecutive failures and the current lock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State {
    pub failures: u32,
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Allowed,
    /// Refuse the attempt; it may be retried after this many seconds.
    Locked {
        retry_after: i64,
    },
}

pub fn check(state: &State, now: i64) -> Check {
    match state.locked_until {
        Some(until) if until > now => Check::Locked {
            retry_after: until - now,
        },
        _ => Check::Allowed,
    }
}

/// How long the account is locked after its `failures`-th consecutive failure.
pub fn delay_after(failures: u32) -> Option<i64> {
    if failures >= CEILING {
        return Some(CEILING_DELAY_SECS);
    }
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES).min(16);
    Some(
        FIRST_DELAY_SECS
            .saturating_mul(1i64 << doublings)
            .min(MAX_DELAY_SECS),
    )
}

/// The lock to store after a failure that brought the count to `failures`.
pub fn locked_until_after(failures: u32, now: i64) -> Option<i64> {
    delay_after(failures).map(|d| now + d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_000_000;

    #[test]
    fn the_first_four_failures_cost_nothing() {
        for n in 1..FREE_FAILURES {
            assert_eq!(delay_after(n), None, "{n}");
            assert_eq!(locked_until_after(n, T), None);
        }
    }

    #[test]
    fn the_fifth_failure_locks_for_a_minute_then_the_delay_doubles_to_fifteen_minutes() {
        let delays: Vec<i64> = (5..=10).map(|n| delay_after(n).unwrap()).collect();
        assert_eq!(delays, vec![60, 120, 240, 480, 900, 900]);
        assert_eq!(delay_after(99), Some(900));
    }

    #[test]
    fn the_hundredth_failure_holds_the_account_for_a_day() {
        assert_eq!(delay_after(CEILING), Some(CEILING_DELAY_SECS));
        assert_eq!(delay_after(u32::MAX), Some(CEILING_DELAY_SECS));
    }

    #[test]
    fn a_lock_refuses_until_it_ends() {
        let state = State {
            failures: 5,
            locked_until: locked_until_after(5, T),
        };
        assert_eq!(check(&state, T), Check::Locked { retry_after: 60 });
        assert_eq!(check(&state, T + 59), Check::Locked { retry_after: 1 });
        assert_eq!(check(&state, T + 60), Check::Allowed);
        assert_eq!(check(&State::default(), T), Check::Allowed);
    }
}
