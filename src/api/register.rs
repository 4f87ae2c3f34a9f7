//! `POST /register`

use super::audit;
use super::commands::Registration;
use super::ctx::{self, Ctx};
use super::error::ApiError;
use super::history;
use super::issuing::profile;
use super::one_time_links::send_verification;
use super::throttle;
use crate::domain::audit_event::AuditEvent;
use crate::domain::events::{Event, UserEvent};
use crate::domain::ids::UserId;
use crate::domain::password::hash;
use crate::domain::rate_limit::RateLimited;
use crate::http::{Request, Response};
use crate::store::users::{Inserted, NewUser, User};

pub fn register(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let Registration {
        email,
        username,
        password,
    } = Registration::parse(request)?;
    throttle::limit(ctx, RateLimited::Register)?;
    let params = ctx.config.password_hash_params()?;
    let password_hash = hash::hash(&password, params, &ctx::random()?)
        .map_err(|e| ApiError::Internal(format!("hashing failed: {e:?}")))?;
    let user = User {
        id: UserId::trusted(ctx.new_id()?),
        email: email.as_str().to_owned(),
        username: username.as_str().to_owned(),
        password_hash,
        email_verified: false,
        is_admin: false,
        created_at: ctx.now,
        disabled_at: None,
    };
    ctx.write(|tx, messages| {
        let inserted = tx.insert_user(&NewUser {
            id: &user.id,
            email: &user.email,
            email_normalized: email.normalized(),
            username: &user.username,
            username_normalized: &username.normalized(),
            password_hash: &user.password_hash,
            now: ctx.now,
        })?;
        match inserted {
            Inserted::Yes => {}
            Inserted::EmailTaken => return Err(ApiError::EmailTaken),
            Inserted::UsernameTaken => return Err(ApiError::UsernameTaken),
        }
        messages.push(ctx.event(Event::UserRegistered(UserEvent::from(&user)))?);
        history::record(ctx, tx, &user.id, "registered")?;
        send_verification(ctx, tx, &user, true, messages)
    })?;
    audit::for_user(ctx, AuditEvent::Registered, &user.id);
    Ok(Response::json(201, &profile(&user)))
}
