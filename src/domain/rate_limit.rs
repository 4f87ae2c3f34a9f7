//! Fixed-window request limits per client address.

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
