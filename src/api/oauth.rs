//! The OAuth side for gateways and libraries: RFC 7662 introspection (for configured service
//! clients), RFC 7009 revocation (for anyone holding the token) and RFC 8414 metadata.

use super::audit::{self, Entry};
use super::auth::verify_access_token;
use super::ctx::Ctx;
use super::error::ApiError;
use super::messages::revoked_events;
use crate::domain::audit_event::AuditEvent;
use crate::domain::ids::{SessionId, UserId};
use crate::domain::opaque_token::OpaqueToken;
use crate::domain::revocation::RevocationReason;
use crate::domain::service_client;
use crate::http::form::{self, Form};
use crate::http::{Request, Response, basic};
use serde::Serialize;

/// Metadata changes only with the configuration.
const METADATA_MAX_AGE_SECS: u32 = 3600;

/// `token` and the optional `token_type_hint`. The hint is only a hint: every token is looked up
/// as what it is (RFC 7009 section 2.1, RFC 7662 section 2.1), so its value is not checked.
fn token(form: &Form) -> Result<&str, ApiError> {
    form.single("token_type_hint")
        .map_err(|_| ApiError::InvalidRequest("token_type_hint must be given once".to_owned()))?;
    match form.single("token") {
        Ok(Some(token)) if !token.is_empty() => Ok(token),
        Ok(_) => Err(ApiError::InvalidRequest(
            "the form must hold a token".to_owned(),
        )),
        Err(_) => Err(ApiError::InvalidRequest(
            "token must be given once".to_owned(),
        )),
    }
}

pub fn introspect(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let (id, secret) = basic::credentials(request).ok_or(ApiError::InvalidClient)?;
    let clients = ctx.config.service_clients()?;
    let client = service_client::authenticate(&clients, &id, &secret).ok_or_else(|| {
        audit::record(
            ctx,
            AuditEvent::IntrospectionRefused,
            Entry {
                reason: Some("invalid_client"),
                ..Entry::default()
            },
        );
        ApiError::InvalidClient
    })?;
    let form = form::body(request)?;
    let answer = inspect(ctx, token(&form)?)?;
    let (user_id, session_id) = answer.owner().unzip();
    audit::record(
        ctx,
        AuditEvent::TokenIntrospected,
        Entry {
            user_id,
            session_id,
            reason: Some(if answer.active { "active" } else { "inactive" }),
            actor: Some(&client.id),
        },
    );
    Ok(Response::json(200, &answer).no_store())
}

/// RFC 7662 section 2.2's answer: `{"active": false}` alone, or the claims of an active token.
#[derive(Serialize)]
struct Introspection {
    active: bool,
    #[serde(flatten)]
    claims: Option<Claims>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Claims {
    /// No `token_type`: RFC 6749's types describe access tokens, and a gateway checking for
    /// `Bearer` must not take a refresh token for one.
    Refresh {
        exp: i64,
        iat: i64,
        iss: String,
        sid: SessionId,
        sub: UserId,
        username: String,
    },
    Access {
        aud: String,
        exp: u64,
        iat: u64,
        iss: String,
        jti: String,
        /// Access tokens are valid from their issue time.
        nbf: u64,
        sid: SessionId,
        sub: UserId,
        token_type: &'static str,
        username: String,
    },
}

impl Introspection {
    const INACTIVE: Self = Self {
        active: false,
        claims: None,
    };

    fn active(claims: Claims) -> Self {
        Self {
            active: true,
            claims: Some(claims),
        }
    }

    /// The account and session of an active token.
    fn owner(&self) -> Option<(&UserId, &SessionId)> {
        match &self.claims {
            Some(Claims::Refresh { sub, sid, .. } | Claims::Access { sub, sid, .. }) => {
                Some((sub, sid))
            }
            None => None,
        }
    }
}

/// The token's claims while it would be accepted, inactive for anything else, without saying why.
fn inspect(ctx: &Ctx, token: &str) -> Result<Introspection, ApiError> {
    let issuer = ctx.config.issuer()?;
    if let Some(refresh) = OpaqueToken::parse(token) {
        let Some(live) = ctx.store()?.live_refresh_token(&refresh.hash(), ctx.now)? else {
            return Ok(Introspection::INACTIVE);
        };
        return Ok(Introspection::active(Claims::Refresh {
            exp: live.session_expires_at,
            iat: live.issued_at,
            iss: issuer,
            sid: live.session_id,
            sub: live.user_id,
            username: live.username,
        }));
    }
    match verify_access_token(ctx, token) {
        Ok(verified) => Ok(Introspection::active(Claims::Access {
            aud: ctx.config.audience()?,
            exp: verified.exp,
            iat: verified.iat,
            iss: issuer,
            jti: verified.jti,
            nbf: verified.iat,
            sid: verified.claims.sid,
            sub: verified.sub,
            token_type: "Bearer",
            username: verified.claims.username,
        })),
        Err(ApiError::InvalidToken) => Ok(Introspection::INACTIVE),
        Err(e) => Err(e),
    }
}

/// RFC 7009: the session behind a refresh or access token ends. Unknown, expired and already
/// revoked tokens get the same 200, so the answer tells nothing about the token.
pub fn revoke(ctx: &Ctx, request: &Request) -> Result<Response, ApiError> {
    let form = form::body(request)?;
    let token = token(&form)?;
    let owner = match OpaqueToken::parse(token) {
        Some(refresh) => ctx
            .store()?
            .find_refresh_token(&refresh.hash())?
            .map(|found| (found.user_id, found.session_id)),
        // Only a token that verifies names a session: a forged one cannot end someone else's.
        None => match verify_access_token(ctx, token) {
            Ok(verified) => Some((verified.sub, verified.claims.sid)),
            Err(ApiError::InvalidToken) => None,
            Err(e) => return Err(e),
        },
    };
    if let Some((user_id, session_id)) = owner {
        let reason = RevocationReason::Revoked;
        let ended = ctx.write(|tx, messages| {
            if !tx.revoke_session(&session_id, reason.as_str(), ctx.now)? {
                return Ok(false);
            }
            revoked_events(
                ctx,
                &user_id,
                std::slice::from_ref(&session_id),
                reason,
                messages,
            )?;
            Ok(true)
        })?;
        if ended {
            audit::record(
                ctx,
                AuditEvent::TokenRevoked,
                Entry {
                    user_id: Some(&user_id),
                    session_id: Some(&session_id),
                    ..Entry::default()
                },
            );
        }
    }
    Ok(Response::new(200).no_store())
}

/// RFC 8414 section 2's server metadata.
#[derive(Serialize)]
struct Metadata<'a> {
    introspection_endpoint: String,
    introspection_endpoint_auth_methods_supported: &'static [&'static str],
    issuer: &'a str,
    jwks_uri: String,
    response_types_supported: &'static [&'static str],
    revocation_endpoint: String,
    revocation_endpoint_auth_methods_supported: &'static [&'static str],
    token_endpoint_auth_methods_supported: &'static [&'static str],
}

/// RFC 8414: where the endpoints are, for gateways and libraries that configure themselves. The
/// issuer is the service's public base URL.
pub fn metadata(ctx: &Ctx, _request: &Request) -> Result<Response, ApiError> {
    let issuer = ctx.config.issuer()?;
    let base = issuer.trim_end_matches('/');
    Ok(Response::json(
        200,
        &Metadata {
            introspection_endpoint: format!("{base}/oauth/introspect"),
            introspection_endpoint_auth_methods_supported: &["client_secret_basic"],
            issuer: &issuer,
            jwks_uri: format!("{base}/.well-known/jwks.json"),
            // Required by RFC 8414 and refused empty by libraries; there is no authorization
            // endpoint, so it issues nothing.
            response_types_supported: &["none"],
            revocation_endpoint: format!("{base}/oauth/revoke"),
            revocation_endpoint_auth_methods_supported: &["none"],
            token_endpoint_auth_methods_supported: &["none"],
        },
    )
    .with_header(
        "cache-control",
        format!("public, max-age={METADATA_MAX_AGE_SECS}"),
    ))
}
