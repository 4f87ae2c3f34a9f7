//! `POST /login`: the per-address limit, a reserved attempt in the bucket of the identifier typed
//! from this client network (before any hashing), the password check against the stored hash (or a
//! dummy hash for unknown accounts, so both take the same time), then the account's ceiling.

use super::audit::{self, Entry};
use super::commands::Credentials;
use super::ctx::{self, Ctx};
use super::error::ApiError;
use super::history;
use super::issuing::{new_refresh_token, token_pair};
use super::messages::revoked_events;
use super::sign_in;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::events::{Event, LoggedIn};
use crate::domain::ids::{SessionId, UserId};
use crate::domain::lockout_key::Identifier;
use crate::domain::password::{Password, hash};
use crate::domain::rate_limit::RateLimited;
use crate::domain::revocation::RevocationReason;
use crate::domain::user_agent;
use crate::http::{Request, Response};
use crate::log;
use crate::store::Store;
use crate::store::session_cache::SessionCache;
use crate::store::sessions::NewSession;
use crate::store::users::User;
use serde_json::json;

pub fn login(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let Credentials {
        identifier,
        password,
    } = Credentials::parse(request)?;
    throttle::limit(ctx, RateLimited::Login)?;
    let store = ctx.store()?;
    sign_in::reserve_attempt(ctx, store, &identifier)?;
    let params = ctx.config.password_hash_params()?;
    let user = look_up(ctx, store, &identifier, &password, params)?;
    admit(ctx, store, &user)?;
    sign_in::succeeded(ctx, store, &identifier, &user.id)?;
    let rehashed = if hash::needs_rehash(&user.password_hash, &params) {
        rehash(ctx, &password, params)
    } else {
        None
    };
    let user_agent = user_agent::parse(request.header_str("user-agent").ok().flatten());
    start_session(ctx, &user, rehashed.as_deref(), user_agent.as_deref())
}

/// The account `identifier` names, if `password` is its own. An unknown account is checked against
/// a dummy hash, so that both take the same time; a wrong password counts against the account's
/// ceiling.
fn look_up(
    ctx: &Ctx,
    store: &Store,
    identifier: &Identifier,
    password: &Password,
    params: hash::HashParams,
) -> Result<User, ApiError> {
    let user = match identifier {
        Identifier::Email(e) => store.user_by_email(e)?,
        Identifier::Username(u) => store.user_by_username(u)?,
    };
    let stored_hash = user
        .as_ref()
        .map_or_else(|| hash::dummy_phc(params), |u| u.password_hash.clone());
    let matches = hash::verify(password, &stored_hash).unwrap_or_else(|e| {
        log::error(
            "stored_hash_unusable",
            json!({"request_id": ctx.request_id, "cause": format!("{e:?}")}),
        );
        false
    });
    match user {
        Some(user) if matches => Ok(user),
        Some(user) => {
            sign_in::count_wrong_password(ctx, store, &user.id)?;
            Err(refused(
                ctx,
                Some(&user.id),
                "wrong_password",
                ApiError::InvalidCredentials,
            ))
        }
        None => Err(refused(
            ctx,
            None,
            "unknown_account",
            ApiError::InvalidCredentials,
        )),
    }
}

/// Refuses the right password of an account that may not sign in now: locked by its ceiling,
/// disabled, or with an address still to verify where that is required.
fn admit(ctx: &Ctx, store: &Store, user: &User) -> Result<(), ApiError> {
    let refusal = if sign_in::is_locked(ctx, store, &user.id)? {
        Some(("account_locked", ApiError::AccountLocked))
    } else if user.disabled_at.is_some() {
        Some(("account_disabled", ApiError::AccountDisabled))
    } else if ctx.config.require_verified_email()? && !user.email_verified {
        Some(("email_not_verified", ApiError::EmailNotVerified))
    } else {
        None
    };
    match refusal {
        Some((reason, error)) => Err(refused(ctx, Some(&user.id), reason, error)),
        None => Ok(()),
    }
}

/// Records a refused sign-in in the audit trail, and gives back the error to answer with.
fn refused(ctx: &Ctx, user_id: Option<&UserId>, reason: &'static str, error: ApiError) -> ApiError {
    audit::record(
        ctx,
        AuditEvent::LoginFailed,
        Entry {
            user_id,
            reason: Some(reason),
            ..Entry::default()
        },
    );
    error
}

/// Opens the session (recording where from) only if the password checked is still the account's (a reset committed
/// meanwhile wins), storing the re-hash in the same step; ends the oldest sessions beyond the
/// per-account cap.
fn start_session(
    ctx: &Ctx,
    user: &User,
    rehashed: Option<&str>,
    user_agent: Option<&str>,
) -> Result<Response, ApiError> {
    let (refresh, refresh_hash) = new_refresh_token()?;
    let client_addr = ctx.client_addr()?;
    let session_id = SessionId::trusted(ctx.new_id()?);
    let expires_at = ctx.now.saturating_add(ctx.config.refresh_token_ttl()?);
    let max_sessions = ctx.config.max_sessions_per_user()?;
    ctx.write(|tx, messages| {
        if !tx.hold_credential(&user.id, &user.password_hash, rehashed, ctx.now)? {
            return Err(ApiError::InvalidCredentials);
        }
        tx.create_session(&NewSession {
            id: &session_id,
            user_id: &user.id,
            token_hash: &refresh_hash,
            now: ctx.now,
            expires_at,
            client_addr,
            user_agent,
        })?;
        // Before the commit: no token of this session exists until then, so the entry can never
        // outlast a revocation that follows (those delete it after their own commit).
        if ctx.config.session_cache()? {
            remember_session(ctx, &session_id, expires_at);
        }
        history::record(ctx, tx, &user.id, "logged_in")?;
        messages.push(ctx.event(Event::UserLoggedIn(LoggedIn {
            user_id: &user.id,
            username: &user.username,
            session_id: &session_id,
        }))?);
        let reason = RevocationReason::SessionLimit;
        let ended = tx.end_sessions_beyond(&user.id, max_sessions, reason.as_str(), ctx.now)?;
        revoked_events(ctx, &user.id, &ended, reason, messages)
    })
    .map_err(|e| match e {
        ApiError::InvalidCredentials => refused(ctx, Some(&user.id), "password_changed", e),
        other => other,
    })?;
    audit::record(
        ctx,
        AuditEvent::LoginSucceeded,
        Entry {
            user_id: Some(&user.id),
            session_id: Some(&session_id),
            ..Entry::default()
        },
    );
    token_pair(ctx, user, &session_id, expires_at, &refresh)
}

/// Lets `/verify` take the new session's tokens without SQL. Best effort: a session the cache
/// does not know is checked in the database instead.
fn remember_session(ctx: &Ctx, session_id: &SessionId, expires_at: i64) {
    if let Err(e) = SessionCache::open().and_then(|cache| cache.remember(session_id, expires_at)) {
        log::warn(
            "session_cache_write_failed",
            json!({"request_id": ctx.request_id, "cause": e.to_string()}),
        );
    }
}

/// The password hashed again with the configured (stronger) costs. A failure is logged, not fatal:
/// the login stands with the old hash.
fn rehash(ctx: &Ctx, password: &Password, params: hash::HashParams) -> Option<String> {
    let result = ctx::random().and_then(|salt| {
        hash::hash(password, params, &salt).map_err(|e| ApiError::Internal(format!("{e:?}")))
    });
    result
        .inspect_err(|e| {
            log::warn(
                "password_rehash_failed",
                json!({"request_id": ctx.request_id, "cause": format!("{e:?}")}),
            );
        })
        .ok()
}
