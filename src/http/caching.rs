//! What a client says it can take or already holds: `Accept-Encoding` (RFC 9110 section 12.5.3) and
//! `If-None-Match` (section 13.1.2), for the constant documents the service serves.

/// Whether the client accepts a gzip-coded body: `gzip` (or `x-gzip`) or `*` listed with a weight
/// above zero, and gzip not refused by name.
pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(value) = accept_encoding else {
        return false;
    };
    let mut named = None;
    let mut any = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let weight = parts
            .find_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().ok())?
            })
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            named = Some(weight > 0.0);
        } else if coding == "*" {
            any = Some(weight > 0.0);
        }
    }
    named.or(any).unwrap_or(false)
}

/// Whether `If-None-Match` names the current `etag` (or is `*`): the client's copy is current. The
/// comparison is weak, as the header's is: `W/"x"` matches `"x"`.
pub fn none_match(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(value) = if_none_match else {
        return false;
    };
    let opaque = |tag: &str| {
        let tag = tag.trim();
        tag.strip_prefix("W/").unwrap_or(tag).to_owned()
    };
    let current = opaque(etag);
    value.trim() == "*" || value.split(',').any(|tag| opaque(tag) == current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_when_listed_or_covered_by_a_wildcard() {
        for value in [
            "gzip",
            "gzip, deflate, br",
            "br;q=1.0, gzip;q=0.8, *;q=0.1",
            "GZIP",
            "x-gzip",
            "*",
            "identity, *;q=0.5",
            "gzip ; q=0.001",
        ] {
            assert!(accepts_gzip(Some(value)), "{value}");
        }
    }

    #[test]
    fn gzip_is_not_taken_when_absent_refused_or_unweighable() {
        for value in [
            "",
            "identity",
            "br, deflate",
            "gzip;q=0",
            "gzip;q=0.0, *",
            "*;q=0",
            "gzipped",
        ] {
            assert!(!accepts_gzip(Some(value)), "{value}");
        }
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn a_listed_or_wildcard_tag_matches_weakly() {
        let etag = "\"abc\"";
        assert!(none_match(Some("\"abc\""), etag));
        assert!(none_match(Some("W/\"abc\""), etag));
        assert!(none_match(Some("\"x\", \"abc\""), etag));
        assert!(none_match(Some("*"), etag));
        assert!(!none_match(Some("\"abcd\""), etag));
        assert!(!none_match(Some("abc"), etag));
        assert!(!none_match(Some(""), etag));
        assert!(!none_match(None, etag));
    }
}
