//! `POST /token/refresh`: rotation with a short grace window and reuse detection.
//!
//! A token's successor is derived from it with the signing key, so the rotation and a replay inside
//! the grace window hand out the same successor: a session never forks into two lines of tokens
//! that could both rotate on without reuse ever being noticed (RFC 9700 section 4.14.2).

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use super::issuing::token_pair_signed_with;
use super::keyring;
use super::messages::revoked_events;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::opaque_token::OpaqueToken;
use crate::domain::rate_limit::{RateLimited, Window};
use crate::domain::revocation::RevocationReason;
use crate::domain::session::{RefreshDecision, decide_refresh};
use crate::http::{Request, Response, json};
use crate::log;
use crate::store::sessions::FoundToken;
use serde_json::json;

/// Concurrent refreshes of one token race on a conditional update; the loser decides again with the
/// winner's outcome, which settles after one retry.
const ATTEMPTS: usize = 2;

/// The purpose label of successor derivation.
const SUCCESSOR: &str = "refresh-token-successor";

pub fn refresh(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let presented = json::single_field(request, "refresh_token")?;
    let token = OpaqueToken::parse(&presented).ok_or(ApiError::InvalidGrant)?;
    // Every token presented counts against the client's refresh limit, known or not, once: a
    // granted rotation on the token it issues (no write of its own), anything else in the
    // network's bucket afterwards.
    let window = throttle::window(ctx, RateLimited::Refresh)?;
    let mut rotated = false;
    let answer = refresh_with(ctx, &token, &window, &mut rotated);
    if !rotated && !matches!(answer, Err(ApiError::RateLimited { .. })) {
        // A store that cannot be opened already gave the answer its error.
        if let Ok(store) = ctx.store()
            && let Err(e) = store.hit_rate_limit(&window.bucket, window.start)
        {
            log::warn(
                "refresh_not_counted",
                json!({"request_id": ctx.request_id, "cause": e.to_string()}),
            );
        }
    }
    answer
}

/// The refresh itself; `rotated` is set when a rotation was granted.
fn refresh_with(
    ctx: &Ctx,
    token: &OpaqueToken,
    window: &Window,
    rotated: &mut bool,
) -> Result<Response, ApiError> {
    let old_hash = token.hash();
    let store = ctx.store_unchecked()?;

    for attempt in 0..ATTEMPTS {
        // One round trip: schema version, the refreshes counted, token, session, user and signing
        // key together.
        let lookup = match store.refresh_lookup(&old_hash, window) {
            Ok(found) if store.schema_version_is_current(found.schema_version) => found,
            _ => {
                store.ensure_schema()?;
                store.refresh_lookup(&old_hash, window)?
            }
        };
        // Checked once the lookup has brought the schema up to date. A burst of refreshes from one
        // network, all in flight together, may pass the limit by as many as were in flight.
        if attempt == 0 {
            throttle::check(ctx, window, lookup.recent_refreshes.saturating_add(1))?;
        }
        let presented = lookup.found.as_ref().map(|(f, _)| &f.state);
        // The grace window matters only for a token already rotated: the common case reads one
        // variable fewer.
        let grace = match presented {
            Some(state) if state.rotated_at.is_some() => ctx.config.refresh_reuse_grace()?,
            _ => 0,
        };
        let decision = decide_refresh(presented, ctx.now, grace);
        let Some((found, user)) = lookup.found else {
            return Err(ApiError::InvalidGrant);
        };
        let entry = |reason| Entry {
            user_id: Some(&found.user_id),
            session_id: Some(&found.session_id),
            reason,
            actor: None,
        };
        // Disabling ends every session; this also refuses one that a login racing it opened.
        if user.disabled_at.is_some() {
            audit::record(
                ctx,
                AuditEvent::RefreshFailed,
                entry(Some("account_disabled")),
            );
            return Err(ApiError::InvalidGrant);
        }
        let key = keyring::signing_key_with(ctx, lookup.generated_key.as_ref())?;
        let next = OpaqueToken::from_random(key.derive(SUCCESSOR, token.as_str().as_bytes()));
        let next_hash = next.hash();
        let granted = match decision {
            RefreshDecision::Invalid => {
                audit::record(
                    ctx,
                    AuditEvent::RefreshFailed,
                    entry(Some("expired_or_revoked")),
                );
                return Err(ApiError::InvalidGrant);
            }
            RefreshDecision::Reused => {
                reuse_detected(ctx, &found)?;
                audit::record(
                    ctx,
                    AuditEvent::RefreshTokenReused,
                    entry(Some("session_revoked")),
                );
                return Err(ApiError::RefreshTokenReused);
            }
            RefreshDecision::Rotate => {
                *rotated = store.rotate_refresh_token(
                    &old_hash,
                    &next_hash,
                    &found.session_id,
                    &window.network,
                    ctx.now,
                )?;
                *rotated
            }
            RefreshDecision::ReissueInGrace => {
                store.reissue_in_grace(&old_hash, &next_hash, &found.session_id, ctx.now)?
            }
        };
        if granted {
            let reason = (decision == RefreshDecision::ReissueInGrace).then_some("grace_window");
            audit::record(ctx, AuditEvent::TokenRefreshed, entry(reason));
            return token_pair_signed_with(
                ctx,
                &key,
                &user,
                &found.session_id,
                found.state.session_expires_at,
                &next,
            );
        }
    }
    // Still not granted: either a third request kept winning, or a replay inside the grace window
    // whose successor is not on record (the signing key changed since the rotation).
    Err(ApiError::InvalidGrant)
}

/// A retired token came back too late or twice: whoever holds it may be a thief, so the whole
/// session goes, the newest successor included.
fn reuse_detected(ctx: &Ctx, found: &FoundToken) -> Result<(), ApiError> {
    ctx.write(|tx, messages| {
        let reason = RevocationReason::RefreshTokenReused;
        if tx.revoke_session(&found.session_id, reason.as_str(), ctx.now)? {
            revoked_events(
                ctx,
                &found.user_id,
                std::slice::from_ref(&found.session_id),
                reason,
                messages,
            )?;
        }
        Ok(())
    })
}
