//! `wasi:sockets/tcp` and `tcp-create-socket`: the TCP socket's state machine
//! (`unbound` → `bind-in-progress` → `bound` → `listen-in-progress` → `listening`, or
//! → `connect-in-progress` → `connected`; `closed` after a failed connect), and the
//! streams of a connection.
//!
//! A connection's output stream sends what it is given at once and keeps what the socket
//! did not take; `check-write` allows nothing more until that is sent, and the stream's
//! pollable is ready when it is. A stream dropped with bytes still unsent hands them to a
//! thread that sends them (for at most [`LINGER`]), as the kernel does with its own buffer
//! when a socket is closed.

use std::io;
use std::mem;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use rustix::event::PollFlags;
use rustix::io::Errno;
use rustix::net::{sockopt, RecvFlags, SendFlags, Shutdown, SocketType};
use weft_runtime::typed::{ComponentValue, ResultPayload};
use weft_runtime::{Linker, Resource, Val};

use super::{
    buffer_size, check_local, check_remote, create_socket, finish, hop_limit, local_address,
    poll_now, poll_wait, register, set_buffer_size, set_hop_limit, socket_addr, socket_addr_val,
    trap, wait_fd, would_block, ErrorCode, Family, FdReady, Registered, SockResult, SocketAddrUse,
    SocketTypes, TCP, TCP_CREATE,
};
use crate::io::{
    InputEntry, InputStream, OutputEntry, OutputStream, Pollable, Readiness, StreamError,
};
use crate::{WasiCtx, WasiTypes, WasiView};

/// What `listen` is given unless the guest set a backlog size.
const DEFAULT_BACKLOG: i32 = 128;
/// What `check-write` allows on a connection with nothing waiting to be sent.
const WRITE_BUDGET: usize = 64 * 1024;
/// The most one `read` of a connection returns.
const READ_CHUNK: usize = 64 * 1024;
/// How long bytes left in a dropped output stream are still sent.
pub(crate) const LINGER: Duration = Duration::from_secs(30);

/// A `wasi:sockets/tcp.tcp-socket` in the table; its pollables share it.
pub(crate) struct TcpEntry(Arc<Mutex<TcpSocket>>);

/// A TCP socket and the state it is in.
struct TcpSocket {
    family: Family,
    state: State,
    backlog: i32,
}

enum State {
    Unbound(OwnedFd),
    BindStarted(OwnedFd),
    Bound(OwnedFd),
    ListenStarted(OwnedFd),
    Listening(Registered),
    Connecting(Registered),
    Connected(Arc<Conn>),
    Closed,
}

fn lock<S>(m: &Mutex<S>) -> MutexGuard<'_, S> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TcpSocket {
    /// The OS socket (`invalid-state` once closed).
    fn fd(&self) -> SockResult<BorrowedFd<'_>> {
        match &self.state {
            State::Unbound(fd)
            | State::BindStarted(fd)
            | State::Bound(fd)
            | State::ListenStarted(fd) => Ok(fd.as_fd()),
            State::Listening(fd) | State::Connecting(fd) => Ok(fd.fd()),
            State::Connected(c) => Ok(c.fd.fd()),
            State::Closed => Err(ErrorCode::InvalidState.into()),
        }
    }

    fn start_bind(&mut self, addr: SocketAddr) -> SockResult<()> {
        check_local(addr, self.family)?;
        match mem::replace(&mut self.state, State::Closed) {
            State::Unbound(fd) => {
                // As the WIT asks: a recently closed socket's TIME_WAIT does not keep a
                // port from being bound again.
                if addr.port() != 0 {
                    let _ = sockopt::set_socket_reuseaddr(&fd, true);
                }
                match rustix::net::bind(&fd, &addr) {
                    Ok(()) => {
                        self.state = State::BindStarted(fd);
                        Ok(())
                    }
                    Err(e) => {
                        self.state = State::Unbound(fd);
                        Err(e.into())
                    }
                }
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

    fn start_connect(&mut self, addr: SocketAddr) -> SockResult<()> {
        match &self.state {
            State::Unbound(_) | State::Bound(_) => {}
            State::Connecting(_) => return Err(ErrorCode::ConcurrencyConflict.into()),
            _ => return Err(ErrorCode::InvalidState.into()),
        }
        check_remote(addr, self.family)?;
        let fd = match mem::replace(&mut self.state, State::Closed) {
            State::Unbound(fd) | State::Bound(fd) => fd,
            _ => unreachable!("checked above"),
        };
        match rustix::net::connect(&fd, &addr) {
            // A non-blocking connect goes on in the background (also after a signal).
            Ok(()) => {}
            Err(e) if e == Errno::INPROGRESS || e == Errno::INTR || would_block(e) => {}
            Err(e) => return Err(connect_error(e).into()),
        }
        self.state = State::Connecting(register(fd, SocketType::STREAM)?);
        Ok(())
    }

    fn finish_connect(&mut self) -> SockResult<Arc<Conn>> {
        let fd = match &self.state {
            State::Connecting(fd) => fd.clone(),
            _ => return Err(ErrorCode::NotInProgress.into()),
        };
        let raw = fd.fd();
        // Connected (or failed) when writable: the WIT's `poll` for `POLLOUT`, then
        // `SO_ERROR`.
        if !poll_now(raw, PollFlags::OUT) {
            return Err(ErrorCode::WouldBlock.into());
        }
        let failed = match sockopt::socket_error(raw) {
            Ok(Ok(())) => match rustix::net::getpeername(raw) {
                Ok(Some(_)) => None,
                _ => Some(ErrorCode::ConnectionRefused),
            },
            Ok(Err(e)) => Some(connect_error(e)),
            Err(e) => Some(connect_error(e)),
        };
        if let Some(code) = failed {
            self.state = State::Closed;
            return Err(code.into());
        }
        let conn = Arc::new(Conn::new(fd));
        self.state = State::Connected(conn.clone());
        Ok(conn)
    }

    fn start_listen(&mut self) -> SockResult<()> {
        match mem::replace(&mut self.state, State::Closed) {
            State::Bound(fd) => {
                self.state = State::ListenStarted(fd);
                Ok(())
            }
            other => {
                self.state = other;
                Err(ErrorCode::InvalidState.into())
            }
        }
    }

    fn finish_listen(&mut self) -> SockResult<()> {
        let fd = match mem::replace(&mut self.state, State::Closed) {
            State::ListenStarted(fd) => fd,
            other => {
                self.state = other;
                return Err(ErrorCode::NotInProgress.into());
            }
        };
        rustix::net::listen(&fd, self.backlog)?;
        self.state = State::Listening(register(fd, SocketType::STREAM)?);
        Ok(())
    }

    /// Accepts a connection: the new socket and its connection.
    fn accept(&mut self) -> SockResult<(TcpSocket, Arc<Conn>)> {
        let fd = match &self.state {
            State::Listening(fd) => fd.clone(),
            _ => return Err(ErrorCode::InvalidState.into()),
        };
        let client = match accept(fd.fd()) {
            Ok(c) => c,
            Err(e) if would_block(e) || e == Errno::INTR => {
                return Err(ErrorCode::WouldBlock.into())
            }
            Err(e) => return Err(accept_error(e).into()),
        };
        let conn = Arc::new(Conn::new(register(client, SocketType::STREAM)?));
        let socket = TcpSocket {
            family: self.family,
            state: State::Connected(conn.clone()),
            backlog: self.backlog,
        };
        Ok((socket, conn))
    }

    fn local_address(&mut self) -> SockResult<Val> {
        match &self.state {
            State::Unbound(_) | State::Closed => Err(ErrorCode::InvalidState.into()),
            State::BindStarted(_) => Err(ErrorCode::ConcurrencyConflict.into()),
            _ => local_address(self.fd()?),
        }
    }

    fn remote_address(&mut self) -> SockResult<Val> {
        let State::Connected(c) = &self.state else {
            return Err(ErrorCode::InvalidState.into());
        };
        match rustix::net::getpeername(c.fd.fd())?.and_then(|a| SocketAddr::try_from(a).ok()) {
            Some(a) => Ok(socket_addr_val(a)),
            None => Err(ErrorCode::InvalidState.into()),
        }
    }

    fn set_listen_backlog_size(&mut self, value: u64) -> SockResult<()> {
        if value == 0 {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let n = value.min(i32::MAX as u64) as i32;
        match &self.state {
            State::Connecting(_) | State::Connected(_) | State::Closed => {
                return Err(ErrorCode::InvalidState.into())
            }
            // Linux and the BSDs take a new backlog from a second `listen`.
            State::Listening(fd) if rustix::net::listen(fd.fd(), n).is_err() => {
                return Err(ErrorCode::NotSupported.into())
            }
            _ => {}
        }
        self.backlog = n;
        Ok(())
    }

    fn shutdown(&mut self, how: Val) -> SockResult<()> {
        let (receive, send) = match &how {
            Val::Enum(n) if n == "receive" => (true, false),
            Val::Enum(n) if n == "send" => (false, true),
            Val::Enum(n) if n == "both" => (true, true),
            other => return trap(format!("expected a `shutdown-type`, found {other:?}")),
        };
        let State::Connected(c) = &self.state else {
            return Err(ErrorCode::InvalidState.into());
        };
        let fd = c.fd.fd();
        if receive && !c.read_shut.swap(true, Ordering::SeqCst) {
            // The peer may have gone already; either way the input stream is closed.
            let _ = rustix::net::shutdown(fd, Shutdown::Read);
        }
        if send {
            let mut out = lock(&c.out);
            if !out.shut {
                drain(fd, &mut out);
                out.shut = true;
                let _ = rustix::net::shutdown(fd, Shutdown::Write);
            }
        }
        Ok(())
    }
}

/// The code of a failed connect: `EADDRNOTAVAIL` means the implicit bind found no
/// ephemeral port.
fn connect_error(e: Errno) -> ErrorCode {
    if e == Errno::ADDRNOTAVAIL {
        return ErrorCode::AddressInUse;
    }
    ErrorCode::of_errno(e)
}

/// The code of a failed accept. Linux passes a pending connection's network error on
/// through `accept`; other systems drop such connections: it is `connection-aborted`.
fn accept_error(e: Errno) -> ErrorCode {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if [
        Errno::CONNRESET,
        Errno::NETRESET,
        Errno::HOSTUNREACH,
        Errno::HOSTDOWN,
        Errno::NETDOWN,
        Errno::NETUNREACH,
        Errno::PROTO,
        Errno::NOPROTOOPT,
        Errno::NONET,
        Errno::OPNOTSUPP,
    ]
    .contains(&e)
    {
        return ErrorCode::ConnectionAborted;
    }
    ErrorCode::of_errno(e)
}

/// `accept`, the new socket non-blocking and close-on-exec.
fn accept(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return rustix::net::accept_with(
        fd,
        rustix::net::SocketFlags::CLOEXEC | rustix::net::SocketFlags::NONBLOCK,
    );
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let c = rustix::net::accept(fd)?;
        rustix::io::fcntl_setfd(&c, rustix::io::FdFlags::CLOEXEC)?;
        rustix::io::ioctl_fionbio(&c, true)?;
        Ok(c)
    }
}

/// A connection, shared by its socket and its two streams.
pub(crate) struct Conn {
    fd: Registered,
    out: Mutex<Out>,
    /// `shutdown(receive)` was called: the input stream is closed.
    read_shut: AtomicBool,
}

/// What the output stream has not sent yet, and how it ended.
#[derive(Default)]
struct Out {
    pending: Vec<u8>,
    /// A send failed; the next operation reports it.
    failed: Option<io::Error>,
    /// `shutdown(send)`, or a reported failure: no more writes.
    shut: bool,
}

impl Out {
    /// The stream's error, if it has one: a failure is reported once, then it is closed.
    fn status(&mut self) -> Result<(), StreamError> {
        if let Some(e) = self.failed.take() {
            self.shut = true;
            return Err(e.into());
        }
        if self.shut {
            return Err(StreamError::Closed);
        }
        Ok(())
    }
}

impl Conn {
    fn new(fd: Registered) -> Conn {
        Conn {
            fd,
            out: Mutex::new(Out::default()),
            read_shut: AtomicBool::new(false),
        }
    }
}

fn send_flags() -> SendFlags {
    // A peer that went away is an error, not a SIGPIPE (other systems set SO_NOSIGPIPE
    // on the socket, or Rust's runtime ignores the signal).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return SendFlags::NOSIGNAL;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    SendFlags::empty()
}

/// Sends what `out` holds, as far as the socket takes it without blocking.
fn drain(fd: BorrowedFd<'_>, out: &mut Out) {
    while !out.pending.is_empty() && out.failed.is_none() {
        match rustix::net::send(fd, &out.pending, send_flags()) {
            Ok(n) => {
                out.pending.drain(..n);
            }
            Err(Errno::INTR) => {}
            Err(e) if would_block(e) => break,
            Err(e) => {
                out.failed = Some(e.into());
                out.pending.clear();
            }
        }
    }
}

/// A connection's input stream.
struct TcpReader(Arc<Conn>);

impl InputStream for TcpReader {
    fn read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        if self.0.read_shut.load(Ordering::SeqCst) {
            return Err(StreamError::Closed);
        }
        let mut buf = vec![0; len.min(READ_CHUNK)];
        if buf.is_empty() {
            return Ok(buf);
        }
        loop {
            return match rustix::net::recv(self.0.fd.fd(), &mut buf[..], RecvFlags::empty()) {
                Ok((0, _)) => Err(StreamError::Closed),
                Ok((n, _)) => {
                    buf.truncate(n);
                    Ok(buf)
                }
                Err(Errno::INTR) => continue,
                Err(e) if would_block(e) => Ok(Vec::new()),
                Err(e) => Err(io::Error::from(e).into()),
            };
        }
    }

    fn blocking_read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        loop {
            let bytes = self.read(len)?;
            if !bytes.is_empty() || len == 0 {
                return Ok(bytes);
            }
            poll_wait(self.0.fd.fd(), PollFlags::IN, None);
        }
    }

    fn pollable(&self) -> Pollable {
        Pollable::Io(Arc::new(FdReady {
            fd: self.0.fd.clone(),
            flags: PollFlags::IN,
        }))
    }
}

/// A connection's output stream.
struct TcpWriter(Arc<Conn>);

impl OutputStream for TcpWriter {
    fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        let mut out = lock(&self.0.out);
        out.status()?;
        out.pending.extend_from_slice(bytes);
        drain(self.0.fd.fd(), &mut out);
        out.status()
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        let mut out = lock(&self.0.out);
        out.status()?;
        drain(self.0.fd.fd(), &mut out);
        out.status()
    }

    fn blocking_flush(&mut self) -> Result<(), StreamError> {
        loop {
            {
                let mut out = lock(&self.0.out);
                out.status()?;
                drain(self.0.fd.fd(), &mut out);
                out.status()?;
                if out.pending.is_empty() {
                    return Ok(());
                }
            }
            poll_wait(self.0.fd.fd(), PollFlags::OUT, None);
        }
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        let mut out = lock(&self.0.out);
        out.status()?;
        drain(self.0.fd.fd(), &mut out);
        out.status()?;
        Ok(if out.pending.is_empty() {
            WRITE_BUDGET
        } else {
            0
        })
    }

    fn pollable(&self) -> Pollable {
        Pollable::Io(Arc::new(WriteReady(self.0.clone())))
    }
}

impl Drop for TcpWriter {
    fn drop(&mut self) {
        let unsent = {
            let out = lock(&self.0.out);
            !out.pending.is_empty() && out.failed.is_none()
        };
        if !unsent {
            return;
        }
        let conn = self.0.clone();
        let _ = std::thread::Builder::new()
            .name("weft-wasi-tcp-linger".into())
            .spawn(move || {
                let deadline = Instant::now() + LINGER;
                loop {
                    {
                        let mut out = lock(&conn.out);
                        drain(conn.fd.fd(), &mut out);
                        if out.pending.is_empty() || out.failed.is_some() {
                            return;
                        }
                    }
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return;
                    }
                    poll_wait(conn.fd.fd(), PollFlags::OUT, Some(left));
                }
            });
    }
}

/// An output stream's pollable: ready when `check-write` allows a write (or reports an
/// error).
struct WriteReady(Arc<Conn>);

impl Readiness for WriteReady {
    fn is_ready(&self) -> bool {
        let mut out = lock(&self.0.out);
        if out.shut || out.failed.is_some() {
            return true;
        }
        drain(self.0.fd.fd(), &mut out);
        out.pending.is_empty() || out.failed.is_some()
    }
    fn wait(&self) -> BoxFuture<'static, ()> {
        let conn = self.0.clone();
        Box::pin(async move {
            loop {
                let ready = WriteReady(conn.clone());
                if ready.is_ready() {
                    return;
                }
                wait_fd(conn.fd.clone(), PollFlags::OUT).await;
            }
        })
    }
}

/// A socket's pollable: ready when a connect in progress can finish, when a listener has
/// a connection to accept, and always otherwise.
struct SocketReady(Arc<Mutex<TcpSocket>>);

impl SocketReady {
    fn target(&self) -> Option<(Registered, PollFlags)> {
        match &lock(&self.0).state {
            State::Connecting(fd) => Some((fd.clone(), PollFlags::OUT)),
            State::Listening(fd) => Some((fd.clone(), PollFlags::IN)),
            _ => None,
        }
    }
}

impl Readiness for SocketReady {
    fn is_ready(&self) -> bool {
        self.target()
            .is_none_or(|(fd, flags)| poll_now(fd.fd(), flags))
    }
    fn wait(&self) -> BoxFuture<'static, ()> {
        match self.target() {
            Some((fd, flags)) => Box::pin(wait_fd(fd, flags)),
            None => Box::pin(async {}),
        }
    }
}

/// The socket `r`.
fn socket(ctx: &WasiCtx, r: Resource) -> SockResult<Arc<Mutex<TcpSocket>>> {
    Ok(ctx.table.get::<TcpEntry>(r.rep)?.0.clone())
}

/// A new socket entry, as an own handle.
fn push_socket(ctx: &mut WasiCtx, st: &SocketTypes, s: TcpSocket) -> SockResult<Resource> {
    let rep = ctx.table.push(TcpEntry(Arc::new(Mutex::new(s))))?;
    Ok(Resource {
        ty: st.tcp_socket,
        rep,
        own: true,
    })
}

/// The streams of connection `conn`, as own handles.
fn push_streams(
    ctx: &mut WasiCtx,
    types: &WasiTypes,
    conn: &Arc<Conn>,
) -> SockResult<(Resource, Resource)> {
    let input = ctx
        .table
        .push(InputEntry(Box::new(TcpReader(conn.clone()))))?;
    let output = ctx
        .table
        .push(OutputEntry(Box::new(TcpWriter(conn.clone()))))?;
    Ok((
        Resource {
            ty: types.input_stream,
            rep: input,
            own: true,
        },
        Resource {
            ty: types.output_stream,
            rep: output,
            own: true,
        },
    ))
}

/// Registers a method of `tcp-socket` that takes no arguments and returns
/// `result<R, error-code>`.
fn method<T: WasiView, R: ResultPayload + Send + 'static>(
    l: &mut Linker<T>,
    name: &str,
    f: fn(&mut TcpSocket) -> SockResult<R>,
) {
    l.instance_func_wrap(
        TCP,
        &format!("[method]tcp-socket.{name}"),
        move |t: &mut T, (s,): (Resource,)| {
            finish(socket(t.wasi(), s).and_then(|s| f(&mut lock(&s))))
        },
    );
}

/// Registers a method of `tcp-socket` that takes one argument and returns
/// `result<_, error-code>`.
fn setter<T: WasiView, V: ComponentValue + 'static>(
    l: &mut Linker<T>,
    name: &str,
    f: fn(&mut TcpSocket, V) -> SockResult<()>,
) {
    l.instance_func_wrap(
        TCP,
        &format!("[method]tcp-socket.{name}"),
        move |t: &mut T, (s, v): (Resource, V)| {
            finish(socket(t.wasi(), s).and_then(|s| f(&mut lock(&s), v)))
        },
    );
}

/// The keep-alive time limits the OS takes, in whole seconds (Linux's maximum).
fn keepalive_secs(nanos: u64) -> SockResult<Duration> {
    if nanos == 0 {
        return Err(ErrorCode::InvalidArgument.into());
    }
    Ok(Duration::from_secs(
        nanos.div_ceil(1_000_000_000).clamp(1, 32_767),
    ))
}

fn duration_nanos(d: Duration) -> u64 {
    d.as_nanos().min(u64::MAX.into()) as u64
}

pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>, st: &Arc<SocketTypes>) {
    let s = st.clone();
    l.instance_func_wrap(
        TCP_CREATE,
        "create-tcp-socket",
        move |t: &mut T, (family,): (Val,)| {
            let ctx = t.wasi();
            finish((|| {
                let (family, fd) = create_socket(&ctx.network, &family, SocketType::STREAM)?;
                let socket = TcpSocket {
                    family,
                    state: State::Unbound(fd),
                    backlog: DEFAULT_BACKLOG,
                };
                push_socket(ctx, &s, socket)
            })())
        },
    );

    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.start-bind",
        |t: &mut T, (s, _network, addr): (Resource, Resource, Val)| {
            let ctx = t.wasi();
            finish((|| {
                let addr = socket_addr(&addr)?;
                ctx.network.allow(addr, SocketAddrUse::TcpBind)?;
                let s = socket(ctx, s)?;
                let r = lock(&s).start_bind(addr);
                r
            })())
        },
    );
    method(l, "finish-bind", TcpSocket::finish_bind);
    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.start-connect",
        |t: &mut T, (s, _network, addr): (Resource, Resource, Val)| {
            let ctx = t.wasi();
            finish((|| {
                let addr = socket_addr(&addr)?;
                ctx.network.allow(addr, SocketAddrUse::TcpConnect)?;
                let s = socket(ctx, s)?;
                let r = lock(&s).start_connect(addr);
                r
            })())
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.finish-connect",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            finish((|| {
                let s = socket(ctx, s)?;
                let conn = lock(&s).finish_connect()?;
                push_streams(ctx, &ty, &conn)
            })())
        },
    );
    method(l, "start-listen", TcpSocket::start_listen);
    method(l, "finish-listen", TcpSocket::finish_listen);
    let ty = types.clone();
    let s = st.clone();
    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.accept",
        move |t: &mut T, (sock,): (Resource,)| {
            let ctx = t.wasi();
            finish((|| {
                let listener = socket(ctx, sock)?;
                let (client, conn) = lock(&listener).accept()?;
                let client = push_socket(ctx, &s, client)?;
                let (input, output) = push_streams(ctx, &ty, &conn)?;
                Ok((client, input, output))
            })())
        },
    );
    method(l, "local-address", TcpSocket::local_address);
    method(l, "remote-address", TcpSocket::remote_address);
    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.is-listening",
        |t: &mut T, (s,): (Resource,)| {
            let s = t.wasi().table.get::<TcpEntry>(s.rep)?.0.clone();
            let listening = matches!(lock(&s).state, State::Listening(_));
            Ok(listening)
        },
    );
    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.address-family",
        |t: &mut T, (s,): (Resource,)| {
            let s = t.wasi().table.get::<TcpEntry>(s.rep)?.0.clone();
            let family = lock(&s).family;
            Ok(family.val())
        },
    );
    setter(
        l,
        "set-listen-backlog-size",
        TcpSocket::set_listen_backlog_size,
    );
    method(l, "keep-alive-enabled", |s| {
        Ok(sockopt::socket_keepalive(s.fd()?)?)
    });
    setter(l, "set-keep-alive-enabled", |s, v: bool| {
        Ok(sockopt::set_socket_keepalive(s.fd()?, v)?)
    });
    method(l, "keep-alive-idle-time", |s| {
        Ok(duration_nanos(sockopt::tcp_keepidle(s.fd()?)?))
    });
    setter(l, "set-keep-alive-idle-time", |s, v: u64| {
        Ok(sockopt::set_tcp_keepidle(s.fd()?, keepalive_secs(v)?)?)
    });
    method(l, "keep-alive-interval", |s| {
        Ok(duration_nanos(sockopt::tcp_keepintvl(s.fd()?)?))
    });
    setter(l, "set-keep-alive-interval", |s, v: u64| {
        Ok(sockopt::set_tcp_keepintvl(s.fd()?, keepalive_secs(v)?)?)
    });
    method(l, "keep-alive-count", |s| {
        Ok(sockopt::tcp_keepcnt(s.fd()?)?)
    });
    setter(l, "set-keep-alive-count", |s, v: u32| {
        if v == 0 {
            return Err(ErrorCode::InvalidArgument.into());
        }
        Ok(sockopt::set_tcp_keepcnt(s.fd()?, v.min(127))?)
    });
    method(l, "hop-limit", |s| hop_limit(s.fd()?, s.family));
    setter(l, "set-hop-limit", |s, v: u8| {
        set_hop_limit(s.fd()?, s.family, v)
    });
    method(l, "receive-buffer-size", |s| buffer_size(s.fd()?, false));
    setter(l, "set-receive-buffer-size", |s, v: u64| {
        set_buffer_size(s.fd()?, false, v)
    });
    method(l, "send-buffer-size", |s| buffer_size(s.fd()?, true));
    setter(l, "set-send-buffer-size", |s, v: u64| {
        set_buffer_size(s.fd()?, true, v)
    });
    let ty = types.clone();
    l.instance_func_wrap(
        TCP,
        "[method]tcp-socket.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let s = ctx.table.get::<TcpEntry>(s.rep)?.0.clone();
            crate::io::new_pollable(ctx, &ty, Pollable::Io(Arc::new(SocketReady(s))))
        },
    );
    setter(l, "shutdown", TcpSocket::shutdown);
}
