//! Exact-path routing with 404 and 405 (`Allow`) decided in one place.

use http::Method;

pub struct Route<H: 'static> {
    pub path: &'static str,
    pub methods: &'static [(Method, H)],
}

pub enum Match<'a, H> {
    Found(&'a H),
    /// The path exists; this is the `Allow` header value.
    MethodNotAllowed(String),
    NotFound,
}

pub fn find<'a, H>(routes: &'a [Route<H>], method: &Method, path: &str) -> Match<'a, H> {
    let Some(route) = routes.iter().find(|r| r.path == path) else {
        return Match::NotFound;
    };
    match route.methods.iter().find(|(m, _)| m == method) {
        Some((_, handler)) => Match::Found(handler),
        None => Match::MethodNotAllowed(allow(route)),
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
    ];

    #[test]
    fn finds_by_path_and_method() {
        assert!(matches!(find(ROUTES, &Method::POST, "/a"), Match::Found(2)));
        assert!(matches!(find(ROUTES, &Method::POST, "/b"), Match::Found(3)));
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
