//! Delivering outbox messages (mail to the relay, events to the broker, revocations to the
//! key-value session cache) and recording the outcome: delivered, retried later (exponential
//! backoff with jitter), or dead after the configured number of attempts.

use super::client::{SendError, Timeouts};
use super::{events, mail};
use crate::config::{Config, Variables};
use crate::domain::delivery::{is_dead, retry_delay};
use crate::domain::ids::SessionId;
use crate::log;
use crate::store::outbox::{Claimed, Kind};
use crate::store::session_cache::SessionCache;
use crate::store::{DbError, Store};
use serde_json::json;
use std::time::{Duration, Instant};

/// How long a claim lasts: longer than any delivery attempt can take.
pub const LEASE_SECS: i64 = 60;

/// Right after the response: the request's own messages, tried quickly.
pub const QUICK: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    first_byte: Duration::from_secs(2),
    between_bytes: Duration::from_secs(2),
};

/// Drains, where a slower peer is worth waiting for.
pub const PATIENT: Timeouts = Timeouts {
    connect: Duration::from_secs(3),
    first_byte: Duration::from_secs(10),
    between_bytes: Duration::from_secs(5),
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub claimed: u32,
    pub delivered: u32,
    pub retrying: u32,
    pub dead: u32,
}

/// Delivers messages this instance holds leases on, recording each outcome.
pub fn deliver_all<V: Variables>(
    store: &Store,
    config: &Config<V>,
    claims: &[Claimed],
    now: i64,
    timeouts: Timeouts,
) -> Result<Report, DbError> {
    let mut report = Report::default();
    // A broken setting must not kill messages: they keep being retried until it is fixed.
    let max_attempts = config.outbox_max_attempts().unwrap_or_else(|e| {
        log::error(
            "misconfigured",
            json!({"variable": e.variable, "cause": e.to_string()}),
        );
        u32::MAX
    });
    for claim in claims {
        report.claimed += 1;
        match deliver_one(config, claim, timeouts) {
            Ok(()) => {
                store.mark_delivered(claim, now)?;
                report.delivered += 1;
            }
            Err(e) => {
                let dead = is_dead(claim.attempts, max_attempts);
                let next = now + retry_delay(claim.attempts, jitter());
                store.mark_failed(claim, next, dead, &e.0)?;
                log::warn(
                    if dead {
                        "outbox_message_dead"
                    } else {
                        "outbox_delivery_failed"
                    },
                    json!({
                        "outbox_id": claim.message.id,
                        "kind": claim.message.kind.as_str(),
                        "topic": claim.message.topic,
                        "attempts": claim.attempts,
                        "cause": e.0,
                    }),
                );
                if dead {
                    report.dead += 1;
                } else {
                    report.retrying += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Claims and delivers due messages, a batch at a time, until none are due, `limit` were claimed,
/// or `budget` has passed (checked between batches and messages, so one slow peer can overrun it by
/// at most one delivery).
pub fn drain<V: Variables>(
    store: &Store,
    config: &Config<V>,
    now: i64,
    limit: u32,
    batch: u32,
    budget: Duration,
    timeouts: Timeouts,
) -> Result<Report, DbError> {
    // A budget of elapsed time, not a time of day: the rules still take `now`.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let mut total = Report::default();
    let expired = store.expire_links(now)?;
    if expired > 0 {
        log::warn("outbox_links_expired", json!({"messages": expired}));
        total.dead = u32::try_from(expired).unwrap_or(u32::MAX);
    }
    while total.claimed < limit && started.elapsed() < budget {
        let take = batch.min(limit - total.claimed);
        let claims = store.claim_due(now, now + LEASE_SECS, i64::from(take))?;
        if claims.is_empty() {
            break;
        }
        for claim in &claims {
            if started.elapsed() >= budget {
                // Out of time: hand the rest back untried rather than waiting for the lease to lapse.
                store.release(claim)?;
                continue;
            }
            let report = deliver_all(store, config, std::slice::from_ref(claim), now, timeouts)?;
            total.claimed += report.claimed;
            total.delivered += report.delivered;
            total.retrying += report.retrying;
            total.dead += report.dead;
        }
    }
    Ok(total)
}

fn deliver_one<V: Variables>(
    config: &Config<V>,
    claim: &Claimed,
    timeouts: Timeouts,
) -> Result<(), SendError> {
    let message = &claim.message;
    match message.kind {
        Kind::Mail => {
            let relay = config.mail_relay().map_err(|e| SendError(e.to_string()))?;
            let mail: mail::Mail = serde_json::from_str(&message.payload)
                .map_err(|e| SendError(format!("stored mail unreadable: {e}")))?;
            mail::deliver(&relay, &message.id, &mail, timeouts)
        }
        // A revocation's topic is the id of the session it ended.
        Kind::Revocation => SessionCache::open()
            .and_then(|cache| cache.forget(&SessionId::trusted(message.topic.clone())))
            .map_err(|e| SendError(e.to_string())),
        Kind::Event => {
            let broker = config.broker().map_err(|e| SendError(e.to_string()))?;
            events::publish(
                &broker,
                &message.id,
                &message.topic,
                &message.payload,
                timeouts,
            )
        }
    }
}

/// Jitter only spreads retries; without randomness the retry simply has none.
fn jitter() -> u64 {
    crate::entropy::bytes().map_or(0, u64::from_le_bytes)
}
