//! `/admin/outbox` (counts by state) and `/admin/outbox/drain` (deliver what is due and purge rows
//! past their use; for a cron job), behind the `admin_token` Bearer secret.

use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::{constant_time, retention};
use crate::http::{Request, Response, bearer};
use crate::outbound::delivery::{self, PATIENT};
use crate::store::session_cache::SessionCache;
use serde::Serialize;
use std::time::Duration;

const DRAIN_LIMIT: u32 = 500;
const DRAIN_BATCH: u32 = 20;
const DRAIN_BUDGET: Duration = Duration::from_secs(25);
/// Rows deleted per table per drain: tables past their use shrink over successive runs.
const PURGE_BATCH: i64 = 1000;

/// The outbox by state.
#[derive(Serialize)]
struct OutboxCounts {
    dead: i64,
    delivered: i64,
    leased: i64,
    pending: i64,
}

/// What one drain did: deliveries, then what the purge removed, table by table.
#[derive(Serialize)]
struct Drained {
    claimed: u32,
    dead: u32,
    delivered: u32,
    pending: i64,
    purged: PurgedRows,
    retrying: u32,
}

#[derive(Serialize)]
struct PurgedRows {
    account_events: usize,
    login_buckets: usize,
    one_time_tokens: usize,
    outbox: usize,
    rate_limits: usize,
    refresh_tokens: usize,
    session_cache: usize,
    sessions: usize,
}

fn authorize(ctx: &Ctx, request: &Request) -> Result<(), ApiError> {
    let expected = ctx
        .config
        .admin_token()?
        .ok_or(ApiError::AdminUnauthorized)?;
    let presented = bearer::token(request).ok_or(ApiError::AdminUnauthorized)?;
    if constant_time::eq(presented.as_bytes(), expected.expose().as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::AdminUnauthorized)
    }
}

pub fn outbox(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    authorize(ctx, request)?;
    let counts = ctx.store()?.outbox_counts(ctx.now)?;
    Ok(Response::json(
        200,
        &OutboxCounts {
            dead: counts.dead,
            delivered: counts.delivered,
            leased: counts.leased,
            pending: counts.pending,
        },
    )
    .no_store())
}

pub fn drain(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    authorize(ctx, request)?;
    let store = ctx.store()?;
    let report = delivery::drain(
        store,
        &ctx.config,
        ctx.now,
        DRAIN_LIMIT,
        DRAIN_BATCH,
        DRAIN_BUDGET,
        PATIENT,
    )?;
    // Cache entries first: the purge below deletes the sessions they name.
    let forgotten = forget_ended_sessions(ctx)?;
    let purged = store.purge(
        &retention::cutoffs(ctx.now, ctx.config.account_events_retention()?),
        PURGE_BATCH,
    )?;
    let counts = store.outbox_counts(ctx.now)?;
    Ok(Response::json(
        200,
        &Drained {
            claimed: report.claimed,
            dead: report.dead,
            delivered: report.delivered,
            pending: counts.pending,
            purged: PurgedRows {
                account_events: purged.account_events,
                login_buckets: purged.login_buckets,
                one_time_tokens: purged.one_time_tokens,
                outbox: purged.outbox,
                rate_limits: purged.rate_limits,
                refresh_tokens: purged.refresh_tokens,
                session_cache: forgotten,
                sessions: purged.sessions,
            },
            retrying: report.retrying,
        },
    )
    .no_store())
}

/// Entries of the sessions the purge is about to delete (expired ones: revoked ones left the cache
/// when they were revoked). An entry the store cannot delete now is harmless: its session's tokens
/// expired long ago.
fn forget_ended_sessions(ctx: &Ctx) -> Result<usize, ApiError> {
    let store = ctx.store()?;
    let cutoffs = retention::cutoffs(ctx.now, ctx.config.account_events_retention()?);
    let ended = store.ended_sessions(cutoffs.session_ended_before, PURGE_BATCH)?;
    let Some(cache) = (!ended.is_empty())
        .then(SessionCache::open)
        .and_then(Result::ok)
    else {
        return Ok(0);
    };
    Ok(ended
        .iter()
        .filter(|session_id| cache.forget(session_id).is_ok())
        .count())
}
