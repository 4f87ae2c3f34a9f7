//! When an undelivered outbox message is tried again, and when it is given up.

/// First retry after about this long; each failure doubles it.
pub const BASE_DELAY_SECS: i64 = 10;
/// Retries never wait longer than this.
pub const MAX_DELAY_SECS: i64 = 3600;

/// Seconds until the next attempt after `attempts` failed tries (1 = the first failure).
///
/// Exponential with "equal jitter": half the delay is fixed, half is random (`jitter` is any
/// number, used modulo the range), so replicas retrying the same broker do not stampede it.
pub fn retry_delay(attempts: u32, jitter: u64) -> i64 {
    let exponent = attempts.saturating_sub(1).min(20);
    let delay = BASE_DELAY_SECS
        .saturating_mul(1i64 << exponent)
        .min(MAX_DELAY_SECS);
    let half = delay / 2;
    let span = u64::try_from(half).unwrap_or(0) + 1;
    half + i64::try_from(jitter % span).unwrap_or(0)
}

/// A message that failed `attempts` times is dead once that reaches `max_attempts`.
pub fn is_dead(attempts: u32, max_attempts: u32) -> bool {
    attempts >= max_attempts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_from_the_base() {
        // With no jitter, exactly half the nominal delay.
        assert_eq!(retry_delay(1, 0), 5);
        assert_eq!(retry_delay(2, 0), 10);
        assert_eq!(retry_delay(3, 0), 20);
        assert_eq!(retry_delay(4, 0), 40);
    }

    #[test]
    fn jitter_stays_inside_the_upper_half() {
        for jitter in [0, 1, 7, 1_000, u64::MAX] {
            let d = retry_delay(3, jitter);
            assert!((20..=40).contains(&d), "{d}");
        }
        assert_eq!(retry_delay(3, 20), 40);
    }

    #[test]
    fn the_delay_is_capped_and_never_overflows() {
        assert!(retry_delay(12, u64::MAX) <= MAX_DELAY_SECS);
        assert!(retry_delay(u32::MAX, u64::MAX) <= MAX_DELAY_SECS);
        assert!(retry_delay(0, 0) >= 1, "even attempt 0 waits");
    }

    #[test]
    fn a_message_dies_at_the_configured_attempt() {
        assert!(!is_dead(9, 10));
        assert!(is_dead(10, 10));
        assert!(is_dead(11, 10));
    }
}
