//! `wasi:sockets/udp` and `udp-create-socket`: a UDP socket (`unbound` → `bind-in-progress`
//! → `bound`), and the datagram streams `stream` makes of it, optionally limited to one
//! remote address (a connected UDP socket).
//!
//! Only the streams of the latest `stream` call work; earlier ones report `invalid-state`.

use std::mem;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use rustix::event::PollFlags;
use rustix::io::Errno;
use rustix::net::{RecvFlags, SendFlags, SocketType};
use weft_runtime::{Linker, Resource, Val};

use super::{
    buffer_size, check_local, check_remote, create_socket, finish, hop_limit, local_address,
    poll_now, register, set_buffer_size, set_hop_limit, socket_addr, socket_addr_val, trap,
    would_block, ErrorCode, Family, FdReady, Policy, Registered, SockResult, SocketAddrUse,
    SocketTypes, UDP, UDP_CREATE,
};
use crate::io::{new_pollable, Pollable};
use crate::{WasiCtx, WasiTypes, WasiView};

/// The most datagrams one `receive` returns, and one `check-send` permits.
const BATCH: u64 = 16;
/// Room for the largest UDP payload.
const MAX_DATAGRAM: usize = 65_536;

/// A `wasi:sockets/udp.udp-socket` in the table.
pub(crate) struct UdpEntry(UdpSocket);

struct UdpSocket {
    family: Family,
    state: State,
    /// The remote address of the latest `stream`, if it gave one.
    remote: Option<SocketAddr>,
    /// How many times `stream` was called: the streams of earlier calls are stale.
    generation: u64,
}

enum State {
    Unbound(OwnedFd),
    BindStarted(Registered),
    Bound(Registered),
    /// Binding succeeded but the socket could not be registered for waiting.
    Closed,
}

impl UdpSocket {
    fn fd(&self) -> SockResult<BorrowedFd<'_>> {
        match &self.state {
            State::Unbound(fd) => Ok(fd.as_fd()),
            State::BindStarted(fd) | State::Bound(fd) => Ok(fd.fd()),
            State::Closed => Err(ErrorCode::InvalidState.into()),
        }
    }

    fn start_bind(&mut self, addr: SocketAddr) -> SockResult<()> {
        check_local(addr, self.family)?;
        match mem::replace(&mut self.state, State::Closed) {
            State::Unbound(fd) => {
                if let Err(e) = rustix::net::bind(&fd, &addr) {
                    self.state = State::Unbound(fd);
                    return Err(e.into());
                }
                self.state = State::BindStarted(register(fd, SocketType::DGRAM)?);
                Ok(())
            }
            other => {
                self.state = other;
                Err(ErrorCode::InvalidState.into())
            }
        }
    }

    fn finish_bind(&mut self) -> SockResult<()> {
        match mem::replace(&mut self.state, State::Closed) {
            State::BindStarted(fd) => {
                self.state = State::Bound(fd);
                Ok(())
            }
            other => {
                self.state = other;
                Err(ErrorCode::NotInProgress.into())
            }
        }
    }

    /// `stream`: (dis)connects the socket and makes the streams' shared part.
    fn stream(&mut self, remote: Option<SocketAddr>, policy: &Policy) -> SockResult<Streams> {
        let State::Bound(fd) = &self.state else {
            return Err(ErrorCode::InvalidState.into());
        };
        let fd = fd.clone();
        if let Some(addr) = remote {
            check_remote(addr, self.family)?;
            policy.allow(addr, SocketAddrUse::UdpConnect)?;
        }
        if self.remote.take().is_some() {
            // Some systems report the dissolved association as an error: it is gone
            // either way.
            let _ = rustix::net::connect_unspec(fd.fd());
        }
        if let Some(addr) = remote {
            rustix::net::connect(fd.fd(), &addr).map_err(|e| {
                if e == Errno::CONNRESET || e == Errno::NETRESET {
                    ErrorCode::RemoteUnreachable
                } else {
                    ErrorCode::of_errno(e)
                }
            })?;
            self.remote = Some(addr);
        }
        self.generation += 1;
        Ok(Streams {
            fd,
            family: self.family,
            remote: self.remote,
            generation: self.generation,
        })
    }

    fn local_address(&self) -> SockResult<Val> {
        let State::Bound(fd) = &self.state else {
            return Err(ErrorCode::InvalidState.into());
        };
        local_address(fd.fd())
    }
}

/// What the two streams of one `stream` call share.
#[derive(Clone)]
struct Streams {
    fd: Registered,
    family: Family,
    remote: Option<SocketAddr>,
    generation: u64,
}

/// A `wasi:sockets/udp.incoming-datagram-stream` in the table, with the socket it reads
/// (its generation checked against the socket's, which the socket's table entry holds).
pub(crate) struct IncomingEntry {
    s: Streams,
    socket: u32,
}

/// A `wasi:sockets/udp.outgoing-datagram-stream` in the table.
pub(crate) struct OutgoingEntry {
    s: Streams,
    socket: u32,
    /// How many datagrams the last `check-send` permitted.
    permitted: u64,
}

/// `invalid-state` when the socket (rep `socket`) made newer streams than `generation`'s.
fn check_current(ctx: &WasiCtx, socket: u32, generation: u64) -> SockResult<()> {
    match ctx.table.get::<UdpEntry>(socket) {
        Ok(e) if e.0.generation != generation => Err(ErrorCode::InvalidState.into()),
        // A socket dropped before its streams leaves them working.
        _ => Ok(()),
    }
}

fn receive(s: &Streams, max: u64) -> SockResult<Vec<Val>> {
    let mut out = Vec::new();
    if max == 0 {
        return Ok(out);
    }
    let mut buf = vec![0u8; MAX_DATAGRAM];
    while (out.len() as u64) < max.min(BATCH) {
        match rustix::net::recvfrom(s.fd.fd(), &mut buf[..], RecvFlags::empty()) {
            Ok((n, _, from)) => {
                let Some(from) = from.and_then(|a| SocketAddr::try_from(a).ok()) else {
                    continue;
                };
                if s.remote.is_some_and(|r| r != from) {
                    continue;
                }
                out.push(Val::Record(vec![
                    (
                        "data".into(),
                        Val::List(buf[..n].iter().map(|b| Val::U8(*b)).collect()),
                    ),
                    ("remote-address".into(), socket_addr_val(from)),
                ]));
            }
            Err(Errno::INTR) => {}
            Err(e) if would_block(e) => break,
            Err(e) if out.is_empty() => return Err(datagram_error(e).into()),
            Err(_) => break,
        }
    }
    Ok(out)
}

/// The code of a failed send or receive (a connected UDP socket reports the peer's ICMP
/// errors as these).
fn datagram_error(e: Errno) -> ErrorCode {
    if e == Errno::CONNRESET || e == Errno::NETRESET {
        return ErrorCode::RemoteUnreachable;
    }
    ErrorCode::of_errno(e)
}

/// An `outgoing-datagram` value: its payload and remote address.
fn outgoing(v: &Val) -> SockResult<(Vec<u8>, Option<SocketAddr>)> {
    let Val::Record(fields) = v else {
        return trap(format!("expected an `outgoing-datagram`, found {v:?}"));
    };
    let mut data = None;
    let mut remote = None;
    for (name, v) in fields {
        match (name.as_str(), v) {
            ("data", Val::List(bytes)) => {
                let mut d = Vec::with_capacity(bytes.len());
                for b in bytes {
                    match b {
                        Val::U8(b) => d.push(*b),
                        other => return trap(format!("expected a u8, found {other:?}")),
                    }
                }
                data = Some(d);
            }
            ("remote-address", Val::Option(a)) => {
                remote = match a {
                    Some(a) => Some(socket_addr(a)?),
                    None => None,
                };
            }
            _ => return trap(format!("unexpected `outgoing-datagram` field `{name}`")),
        }
    }
    match data {
        Some(d) => Ok((d, remote)),
        None => trap("an `outgoing-datagram` without its data"),
    }
}

/// Sends `datagrams` in order until one cannot be sent: how many were.
fn send(s: &Streams, policy: &Policy, datagrams: &[Val]) -> SockResult<u64> {
    let mut sent = 0;
    for d in datagrams {
        let (data, to) = outgoing(d)?;
        let target = match (s.remote, to) {
            (Some(_), None) => Ok(None),
            (Some(r), Some(a)) if a == r => Ok(None),
            (Some(_), Some(_)) | (None, None) => Err(ErrorCode::InvalidArgument),
            (None, Some(a)) => check_remote(a, s.family)
                .and_then(|()| policy.allow(a, SocketAddrUse::UdpOutgoingDatagram))
                .map(|()| Some(a)),
        };
        let result = target.and_then(|target| loop {
            let r = match target {
                None => rustix::net::send(s.fd.fd(), &data, SendFlags::empty()),
                Some(a) => rustix::net::sendto(s.fd.fd(), &data, SendFlags::empty(), &a),
            };
            match r {
                Ok(_) => return Ok(true),
                Err(Errno::INTR) => continue,
                Err(e) if would_block(e) => return Ok(false),
                Err(e) => return Err(datagram_error(e)),
            }
        });
        match result {
            Ok(true) => sent += 1,
            Ok(false) => break,
            // Once one datagram went, the call succeeds with the count.
            Err(code) if sent == 0 => return Err(code.into()),
            Err(_) => break,
        }
    }
    Ok(sent)
}

fn udp(ctx: &mut WasiCtx, r: Resource) -> SockResult<&mut UdpSocket> {
    Ok(&mut ctx.table.get_mut::<UdpEntry>(r.rep)?.0)
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>, st: &Arc<SocketTypes>) {
    let s = st.clone();
    l.instance_func_wrap(
        UDP_CREATE,
        "create-udp-socket",
        move |t: &mut T, (family,): (Val,)| {
            let ctx = t.wasi();
            finish((|| {
                let (family, fd) = create_socket(&ctx.network, &family, SocketType::DGRAM)?;
                let rep = ctx.table.push(UdpEntry(UdpSocket {
                    family,
                    state: State::Unbound(fd),
                    remote: None,
                    generation: 0,
                }))?;
                Ok(Resource {
                    ty: s.udp_socket,
                    rep,
                    own: true,
                })
            })())
        },
    );

    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.start-bind",
        |t: &mut T, (s, _network, addr): (Resource, Resource, Val)| {
            let ctx = t.wasi();
            finish((|| {
                let addr = socket_addr(&addr)?;
                ctx.network.allow(addr, SocketAddrUse::UdpBind)?;
                udp(ctx, s)?.start_bind(addr)
            })())
        },
    );
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.finish-bind",
        |t: &mut T, (s,): (Resource,)| finish(udp(t.wasi(), s).and_then(|s| s.finish_bind())),
    );
    let st2 = st.clone();
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.stream",
        move |t: &mut T, (sock, remote): (Resource, Option<Val>)| {
            let ctx = t.wasi();
            finish((|| {
                let remote = match &remote {
                    Some(v) => Some(socket_addr(v)?),
                    None => None,
                };
                let policy = ctx.network.clone();
                let streams = udp(ctx, sock)?.stream(remote, &policy)?;
                let incoming = ctx.table.push(IncomingEntry {
                    s: streams.clone(),
                    socket: sock.rep,
                })?;
                let outgoing = ctx.table.push(OutgoingEntry {
                    s: streams,
                    socket: sock.rep,
                    permitted: 0,
                })?;
                Ok((
                    Resource {
                        ty: st2.incoming,
                        rep: incoming,
                        own: true,
                    },
                    Resource {
                        ty: st2.outgoing,
                        rep: outgoing,
                        own: true,
                    },
                ))
            })())
        },
    );
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.local-address",
        |t: &mut T, (s,): (Resource,)| finish(udp(t.wasi(), s).and_then(|s| s.local_address())),
    );
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.remote-address",
        |t: &mut T, (s,): (Resource,)| {
            finish(udp(t.wasi(), s).and_then(|s| match s.remote {
                Some(a) => Ok(socket_addr_val(a)),
                None => Err(ErrorCode::InvalidState.into()),
            }))
        },
    );
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.address-family",
        |t: &mut T, (s,): (Resource,)| Ok(t.wasi().table.get::<UdpEntry>(s.rep)?.0.family.val()),
    );
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.unicast-hop-limit",
        |t: &mut T, (s,): (Resource,)| {
            finish(udp(t.wasi(), s).and_then(|s| hop_limit(s.fd()?, s.family)))
        },
    );
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.set-unicast-hop-limit",
        |t: &mut T, (s, v): (Resource, u8)| {
            finish(udp(t.wasi(), s).and_then(|s| set_hop_limit(s.fd()?, s.family, v)))
        },
    );
    for (name, send) in [("receive-buffer-size", false), ("send-buffer-size", true)] {
        l.instance_func_wrap(
            UDP,
            &format!("[method]udp-socket.{name}"),
            move |t: &mut T, (s,): (Resource,)| {
                finish(udp(t.wasi(), s).and_then(|s| buffer_size(s.fd()?, send)))
            },
        );
        l.instance_func_wrap(
            UDP,
            &format!("[method]udp-socket.set-{name}"),
            move |t: &mut T, (s, v): (Resource, u64)| {
                finish(udp(t.wasi(), s).and_then(|s| set_buffer_size(s.fd()?, send, v)))
            },
        );
    }
    // The socket has nothing of its own to wait for: its streams do.
    let ty = types.clone();
    l.instance_func_wrap(
        UDP,
        "[method]udp-socket.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            ctx.table.get::<UdpEntry>(s.rep)?;
            new_pollable(ctx, &ty, Pollable::Ready)
        },
    );

    l.instance_func_wrap(
        UDP,
        "[method]incoming-datagram-stream.receive",
        |t: &mut T, (s, max): (Resource, u64)| {
            let ctx = t.wasi();
            finish((|| {
                let e = ctx.table.get::<IncomingEntry>(s.rep)?;
                check_current(ctx, e.socket, e.s.generation)?;
                receive(&e.s, max)
            })())
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        UDP,
        "[method]incoming-datagram-stream.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let fd = ctx.table.get::<IncomingEntry>(s.rep)?.s.fd.clone();
            new_pollable(
                ctx,
                &ty,
                Pollable::Io(Arc::new(FdReady {
                    fd,
                    flags: PollFlags::IN,
                })),
            )
        },
    );

    l.instance_func_wrap(
        UDP,
        "[method]outgoing-datagram-stream.check-send",
        |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            finish((|| {
                let e = ctx.table.get::<OutgoingEntry>(s.rep)?;
                check_current(ctx, e.socket, e.s.generation)?;
                let n = if poll_now(e.s.fd.fd(), PollFlags::OUT) {
                    BATCH
                } else {
                    0
                };
                ctx.table.get_mut::<OutgoingEntry>(s.rep)?.permitted = n;
                Ok(n)
            })())
        },
    );
    l.instance_func_wrap(
        UDP,
        "[method]outgoing-datagram-stream.send",
        |t: &mut T, (s, datagrams): (Resource, Vec<Val>)| {
            let ctx = t.wasi();
            finish((|| {
                if datagrams.is_empty() {
                    return Ok(0);
                }
                let e = ctx.table.get_mut::<OutgoingEntry>(s.rep)?;
                if datagrams.len() as u64 > e.permitted {
                    return trap(format!(
                        "`send` was given {} datagrams; the last `check-send` permitted {}",
                        datagrams.len(),
                        e.permitted
                    ));
                }
                e.permitted = 0;
                let (streams, socket) = (e.s.clone(), e.socket);
                check_current(ctx, socket, streams.generation)?;
                send(&streams, &ctx.network, &datagrams)
            })())
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        UDP,
        "[method]outgoing-datagram-stream.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let fd = ctx.table.get::<OutgoingEntry>(s.rep)?.s.fd.clone();
            new_pollable(
                ctx,
                &ty,
                Pollable::Io(Arc::new(FdReady {
                    fd,
                    flags: PollFlags::OUT,
                })),
            )
        },
    );
}
