//! What one request carries through the handlers: configuration, the clock, identity of the call,
//! a database connection opened only if the handler needs one, and the outbox messages it wrote.

use super::error::ApiError;
use crate::config::Config;
use crate::domain::ids;
use crate::domain::language::{self, Language};
use crate::http::Request;
use crate::outbound::delivery::LEASE_SECS;
use crate::store::Store;
use crate::store::outbox::{Claimed, Message};
use std::cell::{OnceCell, RefCell};

pub struct Ctx {
    pub config: Config,
    /// Unix seconds: the single "now" every rule of this request uses.
    pub now: i64,
    pub now_ms: u64,
    pub request_id: String,
    /// The language for mail this request causes.
    pub language: Language,
    store: OnceCell<Store>,
    /// Messages committed by this request, leased to it for delivery once the response is sent.
    written: RefCell<Vec<Claimed>>,
}

impl Ctx {
    pub fn new(config: Config, request: &Request) -> Self {
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
            language: language::negotiate(request.header_str("accept-language").ok().flatten()),
            store: OnceCell::new(),
            written: RefCell::new(Vec::new()),
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

    /// The database if this request already opened it.
    pub fn opened_store(&self) -> Option<&Store> {
        self.store.get()
    }

    /// A new time-ordered id.
    pub fn new_id(&self) -> Result<String, ApiError> {
        Ok(ids::uuid_v7(self.now_ms, random()?))
    }

    /// Runs `work` in one transaction together with the outbox messages it produces: the change and
    /// its mail and events are committed together or not at all.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&Store, &mut Vec<Message>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let lease_until = self.now + LEASE_SECS;
        let (value, messages) = self.store()?.transaction(|tx| {
            let mut messages = Vec::new();
            let value = work(tx, &mut messages)?;
            tx.enqueue(&messages, self.now, lease_until)?;
            Ok::<_, ApiError>((value, messages))
        })?;
        self.written
            .borrow_mut()
            .extend(messages.into_iter().map(|message| Claimed {
                message,
                attempts: 1,
                lease_until,
            }));
        Ok(value)
    }

    /// The messages committed by this request, for delivery after the response.
    pub fn take_written(&self) -> Vec<Claimed> {
        std::mem::take(&mut self.written.borrow_mut())
    }
}

/// Bytes from the host's cryptographic random source.
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::Internal(format!("random source failed: {e}")))?;
    Ok(bytes)
}
