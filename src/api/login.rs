//! `POST /login`: the per-address limit, a reserved attempt in the bucket of the identifier typed
//! from this client network (before any hashing), the password check against the stored hash (or a
//! dummy hash for unknown accounts, so both take the same time), then the account's ceiling.

use super::audit::{self, Entry};
use super::ctx::{self, Ctx};
use super::error::ApiError;
use super::history;
use super::responses::{new_refresh_token, token_pair};
use super::revocations::revoked_events;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::events::{Event, LoggedIn};
use crate::domain::lockout::{self, ACCOUNT_CEILING, Identifier, PER_NETWORK};
use crate::domain::password::{Password, hash};
use crate::domain::rate_limit::RateLimited;
use crate::domain::revocation::RevocationReason;
use crate::domain::{FieldError, email, user_agent, username};
use crate::http::{Request, Response, json};
use crate::log;
use crate::store::Store;
use crate::store::session_cache::SessionCache;
use crate::store::sessions::NewSession;
use crate::store::users::User;
use serde_json::json;

/// Longer identifiers cannot belong to an account (emails are at most 254 characters, usernames
/// 32): refused before they reach the database.
const MAX_IDENTIFIER_CHARS: usize = 254;

pub fn login(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (identifier, password_raw) = credentials(request)?;
    throttle::limit(ctx, RateLimited::Login)?;
    let store = ctx.store()?;
    reserve_attempt(ctx, store, &identifier)?;

    let user = match &identifier {
        Identifier::Email(e) => store.user_by_email(e)?,
        Identifier::Username(u) => store.user_by_username(u)?,
    };
    let user_id = user.as_ref().map(|u| u.id.clone());
    let params = ctx.config.password_hash_params()?;
    let stored_hash = user
        .as_ref()
        .map_or_else(|| hash::dummy_phc(params), |u| u.password_hash.clone());
    let password = Password::for_login(&password_raw);
    let matches = hash::verify(&password, &stored_hash).unwrap_or_else(|e| {
        log::error(
            "stored_hash_unusable",
            json!({"request_id": ctx.request_id, "cause": format!("{e:?}")}),
        );
        false
    });
    let Some(user) = user.filter(|_| matches) else {
        let reason = match &user_id {
            Some(id) => {
                store.step_bucket(
                    &lockout::account_subject(id),
                    "",
                    &ACCOUNT_CEILING.failure(ctx.now),
                )?;
                "wrong_password"
            }
            None => "unknown_account",
        };
        failed(ctx, user_id.as_deref(), reason);
        return Err(ApiError::InvalidCredentials);
    };

    let ceiling = lockout::account_subject(&user.id);
    if ACCOUNT_CEILING.is_full(store.bucket_empty_at(&ceiling, "")?, ctx.now) {
        failed(ctx, Some(&user.id), "account_locked");
        return Err(ApiError::AccountLocked);
    }
    if user.disabled_at.is_some() {
        failed(ctx, Some(&user.id), "account_disabled");
        return Err(ApiError::AccountDisabled);
    }
    if ctx.config.require_verified_email()? && !user.email_verified {
        failed(ctx, Some(&user.id), "email_not_verified");
        return Err(ApiError::EmailNotVerified);
    }
    // The right password ends this network's count for this identifier, and the account's run of
    // consecutive failures.
    store.empty_bucket(&identifier.subject(), &ctx.client_network()?)?;
    store.empty_bucket(&ceiling, "")?;

    let rehashed = if hash::needs_rehash(&user.password_hash, &params) {
        rehash(ctx, &password, params)
    } else {
        None
    };
    let user_agent = user_agent::parse(request.header_str("user-agent").ok().flatten());
    start_session(ctx, &user, rehashed.as_deref(), user_agent.as_deref())
}

/// The identifier typed (email or username, normalised) and the password, or every field error.
fn credentials(request: &Request) -> Result<(Identifier, String), ApiError> {
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let email_raw = body.optional_str("email", &mut errors);
    let username_raw = body.optional_str("username", &mut errors);
    let password_raw = body.required_str("password", &mut errors);
    for (field, value) in [("email", email_raw), ("username", username_raw)] {
        if value.is_some_and(|v| v.chars().count() > MAX_IDENTIFIER_CHARS) {
            errors.push(FieldError::new(
                field,
                "too_long",
                format!("{field} must be at most {MAX_IDENTIFIER_CHARS} characters"),
            ));
        }
    }
    let identifier = match (email_raw, username_raw) {
        (Some(e), _) => Some(Identifier::Email(email::normalize(e))),
        (None, Some(u)) => Some(Identifier::Username(username::normalize(u))),
        (None, None) => None,
    };
    if identifier.is_none() && errors.iter().all(|e| e.field == "password") {
        errors.insert(
            0,
            FieldError::new("email", "required", "email or username is required"),
        );
    }
    match (identifier, password_raw) {
        (Some(identifier), Some(password)) if errors.is_empty() => {
            Ok((identifier, password.to_owned()))
        }
        _ => Err(ApiError::Validation(errors)),
    }
}

/// Takes one attempt from the bucket of this identifier and client network, atomically, before
/// the password is hashed: parallel guesses cannot all slip past a check made earlier.
pub fn reserve_attempt(ctx: &Ctx, store: &Store, identifier: &Identifier) -> Result<(), ApiError> {
    let subject = identifier.subject();
    let network = ctx.client_network()?;
    if store
        .step_bucket(&subject, &network, &PER_NETWORK.attempt(ctx.now))?
        .is_some()
    {
        return Ok(());
    }
    let retry_after = PER_NETWORK.retry_after(store.bucket_empty_at(&subject, &network)?, ctx.now);
    audit::record(
        ctx,
        AuditEvent::LoginFailed,
        Entry {
            reason: Some("throttled"),
            ..Entry::default()
        },
    );
    Err(ApiError::TooManyAttempts { retry_after })
}

fn failed(ctx: &Ctx, user_id: Option<&str>, reason: &'static str) {
    audit::record(
        ctx,
        AuditEvent::LoginFailed,
        Entry {
            user_id,
            reason: Some(reason),
            ..Entry::default()
        },
    );
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
    let session_id = ctx.new_id()?;
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
    .inspect_err(|e| {
        if matches!(e, ApiError::InvalidCredentials) {
            failed(ctx, Some(&user.id), "password_changed");
        }
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
fn remember_session(ctx: &Ctx, session_id: &str, expires_at: i64) {
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
