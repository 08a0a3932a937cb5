//! `weft run`'s network flags: `--allow-network`, `--allow-ip-name-lookup`, and the
//! allow-lists `--allow-tcp-connect`, `--allow-tcp-bind`, `--allow-udp-bind` and
//! `--allow-udp-send`, each a repeatable `HOST:PORT` pattern.
//!
//! HOST is an IP address (`[…]` for IPv6), a name (resolved once, when `weft run` starts:
//! the pattern matches every address it resolves to), or `*` for any address; PORT is a
//! number or `*`. Port 0 matches a bind to port 0, which lets the OS pick the port.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use anyhow::{anyhow, bail, Result};
use weft_wasi::{SocketAddrUse, WasiCtxBuilder};

/// One allow-list entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    uses: &'static [SocketAddrUse],
    /// `None`: any address.
    ips: Option<Vec<IpAddr>>,
    /// `None`: any port.
    port: Option<u16>,
}

impl Pattern {
    fn matches(&self, addr: SocketAddr, use_: SocketAddrUse) -> bool {
        self.uses.contains(&use_)
            && self.port.is_none_or(|p| p == addr.port())
            && self.ips.as_ref().is_none_or(|ips| ips.contains(&addr.ip()))
    }
}

/// What each allow-list flag grants.
pub(crate) const TCP_CONNECT: &[SocketAddrUse] = &[SocketAddrUse::TcpConnect];
pub(crate) const TCP_BIND: &[SocketAddrUse] = &[SocketAddrUse::TcpBind];
pub(crate) const UDP_BIND: &[SocketAddrUse] = &[SocketAddrUse::UdpBind];
pub(crate) const UDP_SEND: &[SocketAddrUse] = &[
    SocketAddrUse::UdpConnect,
    SocketAddrUse::UdpOutgoingDatagram,
];

/// Parses `spec`, the value of flag `flag` granting `uses`.
pub(crate) fn parse(flag: &str, spec: &str, uses: &'static [SocketAddrUse]) -> Result<Pattern> {
    let bad = |why: &str| {
        anyhow!("`--{flag} {spec}`: {why}\n      = help: write HOST:PORT, e.g. `127.0.0.1:8080`, `[::1]:443`, `example.com:443`, `*:53` or `10.0.0.2:*`")
    };
    let Some((host, port)) = spec.rsplit_once(':') else {
        return Err(bad("no port"));
    };
    let port = match port {
        "*" => None,
        p => Some(
            p.parse::<u16>()
                .map_err(|_| bad(&format!("`{p}` is not a port")))?,
        ),
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ips = match host {
        "*" => None,
        "" => return Err(bad("no host")),
        h => match h.parse::<IpAddr>() {
            Ok(ip) => Some(vec![ip]),
            Err(_) => {
                let addrs = (h, 0)
                    .to_socket_addrs()
                    .map_err(|e| bad(&format!("cannot resolve `{h}`: {e}")))?;
                let mut ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
                ips.sort();
                ips.dedup();
                if ips.is_empty() {
                    bail!("`--{flag} {spec}`: `{h}` resolves to no address");
                }
                Some(ips)
            }
        },
    };
    Ok(Pattern { uses, ips, port })
}

/// Grants `b` what the flags say.
pub(crate) fn grant(
    b: WasiCtxBuilder,
    network: bool,
    name_lookup: bool,
    patterns: Vec<Pattern>,
) -> WasiCtxBuilder {
    let b = b.allow_ip_name_lookup(network || name_lookup);
    if network {
        return b.allow_network(true);
    }
    if patterns.is_empty() {
        return b;
    }
    b.socket_addr_check(move |addr, use_| patterns.iter().any(|p| p.matches(addr, use_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn patterns_match_their_addresses_and_uses() {
        let p = parse("allow-tcp-connect", "127.0.0.1:8080", TCP_CONNECT).unwrap();
        assert!(p.matches(addr("127.0.0.1:8080"), SocketAddrUse::TcpConnect));
        assert!(!p.matches(addr("127.0.0.1:8081"), SocketAddrUse::TcpConnect));
        assert!(!p.matches(addr("127.0.0.2:8080"), SocketAddrUse::TcpConnect));
        assert!(!p.matches(addr("127.0.0.1:8080"), SocketAddrUse::TcpBind));

        let p = parse("allow-udp-send", "[::1]:*", UDP_SEND).unwrap();
        assert!(p.matches(addr("[::1]:53"), SocketAddrUse::UdpOutgoingDatagram));
        assert!(p.matches(addr("[::1]:9"), SocketAddrUse::UdpConnect));
        assert!(!p.matches(addr("[::2]:53"), SocketAddrUse::UdpConnect));

        let p = parse("allow-tcp-bind", "*:0", TCP_BIND).unwrap();
        assert!(p.matches(addr("0.0.0.0:0"), SocketAddrUse::TcpBind));
        assert!(!p.matches(addr("0.0.0.0:80"), SocketAddrUse::TcpBind));

        let p = parse("allow-tcp-connect", "localhost:80", TCP_CONNECT).unwrap();
        assert!(p.ips.unwrap().iter().all(|ip| ip.is_loopback()));
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        let err = |s| {
            parse("allow-tcp-connect", s, TCP_CONNECT)
                .unwrap_err()
                .to_string()
        };
        assert!(err("127.0.0.1").contains("no port"), "{}", err("127.0.0.1"));
        assert!(err("127.0.0.1:http").contains("`http` is not a port"));
        assert!(err(":80").contains("no host"));
    }
}
