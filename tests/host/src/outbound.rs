//! `allowed_outbound_hosts` as Spin applies them: each resolved entry must be `scheme://host[:port]`;
//! a request is allowed when scheme, host (exact text) and port (or the scheme's default) match.
//! If any entry fails to resolve or parse, Spin denies every request, and so does this host.

use anyhow::{Result, bail};
use wasmtime_wasi_http::{WasiBody, WasiHttpHooks};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Allowed {
    scheme: String,
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone)]
pub(crate) struct AllowedHosts {
    entries: Result<Vec<Allowed>, String>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        _ => None,
    }
}

fn parse_entry(entry: &str) -> Result<Allowed> {
    let Some((scheme, rest)) = entry.split_once("://") else {
        bail!("{entry:?} does not contain a scheme (e.g., 'http://' or '*://')");
    };
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphabetic()) {
        bail!("{entry:?} has an invalid scheme");
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') {
        bail!("{entry:?} has a path but is not allowed to");
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (
            host,
            Some(
                port.parse::<u16>()
                    .map_err(|_| anyhow::anyhow!("{entry:?} has an invalid port"))?,
            ),
        ),
        None => (rest, None),
    };
    if host.is_empty() {
        bail!("{entry:?} has no host");
    }
    let port = port.or_else(|| default_port(scheme));
    if port.is_none() {
        bail!("{entry:?} needs a port: {scheme} has no well-known default");
    }
    Ok(Allowed {
        scheme: scheme.to_owned(),
        host: host.to_ascii_lowercase(),
        port,
    })
}

impl AllowedHosts {
    pub(crate) fn resolve(
        templates: &[String],
        render: impl Fn(&str) -> Result<String, String>,
    ) -> Self {
        let entries = templates
            .iter()
            .map(|t| {
                let resolved = render(t)?;
                parse_entry(&resolved).map_err(|e| e.to_string())
            })
            .collect();
        Self { entries }
    }

    /// Whether `url` (`scheme://host[:port]...`) may be reached.
    pub(crate) fn permits(&self, url: &str) -> bool {
        let Ok(entries) = &self.entries else {
            return false;
        };
        let Ok(uri) = url.parse::<http::Uri>() else {
            return false;
        };
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return false;
        };
        let port = uri.port_u16().or_else(|| default_port(scheme));
        entries
            .iter()
            .any(|a| a.scheme == scheme && a.host == host.to_ascii_lowercase() && a.port == port)
    }
}

/// wasi-http hooks: the allow-list check, then a real request.
pub(crate) struct Hooks {
    pub allowed: AllowedHosts,
}

impl WasiHttpHooks for Hooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        drop(fut);
        let permitted = self.allowed.permits(&request.uri().to_string());
        Box::new(async move {
            use http_body_util::BodyExt;
            if !permitted {
                return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
            }
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(list: &[&str]) -> AllowedHosts {
        let templates: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        AllowedHosts::resolve(&templates, |t| Ok(t.to_owned()))
    }

    #[test]
    fn matches_scheme_host_and_port_exactly() {
        let allowed = hosts(&[
            "http://127.0.0.1:8025",
            "https://mail.example.com",
            "postgres://db:5432",
        ]);
        assert!(allowed.permits("http://127.0.0.1:8025/api/v1/send"));
        assert!(!allowed.permits("http://localhost:8025/api/v1/send"));
        assert!(!allowed.permits("http://127.0.0.1:8026/"));
        assert!(!allowed.permits("https://127.0.0.1:8025/"));
        assert!(allowed.permits("https://mail.example.com:443/x"));
        assert!(allowed.permits("https://mail.example.com/x"));
        assert!(allowed.permits("postgres://db:5432"));
    }

    #[test]
    fn one_bad_entry_denies_everything() {
        let allowed = hosts(&["http://127.0.0.1:8025", "http://127.0.0.1:15672/api"]);
        assert!(!allowed.permits("http://127.0.0.1:8025/"));
        let unresolved =
            AllowedHosts::resolve(&["{{ x }}".to_string()], |_| Err("no value".into()));
        assert!(!unresolved.permits("http://127.0.0.1:8025/"));
    }
}
