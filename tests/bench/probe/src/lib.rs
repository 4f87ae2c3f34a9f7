//! `GET /` answers 200 with nothing done; `POST /hash?m=..&t=..&p=..` computes one argon2id hash
//! with those costs, as auth_service does for every login and registration; `POST /ed25519` checks
//! one Ed25519 signature (body: public key, signature, message) as auth_service does for every
//! `GET /verify`.

use argon2::{Algorithm, Argon2, Params, Version};
use spin_sdk::http::{Request, Response};

#[spin_sdk::http_component]
fn handle(request: Request) -> Response {
    match request.path() {
        "/hash" => hash(&request),
        "/ed25519" => ed25519(request.body()),
        _ => Response::new(200, ()),
    }
}

/// The same calls as auth_service's check: key decoded from bytes, strict verification.
fn ed25519(body: &[u8]) -> Response {
    let Some((key, rest)) = body.split_first_chunk::<32>() else {
        return Response::new(400, ());
    };
    let Some((signature, message)) = rest.split_first_chunk::<64>() else {
        return Response::new(400, ());
    };
    let valid = ed25519_dalek::VerifyingKey::from_bytes(key).is_ok_and(|key| {
        key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok()
    });
    Response::new(if valid { 200 } else { 400 }, ())
}

fn hash(request: &Request) -> Response {
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
