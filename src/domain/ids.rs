//! Ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by randomness, so ids sort by
//! creation time; and the typed ids of accounts and sessions, which are parsed and spelled here
//! only.

use super::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An account's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

/// A session's id (the `sid` of its access tokens).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(String);

macro_rules! uuid_id {
    ($name:ident, $what:literal) => {
        impl $name {
            /// An id a client sent: only the canonical UUID form names anything.
            pub fn parse(input: &str) -> Result<Self, Invalid> {
                if is_uuid(input) {
                    Ok(Self(input.to_owned()))
                } else {
                    Err(Invalid::new("invalid_id", concat!("not the id of ", $what)))
                }
            }

            /// An id the service made or stored itself (a new id, a row, a token it signed):
            /// taken as it is.
            pub fn trusted(id: String) -> Self {
                Self(id)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

uuid_id!(UserId, "an account");
uuid_id!(SessionId, "a session");

pub fn uuid_v7(unix_ms: u64, random: [u8; 10]) -> String {
    let ts = unix_ms.to_be_bytes();
    let [_, _, t0, t1, t2, t3, t4, t5] = ts;
    let [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9] = random;
    let bytes = [
        t0,
        t1,
        t2,
        t3,
        t4,
        t5,
        0x70 | (r0 & 0x0f),
        r1,
        0x80 | (r2 & 0x3f),
        r3,
        r4,
        r5,
        r6,
        r7,
        r8,
        r9,
    ];
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let part = |range: std::ops::Range<usize>| hex.get(range).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

/// Whether `s` is a UUID in the canonical lower- or upper-case hyphenated form.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_out_version_variant_and_timestamp() {
        let id = uuid_v7(0x0189_1234_5678, [0xff; 10]);
        assert_eq!(id, "01891234-5678-7fff-bfff-ffffffffffff");
        assert!(is_uuid(&id));
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = uuid_v7(1_700_000_000_000, [0xff; 10]);
        let b = uuid_v7(1_700_000_000_001, [0; 10]);
        assert!(a < b);
    }

    #[test]
    fn recognises_only_canonical_uuids() {
        assert!(is_uuid("00000000-0000-7000-8000-000000000000"));
        assert!(!is_uuid("00000000000070008000000000000000"));
        assert!(!is_uuid("00000000-0000-7000-8000-00000000000g"));
        assert!(!is_uuid(""));
    }

    #[test]
    fn typed_ids_parse_only_uuids_and_spell_them_unchanged() {
        let id = "01891234-5678-7fff-bfff-ffffffffffff";
        assert_eq!(UserId::parse(id).unwrap().as_str(), id);
        assert_eq!(SessionId::parse(id).unwrap().to_string(), id);
        assert_eq!(UserId::parse("42").unwrap_err().code, "invalid_id");
        assert!(SessionId::parse(&format!("{id} ")).is_err());
        assert_eq!(
            serde_json::to_string(&UserId::trusted(id.into())).unwrap(),
            format!("\"{id}\"")
        );
    }
}
