//! `GET /users/{id}` and `GET /users?username=`: public profiles for the platform's services and
//! signed-in users. Disabled accounts are not shown: to everyone but admins they do not exist.

use super::auth::authenticate;
use super::ctx::Ctx;
use super::error::ApiError;
use crate::domain::ids::UserId;
use crate::domain::time::rfc3339;
use crate::domain::{text, username};
use crate::http::FieldError;
use crate::http::{Request, Response, form};
use crate::store::users::User;
use serde::Serialize;

/// Longer text cannot be a username (at most 32 characters): refused before the database.
const MAX_USERNAME_CHARS: usize = 64;

pub fn by_id(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    authenticate(ctx, request)?;
    let id = ctx.path_param("id")?;
    // Ids are UUIDs: anything else cannot name an account.
    let user = match UserId::parse(id) {
        Ok(id) => ctx.store()?.user_by_id(&id)?,
        Err(_) => None,
    };
    public(user)
}

pub fn by_username(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    authenticate(ctx, request)?;
    let query =
        form::parse(&request.query).ok_or_else(|| invalid("not_utf8", "username must be UTF-8"))?;
    let name = match query.single("username") {
        Ok(Some(name)) if !name.trim().is_empty() => name,
        Ok(_) => return Err(invalid("required", "username is required")),
        Err(_) => return Err(invalid("repeated", "username must be given once")),
    };
    // Such text names no account (and PostgreSQL's text cannot hold NUL).
    if name.chars().count() > MAX_USERNAME_CHARS || text::has_control(name) {
        return Err(ApiError::UserNotFound);
    }
    public(ctx.store()?.user_by_username(&username::normalize(name))?)
}

fn invalid(code: &'static str, message: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new("username", code, message)])
}

/// What anyone signed in may know of an account.
#[derive(Serialize)]
struct PublicProfile<'a> {
    created_at: String,
    id: &'a UserId,
    username: &'a str,
}

fn public(user: Option<User>) -> Result<Response, ApiError> {
    let user = user
        .filter(|u| u.disabled_at.is_none())
        .ok_or(ApiError::UserNotFound)?;
    Ok(Response::json(
        200,
        &PublicProfile {
            created_at: rfc3339(user.created_at),
            id: &user.id,
            username: &user.username,
        },
    )
    .no_store())
}
