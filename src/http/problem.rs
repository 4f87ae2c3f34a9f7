//! RFC 9457 problem details: the one shape every error takes on the wire.

use super::FieldError;
use super::Response;
use serde_json::{Value, json};

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
        let mut body = json!({
            "type": format!("urn:chatty:auth:problem:{}", self.code),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        });
        if !self.errors.is_empty() {
            let errors: Vec<Value> = self
                .errors
                .iter()
                .map(|e| json!({"field": e.field, "code": e.code, "message": e.message}))
                .collect();
            if let Some(map) = body.as_object_mut() {
                map.insert("errors".to_owned(), Value::Array(errors));
            }
        }
        let mut response =
            Response::new(self.status).with_body(CONTENT_TYPE, body.to_string().into_bytes());
        for (name, value) in self.headers {
            response = response.with_header(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
