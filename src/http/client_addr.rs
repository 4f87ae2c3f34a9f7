//! The client's address: Spin's `spin-client-addr`, or behind trusted proxies the last address in
//! `X-Forwarded-For` that is not one of them. Client-sent values are never trusted on their own.

use std::net::IpAddr;

/// `ip:port` or `[ipv6]:port` to the IP.
pub fn peer_ip(spin_client_addr: &str) -> Option<IpAddr> {
    let text = spin_client_addr.trim();
    if let Ok(socket) = text.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    text.parse().ok()
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
        match (self.network, ip) {
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

/// The client address to account requests to.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[Proxy],
) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|p| p.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut chain: Vec<IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    chain.reverse();
    Some(
        chain
            .iter()
            .copied()
            .find(|ip| !is_trusted(*ip))
            .or(chain.last().copied())
            .unwrap_or(peer),
    )
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
        assert_eq!(peer_ip("junk"), None);
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let trusted = parse_proxies("10.0.0.0/8").unwrap();
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), Some("1.2.3.4"), &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), Some("1.2.3.4"), &[]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = parse_proxies("10.0.0.0/8, 192.168.1.1").unwrap();
        // A client can prepend anything; only what the trusted chain appended counts.
        let xff = "6.6.6.6, 198.51.100.7, 192.168.1.1";
        assert_eq!(
            client_ip(Some(ip("10.2.3.4")), Some(xff), &trusted),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            client_ip(Some(ip("10.2.3.4")), None, &trusted),
            Some(ip("10.2.3.4"))
        );
    }

    #[test]
    fn cidr_matching() {
        let p = Proxy::parse("192.168.0.0/16").unwrap();
        assert!(p.contains(ip("192.168.200.1")));
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
