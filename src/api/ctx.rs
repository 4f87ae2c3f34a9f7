//! What one request carries through the handlers: configuration, the clock, identity of the call,
//! and a database connection opened only if the handler needs one.

use super::error::ApiError;
use crate::config::Config;
use crate::domain::ids;
use crate::http::Request;
use crate::store::Store;
use std::cell::OnceCell;

pub struct Ctx {
    pub config: Config,
    /// Unix seconds: the single "now" every rule of this request uses.
    pub now: i64,
    pub now_ms: u64,
    pub request_id: String,
    store: OnceCell<Store>,
}

impl Ctx {
    pub fn new(config: Config, _request: &Request) -> Self {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let now_ms = u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX);
        let request_id = random::<10>().map_or_else(|_| String::new(), |r| ids::uuid_v7(now_ms, r));
        Self {
            config,
            now: i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
            now_ms,
            request_id,
            store: OnceCell::new(),
        }
    }

    /// The database, opened (and migrated if needed) on first use within this request.
    pub fn store(&self) -> Result<&Store, ApiError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open(&self.config.database()?, self.now)?;
        Ok(self.store.get_or_init(|| store))
    }

    /// A new time-ordered id.
    pub fn new_id(&self) -> Result<String, ApiError> {
        Ok(ids::uuid_v7(self.now_ms, random()?))
    }
}

/// Bytes from the host's cryptographic random source.
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(format!("random source failed: {e}")))?;
    Ok(bytes)
}
