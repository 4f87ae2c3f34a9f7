//! The incoming request, read once into plain data with a bounded body.

use http::Method;

/// Bodies larger than this are refused with 413 before they are read in full.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Complete(Vec<u8>),
    TooLarge,
    /// The client went away or sent a broken body.
    Unreadable,
}

/// A header value that is not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: String,
    headers: Vec<(String, Vec<u8>)>,
    pub body: Body,
}

impl Request {
    pub fn new(
        method: Method,
        path_with_query: &str,
        headers: Vec<(String, Vec<u8>)>,
        body: Body,
    ) -> Self {
        let (path, query) = path_with_query
            .split_once('?')
            .unwrap_or((path_with_query, ""));
        Self {
            method,
            path: path.to_owned(),
            query: query.to_owned(),
            headers: headers
                .into_iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value))
                .collect(),
            body,
        }
    }

    /// The last value of a header: where a proxy or Spin appends its own value after a client's
    /// (as Spin does with `spin-client-addr`), the last one is the trustworthy one.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Every value of a header, in the order received: for list headers that a chain of proxies
    /// may send as several lines (`X-Forwarded-For`).
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// A header as text; `Err` when present but not valid UTF-8.
    pub fn header_str(&self, name: &str) -> Result<Option<&str>, NotUtf8> {
        self.header(name)
            .map(|v| std::str::from_utf8(v).map_err(|_| NotUtf8))
            .transpose()
    }
}

/// How much of a request's body to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyPlan {
    /// Nothing to read: waiting for the host to report the end of an empty body costs a round
    /// trip through its HTTP stack, as much as the rest of a `GET /verify`.
    Skip,
    /// Refused unread: the declared length is over the limit.
    TooLarge,
    /// Read until the declared length (no wait for the end of the stream), or the end.
    Read { declared: Option<u64> },
}

/// `GET` and `HEAD` carry no content the API reads (their content has no defined meaning, RFC
/// 9110 section 9.3.1), and a declared length of zero has nothing to read.
fn body_plan(method: &Method, declared: Option<u64>) -> BodyPlan {
    match declared {
        Some(len) if len > MAX_BODY_BYTES as u64 => BodyPlan::TooLarge,
        Some(0) => BodyPlan::Skip,
        _ if matches!(*method, Method::GET | Method::HEAD) => BodyPlan::Skip,
        _ => BodyPlan::Read { declared },
    }
}

/// Reads a request from the Spin host. Headers first; the body only up to `MAX_BODY_BYTES`.
pub fn read(incoming: spin_sdk::http::IncomingRequest) -> Request {
    let method = to_method(&incoming.method());
    let path_with_query = incoming.path_with_query().unwrap_or_else(|| "/".to_owned());
    let headers = incoming.headers().entries();
    let declared_len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok());
    let body = match body_plan(&method, declared_len) {
        BodyPlan::Skip => Body::Complete(Vec::new()),
        BodyPlan::TooLarge => Body::TooLarge,
        BodyPlan::Read { declared } => read_body(&incoming, declared),
    };
    Request::new(method, &path_with_query, headers, body)
}

fn read_body(incoming: &spin_sdk::http::IncomingRequest, declared: Option<u64>) -> Body {
    let Ok(body) = incoming.consume() else {
        return Body::Unreadable;
    };
    let Ok(stream) = body.stream() else {
        return Body::Unreadable;
    };
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(16 * 1024) {
            Ok(chunk) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_BODY_BYTES {
                    return Body::TooLarge;
                }
                // HTTP framing holds the body to its declared length: all of it is here.
                if declared.is_some_and(|len| bytes.len() as u64 >= len) {
                    return Body::Complete(bytes);
                }
            }
            Err(wasi::io::streams::StreamError::Closed) => return Body::Complete(bytes),
            Err(_) => return Body::Unreadable,
        }
    }
}

fn to_method(method: &spin_sdk::http::Method) -> Method {
    use spin_sdk::http::Method as M;
    match method {
        M::Get => Method::GET,
        M::Post => Method::POST,
        M::Put => Method::PUT,
        M::Delete => Method::DELETE,
        M::Patch => Method::PATCH,
        M::Head => Method::HEAD,
        M::Options => Method::OPTIONS,
        M::Connect => Method::CONNECT,
        M::Trace => Method::TRACE,
        M::Other(other) => Method::from_bytes(other.as_bytes()).unwrap_or(Method::GET),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &[u8])]) -> Request {
        Request::new(
            Method::GET,
            "/verify?x=1&y=2",
            headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.to_vec()))
                .collect(),
            Body::Complete(Vec::new()),
        )
    }

    #[test]
    fn splits_path_and_query() {
        let r = request(&[]);
        assert_eq!(r.path, "/verify");
        assert_eq!(r.query, "x=1&y=2");
    }

    #[test]
    fn header_names_match_case_insensitively_and_the_last_value_wins() {
        let r = request(&[
            ("Spin-Client-Addr", b"6.6.6.6:1"),
            ("spin-client-addr", b"10.0.0.1:5"),
        ]);
        assert_eq!(r.header_str("spin-client-addr"), Ok(Some("10.0.0.1:5")));
        assert_eq!(r.header("absent"), None);
    }

    #[test]
    fn every_line_of_a_header_is_available_in_order() {
        let r = request(&[
            ("X-Forwarded-For", b"6.6.6.6"),
            ("accept", b"*/*"),
            ("x-forwarded-for", b"10.0.0.1"),
        ]);
        let lines: Vec<&[u8]> = r.header_all("x-forwarded-for").collect();
        assert_eq!(lines, vec![&b"6.6.6.6"[..], &b"10.0.0.1"[..]]);
        assert_eq!(r.header_all("absent").count(), 0);
    }

    #[test]
    fn bodies_are_read_only_where_the_api_reads_them() {
        assert_eq!(body_plan(&Method::GET, None), BodyPlan::Skip);
        assert_eq!(body_plan(&Method::HEAD, Some(10)), BodyPlan::Skip);
        assert_eq!(body_plan(&Method::POST, Some(0)), BodyPlan::Skip);
        assert_eq!(
            body_plan(&Method::POST, Some(42)),
            BodyPlan::Read { declared: Some(42) }
        );
        assert_eq!(
            body_plan(&Method::DELETE, None),
            BodyPlan::Read { declared: None }
        );
        let over = MAX_BODY_BYTES as u64 + 1;
        assert_eq!(body_plan(&Method::POST, Some(over)), BodyPlan::TooLarge);
        assert_eq!(body_plan(&Method::GET, Some(over)), BodyPlan::TooLarge);
    }

    #[test]
    fn non_utf8_header_values_are_reported() {
        let r = request(&[("authorization", &[0xff, 0xfe])]);
        assert_eq!(r.header_str("authorization"), Err(NotUtf8));
    }
}
