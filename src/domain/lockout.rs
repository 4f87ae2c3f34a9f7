//! Login throttling (OWASP ASVS V6.3, NIST SP 800-63B 3.2.2) as leaky buckets.
//!
//! Two buckets stand between a guesser and the password check:
//! - **Per identifier and client network**: every attempt (right or wrong) is reserved in the bucket
//!   of the email or username typed, from that network, before the password is hashed. Five fit at
//!   once; one more fits every three minutes, so a full bucket is empty again after fifteen. An
//!   attacker's failures slow the attacker's network only: the owner elsewhere still signs in.
//!   Keyed by what was typed, not by the account, so a full bucket never tells which email belongs
//!   to which username, and unknown accounts behave exactly like known ones.
//! - **Per account, across networks** (known accounts only): each wrong password adds one, one leaks
//!   away per hour. A full bucket (100, NIST's ceiling) refuses even the right password until the
//!   owner resets it by mail, which empties it: an attacker must fail 100 times again to re-arm it.
//!
//! A bucket is kept as the instant it will be empty (GCRA's "theoretical arrival time"), so one
//! conditional upsert both checks and reserves.

/// A leaky bucket: `capacity` attempts fit at once, one drains every `interval` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub capacity: i64,
    pub interval: i64,
}

/// Attempts per identifier tried and client network.
pub const PER_NETWORK: Bucket = Bucket {
    capacity: 5,
    interval: 180,
};

/// Wrong passwords per account across all networks.
pub const ACCOUNT_CEILING: Bucket = Bucket {
    capacity: 100,
    interval: 3600,
};

/// The tests' view of one attempt (the service gets the same answer from the store's statement).
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Reserved; the bucket is now empty at this instant.
    Admitted { empty_at: i64 },
    /// Full: one more fits after this many seconds.
    Refused { retry_after: i64 },
}

/// One change to a bucket, which the store applies in a single statement (so that concurrent
/// attempts serialise on the row): from `max(empty_at, now)` the empty instant moves `step`
/// further, never beyond `now + cap`, but only if it was at most `admit_within` seconds ahead of
/// `now`; otherwise nothing changes. The store only carries these numbers out; `apply` is the
/// same rule, the model the tests hold the buckets to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub now: i64,
    pub step: i64,
    pub admit_within: i64,
    pub cap: i64,
}

impl Step {
    /// The bucket's new empty instant, or `None` if the step was refused (nothing changed).
    pub fn apply(&self, empty_at: Option<i64>) -> Option<i64> {
        let from = empty_at.map_or(self.now, |t| t.max(self.now));
        (from.saturating_sub(self.now) <= self.admit_within).then(|| {
            from.saturating_add(self.step)
                .min(self.now.saturating_add(self.cap))
        })
    }
}

impl Bucket {
    /// How far ahead of `now` the empty instant may be for one more attempt to fit.
    pub fn admit_limit(&self) -> i64 {
        (self.capacity - 1).max(0).saturating_mul(self.interval)
    }

    /// The furthest the empty instant ever gets from the last attempt: a full bucket.
    pub fn full_span(&self) -> i64 {
        self.capacity.saturating_mul(self.interval)
    }

    /// One more attempt at `now`, refused while the bucket is full.
    pub fn attempt(&self, now: i64) -> Step {
        Step {
            now,
            step: self.interval,
            admit_within: self.admit_limit(),
            cap: self.full_span(),
        }
    }

    /// One more failure at `now`, never refused; a bucket never holds more than it can.
    pub fn failure(&self, now: i64) -> Step {
        Step {
            now,
            step: self.interval,
            admit_within: i64::MAX,
            cap: self.full_span(),
        }
    }

    /// One more attempt at `now`, given the bucket's empty instant (`None`: never used or purged).
    #[cfg(test)]
    pub fn admit(&self, empty_at: Option<i64>, now: i64) -> Admission {
        match self.attempt(now).apply(empty_at) {
            Some(empty_at) => Admission::Admitted { empty_at },
            None => Admission::Refused {
                retry_after: self.retry_after(empty_at, now),
            },
        }
    }

    /// Seconds until one more attempt fits, at least one: what a refused attempt is told. A bucket
    /// found with room (it drained since the refusal) also says one: the next try fits.
    pub fn retry_after(&self, empty_at: Option<i64>, now: i64) -> i64 {
        let ahead = empty_at.map_or(0, |t| t.saturating_sub(now));
        ahead.saturating_sub(self.admit_limit()).max(1)
    }

    /// Whether the next attempt would be refused: for the account's ceiling, whether it is locked.
    pub fn is_full(&self, empty_at: Option<i64>, now: i64) -> bool {
        self.attempt(now).apply(empty_at).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::Admission::*;
    use super::*;

    const T: i64 = 1_000_000;

    /// Admits `n` attempts at `now`, returning the final empty instant.
    fn fill(bucket: Bucket, n: i64, now: i64) -> Option<i64> {
        let mut empty_at = None;
        for _ in 0..n {
            match bucket.admit(empty_at, now) {
                Admitted { empty_at: t } => empty_at = Some(t),
                Refused { .. } => panic!("refused before {n}"),
            }
        }
        empty_at
    }

    #[test]
    fn five_attempts_fit_at_once_and_the_sixth_waits_three_minutes() {
        let full = fill(PER_NETWORK, 5, T);
        assert_eq!(full, Some(T + 900));
        assert_eq!(PER_NETWORK.admit(full, T), Refused { retry_after: 180 });
        assert_eq!(PER_NETWORK.admit(full, T + 179), Refused { retry_after: 1 });
        assert_eq!(
            PER_NETWORK.admit(full, T + 180),
            Admitted { empty_at: T + 1080 }
        );
    }

    #[test]
    fn refused_attempts_do_not_fill_the_bucket_further() {
        let full = fill(PER_NETWORK, 5, T);
        for _ in 0..10 {
            assert!(PER_NETWORK.is_full(full, T + 60));
        }
        assert!(!PER_NETWORK.is_full(full, T + 180));
    }

    #[test]
    fn a_full_bucket_is_empty_again_after_fifteen_minutes() {
        let full = fill(PER_NETWORK, 5, T);
        let later = T + 900;
        assert_eq!(
            PER_NETWORK.admit(full, later),
            Admitted {
                empty_at: later + 180
            }
        );
        assert_eq!(fill(PER_NETWORK, 5, later).map(|t| t - later), Some(900));
    }

    #[test]
    fn attempts_leak_away_one_interval_at_a_time() {
        let three = fill(PER_NETWORK, 3, T);
        // Six minutes later two have leaked away: four more fit, not five.
        let mut empty_at = three;
        let now = T + 360;
        for _ in 0..4 {
            match PER_NETWORK.admit(empty_at, now) {
                Admitted { empty_at: t } => empty_at = Some(t),
                Refused { .. } => panic!("refused too early"),
            }
        }
        assert!(PER_NETWORK.is_full(empty_at, now));
    }

    #[test]
    fn the_ceiling_fills_at_one_hundred_failures_and_never_holds_more() {
        let mut empty_at = None;
        for _ in 0..99 {
            empty_at = ACCOUNT_CEILING.failure(T).apply(empty_at);
        }
        assert!(!ACCOUNT_CEILING.is_full(empty_at, T));
        empty_at = ACCOUNT_CEILING.failure(T).apply(empty_at);
        assert!(ACCOUNT_CEILING.is_full(empty_at, T));
        for _ in 0..1000 {
            empty_at = ACCOUNT_CEILING.failure(T).apply(empty_at);
        }
        assert_eq!(empty_at, Some(T + 100 * 3600));
        // One hour after the last failure, one slot is free again.
        assert!(ACCOUNT_CEILING.is_full(empty_at, T + 3599));
        assert!(!ACCOUNT_CEILING.is_full(empty_at, T + 3600));
    }

    #[test]
    fn an_empty_or_unknown_bucket_admits() {
        assert_eq!(PER_NETWORK.admit(None, T), Admitted { empty_at: T + 180 });
        assert_eq!(
            PER_NETWORK.admit(Some(T - 5000), T),
            Admitted { empty_at: T + 180 }
        );
        assert!(!ACCOUNT_CEILING.is_full(None, T));
    }

    #[test]
    fn a_refused_attempt_is_told_when_the_next_one_fits() {
        let full = fill(PER_NETWORK, 5, T);
        assert_eq!(PER_NETWORK.retry_after(full, T + 60), 120);
        // Drained between the refusal and the second look: the next try fits.
        assert_eq!(PER_NETWORK.retry_after(full, T + 900), 1);
        assert_eq!(PER_NETWORK.retry_after(None, T), 1);
    }

    #[test]
    fn steps_never_go_past_the_cap_or_take_more_than_one_interval() {
        for bucket in [PER_NETWORK, ACCOUNT_CEILING] {
            for step in [bucket.attempt(T), bucket.failure(T)] {
                assert!(step.step <= step.cap);
                assert_eq!(step.apply(None), Some(T + bucket.interval));
                assert_eq!(step.apply(Some(T - 1_000_000)), Some(T + bucket.interval));
            }
            assert_eq!(
                bucket.failure(T).apply(Some(T + 10 * bucket.full_span())),
                Some(T + bucket.full_span())
            );
        }
    }
}
