//! What one request carries through the handlers: configuration, the clock, identity of the call,
//! a database connection opened only if the handler needs one, and the outbox messages it wrote.

use super::error::ApiError;
use crate::config::Config;
use crate::domain::ids;
use crate::domain::language::{self, Language};
use crate::http::Request;
use crate::http::client_addr;
use crate::http::router::Params;
use crate::log;
use crate::outbound::delivery::{self, LEASE_SECS, QUICK};
use crate::store::outbox::{Claimed, Kind, Message};
use crate::store::{Store, Tx};
use serde_json::json;
use std::cell::{OnceCell, RefCell};
use std::net::IpAddr;

/// Messages a request delivers itself after its response; any more (a revocation of many
/// sessions) are left due for the drain, so no response waits on thousands of deliveries.
pub const OWN_DELIVERIES: usize = 10;

/// Revocations a request applies to the key-value cache itself, before it answers (quick local
/// writes, unlike mail and events); beyond that many sessions, the drain applies the rest.
pub const OWN_REVOCATIONS: usize = 1000;

pub struct Ctx {
    pub config: Config,
    /// Unix seconds: the single "now" every rule of this request uses.
    pub now: i64,
    pub now_ms: u64,
    pub request_id: String,
    /// The language for mail this request causes.
    pub language: Language,
    /// Spin's `spin-client-addr` and every `X-Forwarded-For` line, resolved on first use.
    peer: Option<String>,
    forwarded_for: Vec<String>,
    client_ip: OnceCell<Option<IpAddr>>,
    client_addr: OnceCell<String>,
    store: OnceCell<Store>,
    /// What the route's `{name}` placeholders captured.
    path_params: OnceCell<Params>,
    /// Messages committed by this request, leased to it for delivery once the response is sent.
    written: RefCell<Vec<Claimed>>,
}

impl Ctx {
    // The one place that reads the clock: everything else takes `now` from here.
    #[allow(clippy::disallowed_methods)]
    pub fn new(config: Config, request: &Request) -> Self {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let now_ms = u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX);
        let request_id = request
            .header_str("x-request-id")
            .ok()
            .flatten()
            .filter(|id| valid_request_id(id))
            .map(str::to_owned)
            .unwrap_or_else(|| {
                random::<10>().map_or_else(|_| String::new(), |r| ids::uuid_v7(now_ms, r))
            });
        let text = |name| request.header_str(name).ok().flatten().map(str::to_owned);
        Self {
            config,
            now: i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
            now_ms,
            request_id,
            language: language::negotiate(request.header_str("accept-language").ok().flatten()),
            peer: text("spin-client-addr"),
            // A line that is not UTF-8 keeps its place as text that parses as no address.
            forwarded_for: request
                .header_all("x-forwarded-for")
                .map(|line| String::from_utf8_lossy(line).into_owned())
                .collect(),
            client_ip: OnceCell::new(),
            client_addr: OnceCell::new(),
            store: OnceCell::new(),
            path_params: OnceCell::new(),
            written: RefCell::new(Vec::new()),
        }
    }

    /// The database, opened (and migrated if needed) on first use within this request.
    pub fn store(&self) -> Result<&Store, ApiError> {
        let store = self.store_unchecked()?;
        store.ensure_schema()?;
        Ok(store)
    }

    /// The database without the schema check: for a hot path whose own query reads the schema
    /// version (and which calls `ensure_schema` when that is behind).
    pub fn store_unchecked(&self) -> Result<&Store, ApiError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open(&self.config.database()?, self.now)?;
        Ok(self.store.get_or_init(|| store))
    }

    /// The client's IP address, `None` if the host did not say. Reads `trusted_proxies` only when
    /// the request came through a proxy header.
    fn client_ip(&self) -> Result<Option<IpAddr>, ApiError> {
        if let Some(ip) = self.client_ip.get() {
            return Ok(*ip);
        }
        let peer = self.peer.as_deref().and_then(client_addr::peer_ip);
        let trusted = if self.forwarded_for.is_empty() {
            Vec::new()
        } else {
            self.config.trusted_proxies()?
        };
        let lines: Vec<&str> = self.forwarded_for.iter().map(String::as_str).collect();
        let ip = client_addr::client_ip(peer, &lines, &trusted);
        Ok(*self.client_ip.get_or_init(|| ip))
    }

    /// The client's IP address as text (`unknown` if the host did not say), for the audit log.
    pub fn client_addr(&self) -> Result<&str, ApiError> {
        if let Some(addr) = self.client_addr.get() {
            return Ok(addr);
        }
        let text = self
            .client_ip()?
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Ok(self.client_addr.get_or_init(|| text))
    }

    /// What per-address limits count under: the IPv4 address or the IPv6 /64 of the client.
    pub fn client_network(&self) -> Result<String, ApiError> {
        Ok(self
            .client_ip()?
            .map_or_else(|| "unknown".to_owned(), client_addr::network_key))
    }

    /// Set once by the router before the handler runs.
    pub fn set_path_params(&self, params: Params) {
        let _ = self.path_params.set(params);
    }

    /// A segment captured by the route's `{name}` placeholder; `NotFound` if the route has none
    /// of that name.
    pub fn path_param(&self, name: &str) -> Result<&str, ApiError> {
        self.path_params
            .get()
            .and_then(|p| p.get(name))
            .ok_or(ApiError::NotFound)
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
    /// its mail and events are committed together or not at all. Revocations reach the key-value
    /// cache right after the commit, before the caller answers, so that `/verify` stops taking the
    /// session's tokens on the cache's word; one that fails stays in the outbox and is retried.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&Tx<'_>, &mut Vec<Message>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let lease_until = self.now + LEASE_SECS;
        let store = self.store()?;
        let (value, revocations, others) = store.transaction(|tx| {
            let mut messages = Vec::new();
            let value = work(tx, &mut messages)?;
            let (revocations, others): (Vec<Message>, Vec<Message>) = messages
                .into_iter()
                .partition(|m| m.kind == Kind::Revocation);
            tx.enqueue(&revocations, self.now, lease_until, OWN_REVOCATIONS)?;
            tx.enqueue(&others, self.now, lease_until, OWN_DELIVERIES)?;
            Ok::<_, ApiError>((value, revocations, others))
        })?;
        let claim = |message| Claimed {
            message,
            attempts: 1,
            lease_until,
        };
        let revocations: Vec<Claimed> = revocations
            .into_iter()
            .take(OWN_REVOCATIONS)
            .map(claim)
            .collect();
        if !revocations.is_empty()
            && let Err(e) =
                delivery::deliver_all(store, &self.config, &revocations, self.now, QUICK)
        {
            log::warn(
                "outbox_record_failed",
                json!({"request_id": self.request_id, "cause": e.to_string()}),
            );
        }
        self.written
            .borrow_mut()
            .extend(others.into_iter().take(OWN_DELIVERIES).map(claim));
        Ok(value)
    }

    /// The messages committed by this request, for delivery after the response.
    pub fn take_written(&self) -> Vec<Claimed> {
        std::mem::take(&mut self.written.borrow_mut())
    }
}

/// A caller's `X-Request-Id` is kept if it is short and plain; otherwise one is generated.
fn valid_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b'+' | b'=')
        })
}

/// Bytes from the host's cryptographic random source, for a request.
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    crate::entropy::bytes().map_err(|e| ApiError::Internal(format!("random source failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::valid_request_id;

    #[test]
    fn request_ids_from_callers_are_kept_only_when_plain() {
        assert!(valid_request_id("0190a0a0-0000-7000-8000-000000000000"));
        assert!(valid_request_id("trace:abc/1+2="));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id(&"a".repeat(129)));
        assert!(!valid_request_id("has space"));
        assert!(!valid_request_id("line\nbreak"));
        assert!(!valid_request_id("{\"json\":1}"));
    }
}
