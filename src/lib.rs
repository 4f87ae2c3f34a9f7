//! auth_service: the Chatty platform's authentication service, as one Spin HTTP component.
//!
//! A request flows: Spin (fresh instance) -> `handle` -> `api::routes::dispatch` -> one endpoint in
//! `api` -> rules in `domain` -> `store` -> the answer, with every failure mapped in `api::error`.

// The lint rules (no unwrap, expect, panic or slice indexing outside tests; no unsafe code) are in
// Cargo.toml's `[lints]`; clippy.toml keeps the clock and the random source to the request context.

mod api;
mod config;
mod domain;
mod entropy;
#[cfg(test)]
mod fuzz;
mod http;
mod log;
mod outbound;
mod store;

/// The Spin entry point. Spin's export macro expands to the component's ABI glue, the crate's one
/// use of unsafe code (which is why `unsafe_code` is denied rather than forbidden).
#[allow(unsafe_code)]
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
