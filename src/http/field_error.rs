//! One invalid input field, as problem+json lists it under `errors`.

use crate::domain::Invalid;
use serde::Serialize;

/// One invalid input field: what the client sent wrong, in words a program can match on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            code,
            message: message.into(),
        }
    }

    /// A value the domain refused, placed on the field it was sent in.
    pub fn invalid(field: &'static str, refused: Invalid) -> Self {
        Self {
            field,
            code: refused.code,
            message: refused.message,
        }
    }
}
