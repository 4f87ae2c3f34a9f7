//! `GET /` answers 200 with nothing done; `POST /hash?m=..&t=..&p=..` computes one argon2id hash
//! with those costs, as auth_service does for every login and registration.

use argon2::{Algorithm, Argon2, Params, Version};
use spin_sdk::http::{Request, Response};

#[spin_sdk::http_component]
fn handle(request: Request) -> Response {
    if request.path() != "/hash" {
        return Response::new(200, ());
    }
    let cost = |name: &str, default: u32| {
        request
            .query()
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(default)
    };
    let hashed = Params::new(cost("m", 19_456), cost("t", 2), cost("p", 1), Some(32)).and_then(|params| {
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(b"correct horse battery staple", b"benchmark-salt16", &mut out)
            .map(|()| out)
    });
    match hashed {
        Ok(out) => Response::new(200, out.to_vec()),
        Err(_) => Response::new(400, ()),
    }
}
