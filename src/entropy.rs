//! The host's cryptographic random source, read here only (`clippy.toml` bans it elsewhere), so
//! that every use of randomness is easy to find.

/// `N` random bytes.
#[allow(clippy::disallowed_methods)]
pub fn bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}
