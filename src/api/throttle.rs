//! Per-address request limits, counted in the database so that every replica sees the same counts.

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::audit_event::AuditEvent;
use crate::domain::rate_limit::{self, RateLimited};

pub fn limit(ctx: &Ctx, kind: RateLimited) -> Result<(), ApiError> {
    let limit = ctx.config.rate_limit(kind)?;
    let window = kind.window_secs();
    let start = rate_limit::window_start(ctx.now, window);
    let bucket = format!("{}:{}", kind.name(), ctx.client_network()?);
    let hits = ctx.store()?.hit_rate_limit(&bucket, start)?;
    match rate_limit::exceeded(hits, limit, start, window, ctx.now) {
        None => Ok(()),
        Some(retry_after) => {
            audit::record(
                ctx,
                AuditEvent::RateLimited,
                Entry {
                    reason: Some(kind.name()),
                    ..Entry::default()
                },
            );
            Err(ApiError::RateLimited { retry_after })
        }
    }
}
