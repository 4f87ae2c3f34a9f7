//! `application/x-www-form-urlencoded`: OAuth request bodies (RFC 6749 appendix B) and query strings.

use super::json::BodyError;
use super::request::{Body, Request};

/// Fields of a form body or query string, in order; a name may repeat.
pub struct Form(Vec<(String, String)>);

/// A field given more than once where one is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeated;

/// Why a form could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// Not `application/x-www-form-urlencoded`.
    UnsupportedMediaType,
    /// Too large or unreadable.
    Body(BodyError),
    /// Not UTF-8, or a field that does not decode to it.
    Undecodable,
}

impl Form {
    /// The field's value when it appears at most once; `Repeated` otherwise (RFC 6749 section
    /// 3.1: parameters must not be included more than once).
    pub fn single(&self, name: &str) -> Result<Option<&str>, Repeated> {
        let mut values = self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(_), Some(_)) => Err(Repeated),
            (value, _) => Ok(value.map(String::as_str)),
        }
    }
}

/// The request body as a form, after checking the media type.
pub fn body(request: &Request) -> Result<Form, FormError> {
    let bytes = match &request.body {
        Body::TooLarge => return Err(FormError::Body(BodyError::TooLarge)),
        Body::Unreadable => return Err(FormError::Body(BodyError::Unreadable)),
        Body::Complete(bytes) => bytes,
    };
    let content_type = request.header_str("content-type").ok().flatten();
    let essence = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|e| e.trim().to_ascii_lowercase());
    if essence.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(FormError::UnsupportedMediaType);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FormError::Undecodable)?;
    parse(text).ok_or(FormError::Undecodable)
}

/// `name=value&...` pairs, decoded; `None` if an escape is broken or decodes to invalid UTF-8.
pub fn parse(text: &str) -> Option<Form> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(name)?, decode(value)?))
        })
        .collect::<Option<Vec<_>>>()
        .map(Form)
}

/// One form-encoded component: `+` is a space, `%XX` a byte.
pub fn decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let (hex, tail) = rest.split_at_checked(2)?;
                let hex = std::str::from_utf8(hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = tail;
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(decode("a+b%20c%3D%26").as_deref(), Some("a b c=&"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode("%"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%FF"), None);
    }

    #[test]
    fn reads_fields_and_refuses_repeats() {
        let form = parse("token=abc&token_type_hint=refresh_token&empty=&flag").unwrap();
        assert_eq!(form.single("token"), Ok(Some("abc")));
        assert_eq!(form.single("empty"), Ok(Some("")));
        assert_eq!(form.single("flag"), Ok(Some("")));
        assert_eq!(form.single("missing"), Ok(None));
        assert_eq!(parse("a=1&a=2").unwrap().single("a"), Err(Repeated));
        assert!(parse("a=%E2%82").is_none());
    }
}
