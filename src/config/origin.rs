//! `scheme://host[:port]` of an HTTP peer: the form Spin accepts in `allowed_outbound_hosts`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    pub authority: String,
}

impl Origin {
    pub fn parse(text: &str) -> Option<Self> {
        let (scheme, rest) = text.split_once("://")?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let https = match scheme {
            "http" => false,
            "https" => true,
            _ => return None,
        };
        let valid = !authority.is_empty()
            && !authority.contains(['/', '?', '#', '@', ' '])
            && authority.is_ascii();
        valid.then(|| Self {
            https,
            authority: authority.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_bare_scheme_host_port() {
        let origin = Origin::parse("http://127.0.0.1:8025").unwrap();
        assert_eq!(
            (origin.https, origin.authority.as_str()),
            (false, "127.0.0.1:8025")
        );
        assert!(Origin::parse("https://mail.example.com/").unwrap().https);
        for bad in [
            "127.0.0.1:8025",
            "ftp://x",
            "http://",
            "http://h/path",
            "http://u:p@h",
            "http://h?x",
        ] {
            assert!(Origin::parse(bad).is_none(), "{bad}");
        }
    }
}
