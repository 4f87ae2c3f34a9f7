//! Comparing secrets without telling, through the time taken, how much of a guess was right.

/// Whether `a` and `b` are equal, in a time that depends on neither their contents nor (both are
/// hashed first) their lengths.
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    let a = hmac_sha256::Hash::hash(a);
    let b = hmac_sha256::Hash::hash(b);
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::eq;

    #[test]
    fn compares_whole_secrets() {
        assert!(eq(b"secret", b"secret"));
        assert!(!eq(b"secret", b"secreT"));
        assert!(!eq(b"secret", b"secret2"));
        assert!(!eq(b"", b"x"));
        assert!(eq(b"", b""));
    }
}
