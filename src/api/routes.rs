//! The routing table: every path the component serves. `/openapi.json` must list exactly these.

use super::ctx::Ctx;
use super::error::ApiError;
use super::{login, logout, meta, register, tokens, verify};
use crate::http::router::{self, Match, Route};
use crate::http::{Request, Response};
use http::Method;

pub type Handler = fn(&Ctx, &Request) -> Result<Response, ApiError>;

pub static ROUTES: &[Route<Handler>] = &[
    Route { path: "/register", methods: &[(Method::POST, register::register)] },
    Route { path: "/login", methods: &[(Method::POST, login::login)] },
    Route { path: "/token/refresh", methods: &[(Method::POST, tokens::refresh)] },
    Route { path: "/verify", methods: &[(Method::GET, verify::verify)] },
    Route { path: "/me", methods: &[(Method::GET, verify::me)] },
    Route { path: "/logout", methods: &[(Method::POST, logout::logout)] },
    Route { path: "/logout/all", methods: &[(Method::POST, logout::logout_all)] },
    Route { path: "/.well-known/jwks.json", methods: &[(Method::GET, meta::jwks)] },
    Route { path: "/health", methods: &[(Method::GET, meta::health)] },
    Route { path: "/openapi.json", methods: &[(Method::GET, meta::openapi)] },
];

pub fn dispatch(ctx: &Ctx, request: &Request) -> Response {
    let result = match router::find(ROUTES, &request.method, &request.path) {
        Match::Found(handler) => handler(ctx, request),
        Match::MethodNotAllowed(allow) => Err(ApiError::MethodNotAllowed(allow)),
        Match::NotFound => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(|e| e.into_response(&ctx.request_id))
}
