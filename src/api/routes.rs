//! The routing table: every path the component serves. `/openapi.json` must list exactly these.

use super::ctx::Ctx;
use super::error::ApiError;
use super::{
    account, admin, admin_users, email_change, login, logout, meta, my_sessions, oauth,
    password_reset, refresh, register, users, verify, verify_email,
};
use crate::http::router::{self, Match, Route};
use crate::http::{Request, Response};
use http::Method;

pub type Handler = fn(&Ctx, &Request) -> Result<Response, ApiError>;

pub static ROUTES: &[Route<Handler>] = &[
    Route {
        path: "/register",
        methods: &[(Method::POST, register::register)],
    },
    Route {
        path: "/login",
        methods: &[(Method::POST, login::login)],
    },
    Route {
        path: "/token/refresh",
        methods: &[(Method::POST, refresh::refresh)],
    },
    Route {
        path: "/verify",
        methods: &[(Method::GET, verify::verify)],
    },
    Route {
        path: "/me",
        methods: &[
            (Method::GET, verify::me),
            (Method::PATCH, account::update_profile),
            (Method::DELETE, account::delete_me),
        ],
    },
    Route {
        path: "/me/password",
        methods: &[(Method::POST, account::change_password)],
    },
    Route {
        path: "/me/email",
        methods: &[(Method::POST, email_change::request_change)],
    },
    Route {
        path: "/me/email/confirm",
        methods: &[(Method::POST, email_change::confirm_change)],
    },
    Route {
        path: "/me/sessions",
        methods: &[(Method::GET, my_sessions::list)],
    },
    Route {
        path: "/me/sessions/{id}",
        methods: &[(Method::DELETE, my_sessions::end)],
    },
    Route {
        path: "/me/export",
        methods: &[(Method::GET, my_sessions::export)],
    },
    Route {
        path: "/logout",
        methods: &[(Method::POST, logout::logout)],
    },
    Route {
        path: "/logout/all",
        methods: &[(Method::POST, logout::logout_all)],
    },
    Route {
        path: "/password-reset",
        methods: &[(Method::POST, password_reset::request_reset)],
    },
    Route {
        path: "/password-reset/confirm",
        methods: &[(Method::POST, password_reset::confirm_reset)],
    },
    Route {
        path: "/verify-email",
        methods: &[(Method::POST, verify_email::verify_email)],
    },
    Route {
        path: "/verify-email/resend",
        methods: &[(Method::POST, verify_email::resend)],
    },
    Route {
        path: "/admin/outbox",
        methods: &[(Method::GET, admin::outbox)],
    },
    Route {
        path: "/admin/outbox/drain",
        methods: &[(Method::POST, admin::drain)],
    },
    Route {
        path: "/users",
        methods: &[(Method::GET, users::by_username)],
    },
    Route {
        path: "/users/{id}",
        methods: &[(Method::GET, users::by_id)],
    },
    Route {
        path: "/admin/users",
        methods: &[(Method::GET, admin_users::list)],
    },
    Route {
        path: "/admin/users/{id}",
        methods: &[
            (Method::GET, admin_users::one),
            (Method::DELETE, admin_users::delete),
        ],
    },
    Route {
        path: "/admin/users/{id}/disable",
        methods: &[(Method::POST, admin_users::disable)],
    },
    Route {
        path: "/admin/users/{id}/enable",
        methods: &[(Method::POST, admin_users::enable)],
    },
    Route {
        path: "/admin/users/{id}/role",
        methods: &[(Method::PUT, admin_users::role)],
    },
    Route {
        path: "/oauth/introspect",
        methods: &[(Method::POST, oauth::introspect)],
    },
    Route {
        path: "/oauth/revoke",
        methods: &[(Method::POST, oauth::revoke)],
    },
    Route {
        path: "/.well-known/oauth-authorization-server",
        methods: &[(Method::GET, oauth::metadata)],
    },
    Route {
        path: "/.well-known/jwks.json",
        methods: &[(Method::GET, meta::jwks)],
    },
    Route {
        path: "/health",
        methods: &[(Method::GET, meta::health)],
    },
    Route {
        path: "/openapi.json",
        methods: &[(Method::GET, meta::openapi)],
    },
];

pub fn dispatch(ctx: &Ctx, request: &Request) -> Response {
    let result = refuse_unsafe_production(ctx).and_then(|()| {
        match router::find(ROUTES, &request.method, &request.path) {
            Match::Found(handler, params) => {
                ctx.set_path_params(params);
                handler(ctx, request)
            }
            Match::MethodNotAllowed(allow) => Err(ApiError::MethodNotAllowed(allow)),
            Match::NotFound => Err(ApiError::NotFound),
        }
    });
    result.unwrap_or_else(|e| e.into_response(&ctx.request_id))
}

/// In production, a development-only setting (a signing key generated into the database, a short
/// admin token) stops every request, health included, so that a deployment cannot go live with it.
fn refuse_unsafe_production(ctx: &Ctx) -> Result<(), ApiError> {
    let unsafe_settings = ctx.config.unsafe_in_production()?;
    if unsafe_settings.is_empty() {
        Ok(())
    } else {
        Err(ApiError::UnsafeConfiguration(unsafe_settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn served() -> BTreeSet<(String, String)> {
        ROUTES
            .iter()
            .flat_map(|r| {
                r.methods
                    .iter()
                    .map(|(m, _)| (m.to_string(), r.path.to_owned()))
            })
            .collect()
    }

    fn documented() -> BTreeSet<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(meta::OPENAPI).unwrap();
        let methods = [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ];
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| methods.contains(&k.as_str()))
                    .map(|m| (m.to_uppercase(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_openapi_document_lists_every_served_route_and_nothing_else() {
        let served = served();
        let documented = documented();
        assert_eq!(
            served.difference(&documented).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "served but not documented"
        );
        assert_eq!(
            documented.difference(&served).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "documented but not served"
        );
    }

    #[test]
    fn every_path_appears_once() {
        let paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
        let unique: BTreeSet<&str> = paths.iter().copied().collect();
        assert_eq!(paths.len(), unique.len());
    }
}
