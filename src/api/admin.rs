//! `/admin/outbox` (counts by state) and `/admin/outbox/drain` (deliver what is due and purge rows
//! past their use; for a cron job), behind the `admin_token` Bearer secret.

use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::{constant_time, retention};
use crate::http::{Request, Response, bearer};
use crate::outbound::delivery::{self, PATIENT};
use crate::store::session_cache::SessionCache;
use serde_json::json;
use std::time::Duration;

const DRAIN_LIMIT: u32 = 500;
const DRAIN_BATCH: u32 = 20;
const DRAIN_BUDGET: Duration = Duration::from_secs(25);
/// Rows deleted per table per drain: tables past their use shrink over successive runs.
const PURGE_BATCH: i64 = 1000;

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
        &json!({
            "pending": counts.pending,
            "leased": counts.leased,
            "delivered": counts.delivered,
            "dead": counts.dead,
        }),
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
        &json!({
            "purged": {
                "login_buckets": purged.login_buckets,
                "rate_limits": purged.rate_limits,
                "sessions": purged.sessions,
                "refresh_tokens": purged.refresh_tokens,
                "one_time_tokens": purged.one_time_tokens,
                "outbox": purged.outbox,
                "session_cache": forgotten,
                "account_events": purged.account_events,
            },
            "claimed": report.claimed,
            "delivered": report.delivered,
            "retrying": report.retrying,
            "dead": report.dead,
            "pending": counts.pending,
        }),
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
