//! `/admin/users…`: the admin API over accounts. Callers are admins: an access token whose account
//! was admin when the token was issued, or the `admin_token` secret. Every change is audited with
//! the acting admin and published as an event.

use super::audit::{self, Entry};
use super::auth::verify_access_token;
use super::ctx::Ctx;
use super::deletion;
use super::error::ApiError;
use super::messages::revoked_events;
use crate::domain::audit_event::AuditEvent;
use crate::domain::events::{Event, RoleChanged, UserDisabled, UserEnabled};
use crate::domain::ids::UserId;
use crate::domain::revocation::RevocationReason;
use crate::domain::time::rfc3339;
use crate::domain::{constant_time, email, text};
use crate::http::FieldError;
use crate::http::{Request, Response, bearer, form, json};
use crate::store::accounts::{Account, Page};
use serde::Serialize;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;
/// Longer than any email or username: a prefix this long cannot match.
const MAX_QUERY_CHARS: usize = 254;
const MAX_REASON_CHARS: usize = 500;

/// Who is acting: `admin_token`, or the admin's user id.
struct Admin {
    label: String,
    user_id: Option<UserId>,
}

fn admin(ctx: &Ctx, request: &Request) -> Result<Admin, ApiError> {
    let presented = bearer::token(request).ok_or(ApiError::AdminUnauthorized)?;
    if let Some(expected) = ctx.config.admin_token()?
        && constant_time::eq(presented.as_bytes(), expected.expose().as_bytes())
    {
        return Ok(Admin {
            label: "admin_token".to_owned(),
            user_id: None,
        });
    }
    match verify_access_token(ctx, presented) {
        Ok(token) if token.claims.is_admin => Ok(Admin {
            label: token.sub.to_string(),
            user_id: Some(token.sub),
        }),
        Ok(_) => Err(ApiError::AdminRequired),
        Err(ApiError::InvalidToken) => Err(ApiError::AdminUnauthorized),
        Err(e) => Err(e),
    }
}

/// The `{id}` of the path; anything but a UUID names no account.
fn target(ctx: &Ctx) -> Result<UserId, ApiError> {
    UserId::parse(ctx.path_param("id")?).map_err(|_| ApiError::UserNotFound)
}

pub fn list(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    admin(ctx, request)?;
    let query = form::parse(&request.query).ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "query",
            "not_utf8",
            "the query string must decode to UTF-8",
        )])
    })?;
    let mut errors = Vec::new();
    let mut single = |name: &'static str| match query.single(name) {
        Ok(value) => value,
        Err(_) => {
            errors.push(FieldError::new(
                name,
                "repeated",
                format!("{name} must be given once"),
            ));
            None
        }
    };
    let (prefix, limit, cursor) = (single("query"), single("limit"), single("cursor"));
    // An empty query lists everyone; an empty limit or cursor is a mistake.
    let prefix = prefix.map(email::normalize).filter(|p| !p.is_empty());
    if prefix
        .as_ref()
        .is_some_and(|p| p.chars().count() > MAX_QUERY_CHARS)
    {
        errors.push(FieldError::new(
            "query",
            "too_long",
            format!("query must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    if prefix.as_deref().is_some_and(text::has_control) {
        errors.push(FieldError::new(
            "query",
            "control_character",
            "query must not contain control characters",
        ));
    }
    let limit = match limit.map(str::parse::<i64>) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
            ));
            DEFAULT_LIMIT
        }
    };
    let cursor = match cursor.map(UserId::parse).transpose() {
        Ok(cursor) => cursor,
        Err(_) => {
            errors.push(FieldError::new(
                "cursor",
                "invalid_cursor",
                "cursor must be a next_cursor from an earlier page",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // One more than asked: whether it exists says if there is a next page.
    let mut accounts = ctx.store()?.accounts(&Page {
        prefix: prefix.as_deref(),
        before: cursor.as_ref(),
        limit: limit + 1,
    })?;
    let more = i64::try_from(accounts.len()).unwrap_or(i64::MAX) > limit;
    accounts.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        accounts.last().map(|a| a.id.clone())
    } else {
        None
    };
    Ok(Response::json(
        200,
        &AccountPage {
            next_cursor,
            users: accounts.iter().map(FullProfile::of).collect(),
        },
    )
    .no_store())
}

pub fn one(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    admin(ctx, request)?;
    let id = &target(ctx)?;
    answer(ctx, id)
}

pub fn disable(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let admin = admin(ctx, request)?;
    let id = &target(ctx)?;
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let reason = body.required_str("reason", &mut errors);
    let reason = match reason.map(str::trim) {
        Some("") => {
            errors.push(FieldError::new("reason", "required", "reason is required"));
            None
        }
        Some(r) if r.chars().count() > MAX_REASON_CHARS => {
            errors.push(FieldError::new(
                "reason",
                "too_long",
                format!("reason must be at most {MAX_REASON_CHARS} characters"),
            ));
            None
        }
        other => other,
    };
    let (Some(reason), true) = (reason, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let changed = ctx.write(|tx, messages| {
        if !tx.lock_user(id)? {
            return Err(ApiError::UserNotFound);
        }
        if !tx.disable_account(id, reason, ctx.now)? {
            return Ok(false);
        }
        let cause = RevocationReason::AccountDisabled;
        let revoked = tx.revoke_user_sessions(id, cause.as_str(), ctx.now)?;
        messages.push(ctx.event(Event::UserDisabled(UserDisabled {
            user_id: id,
            reason,
            actor: &admin.label,
        }))?);
        revoked_events(ctx, id, &revoked, cause, messages)?;
        Ok(true)
    })?;
    record(
        ctx,
        AuditEvent::UserDisabled,
        id,
        &admin,
        (!changed).then_some("already_disabled"),
    );
    answer(ctx, id)
}

pub fn enable(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let admin = admin(ctx, request)?;
    let id = &target(ctx)?;
    let changed = ctx.write(|tx, messages| {
        if !tx.lock_user(id)? {
            return Err(ApiError::UserNotFound);
        }
        if !tx.enable_account(id, ctx.now)? {
            return Ok(false);
        }
        messages.push(ctx.event(Event::UserEnabled(UserEnabled {
            user_id: id,
            actor: &admin.label,
        }))?);
        Ok(true)
    })?;
    record(
        ctx,
        AuditEvent::UserEnabled,
        id,
        &admin,
        (!changed).then_some("not_disabled"),
    );
    answer(ctx, id)
}

/// `DELETE /admin/users/{id}`: the same deletion as the owner's own (`DELETE /me`), done by an
/// admin: sessions end, personal data goes, an anonymous tombstone stays, `user.deleted` is sent.
pub fn delete(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let admin = admin(ctx, request)?;
    let id = &target(ctx)?;
    if !ctx.write(|tx, messages| deletion::delete_account(ctx, tx, id, messages))? {
        return Err(ApiError::UserNotFound);
    }
    record(ctx, AuditEvent::AccountDeleted, id, &admin, None);
    Ok(Response::new(204).no_store())
}

pub fn role(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let admin = admin(ctx, request)?;
    let id = &target(ctx)?;
    let body = json::object(request)?;
    let mut errors = Vec::new();
    let Some(is_admin) = body.required_bool("is_admin", &mut errors) else {
        return Err(ApiError::Validation(errors));
    };
    let changed = ctx
        .write(|tx, messages| {
            if !tx.lock_user(id)? {
                return Err(ApiError::UserNotFound);
            }
            let stepping_down = !is_admin && admin.user_id.as_ref() == Some(id);
            if stepping_down && tx.lock_active_admins()? <= 1 {
                return Err(ApiError::LastAdmin);
            }
            if !tx.set_admin(id, is_admin, ctx.now)? {
                return Ok(false);
            }
            messages.push(ctx.event(Event::UserRoleChanged(RoleChanged {
                user_id: id,
                is_admin,
                actor: &admin.label,
            }))?);
            // Access tokens carry the role: a removed admin's tokens must not outlive the change.
            if !is_admin {
                let cause = RevocationReason::RoleChanged;
                let revoked = tx.revoke_user_sessions(id, cause.as_str(), ctx.now)?;
                revoked_events(ctx, id, &revoked, cause, messages)?;
            }
            Ok(true)
        })
        .inspect_err(|e| {
            if matches!(e, ApiError::LastAdmin) {
                record(
                    ctx,
                    AuditEvent::UserRoleChanged,
                    id,
                    &admin,
                    Some("last_admin"),
                );
            }
        })?;
    let reason = match (changed, is_admin) {
        (false, _) => "unchanged",
        (true, true) => "granted",
        (true, false) => "removed",
    };
    record(ctx, AuditEvent::UserRoleChanged, id, &admin, Some(reason));
    answer(ctx, id)
}

fn record(ctx: &Ctx, event: AuditEvent, user_id: &UserId, admin: &Admin, reason: Option<&str>) {
    audit::record(
        ctx,
        event,
        Entry {
            user_id: Some(user_id),
            reason,
            actor: Some(&admin.label),
            ..Entry::default()
        },
    );
}

/// An account as admins see it.
#[derive(Serialize)]
struct FullProfile<'a> {
    created_at: String,
    disabled_at: Option<String>,
    disabled_reason: Option<&'a str>,
    email: &'a str,
    email_verified: bool,
    id: &'a UserId,
    is_admin: bool,
    last_login_at: Option<String>,
    /// Only when one account is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    live_sessions: Option<i64>,
    status: &'static str,
    username: &'a str,
}

impl<'a> FullProfile<'a> {
    fn of(account: &'a Account) -> Self {
        Self {
            created_at: rfc3339(account.created_at),
            disabled_at: account.disabled_at.map(rfc3339),
            disabled_reason: account.disabled_reason.as_deref(),
            email: &account.email,
            email_verified: account.email_verified,
            id: &account.id,
            is_admin: account.is_admin,
            last_login_at: account.last_login_at.map(rfc3339),
            live_sessions: None,
            status: if account.disabled_at.is_some() {
                "disabled"
            } else {
                "active"
            },
            username: &account.username,
        }
    }
}

/// A page of the list, and where the next one starts.
#[derive(Serialize)]
struct AccountPage<'a> {
    next_cursor: Option<UserId>,
    users: Vec<FullProfile<'a>>,
}

/// The account's full profile with its live sessions.
fn answer(ctx: &Ctx, id: &UserId) -> Result<Response, ApiError> {
    let store = ctx.store()?;
    let account = store.account(id)?.ok_or(ApiError::UserNotFound)?;
    let answer = FullProfile {
        live_sessions: Some(store.live_session_count(id, ctx.now)?),
        ..FullProfile::of(&account)
    };
    Ok(Response::json(200, &answer).no_store())
}
