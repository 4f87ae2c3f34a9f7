//! auth_service: the Chatty platform's authentication service, as one Spin HTTP component.
//!
//! A request flows: Spin (fresh instance) -> `handle` -> `api::routes::dispatch` -> one endpoint in
//! `api` -> rules in `domain` -> `store` -> the answer, with every failure mapped in `api::error`.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo
    )
)]

pub mod api;
pub mod config;
pub mod domain;
#[cfg(test)]
mod fuzz;
pub mod http;
pub mod log;
pub mod outbound;
pub mod store;

/// The Spin entry point. Only on Wasm: natively (unit tests) there is no host to export it to.
#[cfg(target_arch = "wasm32")]
mod entry {
    use super::{api, config, http};
    use spin_sdk::http::{IncomingRequest, ResponseOutparam};

    #[spin_sdk::http_component]
    fn handle(incoming: IncomingRequest, out: ResponseOutparam) {
        let request = http::request::read(incoming);
        let ctx = api::ctx::Ctx::new(config::Config::spin(), &request);
        let response = api::routes::dispatch(&ctx, &request)
            .with_header("x-request-id", ctx.request_id.clone());
        http::response::send(response, out);
        api::messages::after_response(&ctx, &request);
    }
}
