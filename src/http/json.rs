//! JSON request bodies: media type, size, nesting and per-field checks, reporting every bad field.

use super::FieldError;
use super::request::{Body, Request};
use crate::domain::text;
use serde_json::{Map, Value};

/// Deeper bodies are refused before parsing: no endpoint takes more than a flat object.
pub const MAX_DEPTH: usize = 16;
/// No single string field is longer than this (tokens are well under it).
pub const MAX_STRING_CHARS: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    UnsupportedMediaType,
    TooLarge,
    Unreadable,
    /// Not JSON, too deep, or not an object; the text says which.
    Malformed(String),
}

pub struct JsonObject(Map<String, Value>);

/// The body as a JSON object, after checking the media type.
pub fn object(request: &Request) -> Result<JsonObject, BodyError> {
    let bytes = match &request.body {
        Body::TooLarge => return Err(BodyError::TooLarge),
        Body::Unreadable => return Err(BodyError::Unreadable),
        Body::Complete(bytes) => bytes,
    };
    if !is_json(request.header_str("content-type").ok().flatten()) {
        return Err(BodyError::UnsupportedMediaType);
    }
    if nesting_depth(bytes) > MAX_DEPTH {
        return Err(BodyError::Malformed(format!(
            "JSON nested deeper than {MAX_DEPTH} levels"
        )));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(JsonObject(map)),
        Ok(_) => Err(BodyError::Malformed(
            "the body must be a JSON object".to_owned(),
        )),
        Err(e) => Err(BodyError::Malformed(format!(
            "the body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

/// `application/json`, with parameters, or any `+json` type.
fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let essence = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

/// Maximum depth of `[`/`{` outside strings; a cheap scan that never recurses.
fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

impl JsonObject {
    /// A required string field. Records `required` or `invalid_type` in `errors` when it is not one.
    pub fn required_str(&self, field: &'static str, errors: &mut Vec<FieldError>) -> Option<&str> {
        match self.0.get(field) {
            None | Some(Value::Null) => {
                errors.push(missing(field));
                None
            }
            Some(value) => string(field, value, errors),
        }
    }

    /// An optional string field: absent or null is `None`; any other non-string is an error.
    pub fn optional_str(&self, field: &'static str, errors: &mut Vec<FieldError>) -> Option<&str> {
        match self.0.get(field) {
            None | Some(Value::Null) => None,
            Some(value) => string(field, value, errors),
        }
    }

    /// A required boolean field. Records `required` or `invalid_type` in `errors` when it is not one.
    pub fn required_bool(&self, field: &'static str, errors: &mut Vec<FieldError>) -> Option<bool> {
        match self.0.get(field) {
            Some(Value::Bool(value)) => Some(*value),
            None | Some(Value::Null) => {
                errors.push(missing(field));
                None
            }
            Some(_) => {
                errors.push(FieldError::new(
                    field,
                    "invalid_type",
                    format!("{field} must be true or false"),
                ));
                None
            }
        }
    }
}

fn missing(field: &'static str) -> FieldError {
    FieldError::new(field, "required", format!("{field} is required"))
}

/// The one required string field of a single-field body, or every problem with the body.
pub fn single_field(request: &Request, field: &'static str) -> Result<String, SingleFieldError> {
    let body = object(request).map_err(SingleFieldError::Body)?;
    let mut errors = Vec::new();
    match body.required_str(field, &mut errors) {
        Some(value) => Ok(value.to_owned()),
        None => Err(SingleFieldError::Invalid(errors)),
    }
}

#[derive(Debug)]
pub enum SingleFieldError {
    Body(BodyError),
    Invalid(Vec<FieldError>),
}

fn string<'a>(
    field: &'static str,
    value: &'a Value,
    errors: &mut Vec<FieldError>,
) -> Option<&'a str> {
    match value {
        Value::String(s) if s.chars().count() > MAX_STRING_CHARS => {
            errors.push(FieldError::new(
                field,
                "too_long",
                format!("{field} is too long"),
            ));
            None
        }
        // Refused for every field: no identifier, token or password needs one, and PostgreSQL's
        // text type cannot hold NUL.
        Value::String(s) if text::has_control(s) => {
            errors.push(FieldError::new(
                field,
                "control_character",
                format!("{field} must not contain control characters"),
            ));
            None
        }
        Value::String(s) => Some(s),
        _ => {
            errors.push(FieldError::new(
                field,
                "invalid_type",
                format!("{field} must be a string"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn request(content_type: Option<&str>, body: &str) -> Request {
        let headers = content_type
            .map(|ct| vec![("content-type".to_owned(), ct.as_bytes().to_vec())])
            .unwrap_or_default();
        Request::new(
            Method::POST,
            "/x",
            headers,
            Body::Complete(body.as_bytes().to_vec()),
        )
    }

    #[test]
    fn accepts_json_media_types_only() {
        assert!(object(&request(Some("application/json"), "{}")).is_ok());
        assert!(object(&request(Some("Application/JSON; charset=utf-8"), "{}")).is_ok());
        assert!(object(&request(Some("application/merge-patch+json"), "{}")).is_ok());
        for bad in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("json"),
        ] {
            assert_eq!(
                object(&request(bad, "{}")).err(),
                Some(BodyError::UnsupportedMediaType),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_non_objects_broken_json_and_deep_nesting() {
        for bad in ["", "[]", "\"x\"", "{", "{\"a\":}", "nul"] {
            assert!(
                matches!(
                    object(&request(Some("application/json"), bad)),
                    Err(BodyError::Malformed(_))
                ),
                "{bad}"
            );
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(40), "]".repeat(40));
        assert!(matches!(
            object(&request(Some("application/json"), &deep)),
            Err(BodyError::Malformed(_))
        ));
        let brackets_in_strings = format!("{{\"a\":\"{}\"}}", "[".repeat(40));
        assert!(object(&request(Some("application/json"), &brackets_in_strings)).is_ok());
    }

    #[test]
    fn lists_every_missing_or_mistyped_field() {
        let body = object(&request(
            Some("application/json"),
            r#"{"email": 5, "extra": true}"#,
        ))
        .unwrap();
        let mut errors = Vec::new();
        assert_eq!(body.required_str("email", &mut errors), None);
        assert_eq!(body.required_str("password", &mut errors), None);
        assert_eq!(body.optional_str("username", &mut errors), None);
        let codes: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            vec![("email", "invalid_type"), ("password", "required")]
        );
    }

    #[test]
    fn refuses_control_characters_in_any_string_field() {
        let body = object(&request(
            Some("application/json"),
            r#"{"email": "\u0000@x.io", "password": "pass\u0007word", "token": "ok"}"#,
        ))
        .unwrap();
        let mut errors = Vec::new();
        assert_eq!(body.required_str("email", &mut errors), None);
        assert_eq!(body.required_str("password", &mut errors), None);
        assert_eq!(body.required_str("token", &mut errors), Some("ok"));
        let codes: Vec<_> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("email", "control_character"),
                ("password", "control_character")
            ]
        );
    }

    #[test]
    fn refuses_overlong_strings() {
        let long = format!(r#"{{"token":"{}"}}"#, "a".repeat(MAX_STRING_CHARS + 1));
        let body = object(&request(Some("application/json"), &long)).unwrap();
        let mut errors = Vec::new();
        assert_eq!(body.required_str("token", &mut errors), None);
        assert_eq!(errors[0].code, "too_long");
    }
}
