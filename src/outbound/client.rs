//! A small blocking HTTP client over `wasi:http/outgoing-handler`, with the timeouts Spin honours.
//! Only hosts in `allowed_outbound_hosts` can be reached; others fail with `HttpRequestDenied`.

use crate::config::Origin;
use std::time::Duration;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasi::io::streams::StreamError;

/// Responses are read up to this size; relays and brokers answer with a few bytes.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub first_byte: Duration,
    pub between_bytes: Duration,
}

pub struct Request<'a> {
    pub method: Method,
    pub origin: &'a Origin,
    pub path: &'a str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a request got no usable response. Never contains the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError(pub String);

pub fn send(request: Request<'_>, timeouts: Timeouts) -> Result<Response, SendError> {
    let fail = |what: &str| SendError(what.to_owned());
    let mut fields: Vec<(String, Vec<u8>)> = request
        .headers
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.into_bytes()))
        .collect();
    fields.push((
        "content-length".to_owned(),
        request.body.len().to_string().into_bytes(),
    ));
    let headers =
        Fields::from_list(&fields).map_err(|e| SendError(format!("bad header: {e:?}")))?;
    let outgoing = OutgoingRequest::new(headers);
    let scheme = if request.origin.https {
        Scheme::Https
    } else {
        Scheme::Http
    };
    outgoing
        .set_method(&request.method)
        .map_err(|()| fail("bad method"))?;
    outgoing
        .set_scheme(Some(&scheme))
        .map_err(|()| fail("bad scheme"))?;
    outgoing
        .set_authority(Some(&request.origin.authority))
        .map_err(|()| fail("bad authority"))?;
    outgoing
        .set_path_with_query(Some(request.path))
        .map_err(|()| fail("bad path"))?;
    let body = outgoing
        .body()
        .map_err(|()| fail("request body unavailable"))?;

    let options = RequestOptions::new();
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    // A host that does not support a timeout refuses to set it; the others still apply.
    let _ = options.set_connect_timeout(Some(nanos(timeouts.connect)));
    let _ = options.set_first_byte_timeout(Some(nanos(timeouts.first_byte)));
    let _ = options.set_between_bytes_timeout(Some(nanos(timeouts.between_bytes)));

    let future = outgoing_handler::handle(outgoing, Some(options)).map_err(describe)?;
    write_body(&body, &request.body)?;
    OutgoingBody::finish(body, None).map_err(describe)?;

    future.subscribe().block();
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(describe(code)),
        Some(Err(())) | None => return Err(fail("response already taken")),
    };
    let status = response.status();
    let incoming = response
        .consume()
        .map_err(|()| fail("response body unavailable"))?;
    let stream = incoming
        .stream()
        .map_err(|()| fail("response body unavailable"))?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(8192) {
            Ok(chunk) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_RESPONSE_BYTES {
                    break;
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(SendError(format!(
                    "reading the response failed: {}",
                    e.to_debug_string()
                )));
            }
        }
    }
    Ok(Response {
        status,
        body: bytes,
    })
}

fn write_body(body: &OutgoingBody, bytes: &[u8]) -> Result<(), SendError> {
    let stream = body
        .write()
        .map_err(|()| SendError("request body unavailable".into()))?;
    for chunk in bytes.chunks(4096) {
        stream
            .blocking_write_and_flush(chunk)
            .map_err(|e| SendError(format!("writing the request failed: {e:?}")))?;
    }
    Ok(())
}

fn describe(code: ErrorCode) -> SendError {
    SendError(match code {
        ErrorCode::HttpRequestDenied => "refused: host not in allowed_outbound_hosts".to_owned(),
        ErrorCode::ConnectionRefused => "connection refused".to_owned(),
        ErrorCode::ConnectionTimeout => "connect timeout".to_owned(),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => {
            "response timeout".to_owned()
        }
        other => format!("{other:?}"),
    })
}

/// Percent-encodes a URL path segment (RabbitMQ vhost and exchange names).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::path_segment;

    #[test]
    fn encodes_path_segments() {
        assert_eq!(path_segment("/"), "%2F");
        assert_eq!(path_segment("auth.events"), "auth.events");
        assert_eq!(path_segment("a b/ü"), "a%20b%2F%C3%BC");
    }
}
