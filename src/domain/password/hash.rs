//! Argon2id password hashes in the PHC string format (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`).

use super::Password;
use crate::domain::constant_time;
use argon2::{Algorithm, Argon2, Params, Version};
use ct_codecs::{Base64NoPadding, Decoder, Encoder};

const OUTPUT_LEN: usize = 32;
pub const SALT_LEN: usize = 16;

/// Cost parameters; the defaults are OWASP's recommendation for argon2id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashParams {
    /// Whether a hash made with `self` is weaker than one made with `target` in any dimension.
    pub fn weaker_than(&self, target: &HashParams) -> bool {
        self.memory_kib < target.memory_kib
            || self.iterations < target.iterations
            || self.parallelism < target.parallelism
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum HashError {
    /// The stored string is not a hash this service can check (corrupt row, foreign format).
    Malformed,
    /// The parameters are out of argon2's range (a configuration error).
    BadParams,
}

/// A parsed PHC string.
struct Phc {
    params: HashParams,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

pub fn hash(
    password: &Password,
    params: HashParams,
    salt: &[u8; SALT_LEN],
) -> Result<String, HashError> {
    let mut out = [0u8; OUTPUT_LEN];
    argon2(params, OUTPUT_LEN)?
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|_| HashError::BadParams)?;
    Ok(format_phc(params, salt, &out))
}

/// `Ok(false)` for a wrong password; `Err` only when the stored hash itself is unusable.
pub fn verify(password: &Password, phc: &str) -> Result<bool, HashError> {
    let parsed = parse_phc(phc)?;
    let mut out = vec![0u8; parsed.hash.len()];
    argon2(parsed.params, parsed.hash.len())?
        .hash_password_into(password.as_bytes(), &parsed.salt, &mut out)
        .map_err(|_| HashError::Malformed)?;
    Ok(constant_time::eq(&out, &parsed.hash))
}

/// Whether a stored hash should be replaced by one made with `target` at the next successful login.
pub fn needs_rehash(phc: &str, target: &HashParams) -> bool {
    parse_phc(phc).map_or(true, |parsed| parsed.params.weaker_than(target))
}

/// A well-formed hash with the given costs that no password matches in practice: checking an unknown
/// account against it costs the same time as checking a real one.
pub fn dummy_phc(params: HashParams) -> String {
    format_phc(params, b"chatty-dummy-slt", &[0u8; OUTPUT_LEN])
}

fn argon2(params: HashParams, output_len: usize) -> Result<Argon2<'static>, HashError> {
    let params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(output_len),
    )
    .map_err(|_| HashError::BadParams)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn format_phc(params: HashParams, salt: &[u8], hash: &[u8]) -> String {
    format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.memory_kib,
        params.iterations,
        params.parallelism,
        b64(salt),
        b64(hash)
    )
}

fn b64(bytes: &[u8]) -> String {
    Base64NoPadding::encode_to_string(bytes).unwrap_or_default()
}

fn parse_phc(phc: &str) -> Result<Phc, HashError> {
    let mut parts = phc.split('$');
    let (Some(""), Some("argon2id"), Some("v=19"), Some(costs), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(HashError::Malformed);
    };
    let mut params = HashParams {
        memory_kib: 0,
        iterations: 0,
        parallelism: 0,
    };
    for pair in costs.split(',') {
        let (key, value) = pair.split_once('=').ok_or(HashError::Malformed)?;
        let value: u32 = value.parse().map_err(|_| HashError::Malformed)?;
        match key {
            "m" => params.memory_kib = value,
            "t" => params.iterations = value,
            "p" => params.parallelism = value,
            _ => return Err(HashError::Malformed),
        }
    }
    let salt = Base64NoPadding::decode_to_vec(salt, None).map_err(|_| HashError::Malformed)?;
    let hash = Base64NoPadding::decode_to_vec(hash, None).map_err(|_| HashError::Malformed)?;
    if hash.len() < 16 {
        return Err(HashError::Malformed);
    }
    Ok(Phc { params, salt, hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small costs keep the unit tests fast; the format and logic do not depend on them.
    const FAST: HashParams = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn pw(s: &str) -> Password {
        Password::for_login(s)
    }

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let phc = hash(&pw("open sesame 42"), FAST, &[7; SALT_LEN]).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(verify(&pw("open sesame 42"), &phc), Ok(true));
        assert_eq!(verify(&pw("open sesame 43"), &phc), Ok(false));
    }

    #[test]
    fn the_same_password_with_another_salt_gives_another_hash() {
        let a = hash(&pw("same password"), FAST, &[1; SALT_LEN]).unwrap();
        let b = hash(&pw("same password"), FAST, &[2; SALT_LEN]).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn encodes_salt_and_hash_in_unpadded_base64() {
        let phc = hash(&pw("password"), FAST, b"somesaltsomesalt").unwrap();
        let fields: Vec<&str> = phc.split('$').collect();
        assert_eq!(fields[4], "c29tZXNhbHRzb21lc2FsdA");
        assert_eq!(fields[5].len(), 43);
        assert!(!phc.contains('='.to_string().repeat(2).as_str()));
    }

    #[test]
    fn malformed_hashes_are_errors_not_mismatches() {
        for bad in [
            "",
            "plain",
            "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=x,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1,p=1$!!!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAA",
            "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$extra",
        ] {
            assert!(verify(&pw("x"), bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn weaker_parameters_call_for_a_rehash() {
        let target = HashParams::default();
        let weak = hash(&pw("upgrade me please"), FAST, &[3; SALT_LEN]).unwrap();
        assert!(needs_rehash(&weak, &target));
        assert!(!needs_rehash(&dummy_phc(target), &target));
        assert!(needs_rehash("garbage", &target));
        let stronger = HashParams {
            memory_kib: 65_536,
            ..target
        };
        assert!(!needs_rehash(&dummy_phc(stronger), &target));
    }

    #[test]
    fn the_dummy_hash_is_well_formed_and_matches_nothing_typed() {
        let dummy = dummy_phc(FAST);
        assert_eq!(verify(&pw("password"), &dummy), Ok(false));
        assert_eq!(verify(&pw(""), &dummy), Ok(false));
    }
}
