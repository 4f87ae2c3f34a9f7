//! Ed25519 signing keys, their public halves, key ids (RFC 7638 thumbprints) and the JWK form.

use ct_codecs::{Base64UrlSafeNoPadding, Decoder, Encoder};
use jwt_simple::prelude::Ed25519KeyPair;
use serde::Serialize;
use serde_json::Value;

pub const PUBLIC_KEY_LEN: usize = 32;

#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    /// `jwt_private_key` is not an Ed25519 private key in PEM (PKCS#8).
    PrivateKeyPem,
    /// A stored or configured public key is not 32 bytes of base64url.
    PublicKeyX,
    /// `jwt_previous_public_keys` is not a JWK set of Ed25519 keys.
    KeySetJwks,
}

/// The key that signs new access tokens.
pub struct SigningKey {
    pub kid: String,
    pair: Ed25519KeyPair,
}

/// A key that verifies tokens: the current one, or a retired one whose tokens may still be live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    pub bytes: [u8; PUBLIC_KEY_LEN],
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

impl SigningKey {
    /// From an operator-supplied PEM (`openssl genpkey -algorithm ed25519`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_pem(pem.trim()).map_err(|_| KeyError::PrivateKeyPem)?;
        Ok(Self::from_pair(pair))
    }

    /// Only the public half of a PEM key, derived with ed25519-dalek's precomputed tables: what
    /// verification needs, at a fraction of the cost of loading the key for signing.
    pub fn public_from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let seed = pkcs8_seed(pem)?;
        let public = ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes();
        Ok(PublicKey {
            kid: thumbprint(&public),
            bytes: public,
        })
    }

    /// From the 64-byte secret+public form kept in the database for a generated key.
    pub fn from_stored(b64: &str) -> Result<Self, KeyError> {
        let raw = Base64UrlSafeNoPadding::decode_to_vec(b64, None)
            .map_err(|_| KeyError::PrivateKeyPem)?;
        let pair = Ed25519KeyPair::from_bytes(&raw).map_err(|_| KeyError::PrivateKeyPem)?;
        Ok(Self::from_pair(pair))
    }

    /// A fresh random key (development set-ups with no configured key): the one place keys are made.
    #[allow(clippy::disallowed_methods)]
    pub fn generate() -> Self {
        Self::from_pair(Ed25519KeyPair::generate())
    }

    /// A secret value bound to this key, `purpose` and `input` (HMAC-SHA256 keyed with the private
    /// key): unpredictable to anyone without the key, the same every time it is asked for.
    pub fn derive(&self, purpose: &str, input: &[u8]) -> [u8; 32] {
        let mut mac = hmac_sha256::HMAC::new(self.pair.to_bytes());
        mac.update(purpose.as_bytes());
        mac.update([0u8]);
        mac.update(input);
        mac.finalize()
    }

    /// The form `from_stored` reads back. A secret: store it, never log it.
    pub fn to_stored(&self) -> String {
        b64url(&self.pair.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        let mut bytes = [0u8; PUBLIC_KEY_LEN];
        let raw = self.pair.public_key().to_bytes();
        if let Some(src) = raw.get(..PUBLIC_KEY_LEN) {
            bytes.copy_from_slice(src);
        }
        PublicKey {
            kid: self.kid.clone(),
            bytes,
        }
    }

    pub(crate) fn pair(&self) -> &Ed25519KeyPair {
        &self.pair
    }

    fn from_pair(pair: Ed25519KeyPair) -> Self {
        let kid = thumbprint(&pair.public_key().to_bytes());
        let pair = pair.with_key_id(&kid);
        Self { kid, pair }
    }
}

impl PublicKey {
    /// From the base64url `x` of a JWK; the key id is always recomputed, never trusted.
    pub fn from_x(x: &str) -> Result<Self, KeyError> {
        let raw =
            Base64UrlSafeNoPadding::decode_to_vec(x, None).map_err(|_| KeyError::PublicKeyX)?;
        let bytes: [u8; PUBLIC_KEY_LEN] = raw.try_into().map_err(|_| KeyError::PublicKeyX)?;
        Ok(Self {
            kid: thumbprint(&bytes),
            bytes,
        })
    }

    pub fn x(&self) -> String {
        b64url(&self.bytes)
    }

    pub fn to_jwk(&self) -> Jwk<'_> {
        Jwk {
            alg: "EdDSA",
            crv: "Ed25519",
            kid: &self.kid,
            kty: "OKP",
            key_use: "sig",
            x: self.x(),
        }
    }
}

/// A public key as a JWK (RFC 8037): an Ed25519 signing key.
#[derive(Debug, Serialize)]
pub struct Jwk<'a> {
    alg: &'static str,
    crv: &'static str,
    kid: &'a str,
    kty: &'static str,
    #[serde(rename = "use")]
    key_use: &'static str,
    x: String,
}

/// Reads retired keys from a JWK set (`{"keys":[...]}`) or a bare array of JWKs, as served by
/// `/.well-known/jwks.json` before a rotation. An empty string means none.
pub fn parse_key_set(text: &str) -> Result<Vec<PublicKey>, KeyError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let value: Value = serde_json::from_str(text).map_err(|_| KeyError::KeySetJwks)?;
    let keys = match &value {
        Value::Array(keys) => keys,
        Value::Object(set) => match set.get("keys") {
            Some(Value::Array(keys)) => keys,
            _ => return Err(KeyError::KeySetJwks),
        },
        _ => return Err(KeyError::KeySetJwks),
    };
    keys.iter()
        .map(|jwk| {
            let field = |name: &str| jwk.get(name).and_then(Value::as_str);
            if field("kty") != Some("OKP") || field("crv") != Some("Ed25519") {
                return Err(KeyError::KeySetJwks);
            }
            PublicKey::from_x(field("x").ok_or(KeyError::KeySetJwks)?)
        })
        .collect()
}

/// The 32-byte seed of an Ed25519 PKCS#8 PEM (RFC 8410): a fixed 16-byte prefix, then the seed.
fn pkcs8_seed(pem: &str) -> Result<[u8; 32], KeyError> {
    use ct_codecs::Base64;
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    let der = Base64::decode_to_vec(&body, None).map_err(|_| KeyError::PrivateKeyPem)?;
    match der.strip_prefix(&PREFIX[..]) {
        Some(seed) => seed.try_into().map_err(|_| KeyError::PrivateKeyPem),
        None => Err(KeyError::PrivateKeyPem),
    }
}

/// RFC 7638 JWK thumbprint: base64url(SHA-256 of the canonical required members).
pub fn thumbprint(public_key: &[u8]) -> String {
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        b64url(public_key)
    );
    b64url(&hmac_sha256::Hash::hash(canonical.as_bytes()))
}

pub fn b64url(bytes: &[u8]) -> String {
    Base64UrlSafeNoPadding::encode_to_string(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // RFC 8037 appendix A.1 key.
    const RFC8037_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn reads_a_pem_private_key_and_derives_the_public_key() {
        let key = SigningKey::from_pem(RFC8037_PEM).unwrap();
        assert_eq!(key.public().x(), RFC8037_X);
    }

    #[test]
    fn the_fast_public_key_matches_the_full_key_load() {
        let fast = SigningKey::public_from_pem(RFC8037_PEM).unwrap();
        assert_eq!(fast, SigningKey::from_pem(RFC8037_PEM).unwrap().public());
        assert_eq!(fast.x(), RFC8037_X);
        assert_eq!(
            SigningKey::public_from_pem("nope").unwrap_err(),
            KeyError::PrivateKeyPem
        );
        let rsa_like = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::public_from_pem(rsa_like).unwrap_err(),
            KeyError::PrivateKeyPem
        );
    }

    #[test]
    fn derived_secrets_depend_on_the_key_the_purpose_and_the_input() {
        let key = SigningKey::from_pem(RFC8037_PEM).unwrap();
        let other = SigningKey::generate();
        let a = key.derive("refresh-successor", b"token");
        assert_eq!(a, key.derive("refresh-successor", b"token"));
        assert_ne!(a, key.derive("refresh-successor", b"token2"));
        assert_ne!(a, key.derive("other-purpose", b"token"));
        assert_ne!(a, other.derive("refresh-successor", b"token"));
    }

    #[test]
    fn key_id_is_the_rfc7638_thumbprint() {
        // RFC 8037 appendix A.3 gives this thumbprint for the key above.
        let key = SigningKey::from_pem(RFC8037_PEM).unwrap();
        assert_eq!(key.kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
        assert_eq!(PublicKey::from_x(RFC8037_X).unwrap().kid, key.kid);
    }

    #[test]
    fn stored_form_round_trips() {
        let key = SigningKey::generate();
        let again = SigningKey::from_stored(&key.to_stored()).unwrap();
        assert_eq!(again.public(), key.public());
    }

    #[test]
    fn refuses_garbage_keys() {
        assert_eq!(
            SigningKey::from_pem("nope").unwrap_err(),
            KeyError::PrivateKeyPem
        );
        assert_eq!(
            SigningKey::from_stored("!!").unwrap_err(),
            KeyError::PrivateKeyPem
        );
        assert_eq!(PublicKey::from_x("AAAA").unwrap_err(), KeyError::PublicKeyX);
    }

    #[test]
    fn reads_key_sets_in_both_shapes() {
        let key = PublicKey::from_x(RFC8037_X).unwrap();
        let jwk = serde_json::to_value(key.to_jwk()).unwrap();
        let set = json!({ "keys": [jwk.clone()] }).to_string();
        let arr = json!([jwk]).to_string();
        assert_eq!(parse_key_set(&set).unwrap().len(), 1);
        assert_eq!(parse_key_set(&arr).unwrap().len(), 1);
        assert!(parse_key_set("").unwrap().is_empty());
        for bad in [
            "{",
            "{}",
            "42",
            r#"[{"kty":"RSA","x":"AA"}]"#,
            r#"[{"kty":"OKP","crv":"Ed25519"}]"#,
        ] {
            assert_eq!(
                parse_key_set(bad).unwrap_err(),
                KeyError::KeySetJwks,
                "{bad}"
            );
        }
    }

    #[test]
    fn jwk_has_the_members_verifiers_need() {
        let key = PublicKey::from_x(RFC8037_X).unwrap();
        let jwk = serde_json::to_value(key.to_jwk()).unwrap();
        assert_eq!(jwk["kty"], "OKP");
        assert_eq!(jwk["crv"], "Ed25519");
        assert_eq!(jwk["alg"], "EdDSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["x"], RFC8037_X);
    }
}
