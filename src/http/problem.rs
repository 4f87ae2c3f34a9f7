//! RFC 9457 problem details: the one shape every error takes on the wire.

use super::FieldError;
use super::Response;
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    /// Stable, machine-readable: clients branch on this, never on `detail`.
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub headers: Vec<(&'static str, String)>,
}

/// The body on the wire: the RFC's members, the stable `code`, and the invalid fields if any.
#[derive(Serialize)]
struct Body<'a> {
    code: &'static str,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
    status: u16,
    title: &'static str,
    #[serde(rename = "type")]
    problem_type: String,
}

impl Problem {
    pub fn new(
        status: u16,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            detail: &self.detail,
            errors: &self.errors,
            status: self.status,
            title: self.title,
            problem_type: format!("urn:chatty:auth:problem:{}", self.code),
        };
        let mut response = Response::json_as(self.status, CONTENT_TYPE, &body);
        for (name, value) in self.headers {
            response = response.with_header(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn renders_every_member_and_the_field_list() {
        let mut problem = Problem::new(
            400,
            "validation_failed",
            "Invalid request",
            "2 fields are invalid",
        );
        problem.errors = vec![
            FieldError::new("email", "invalid_email", "bad"),
            FieldError::new("password", "password_too_short", "short"),
        ];
        let response = problem.into_response();
        assert_eq!(response.status, 400);
        assert_eq!(response.header("content-type"), Some(CONTENT_TYPE));
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["type"], "urn:chatty:auth:problem:validation_failed");
        assert_eq!(body["status"], 400);
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["errors"][1]["field"], "password");
        assert_eq!(body["errors"][1]["code"], "password_too_short");
    }

    #[test]
    fn the_body_keeps_its_members_and_their_order() {
        let mut problem = Problem::new(400, "validation_failed", "Invalid request", "1 field");
        problem.errors = vec![FieldError::new("email", "required", "email is required")];
        assert_eq!(
            String::from_utf8(problem.into_response().body).unwrap(),
            r#"{"code":"validation_failed","detail":"1 field","errors":[{"code":"required","field":"email","message":"email is required"}],"status":400,"title":"Invalid request","type":"urn:chatty:auth:problem:validation_failed"}"#
        );
    }

    #[test]
    fn omits_the_field_list_when_there_is_none() {
        let body: Value = serde_json::from_slice(
            &Problem::new(404, "not_found", "Not found", "x")
                .into_response()
                .body,
        )
        .unwrap();
        assert!(body.get("errors").is_none());
    }
}
