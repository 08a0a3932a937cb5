//! `wasi:sockets/ip-name-lookup`: names resolved by the host's resolver
//! (`getaddrinfo`, through [`std::net::ToSocketAddrs`]) on a thread of their own, so
//! `resolve-addresses` never blocks; `resolve-next-address` is `would-block` until the
//! answer is in. An IP address is its own answer, without a lookup.
//!
//! Names are ASCII domain names; Unicode names (which the WIT says are converted with
//! IDNA) are `invalid-argument`: weft has no IDNA tables.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv6Addr, ToSocketAddrs};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use tokio::sync::watch;
use weft_runtime::{Linker, Resource, Val};

use super::{finish, ip_val, ErrorCode, SockResult, SocketTypes, LOOKUP};
use crate::io::{new_pollable, Pollable, Readiness};
use crate::{WasiTypes, WasiView};

/// A `wasi:sockets/ip-name-lookup.resolve-address-stream` in the table.
pub(crate) struct ResolveEntry {
    lookup: Arc<Lookup>,
    /// The addresses not yet returned, once the answer is in.
    left: Option<Result<VecDeque<IpAddr>, ErrorCode>>,
}

/// A lookup, shared with the thread that makes it and with pollables.
struct Lookup {
    answer: Mutex<Option<Result<Vec<IpAddr>, ErrorCode>>>,
    done: watch::Sender<bool>,
}

impl Lookup {
    fn answered(answer: Result<Vec<IpAddr>, ErrorCode>) -> Arc<Lookup> {
        let (done, _) = watch::channel(true);
        Arc::new(Lookup {
            answer: Mutex::new(Some(answer)),
            done,
        })
    }
}

/// A lookup's pollable: ready when the answer is in.
struct LookupReady(Arc<Lookup>);

impl Readiness for LookupReady {
    fn is_ready(&self) -> bool {
        *self.0.done.borrow()
    }
    fn wait(&self) -> BoxFuture<'static, ()> {
        let mut rx = self.0.done.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|done| *done).await;
        })
    }
}

/// What `name` is: an IP address, or a domain name to look up (`invalid-argument` when
/// it is neither).
fn parse(name: &str) -> Result<Result<IpAddr, &str>, ErrorCode> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(Ok(unmapped(ip)));
    }
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(Ok(unmapped(IpAddr::V6(ip)))),
            Err(_) => Err(ErrorCode::InvalidArgument),
        };
    }
    let host = name.strip_suffix('.').unwrap_or(name);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(Err(host))
}

/// `ip`, an IPv4-mapped IPv6 address as the IPv4 address (the WIT never returns mapped
/// ones).
fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// Resolves `host` (blocking): its addresses in the resolver's order, without repeats.
fn resolve(host: &str) -> Result<Vec<IpAddr>, ErrorCode> {
    match (host, 0).to_socket_addrs() {
        Ok(addrs) => {
            let mut out = Vec::new();
            for a in addrs {
                let ip = unmapped(a.ip());
                if !out.contains(&ip) {
                    out.push(ip);
                }
            }
            if out.is_empty() {
                return Err(ErrorCode::NameUnresolvable);
            }
            Ok(out)
        }
        // std reports getaddrinfo's failures by their message only.
        Err(e) if e.to_string().contains("Temporary failure") => {
            Err(ErrorCode::TemporaryResolverFailure)
        }
        Err(e) if e.to_string().contains("Non-recoverable failure") => {
            Err(ErrorCode::PermanentResolverFailure)
        }
        Err(_) => Err(ErrorCode::NameUnresolvable),
    }
}

/// Starts resolving `name`.
fn start(name: &str) -> SockResult<Arc<Lookup>> {
    let host = match parse(name)? {
        Ok(ip) => return Ok(Lookup::answered(Ok(vec![ip]))),
        Err(host) => host.to_string(),
    };
    let (done, _) = watch::channel(false);
    let lookup = Arc::new(Lookup {
        answer: Mutex::new(None),
        done,
    });
    let l = lookup.clone();
    std::thread::Builder::new()
        .name("weft-wasi-lookup".into())
        .spawn(move || {
            let answer = resolve(&host);
            *l.answer.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
            l.done.send_replace(true);
        })
        .map_err(|_| ErrorCode::OutOfMemory)?;
    Ok(lookup)
}

/// `resolve-next-address`.
fn next(e: &mut ResolveEntry) -> SockResult<Option<Val>> {
    if e.left.is_none() {
        let answer = e
            .lookup
            .answer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        match answer {
            None => return Err(ErrorCode::WouldBlock.into()),
            Some(a) => e.left = Some(a.map(VecDeque::from)),
        }
    }
    match e.left.as_mut() {
        Some(Ok(addrs)) => Ok(addrs.pop_front().map(ip_val)),
        Some(Err(code)) => Err((*code).into()),
        None => unreachable!("set above"),
    }
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>, st: &Arc<SocketTypes>) {
    let s = st.clone();
    l.instance_func_wrap(
        LOOKUP,
        "resolve-addresses",
        move |t: &mut T, (_network, name): (Resource, String)| {
            let ctx = t.wasi();
            finish((|| {
                if !ctx.network.name_lookup {
                    return Err(ErrorCode::AccessDenied.into());
                }
                let lookup = start(&name)?;
                let rep = ctx.table.push(ResolveEntry { lookup, left: None })?;
                Ok(Resource {
                    ty: s.resolve,
                    rep,
                    own: true,
                })
            })())
        },
    );
    l.instance_func_wrap(
        LOOKUP,
        "[method]resolve-address-stream.resolve-next-address",
        |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            finish(
                ctx.table
                    .get_mut::<ResolveEntry>(s.rep)
                    .map_err(Into::into)
                    .and_then(next),
            )
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        LOOKUP,
        "[method]resolve-address-stream.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let lookup = ctx.table.get::<ResolveEntry>(s.rep)?.lookup.clone();
            new_pollable(ctx, &ty, Pollable::Io(Arc::new(LookupReady(lookup))))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_parse() {
        assert_eq!(parse("127.0.0.1"), Ok(Ok("127.0.0.1".parse().unwrap())));
        assert_eq!(parse("[::1]"), Ok(Ok("::1".parse().unwrap())));
        assert_eq!(
            parse("::ffff:10.0.0.1"),
            Ok(Ok("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(parse("example.com."), Ok(Err("example.com")));
        assert_eq!(parse("a..b"), Err(ErrorCode::InvalidArgument));
        assert_eq!(parse("-a.b"), Err(ErrorCode::InvalidArgument));
        assert_eq!(parse(""), Err(ErrorCode::InvalidArgument));
        assert_eq!(parse("bücher.example"), Err(ErrorCode::InvalidArgument));
    }
}
