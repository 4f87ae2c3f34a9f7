//! The response as plain data, and how it is handed back to the host.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn json(status: u16, body: &impl Serialize) -> Self {
        Self::json_as(status, "application/json", body)
    }

    /// A JSON body of a more specific media type (`application/problem+json`).
    pub fn json_as(status: u16, content_type: &str, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => Self::new(status).with_body(content_type, bytes),
            // Only a map with keys that are not strings fails to serialise; no body has one.
            Err(_) => Self::new(500),
        }
    }

    pub fn with_body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("content-type".to_owned(), content_type.to_owned()));
        self.body = body;
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// For responses that carry tokens: never cached by browsers or proxies.
    pub fn no_store(self) -> Self {
        self.with_header("cache-control", "no-store")
            .with_header("pragma", "no-cache")
    }

    #[cfg(test)]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Writes the response to the host and finishes the body, so the client has it before any work the
/// request still does afterwards.
pub fn send(response: Response, out: spin_sdk::http::ResponseOutparam) {
    use spin_sdk::http::{Fields, OutgoingBody, OutgoingResponse};
    let mut entries: Vec<(String, Vec<u8>)> = response
        .headers
        .into_iter()
        .map(|(n, v)| (n, v.into_bytes()))
        .collect();
    if has_content(response.status) {
        entries.push((
            "content-length".to_owned(),
            response.body.len().to_string().into_bytes(),
        ));
    }
    let headers = Fields::from_list(&entries).unwrap_or_else(|_| Fields::new());
    let outgoing = OutgoingResponse::new(headers);
    if outgoing.set_status_code(response.status).is_err() {
        let _ = outgoing.set_status_code(500);
    }
    let Ok(body) = outgoing.body() else {
        return;
    };
    // A body's one stream: the host hands out no second.
    let Ok(stream) = body.write() else {
        out.set(outgoing);
        let _ = OutgoingBody::finish(body, None);
        return;
    };
    // The whole body first, when the host takes it at once: the host then sends the head and the
    // body together. Handed over before its body, the head went out alone, and on a kept-alive
    // connection the body's segment waited for the client's delayed acknowledgement (tens of
    // milliseconds per response). A body the host cannot take at once follows the head.
    let written = stream
        .check_write()
        .is_ok_and(|permit| takes_whole(permit, response.body.len()))
        && stream.write(&response.body).is_ok();
    if written {
        let _ = stream.flush();
        drop(stream);
        let _ = OutgoingBody::finish(body, None);
        out.set(outgoing);
        return;
    }
    out.set(outgoing);
    // A client that has gone away cannot be told anything more; the request's own work still stands.
    let _ = super::stream::write_all(&stream, &response.body);
    drop(stream);
    let _ = OutgoingBody::finish(body, None);
}

/// Whether a response of this status has content, whose length it states. A 204 has none, and a 304's
/// length would be that of the representation it stands for, not of its empty body (RFC 9110
/// section 8.6).
fn has_content(status: u16) -> bool {
    !matches!(status, 100..=199 | 204 | 304)
}

/// Whether a write permit of `permit` bytes takes a body of `len` bytes in one write.
fn takes_whole(permit: u64, len: usize) -> bool {
    u64::try_from(len).is_ok_and(|len| len <= permit)
}

#[cfg(test)]
mod tests {
    use super::{has_content, takes_whole};

    #[test]
    fn no_content_length_where_there_is_no_content() {
        assert!(has_content(200));
        assert!(has_content(404));
        assert!(!has_content(204));
        assert!(!has_content(304));
    }

    #[test]
    fn a_body_goes_with_its_head_only_when_one_write_takes_it_whole() {
        assert!(takes_whole(4096, 4096));
        assert!(takes_whole(4096, 0));
        assert!(!takes_whole(4096, 4097));
        assert!(!takes_whole(0, 1));
    }
}
