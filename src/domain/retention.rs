//! How long rows are kept once they are past their use, and so what a purge may delete at `now`.

use super::one_time_token::THROTTLE_WINDOW_SECS;

/// Ended sessions (expired or revoked) and their refresh tokens stay a day, for support questions.
pub const ENDED_SESSION_SECS: i64 = 86_400;
/// Delivered outbox rows stay a week, for "did the mail go out?".
pub const DELIVERED_MESSAGE_SECS: i64 = 7 * 86_400;
/// The longest per-address window: a counter older than this counts nothing.
pub const LONGEST_RATE_WINDOW_SECS: i64 = 3600;

/// The instants before which each kind of row is past its use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Login buckets empty before this instant.
    pub bucket_empty_before: i64,
    /// Rate-limit windows that started before this.
    pub window_started_before: i64,
    /// Sessions that ended before this.
    pub session_ended_before: i64,
    /// Used or expired one-time tokens created before this (younger ones still count towards the
    /// hourly mail limit).
    pub token_created_before: i64,
    /// Outbox rows delivered before this.
    pub delivered_before: i64,
    /// Account events (the owner's history) recorded before this.
    pub account_event_before: i64,
}

/// `account_event_secs` is configured (`account_events_retention_days`).
pub fn cutoffs(now: i64, account_event_secs: i64) -> Cutoffs {
    Cutoffs {
        bucket_empty_before: now,
        window_started_before: now - LONGEST_RATE_WINDOW_SECS,
        session_ended_before: now - ENDED_SESSION_SECS,
        token_created_before: now - THROTTLE_WINDOW_SECS,
        delivered_before: now - DELIVERED_MESSAGE_SECS,
        account_event_before: now.saturating_sub(account_event_secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_row_is_kept_for_its_own_span() {
        let c = cutoffs(1_000_000, 90 * 86_400);
        assert_eq!(c.bucket_empty_before, 1_000_000);
        assert_eq!(c.window_started_before, 1_000_000 - 3600);
        assert_eq!(c.session_ended_before, 1_000_000 - 86_400);
        assert_eq!(c.token_created_before, 1_000_000 - 3600);
        assert_eq!(c.delivered_before, 1_000_000 - 604_800);
        assert_eq!(c.account_event_before, 1_000_000 - 7_776_000);
    }
}
