//! Opaque secrets handed to a client or mailed to a user (refresh, password-reset and verification
//! tokens): 256 random bits, shown once, stored only as a SHA-256 hash.

use super::keys::b64url;

pub const TOKEN_BYTES: usize = 32;
/// Length of the base64url (unpadded) text of `TOKEN_BYTES`.
const TOKEN_CHARS: usize = 43;

/// The secret the client holds. Never printed.
pub struct OpaqueToken(String);

impl std::fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpaqueToken([redacted])")
    }
}

impl OpaqueToken {
    pub fn from_random(random: [u8; TOKEN_BYTES]) -> Self {
        Self(b64url(&random))
    }

    /// A token presented by a client; `None` when it cannot be one of ours, so no lookup is needed.
    pub fn parse(presented: &str) -> Option<Self> {
        let plausible = presented.len() == TOKEN_CHARS
            && presented
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Self(presented.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps: hex SHA-256 of the token text.
    pub fn hash(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hmac_sha256::Hash::hash(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_url_safe_characters_and_parses_back() {
        let token = OpaqueToken::from_random([0xfb; TOKEN_BYTES]);
        assert_eq!(token.as_str().len(), 43);
        let again = OpaqueToken::parse(token.as_str()).unwrap();
        assert_eq!(again.hash(), token.hash());
    }

    #[test]
    fn the_stored_hash_is_sha256_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = OpaqueToken::from_random([1; TOKEN_BYTES]);
        assert_eq!(token.hash().len(), 64);
        assert!(!token.hash().contains(token.as_str()));
    }

    #[test]
    fn implausible_tokens_are_refused_without_a_lookup() {
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}=", "a".repeat(42)),
            &"é".repeat(22),
        ] {
            assert!(OpaqueToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = OpaqueToken::from_random([9; TOKEN_BYTES]);
        assert!(!format!("{token:?}").contains(token.as_str()));
    }
}
