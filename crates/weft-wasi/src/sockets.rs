//! `wasi:sockets`: TCP, UDP and name lookup on the host's sockets, denied unless granted.
//!
//! **Policy.** A [`crate::WasiCtx`] grants no network by default: creating a socket and
//! resolving a name return `access-denied`, as they did when weft had no sockets at all.
//! [`crate::WasiCtxBuilder::allow_network`] or [`crate::WasiCtxBuilder::socket_addr_check`]
//! lets the guest create sockets, and then every address it binds, connects or sends to is
//! put to the check (with its [`SocketAddrUse`]) first; a refusal is `access-denied`.
//! [`crate::WasiCtxBuilder::allow_ip_name_lookup`] grants `ip-name-lookup` on its own.
//!
//! **Sockets.** Each socket is a non-blocking OS socket, and every operation is its system
//! call, made at once (rustix: `bind`, `connect`, `accept`, `recv`, `send`, `getsockopt`, …):
//! `start-bind` binds, `start-connect` starts a non-blocking `connect`, `finish-listen`
//! listens, and a `finish-*` that cannot finish yet, or an `accept` with no connection
//! waiting, is `would-block`. Whether a socket is ready is asked of the OS too (`poll(2)`
//! with no timeout), so `pollable.ready`, `finish-connect` and a non-blocking `read` are
//! right however far the event loop has run.
//!
//! **Waiting.** A socket that can be waited on (connecting, listening, connected, a bound
//! UDP socket) is registered with tokio ([`crate::rt`]); its pollables are
//! [`Pollable::Io`](crate::io::Pollable::Io), which `poll` and `pollable.block` await without
//! blocking the thread. A readiness tokio reports is checked with `poll(2)` and cleared when
//! stale. The stream functions that block (`blocking-read`, `blocking-flush`, …) are typed
//! synchronous host functions, so on a socket they wait in `poll(2)` on the guest's thread;
//! wasi-libc and Rust's standard library wait through `pollable.block` instead.
//!
//! Only a host bug or a broken guest traps: a handle that is not in the table, a value not
//! of the WIT type, sending more datagrams than `check-send` permitted.

mod lookup;
mod tcp;
mod udp;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::Errno;
use rustix::net::{sockopt, AddressFamily, SocketType};
use tokio::io::Interest;
use weft_runtime::{Linker, Resource, ResourceType, Val};

use crate::io::{dtor, ErrorEntry, Readiness};
use crate::table::TableError;
use crate::{WasiTypes, WasiView};

const NETWORK: &str = "wasi:sockets/network@0.2.12";
const INSTANCE_NETWORK: &str = "wasi:sockets/instance-network@0.2.12";
const TCP: &str = "wasi:sockets/tcp@0.2.12";
const TCP_CREATE: &str = "wasi:sockets/tcp-create-socket@0.2.12";
const UDP: &str = "wasi:sockets/udp@0.2.12";
const UDP_CREATE: &str = "wasi:sockets/udp-create-socket@0.2.12";
const LOOKUP: &str = "wasi:sockets/ip-name-lookup@0.2.12";

/// What a guest wants to do with a socket address: what the check installed with
/// [`crate::WasiCtxBuilder::socket_addr_check`] is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SocketAddrUse {
    /// Bind a TCP socket to this local address (`tcp-socket.start-bind`).
    TcpBind,
    /// Connect a TCP socket to this remote address (`tcp-socket.start-connect`).
    TcpConnect,
    /// Bind a UDP socket to this local address (`udp-socket.start-bind`).
    UdpBind,
    /// Send a UDP socket's datagrams to, and receive them only from, this remote address
    /// (`udp-socket.stream` with an address).
    UdpConnect,
    /// Send one datagram to this address (`outgoing-datagram-stream.send` on a stream
    /// without a remote address).
    UdpOutgoingDatagram,
}

/// The check of socket addresses.
pub(crate) type AddrCheck = dyn Fn(SocketAddr, SocketAddrUse) -> bool + Send + Sync;

/// What of the network a context grants.
#[derive(Clone, Default)]
pub(crate) struct Policy {
    /// Sockets may be created, and an address is used when this says yes; `None`: no
    /// sockets at all.
    pub(crate) check: Option<Arc<AddrCheck>>,
    /// `ip-name-lookup` resolves names.
    pub(crate) name_lookup: bool,
}

impl Policy {
    /// Whether sockets may be created.
    fn sockets(&self) -> Result<(), ErrorCode> {
        match self.check {
            Some(_) => Ok(()),
            None => Err(ErrorCode::AccessDenied),
        }
    }

    /// Whether `addr` may be used for `use_`.
    fn allow(&self, addr: SocketAddr, use_: SocketAddrUse) -> Result<(), ErrorCode> {
        match &self.check {
            Some(check) if check(addr, use_) => Ok(()),
            _ => Err(ErrorCode::AccessDenied),
        }
    }
}

error_codes! {
    /// `wasi:sockets/network.error-code`.
    Unknown = "unknown",
    AccessDenied = "access-denied",
    NotSupported = "not-supported",
    InvalidArgument = "invalid-argument",
    OutOfMemory = "out-of-memory",
    Timeout = "timeout",
    ConcurrencyConflict = "concurrency-conflict",
    NotInProgress = "not-in-progress",
    WouldBlock = "would-block",
    InvalidState = "invalid-state",
    NewSocketLimit = "new-socket-limit",
    AddressNotBindable = "address-not-bindable",
    AddressInUse = "address-in-use",
    RemoteUnreachable = "remote-unreachable",
    ConnectionRefused = "connection-refused",
    ConnectionReset = "connection-reset",
    ConnectionAborted = "connection-aborted",
    DatagramTooLarge = "datagram-too-large",
    NameUnresolvable = "name-unresolvable",
    TemporaryResolverFailure = "temporary-resolver-failure",
    PermanentResolverFailure = "permanent-resolver-failure",
}

impl ErrorCode {
    /// The code of an I/O error: by its OS error number when it has one, else by its kind.
    pub(crate) fn of(e: &io::Error) -> ErrorCode {
        match Errno::from_io_error(e) {
            Some(errno) => ErrorCode::of_errno(errno),
            None => ErrorCode::of_kind(e.kind()),
        }
    }

    /// The code of OS error `e`.
    pub(crate) fn of_errno(e: Errno) -> ErrorCode {
        use ErrorCode as C;
        // Several of these are equal on some platforms (`EAGAIN` and `EWOULDBLOCK`,
        // `ENOTSUP` and `EOPNOTSUPP`): a table, not match arms that could not be reached.
        let table = [
            (Errno::ACCESS, C::AccessDenied),
            (Errno::PERM, C::AccessDenied),
            (Errno::NOTSUP, C::NotSupported),
            (Errno::OPNOTSUPP, C::NotSupported),
            (Errno::AFNOSUPPORT, C::NotSupported),
            (Errno::PROTONOSUPPORT, C::NotSupported),
            (Errno::INVAL, C::InvalidArgument),
            (Errno::DESTADDRREQ, C::InvalidArgument),
            (Errno::NOMEM, C::OutOfMemory),
            (Errno::NOBUFS, C::OutOfMemory),
            (Errno::TIMEDOUT, C::Timeout),
            (Errno::ALREADY, C::ConcurrencyConflict),
            (Errno::AGAIN, C::WouldBlock),
            (Errno::WOULDBLOCK, C::WouldBlock),
            (Errno::ISCONN, C::InvalidState),
            (Errno::NOTCONN, C::InvalidState),
            (Errno::MFILE, C::NewSocketLimit),
            (Errno::NFILE, C::NewSocketLimit),
            (Errno::ADDRNOTAVAIL, C::AddressNotBindable),
            (Errno::ADDRINUSE, C::AddressInUse),
            (Errno::HOSTUNREACH, C::RemoteUnreachable),
            (Errno::HOSTDOWN, C::RemoteUnreachable),
            (Errno::NETUNREACH, C::RemoteUnreachable),
            (Errno::NETDOWN, C::RemoteUnreachable),
            (Errno::NETRESET, C::ConnectionReset),
            (Errno::CONNREFUSED, C::ConnectionRefused),
            (Errno::CONNRESET, C::ConnectionReset),
            (Errno::PIPE, C::ConnectionReset),
            (Errno::CONNABORTED, C::ConnectionAborted),
            (Errno::MSGSIZE, C::DatagramTooLarge),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            (Errno::NONET, C::RemoteUnreachable),
        ];
        table
            .iter()
            .find(|(errno, _)| *errno == e)
            .map_or(C::Unknown, |(_, c)| *c)
    }

    fn of_kind(kind: io::ErrorKind) -> ErrorCode {
        use io::ErrorKind as K;
        use ErrorCode as C;
        match kind {
            K::PermissionDenied => C::AccessDenied,
            K::Unsupported => C::NotSupported,
            K::InvalidInput => C::InvalidArgument,
            K::OutOfMemory => C::OutOfMemory,
            K::TimedOut => C::Timeout,
            K::WouldBlock => C::WouldBlock,
            K::NotConnected => C::InvalidState,
            K::AddrNotAvailable => C::AddressNotBindable,
            K::AddrInUse => C::AddressInUse,
            K::HostUnreachable | K::NetworkUnreachable | K::NetworkDown => C::RemoteUnreachable,
            K::ConnectionRefused => C::ConnectionRefused,
            K::ConnectionReset | K::BrokenPipe => C::ConnectionReset,
            K::ConnectionAborted => C::ConnectionAborted,
            _ => C::Unknown,
        }
    }
}

/// Why a socket function failed: an error code for the guest, or a trap (host bugs,
/// broken guests).
pub(crate) enum SockError {
    Code(ErrorCode),
    Trap(String),
}

impl From<ErrorCode> for SockError {
    fn from(c: ErrorCode) -> SockError {
        SockError::Code(c)
    }
}

impl From<Errno> for SockError {
    fn from(e: Errno) -> SockError {
        SockError::Code(ErrorCode::of_errno(e))
    }
}

impl From<io::Error> for SockError {
    fn from(e: io::Error) -> SockError {
        SockError::Code(ErrorCode::of(&e))
    }
}

impl From<TableError> for SockError {
    fn from(e: TableError) -> SockError {
        SockError::Trap(e.to_string())
    }
}

pub(crate) type SockResult<T> = Result<T, SockError>;

/// A function's outcome as the WIT `result<R, error-code>` (or a trap).
pub(crate) fn finish<R>(r: SockResult<R>) -> Result<Result<R, Val>, String> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(SockError::Code(c)) => Ok(Err(c.val())),
        Err(SockError::Trap(msg)) => Err(msg),
    }
}

fn trap<T>(msg: impl Into<String>) -> SockResult<T> {
    Err(SockError::Trap(msg.into()))
}

/// Whether an error is "try again later".
pub(crate) fn would_block(e: Errno) -> bool {
    e == Errno::AGAIN || e == Errno::WOULDBLOCK
}

/// A socket's address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    V4,
    V6,
}

impl Family {
    /// `ip-address-family` from its value.
    fn from_val(v: &Val) -> SockResult<Family> {
        match v {
            Val::Enum(name) if name == "ipv4" => Ok(Family::V4),
            Val::Enum(name) if name == "ipv6" => Ok(Family::V6),
            other => trap(format!("expected an `ip-address-family`, found {other:?}")),
        }
    }

    fn val(self) -> Val {
        Val::Enum(match self {
            Family::V4 => "ipv4".into(),
            Family::V6 => "ipv6".into(),
        })
    }
}

/// The field `name` of a record value.
fn field<'v>(fields: &'v [(String, Val)], name: &str) -> SockResult<&'v Val> {
    match fields.iter().find(|(n, _)| n == name) {
        Some((_, v)) => Ok(v),
        None => trap(format!("a socket address without its `{name}`")),
    }
}

/// An `ip-socket-address` value as an address.
pub(crate) fn socket_addr(v: &Val) -> SockResult<SocketAddr> {
    let (case, fields) = match v {
        Val::Variant(case, Some(payload)) => match &**payload {
            Val::Record(fields) => (case.as_str(), fields),
            other => return trap(format!("expected a socket address record, found {other:?}")),
        },
        other => return trap(format!("expected an `ip-socket-address`, found {other:?}")),
    };
    let port = match field(fields, "port")? {
        Val::U16(p) => *p,
        other => return trap(format!("expected a port, found {other:?}")),
    };
    let parts = match field(fields, "address")? {
        Val::Tuple(parts) => parts,
        other => return trap(format!("expected an address tuple, found {other:?}")),
    };
    match case {
        "ipv4" => {
            let mut b = [0u8; 4];
            for (i, p) in parts.iter().enumerate().take(4) {
                match p {
                    Val::U8(v) => b[i] = *v,
                    other => return trap(format!("expected a u8, found {other:?}")),
                }
            }
            Ok(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(b), port)))
        }
        "ipv6" => {
            let mut s = [0u16; 8];
            for (i, p) in parts.iter().enumerate().take(8) {
                match p {
                    Val::U16(v) => s[i] = *v,
                    other => return trap(format!("expected a u16, found {other:?}")),
                }
            }
            let flow = match field(fields, "flow-info")? {
                Val::U32(v) => *v,
                other => return trap(format!("expected a u32, found {other:?}")),
            };
            let scope = match field(fields, "scope-id")? {
                Val::U32(v) => *v,
                other => return trap(format!("expected a u32, found {other:?}")),
            };
            Ok(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(s),
                port,
                flow,
                scope,
            )))
        }
        other => trap(format!("no `ip-socket-address` case `{other}`")),
    }
}

/// An address as an `ip-socket-address` value.
pub(crate) fn socket_addr_val(addr: SocketAddr) -> Val {
    match addr {
        SocketAddr::V4(a) => Val::Variant(
            "ipv4".into(),
            Some(Box::new(Val::Record(vec![
                ("port".into(), Val::U16(a.port())),
                ("address".into(), ipv4_val(*a.ip())),
            ]))),
        ),
        SocketAddr::V6(a) => Val::Variant(
            "ipv6".into(),
            Some(Box::new(Val::Record(vec![
                ("port".into(), Val::U16(a.port())),
                ("flow-info".into(), Val::U32(a.flowinfo())),
                ("address".into(), ipv6_val(*a.ip())),
                ("scope-id".into(), Val::U32(a.scope_id())),
            ]))),
        ),
    }
}

fn ipv4_val(ip: Ipv4Addr) -> Val {
    Val::Tuple(ip.octets().iter().map(|b| Val::U8(*b)).collect())
}

fn ipv6_val(ip: Ipv6Addr) -> Val {
    Val::Tuple(ip.segments().iter().map(|s| Val::U16(*s)).collect())
}

/// An IP address as an `ip-address` value.
pub(crate) fn ip_val(ip: IpAddr) -> Val {
    match ip {
        IpAddr::V4(a) => Val::Variant("ipv4".into(), Some(Box::new(ipv4_val(a)))),
        IpAddr::V6(a) => Val::Variant("ipv6".into(), Some(Box::new(ipv6_val(a)))),
    }
}

/// `invalid-argument` unless `ip` is of `family` (and, for IPv6, not an IPv4-mapped
/// address: IPv6 sockets are IPv6-only).
pub(crate) fn check_family(ip: IpAddr, family: Family) -> Result<(), ErrorCode> {
    match (ip, family) {
        (IpAddr::V4(_), Family::V4) => Ok(()),
        (IpAddr::V6(v6), Family::V6) if v6.to_ipv4_mapped().is_none() => Ok(()),
        _ => Err(ErrorCode::InvalidArgument),
    }
}

/// Whether `ip` names one host (or, unspecified, any interface): not multicast or
/// broadcast.
fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => !a.is_multicast() && !a.is_broadcast(),
        IpAddr::V6(a) => !a.is_multicast(),
    }
}

/// `invalid-argument` unless `addr` can be a local address of a `family` socket (what
/// `start-bind` is given).
pub(crate) fn check_local(addr: SocketAddr, family: Family) -> Result<(), ErrorCode> {
    check_family(addr.ip(), family)?;
    if !is_unicast(addr.ip()) {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(())
}

/// `invalid-argument` unless `addr` can be a remote address of a `family` socket.
pub(crate) fn check_remote(addr: SocketAddr, family: Family) -> Result<(), ErrorCode> {
    check_family(addr.ip(), family)?;
    if !is_unicast(addr.ip()) || addr.ip().is_unspecified() || addr.port() == 0 {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(())
}

/// `create-tcp-socket` and `create-udp-socket`: a new socket of type `ty` in the family the
/// `ip-address-family` value `family` names, if `policy` grants sockets.
pub(crate) fn create_socket(
    policy: &Policy,
    family: &Val,
    ty: SocketType,
) -> SockResult<(Family, OwnedFd)> {
    policy.sockets()?;
    let family = Family::from_val(family)?;
    Ok((family, new_socket(family, ty)?))
}

/// A new non-blocking, close-on-exec socket (IPv6-only for IPv6).
fn new_socket(family: Family, ty: SocketType) -> io::Result<OwnedFd> {
    let af = match family {
        Family::V4 => AddressFamily::INET,
        Family::V6 => AddressFamily::INET6,
    };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let fd = rustix::net::socket_with(
        af,
        ty,
        rustix::net::SocketFlags::CLOEXEC | rustix::net::SocketFlags::NONBLOCK,
        None,
    )?;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let fd = {
        let fd = rustix::net::socket(af, ty, None)?;
        rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::CLOEXEC)?;
        rustix::io::ioctl_fionbio(&fd, true)?;
        fd
    };
    if family == Family::V6 {
        sockopt::set_ipv6_v6only(&fd, true)?;
    }
    #[cfg(target_vendor = "apple")]
    sockopt::set_socket_nosigpipe(&fd, true)?;
    Ok(fd)
}

/// A socket registered with tokio, to be waited on: tokio's TCP or UDP socket type over
/// it, used only for its readiness (the system calls go to the socket itself).
pub(crate) struct Watched(Kind);

enum Kind {
    Tcp(tokio::net::TcpStream),
    Udp(tokio::net::UdpSocket),
}

/// A registered socket, shared by a socket, its streams and their pollables.
pub(crate) type Registered = Arc<Watched>;

impl Watched {
    /// The OS socket.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        match &self.0 {
            Kind::Tcp(s) => s.as_fd(),
            Kind::Udp(s) => s.as_fd(),
        }
    }

    async fn ready(&self, interest: Interest) -> io::Result<()> {
        match &self.0 {
            Kind::Tcp(s) => s.ready(interest).await.map(drop),
            Kind::Udp(s) => s.ready(interest).await.map(drop),
        }
    }

    /// Runs `f` if tokio says the socket is ready for `interest`; when `f` says it would
    /// block, the readiness tokio saw (and only it) is cleared.
    fn try_io(&self, interest: Interest, f: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        match &self.0 {
            Kind::Tcp(s) => s.try_io(interest, f),
            Kind::Udp(s) => s.try_io(interest, f),
        }
    }
}

/// Registers `fd`, a socket of type `ty` (a stream, listening or not, or datagrams), with
/// the I/O runtime.
pub(crate) fn register(fd: OwnedFd, ty: SocketType) -> io::Result<Registered> {
    let handle = crate::rt::handle()?;
    let _guard = handle.enter();
    let kind = if ty == SocketType::DGRAM {
        Kind::Udp(tokio::net::UdpSocket::from_std(std::net::UdpSocket::from(
            fd,
        ))?)
    } else {
        // A listening or connecting socket too: tokio's stream type only registers it.
        Kind::Tcp(tokio::net::TcpStream::from_std(std::net::TcpStream::from(
            fd,
        ))?)
    };
    Ok(Arc::new(Watched(kind)))
}

/// Whether `fd` is ready for `flags` now: `poll(2)` without a timeout. Errors and hang-ups
/// count as ready (the next operation reports them).
pub(crate) fn poll_now(fd: BorrowedFd<'_>, flags: PollFlags) -> bool {
    let mut fds = [PollFd::from_borrowed_fd(fd, flags)];
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match rustix::event::poll(&mut fds, Some(&zero)) {
        Ok(n) => n > 0,
        Err(_) => true,
    }
}

/// Blocks the thread until `fd` is ready for `flags`, or `timeout` passed.
pub(crate) fn poll_wait(fd: BorrowedFd<'_>, flags: PollFlags, timeout: Option<Duration>) {
    let timeout = timeout.map(|d| Timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: d.subsec_nanos().into(),
    });
    let mut fds = [PollFd::from_borrowed_fd(fd, flags)];
    while let Err(Errno::INTR) = rustix::event::poll(&mut fds, timeout.as_ref()) {}
}

/// Waits on tokio until `fd` is ready for `flags` (`IN` or `OUT`). A readiness tokio
/// reports is confirmed with `poll(2)`, and cleared when stale; the check runs inside
/// `try_io`, so an event that comes after it is not cleared with the stale one.
pub(crate) async fn wait_fd(fd: Registered, flags: PollFlags) {
    let interest = if flags.contains(PollFlags::IN) {
        Interest::READABLE
    } else {
        Interest::WRITABLE
    };
    loop {
        if fd.ready(interest).await.is_err() {
            // The runtime is gone: nothing more will be reported; the guest sees the
            // socket as ready and its next operation says what is wrong.
            return;
        }
        let confirmed = fd.try_io(interest, || match poll_now(fd.fd(), flags) {
            true => Ok(()),
            false => Err(io::ErrorKind::WouldBlock.into()),
        });
        match confirmed {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            _ => return,
        }
    }
}

/// A pollable for a registered socket's readiness for `flags`.
pub(crate) struct FdReady {
    pub(crate) fd: Registered,
    pub(crate) flags: PollFlags,
}

impl Readiness for FdReady {
    fn is_ready(&self) -> bool {
        poll_now(self.fd.fd(), self.flags)
    }
    fn wait(&self) -> BoxFuture<'static, ()> {
        Box::pin(wait_fd(self.fd.clone(), self.flags))
    }
}

/// `local-address`: the address the socket `fd` is bound to.
pub(crate) fn local_address(fd: BorrowedFd<'_>) -> SockResult<Val> {
    let addr = rustix::net::getsockname(fd)?;
    match SocketAddr::try_from(addr) {
        Ok(a) => Ok(socket_addr_val(a)),
        Err(_) => Err(ErrorCode::Unknown.into()),
    }
}

/// `hop-limit` / `unicast-hop-limit`.
pub(crate) fn hop_limit(fd: BorrowedFd<'_>, family: Family) -> SockResult<u8> {
    Ok(match family {
        Family::V4 => sockopt::ip_ttl(fd)?.min(u8::MAX.into()) as u8,
        Family::V6 => sockopt::ipv6_unicast_hops(fd)?,
    })
}

/// `set-hop-limit` / `set-unicast-hop-limit`.
pub(crate) fn set_hop_limit(fd: BorrowedFd<'_>, family: Family, value: u8) -> SockResult<()> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument.into());
    }
    match family {
        Family::V4 => sockopt::set_ip_ttl(fd, value.into())?,
        Family::V6 => sockopt::set_ipv6_unicast_hops(fd, Some(value))?,
    }
    Ok(())
}

/// `receive-buffer-size` (`send` false) or `send-buffer-size`.
pub(crate) fn buffer_size(fd: BorrowedFd<'_>, send: bool) -> SockResult<u64> {
    let n = if send {
        sockopt::socket_send_buffer_size(fd)?
    } else {
        sockopt::socket_recv_buffer_size(fd)?
    };
    Ok(n as u64)
}

/// `set-receive-buffer-size` (`send` false) or `set-send-buffer-size`: 0 is
/// `invalid-argument`, larger values are clamped to what the OS takes.
pub(crate) fn set_buffer_size(fd: BorrowedFd<'_>, send: bool, value: u64) -> SockResult<()> {
    if value == 0 {
        return Err(ErrorCode::InvalidArgument.into());
    }
    let n = value.min(i32::MAX as u64) as usize;
    if send {
        sockopt::set_socket_send_buffer_size(fd, n)?;
    } else {
        sockopt::set_socket_recv_buffer_size(fd, n)?;
    }
    Ok(())
}

/// The `wasi:sockets/network.network` resource in the table (there is one network: what
/// the context's policy grants).
pub struct NetworkEntry;

/// The resource types of `wasi:sockets`, as the linker numbered them.
pub(crate) struct SocketTypes {
    pub(crate) network: ResourceType,
    pub(crate) tcp_socket: ResourceType,
    pub(crate) udp_socket: ResourceType,
    pub(crate) incoming: ResourceType,
    pub(crate) outgoing: ResourceType,
    pub(crate) resolve: ResourceType,
}

/// The network error code of a stream error's cause, for `network-error-code`: only
/// errors that are about the network have one.
fn network_code(cause: crate::io::IoCause) -> Option<ErrorCode> {
    let code = match cause.raw_os_error {
        Some(raw) => ErrorCode::of_errno(Errno::from_raw_os_error(raw)),
        None => ErrorCode::of_kind(cause.kind),
    };
    use ErrorCode as C;
    match code {
        C::ConnectionReset
        | C::ConnectionAborted
        | C::ConnectionRefused
        | C::RemoteUnreachable
        | C::Timeout
        | C::DatagramTooLarge => Some(code),
        _ => None,
    }
}

/// Registers every `wasi:sockets` interface.
pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>) {
    let st = Arc::new(SocketTypes {
        network: l.resource(NETWORK, "network", Some(dtor::<T, NetworkEntry>())),
        tcp_socket: l.resource(TCP, "tcp-socket", Some(dtor::<T, tcp::TcpEntry>())),
        udp_socket: l.resource(UDP, "udp-socket", Some(dtor::<T, udp::UdpEntry>())),
        incoming: l.resource(
            UDP,
            "incoming-datagram-stream",
            Some(dtor::<T, udp::IncomingEntry>()),
        ),
        outgoing: l.resource(
            UDP,
            "outgoing-datagram-stream",
            Some(dtor::<T, udp::OutgoingEntry>()),
        ),
        resolve: l.resource(
            LOOKUP,
            "resolve-address-stream",
            Some(dtor::<T, lookup::ResolveEntry>()),
        ),
    });

    let s = st.clone();
    l.instance_func_wrap(
        INSTANCE_NETWORK,
        "instance-network",
        move |t: &mut T, (): ()| {
            let rep = t.wasi().table.push(NetworkEntry)?;
            Ok(Resource {
                ty: s.network,
                rep,
                own: true,
            })
        },
    );
    l.instance_func_wrap(
        NETWORK,
        "network-error-code",
        |t: &mut T, (e,): (Resource,)| {
            let entry = t.wasi().table.get::<ErrorEntry>(e.rep)?;
            Ok(entry.1.and_then(network_code).map(ErrorCode::val))
        },
    );

    tcp::add(l, types, &st);
    udp::add(l, types, &st);
    lookup::add(l, types, &st);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_values() {
        for addr in [
            "127.0.0.1:8080".parse::<SocketAddr>().unwrap(),
            "[::1]:443".parse().unwrap(),
            SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 9, 7, 3)),
        ] {
            assert_eq!(socket_addr(&socket_addr_val(addr)).ok(), Some(addr));
        }
    }

    #[test]
    fn remote_addresses_are_checked() {
        let ok = |s: &str, f| check_remote(s.parse().unwrap(), f);
        assert_eq!(ok("127.0.0.1:80", Family::V4), Ok(()));
        assert_eq!(ok("[::1]:80", Family::V6), Ok(()));
        assert_eq!(ok("[::1]:80", Family::V4), Err(ErrorCode::InvalidArgument));
        assert_eq!(
            ok("0.0.0.0:80", Family::V4),
            Err(ErrorCode::InvalidArgument)
        );
        assert_eq!(
            ok("127.0.0.1:0", Family::V4),
            Err(ErrorCode::InvalidArgument)
        );
        assert_eq!(
            ok("224.0.0.1:80", Family::V4),
            Err(ErrorCode::InvalidArgument)
        );
        assert_eq!(
            ok("[::ffff:127.0.0.1]:80", Family::V6),
            Err(ErrorCode::InvalidArgument)
        );
    }

    #[test]
    fn os_errors_have_their_codes() {
        assert_eq!(
            ErrorCode::of_errno(Errno::CONNREFUSED),
            ErrorCode::ConnectionRefused
        );
        assert_eq!(ErrorCode::of_errno(Errno::AGAIN), ErrorCode::WouldBlock);
        assert_eq!(ErrorCode::of_errno(Errno::MFILE), ErrorCode::NewSocketLimit);
        assert_eq!(ErrorCode::of_errno(Errno::NOENT), ErrorCode::Unknown);
    }
}
