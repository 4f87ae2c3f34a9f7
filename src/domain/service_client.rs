//! Service clients allowed to introspect tokens: `client_id:secret` pairs from the `service_clients`
//! secret, each secret given in clear or as `sha256:<64 hex digits>` so the variable need not hold it.

#[derive(Clone, PartialEq, Eq)]
pub struct ServiceClient {
    pub id: String,
    /// SHA-256 of the secret: clear secrets are hashed on reading, so every comparison is alike.
    secret_hash: [u8; 32],
}

impl std::fmt::Debug for ServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceClient({}, [redacted])", self.id)
    }
}

/// Parses the whole list: entries separated by commas or whitespace. Any bad entry fails the list,
/// naming its position, never its text (it holds a secret).
pub fn parse_list(text: &str) -> Result<Vec<ServiceClient>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|entry| !entry.is_empty())
        .enumerate()
        .map(|(i, entry)| {
            parse_entry(entry).ok_or_else(|| {
                format!(
                    "entry {} must be client_id:secret or client_id:sha256:<64 hex digits>",
                    i + 1
                )
            })
        })
        .collect()
}

fn parse_entry(entry: &str) -> Option<ServiceClient> {
    let (id, secret) = entry.split_once(':')?;
    if id.is_empty() || secret.is_empty() {
        return None;
    }
    let secret_hash = match secret.strip_prefix("sha256:") {
        Some(hex) => decode_hex(hex)?,
        None => hmac_sha256::Hash::hash(secret.as_bytes()),
    };
    Some(ServiceClient {
        id: id.to_owned(),
        secret_hash,
    })
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *slot = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// The client whose id and secret both match. Every configured client is compared in constant
/// time, whatever the id, so the answer's timing does not tell which ids exist.
pub fn authenticate<'a>(
    clients: &'a [ServiceClient],
    id: &str,
    secret: &str,
) -> Option<&'a ServiceClient> {
    let presented = hmac_sha256::Hash::hash(secret.as_bytes());
    let mut found = None;
    for client in clients {
        let secret_matches = presented
            .iter()
            .zip(client.secret_hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if secret_matches && client.id == id {
            found = Some(client);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH_OF_S3CRET: &str = "1a3f8b0e8a0d8d1bd3d8c1b1e2d4b8bfa0c5c1d5f8a8a1a5c8e6b1e4e7d5c2f9";

    #[test]
    fn reads_clear_and_hashed_secrets() {
        let hash = hex(&hmac_sha256::Hash::hash(b"s3cret"));
        let list = parse_list(&format!("posts:s3cret, gateway:sha256:{hash}\nadmin:x")).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(
            authenticate(&list, "posts", "s3cret").map(|c| c.id.as_str()),
            Some("posts")
        );
        assert_eq!(
            authenticate(&list, "gateway", "s3cret").map(|c| c.id.as_str()),
            Some("gateway")
        );
        assert!(authenticate(&list, "gateway", "sha256:x").is_none());
        assert!(authenticate(&list, "posts", "s3creT").is_none());
        assert!(authenticate(&list, "nobody", "s3cret").is_none());
        assert!(authenticate(&list, "admin", "s3cret").is_none());
        assert_eq!(parse_list("").unwrap(), Vec::new());
    }

    #[test]
    fn refuses_bad_entries_without_repeating_them() {
        for bad in [
            "posts",
            "posts:",
            ":secret",
            "x:sha256:abc",
            &format!("x:sha256:{}", "g".repeat(64)),
        ] {
            let error = parse_list(&format!("ok:fine,{bad}")).unwrap_err();
            assert!(error.starts_with("entry 2"), "{bad}: {error}");
            assert!(!error.contains("fine"));
        }
        assert!(parse_list(&format!("x:sha256:{HASH_OF_S3CRET}")).is_ok());
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let list = parse_list("posts:s3cret").unwrap();
        assert!(!format!("{list:?}").contains("s3cret"));
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
