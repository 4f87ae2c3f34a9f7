//! The wall clock the component sees: real time plus an offset a test can move forward, so expiry
//! and lockout rules are tested without sleeping. A test that asserts exact seconds freezes it, so
//! a real second ticking between two requests cannot shift them. Monotonic time is left alone.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Default)]
pub struct TestClock {
    offset_secs: Arc<AtomicI64>,
    frozen_at: Arc<OnceLock<Duration>>,
    /// The clock of a runtime the test does not control (real Spin): it cannot be moved.
    fixed: bool,
}

impl TestClock {
    /// Real time that nobody can move, for apps served by real Spin.
    pub fn real_time() -> Self {
        Self {
            fixed: true,
            ..Self::default()
        }
    }

    /// From now on real time stands still: only `advance` moves the clock.
    pub fn freeze(&self) {
        self.assert_movable();
        self.frozen_at.get_or_init(real_now);
    }

    #[track_caller]
    fn assert_movable(&self) {
        assert!(
            !self.fixed,
            "only the test host's clock moves: list this test in tests/api/host_only.rs"
        );
    }

    pub fn advance(&self, by: Duration) {
        self.assert_movable();
        self.offset_secs.fetch_add(
            i64::try_from(by.as_secs()).unwrap_or(i64::MAX),
            Ordering::SeqCst,
        );
    }

    pub fn now(&self) -> Duration {
        let real = self.frozen_at.get().copied().unwrap_or_else(real_now);
        let offset = self.offset_secs.load(Ordering::SeqCst);
        if offset >= 0 {
            real + Duration::from_secs(offset as u64)
        } else {
            real.saturating_sub(Duration::from_secs(offset.unsigned_abs()))
        }
    }

    pub fn unix_secs(&self) -> i64 {
        self.now().as_secs() as i64
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "the host is the runtime: it owns the real clock the component reads"
)]
fn real_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

impl wasmtime_wasi::HostWallClock for TestClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        TestClock::now(self)
    }
}
