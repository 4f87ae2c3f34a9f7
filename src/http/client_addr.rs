//! The client's address: Spin's `spin-client-addr`, or behind trusted proxies the nearest address in
//! `X-Forwarded-For` that is not one of them. Client-sent values are never trusted on their own.
//!
//! Fail closed: walking the forwarded chain from the right, an entry that does not parse ends the
//! walk, and the request is accounted to the nearest hop known so far (the trusted proxy that
//! reported the garbage, or the peer itself), never to an entry further left, which the client may
//! have chosen.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// `ip:port` or `[ipv6]:port` to the IP.
pub fn peer_ip(spin_client_addr: &str) -> Option<IpAddr> {
    hop(spin_client_addr)
}

/// One hop as proxies write it: `ip`, `ip:port`, `[ipv6]` or `[ipv6]:port`. IPv4-mapped IPv6
/// addresses become the IPv4 address they carry, so that one client is one client either way.
pub fn hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let ip = text
        .parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            let inner = text.strip_prefix('[')?.strip_suffix(']')?;
            inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}

/// The key per-address limits count under: an IPv4 address, or the /64 network of an IPv6 address,
/// since one subscriber is routinely handed a whole /64.
pub fn network_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = Ipv6Addr::from(u128::from(v6) & !(u128::MAX >> 64));
            format!("{network}/64")
        }
    }
}

/// A trusted proxy: one address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proxy {
    network: IpAddr,
    prefix: u8,
}

impl Proxy {
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: IpAddr = addr.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses `trusted_proxies` (comma- or space-separated addresses and CIDR blocks).
pub fn parse_proxies(text: &str) -> Result<Vec<Proxy>, String> {
    text.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| Proxy::parse(s).ok_or_else(|| format!("{s:?} is not an IP address or CIDR block")))
        .collect()
}

/// The client address to account requests to. `forwarded_for` holds every `X-Forwarded-For`
/// header line in the order received: together they form one list, the nearest hop last.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[Proxy],
) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|p| p.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let entries = forwarded_for
        .iter()
        .filter(|line| !line.trim().is_empty())
        .flat_map(|line| line.split(','))
        .collect::<Vec<_>>();
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        match hop(entry) {
            None => return Some(nearest),
            Some(ip) if !is_trusted(ip) => return Some(ip),
            Some(ip) => nearest = ip,
        }
    }
    Some(nearest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn reads_spins_peer_address() {
        assert_eq!(peer_ip("10.1.2.3:4567"), Some(ip("10.1.2.3")));
        assert_eq!(peer_ip("[::1]:80"), Some(ip("::1")));
        assert_eq!(peer_ip("[::ffff:10.1.2.3]:80"), Some(ip("10.1.2.3")));
        assert_eq!(peer_ip("junk"), None);
    }

    #[test]
    fn hops_are_read_with_or_without_ports_and_brackets() {
        assert_eq!(hop(" 198.51.100.7 "), Some(ip("198.51.100.7")));
        assert_eq!(hop("198.51.100.7:4711"), Some(ip("198.51.100.7")));
        assert_eq!(hop("2001:db8::1"), Some(ip("2001:db8::1")));
        assert_eq!(hop("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(hop("[2001:db8::1]:443"), Some(ip("2001:db8::1")));
        assert_eq!(hop("::ffff:198.51.100.7"), Some(ip("198.51.100.7")));
        for bad in [
            "",
            "unknown",
            "_hidden",
            "[198.51.100.7]",
            "1.2.3.4:99999",
            "1.2.3",
        ] {
            assert_eq!(hop(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ipv6_is_limited_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(network_key(ip("198.51.100.7")), "198.51.100.7");
        assert_eq!(network_key(ip("::ffff:198.51.100.7")), "198.51.100.7");
        assert_eq!(network_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            network_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            network_key(ip("2001:db8:1:3::1")),
            network_key(ip("2001:db8:1:2::1"))
        );
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let trusted = parse_proxies("10.0.0.0/8").unwrap();
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &[]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = parse_proxies("10.0.0.0/8, 192.168.1.1").unwrap();
        // A client can prepend anything; only what the trusted chain appended counts.
        let xff = "6.6.6.6, 198.51.100.7, 192.168.1.1";
        assert_eq!(
            client_ip(Some(ip("10.2.3.4")), &[xff], &trusted),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            client_ip(Some(ip("10.2.3.4")), &[], &trusted),
            Some(ip("10.2.3.4"))
        );
        // A mapped peer is still the trusted proxy.
        assert_eq!(
            client_ip(Some(ip("::ffff:10.2.3.4")), &["198.51.100.7"], &trusted),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn every_header_line_counts_in_order() {
        let trusted = parse_proxies("10.0.0.0/8").unwrap();
        let lines = ["6.6.6.6, 198.51.100.7", "", "10.0.0.7:8080"];
        assert_eq!(
            client_ip(Some(ip("10.2.3.4")), &lines, &trusted),
            Some(ip("198.51.100.7"))
        );
    }

    #[test]
    fn an_entry_that_does_not_parse_stops_at_the_hop_that_reported_it() {
        let trusted = parse_proxies("10.0.0.0/8").unwrap();
        let peer = Some(ip("10.2.3.4"));
        assert_eq!(client_ip(peer, &["6.6.6.6, unknown"], &trusted), peer);
        assert_eq!(client_ip(peer, &["6.6.6.6,"], &trusted), peer);
        assert_eq!(
            client_ip(peer, &["6.6.6.6, garbage, 10.0.0.9"], &trusted),
            Some(ip("10.0.0.9"))
        );
        assert_eq!(
            client_ip(peer, &["6.6.6.6", "\u{fffd}"], &trusted),
            peer,
            "a line that was not UTF-8 is garbage too"
        );
    }

    #[test]
    fn cidr_matching() {
        let p = Proxy::parse("192.168.0.0/16").unwrap();
        assert!(p.contains(ip("192.168.200.1")));
        assert!(p.contains(ip("::ffff:192.168.200.1")));
        assert!(!p.contains(ip("192.169.0.1")));
        assert!(!p.contains(ip("::1")));
        let v6 = Proxy::parse("fd00::/8").unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(Proxy::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Proxy::parse("10.0.0.0/33").is_none());
        assert!(parse_proxies("nonsense").is_err());
        assert_eq!(parse_proxies("").unwrap(), vec![]);
    }
}
