//! Access tokens: EdDSA-signed JWTs (`typ` `at+jwt`, RFC 9068) that other services verify offline.
//!
//! `claims` is what a token carries and the limits every side keeps; `issue` signs through
//! jwt-simple; `verify` is the fast check `/verify` runs on every request; `reference` (tests only)
//! verifies through jwt-simple, and the tests hold the fast check to it.

mod claims;
mod issue;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
mod verify;

pub use claims::{LEEWAY_SECS, SessionClaims, VerifiedToken};
#[cfg(test)]
pub use claims::{MAX_TOKEN_LEN, TokenError};
pub use issue::{IssueParams, issue};
pub use verify::{Expectations, decode_unverified, verify};
