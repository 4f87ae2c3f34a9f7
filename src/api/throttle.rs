//! Per-address request limits, counted in the database so that every replica sees the same counts.

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::audit_event::AuditEvent;
use crate::domain::rate_limit::{self, RateLimited, Window};

/// Where a request of `kind` from this client counts.
pub fn window(ctx: &Ctx, kind: RateLimited) -> Result<Window, ApiError> {
    Ok(Window::new(
        kind,
        ctx.client_network()?,
        ctx.now,
        ctx.config.rate_limit(kind)?,
    ))
}

/// Counts this request in its bucket and refuses it (429) if that puts the bucket over the limit.
pub fn limit(ctx: &Ctx, kind: RateLimited) -> Result<(), ApiError> {
    let window = window(ctx, kind)?;
    let hits = ctx.store()?.hit_rate_limit(&window.bucket, window.start)?;
    check(ctx, &window, hits)
}

/// Refuses the `count`-th request of the window (this one included) if that is over the limit.
pub fn check(ctx: &Ctx, window: &Window, count: i64) -> Result<(), ApiError> {
    let kind = window.kind;
    match rate_limit::exceeded(
        count,
        window.limit,
        window.start,
        kind.window_secs(),
        ctx.now,
    ) {
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
