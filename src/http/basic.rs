//! `Authorization: Basic` (RFC 7617) as OAuth clients send it: base64 of `id:secret`, each part
//! form-encoded first (RFC 6749 section 2.3.1).

use super::{Request, form};
use ct_codecs::{Base64, Decoder};

/// The client id and secret, or `None` when the header is missing, not Basic, or malformed.
pub fn credentials(request: &Request) -> Option<(String, String)> {
    parse(request.header_str("authorization").ok().flatten()?)
}

fn parse(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = Base64::decode_to_vec(encoded.trim(), None).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form::decode(id)?;
    let secret = form::decode(secret)?;
    (!id.is_empty()).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_credentials_form_decoded() {
        // "posts:s%3Acret": the secret holds a colon.
        assert_eq!(
            parse("Basic cG9zdHM6cyUzQWNyZXQ="),
            Some(("posts".to_owned(), "s:cret".to_owned()))
        );
        assert_eq!(
            parse("basic cG9zdHM6c2VjcmV0"),
            Some(("posts".to_owned(), "secret".to_owned()))
        );
        for bad in [
            "Bearer cG9zdHM6c2VjcmV0",
            "Basic",
            "Basic !!!",
            "Basic c2VjcmV0",
            "Basic OnNlY3JldA==",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
