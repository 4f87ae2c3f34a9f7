//! What an access token carries, and the limits that issuing and every verifier share.

use crate::domain::ids::{SessionId, UserId};
use serde::{Deserialize, Serialize};

pub const TOKEN_TYPE: &str = "at+jwt";
/// Clock difference tolerated between replicas, for `exp`, `nbf` and `iat` alike.
pub const LEEWAY_SECS: u64 = 5;
/// Longest token accepted for verification; ours are well under 1 KiB.
pub const MAX_TOKEN_LEN: usize = 4096;

/// The service's own claims, beside the registered ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sid: SessionId,
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    pub is_admin: bool,
}

/// Everything a verified token says, as `/verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub sub: UserId,
    pub jti: String,
    pub exp: u64,
    pub iat: u64,
    pub claims: SessionClaims,
}

/// Why a token was refused; never shown to clients in detail (they all get `invalid_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    UnknownKey,
    BadSignatureOrClaims,
    MissingClaim,
}
