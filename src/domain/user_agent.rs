//! The `User-Agent` a session was opened with, kept so that its owner can tell sessions apart.

/// Longer values are cut: enough to name a browser and device, not a place to store a payload.
const MAX_CHARS: usize = 256;

/// The header as stored: control characters dropped, trimmed, cut to 256 characters; `None` when
/// nothing is left.
pub fn parse(header: Option<&str>) -> Option<String> {
    let kept: String = header?
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_CHARS)
        .collect();
    let trimmed = kept.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn keeps_a_readable_bounded_line() {
        assert_eq!(parse(Some(" Firefox/130 ")).as_deref(), Some("Firefox/130"));
        assert_eq!(parse(Some("a\nb\u{7f}c")).as_deref(), Some("abc"));
        assert_eq!(parse(Some(&"x".repeat(1000))).map(|s| s.len()), Some(256));
        assert_eq!(parse(Some("  ")), None);
        assert_eq!(parse(None), None);
    }
}
