//! `Authorization: Bearer <token>` (RFC 6750).

use super::Request;

/// The token, or `None` when the header is missing, not Bearer, or malformed.
pub fn token(request: &Request) -> Option<&str> {
    let value = request.header_str("authorization").ok().flatten()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::request::Body;
    use http::Method;

    fn with_auth(value: &[u8]) -> Request {
        Request::new(
            Method::GET,
            "/me",
            vec![("Authorization".to_owned(), value.to_vec())],
            Body::Complete(Vec::new()),
        )
    }

    #[test]
    fn reads_the_token_whatever_the_scheme_case() {
        assert_eq!(
            token(&with_auth(b"Bearer abc.def.ghi")),
            Some("abc.def.ghi")
        );
        assert_eq!(token(&with_auth(b"bearer  abc")), Some("abc"));
    }

    #[test]
    fn refuses_other_schemes_and_malformed_values() {
        for bad in [
            &b"Basic dXNlcjpwdw=="[..],
            b"Bearer",
            b"Bearer ",
            b"Bearer a b",
            b"abc",
            &[0xff, 0x20],
        ] {
            assert_eq!(token(&with_auth(bad)), None, "{bad:?}");
        }
        let none = Request::new(Method::GET, "/me", Vec::new(), Body::Complete(Vec::new()));
        assert_eq!(token(&none), None);
    }
}
