//! Path routing with 404 and 405 (`Allow`) decided in one place. A path segment written `{name}`
//! matches any one non-empty segment, captured under that name (the OpenAPI template syntax).

use http::Method;

pub struct Route<H: 'static> {
    pub path: &'static str,
    pub methods: &'static [(Method, H)],
}

/// The segments captured by a route's `{name}` placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub enum Match<'a, H> {
    Found(&'a H, Params),
    /// The path exists; this is the `Allow` header value.
    MethodNotAllowed(String),
    NotFound,
}

pub fn find<'a, H>(routes: &'a [Route<H>], method: &Method, path: &str) -> Match<'a, H> {
    let Some((route, params)) = routes
        .iter()
        .find_map(|r| matches(r.path, path).map(|params| (r, params)))
    else {
        return Match::NotFound;
    };
    match route.methods.iter().find(|(m, _)| m == method) {
        Some((_, handler)) => Match::Found(handler, params),
        None => Match::MethodNotAllowed(allow(route)),
    }
}

/// The captures if `path` fits `template`, segment by segment.
fn matches(template: &'static str, path: &str) -> Option<Params> {
    if !template.contains('{') {
        return (template == path).then(Params::default);
    }
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(Params(params)),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    params.push((name, g.to_owned()));
                } else if w != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

pub fn allow<H>(route: &Route<H>) -> String {
    route
        .methods
        .iter()
        .map(|(m, _)| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    static ROUTES: &[Route<u8>] = &[
        Route {
            path: "/a",
            methods: &[(Method::GET, 1), (Method::POST, 2)],
        },
        Route {
            path: "/b",
            methods: &[(Method::POST, 3)],
        },
        Route {
            path: "/a/{id}/items/{item}",
            methods: &[(Method::DELETE, 4)],
        },
    ];

    #[test]
    fn finds_by_path_and_method() {
        assert!(matches!(
            find(ROUTES, &Method::POST, "/a"),
            Match::Found(2, _)
        ));
        assert!(matches!(
            find(ROUTES, &Method::POST, "/b"),
            Match::Found(3, _)
        ));
    }

    #[test]
    fn placeholders_capture_one_non_empty_segment_each() {
        match find(ROUTES, &Method::DELETE, "/a/x1/items/y2") {
            Match::Found(4, params) => {
                assert_eq!(params.get("id"), Some("x1"));
                assert_eq!(params.get("item"), Some("y2"));
                assert_eq!(params.get("other"), None);
            }
            _ => panic!("expected a match"),
        }
        for path in [
            "/a//items/y",
            "/a/x/items",
            "/a/x/items/y/z",
            "/a/x/other/y",
        ] {
            assert!(
                matches!(find(ROUTES, &Method::DELETE, path), Match::NotFound),
                "{path}"
            );
        }
        assert!(matches!(
            find(ROUTES, &Method::GET, "/a/x/items/y"),
            Match::MethodNotAllowed(_)
        ));
    }

    #[test]
    fn a_known_path_with_another_method_lists_the_allowed_ones() {
        match find(ROUTES, &Method::DELETE, "/a") {
            Match::MethodNotAllowed(allow) => assert_eq!(allow, "GET, POST"),
            _ => panic!("expected 405"),
        }
    }

    #[test]
    fn unknown_paths_are_not_found_even_with_a_trailing_slash() {
        assert!(matches!(find(ROUTES, &Method::GET, "/c"), Match::NotFound));
        assert!(matches!(find(ROUTES, &Method::GET, "/a/"), Match::NotFound));
    }
}
