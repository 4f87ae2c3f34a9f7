//! `POST /login`: per-address limit, per-account lockout, then the password check against the
//! stored hash (or a dummy hash for unknown accounts, so both take the same time).

use super::audit::{self, Entry};
use super::ctx::Ctx;
use super::error::ApiError;
use super::responses::{new_refresh_token, token_pair};
use super::throttle;
use crate::config::RateLimited;
use crate::domain::lockout::{self, Check};
use crate::domain::password::{Password, hash};
use crate::domain::{FieldError, email, username};
use crate::http::{Request, Response, json};
use crate::log;
use crate::outbound::events::Topic;
use crate::store::sessions::NewSession;
use crate::store::users::User;
use serde_json::json;

pub fn login(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let email_raw = body.optional_str("email", &mut errors);
    let username_raw = body.optional_str("username", &mut errors);
    let password_raw = body.required_str("password", &mut errors);
    if email_raw.is_none() && username_raw.is_none() && errors.iter().all(|e| e.field == "password")
    {
        errors.insert(
            0,
            FieldError::new("email", "required", "email or username is required"),
        );
    }
    let Some(password_raw) = password_raw.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };

    throttle::limit(ctx, RateLimited::Login)?;
    let store = ctx.store()?;
    let (user, identifier) = match (email_raw, username_raw) {
        (Some(e), _) => {
            let normalized = email::normalize(e);
            (
                store.user_by_email(&normalized)?,
                format!("email:{normalized}"),
            )
        }
        (None, Some(u)) => {
            let normalized = username::normalize(u);
            (
                store.user_by_username(&normalized)?,
                format!("username:{normalized}"),
            )
        }
        (None, None) => return Err(ApiError::InvalidCredentials),
    };
    // Known accounts are locked by id (whichever name is used); unknown ones by the name tried.
    let account_key = user
        .as_ref()
        .map_or(identifier, |u| format!("user:{}", u.id));
    let known_id = user.as_ref().map(|u| u.id.clone());
    let user_id = known_id.as_deref();
    if let Check::Locked { retry_after } =
        lockout::check(&store.login_failures(&account_key)?, ctx.now)
    {
        audit::record(
            ctx,
            "login_failed",
            Entry {
                user_id,
                reason: Some("locked"),
                ..Entry::default()
            },
        );
        return Err(ApiError::TooManyAttempts { retry_after });
    }

    let params = ctx.config.password_hash_params()?;
    let stored_hash = user
        .as_ref()
        .map_or_else(|| hash::dummy_phc(params), |u| u.password_hash.clone());
    let password = Password::for_login(password_raw);
    let matches = hash::verify(&password, &stored_hash).unwrap_or_else(|e| {
        log::error(
            "stored_hash_unusable",
            json!({"request_id": ctx.request_id, "cause": format!("{e:?}")}),
        );
        false
    });
    let Some(user) = user.filter(|_| matches) else {
        let state = store.record_login_failure(&account_key, ctx.now)?;
        let reason = if user_id.is_some() {
            "wrong_password"
        } else {
            "unknown_account"
        };
        audit::record(
            ctx,
            "login_failed",
            Entry {
                user_id,
                reason: Some(reason),
                ..Entry::default()
            },
        );
        if state.locked_until.is_some() {
            log::warn(
                "account_locked",
                json!({"request_id": ctx.request_id, "user_id": user_id, "failures": state.failures}),
            );
        }
        return Err(ApiError::InvalidCredentials);
    };
    store.clear_login_failures(&account_key)?;

    if hash::needs_rehash(&user.password_hash, &params) {
        upgrade_hash(ctx, &user.id, &password, params);
    }
    start_session(ctx, &user)
}

fn start_session(ctx: &Ctx, user: &User) -> Result<Response, ApiError> {
    let (refresh, refresh_hash) = new_refresh_token()?;
    let session_id = ctx.new_id()?;
    let expires_at = ctx.now.saturating_add(ctx.config.refresh_token_ttl()?);
    ctx.write(|tx, messages| {
        tx.create_session(&NewSession {
            id: &session_id,
            user_id: &user.id,
            token_hash: &refresh_hash,
            now: ctx.now,
            expires_at,
        })?;
        messages.push(ctx.event(
            Topic::UserLoggedIn,
            json!({"user_id": user.id, "username": user.username, "session_id": session_id}),
        )?);
        Ok(())
    })?;
    audit::record(
        ctx,
        "login_succeeded",
        Entry {
            user_id: Some(&user.id),
            session_id: Some(&session_id),
            ..Entry::default()
        },
    );
    token_pair(ctx, user, &session_id, expires_at, &refresh)
}

/// Re-hashes with the configured (stronger) costs. A failure is logged, not fatal: the login stands.
fn upgrade_hash(ctx: &Ctx, user_id: &str, password: &Password, params: hash::HashParams) {
    let result = super::ctx::random()
        .and_then(|salt| {
            hash::hash(password, params, &salt).map_err(|e| ApiError::Internal(format!("{e:?}")))
        })
        .and_then(|new_hash| {
            Ok(ctx
                .store()?
                .set_password_hash(user_id, &new_hash, ctx.now)?)
        });
    if let Err(e) = result {
        log::warn(
            "password_rehash_failed",
            json!({"request_id": ctx.request_id, "cause": format!("{e:?}")}),
        );
    }
}
