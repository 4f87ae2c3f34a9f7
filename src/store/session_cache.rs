//! Live sessions in Spin's key-value store, so that `/verify` can accept a live session's access
//! tokens without a SQL round trip. The SQL database stays the source of truth; the cache only
//! ever answers "yes, live", and everything else asks the database:
//! - a sign-in writes its session here before its transaction commits (no token exists before the
//!   commit, so an entry can never trail its session's revocation);
//! - every revocation deletes the entry through the outbox: at once, and again until it succeeds;
//! - a missing entry (older sessions, a failed write, an unreachable store) means "ask SQL", which
//!   is always right, only slower.

use crate::domain::ids::SessionId;
use spin_sdk::key_value;

/// The `default` store: Spin's local store under `spin up`, Redis (or another backend) through
/// runtime configuration in a cluster, shared by every replica.
pub struct SessionCache(key_value::Store);

#[derive(Debug)]
pub struct CacheError(pub String);

impl std::fmt::Display for CacheError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "key-value store: {}", self.0)
    }
}

fn failed(e: key_value::Error) -> CacheError {
    CacheError(format!("{e:?}"))
}

fn key(session_id: &SessionId) -> String {
    format!("session:{session_id}")
}

impl SessionCache {
    pub fn open() -> Result<Self, CacheError> {
        key_value::Store::open_default().map(Self).map_err(failed)
    }

    /// `true` only for a session known live; `false` means "not known here".
    pub fn is_live(&self, session_id: &SessionId) -> Result<bool, CacheError> {
        self.0.exists(&key(session_id)).map_err(failed)
    }

    /// Records a new session; its absolute end (Unix seconds) is the value, for whoever inspects
    /// the store.
    pub fn remember(&self, session_id: &SessionId, expires_at: i64) -> Result<(), CacheError> {
        self.0
            .set(&key(session_id), expires_at.to_string().as_bytes())
            .map_err(failed)
    }

    /// Drops a session that ended (revoked, or expired and purged).
    pub fn forget(&self, session_id: &SessionId) -> Result<(), CacheError> {
        self.0.delete(&key(session_id)).map_err(failed)
    }
}
