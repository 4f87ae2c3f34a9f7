//! Which client a request is accounted to for per-address limits: IPv6 networks, IPv4-mapped
//! addresses and `X-Forwarded-For` behind trusted proxies.

use crate::backend_tests;
use auth_test_support::TestApp;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::json;

/// Two password-reset requests per client per hour: the third from one client is refused.
const TWO_RESETS: (&str, &str) = ("rate_limit_password_reset_per_hour", "2");

/// A reset request for an unknown address (always 202 unless limited), sent through the test's
/// loopback "proxy" with these `X-Forwarded-For` lines.
async fn reset_via_proxy(app: &TestApp, forwarded_for: &[&str]) -> u16 {
    let mut request = app
        .client
        .request("POST", "/password-reset")
        .header("content-type", "application/json");
    for line in forwarded_for {
        request = request.header("x-forwarded-for", *line);
    }
    let body = json!({"email": "nobody@example.com"}).to_string();
    let request = request.body(Full::new(Bytes::from(body))).unwrap();
    app.client.send(request).await.status
}

backend_tests! {
    async fn ipv6_clients_are_limited_per_64_and_mapped_ipv4_counts_as_ipv4(app with [
        TWO_RESETS,
        ("trusted_proxies", "127.0.0.1"),
    ]) {
        assert_eq!(reset_via_proxy(&app, &["2001:db8:1:2::1"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["2001:db8:1:2:ffff::9"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["2001:db8:1:2::abcd"]).await, 429, "a third address of the same /64");
        assert_eq!(reset_via_proxy(&app, &["2001:db8:1:3::1"]).await, 202, "the neighbouring /64 is another client");

        assert_eq!(reset_via_proxy(&app, &["198.51.100.1"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["::ffff:198.51.100.1"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["198.51.100.1"]).await, 429, "the mapped form is the same client");
    }

    async fn forwarded_for_is_read_from_every_line_with_ports_and_fails_closed(app with [
        TWO_RESETS,
        ("trusted_proxies", "127.0.0.1, 10.0.0.0/8"),
    ]) {
        // `ip:port` and `[ipv6]:port`: one client whatever its source port.
        assert_eq!(reset_via_proxy(&app, &["198.51.100.1:1000"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["198.51.100.1:2000"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["198.51.100.1"]).await, 429);
        assert_eq!(reset_via_proxy(&app, &["198.51.100.2:1000"]).await, 202, "another client");
        assert_eq!(reset_via_proxy(&app, &["[2001:db8::1]:443"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["[2001:db8::2]"]).await, 202);
        assert_eq!(reset_via_proxy(&app, &["2001:db8::3"]).await, 429);

        // An inner proxy that adds its own line: the client is in the earlier line.
        for client in ["198.51.100.3", "198.51.100.3", "198.51.100.4"] {
            assert_eq!(reset_via_proxy(&app, &[client, "10.0.0.7"]).await, 202, "{client}");
        }
        assert_eq!(reset_via_proxy(&app, &["198.51.100.3", "10.0.0.7"]).await, 429);

        // An entry the proxy chain wrote that does not parse: the client-chosen entry to its left
        // is not believed; the request counts against the proxy that passed it on.
        for i in 0..2 {
            assert_eq!(reset_via_proxy(&app, &[&format!("203.0.113.{i}, unknown")]).await, 202);
        }
        assert_eq!(reset_via_proxy(&app, &["203.0.113.9, unknown"]).await, 429);
        assert_eq!(reset_via_proxy(&app, &["203.0.113.8,"]).await, 429, "an empty entry is no address either");
    }
}
