//! `wasi:io`: errors, pollables and `poll`, input and output streams — and the stream
//! implementations the other interfaces hand out (stdio, in-memory pipes, files).
//!
//! A pollable is ready at once, at an instant, or when an I/O [`Readiness`] says so
//! (sockets, name lookups); `poll` and `pollable.block` wait on the earliest of them.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures::future::BoxFuture;
use weft_runtime::typed::Bytes;
use weft_runtime::{Linker, Resource, ResourceType, Val};

use crate::{own, WasiCtx, WasiTypes, WasiView};

/// Why a stream operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamError {
    /// The stream is closed: no more bytes will come (input) or go (output).
    Closed,
    /// The last operation failed; the message is the error's debug string.
    Failed(String),
    /// The last operation failed with an I/O error: its message, and what it was (for
    /// `wasi:filesystem/types.filesystem-error-code`).
    Io(String, IoCause),
}

/// What an I/O error was: enough of a [`std::io::Error`] to name its filesystem error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoCause {
    /// The error's kind.
    pub kind: std::io::ErrorKind,
    /// The OS error number, if the OS reported the error.
    pub raw_os_error: Option<i32>,
}

impl IoCause {
    /// The cause of `e`.
    pub fn of(e: &std::io::Error) -> IoCause {
        IoCause {
            kind: e.kind(),
            raw_os_error: e.raw_os_error(),
        }
    }
}

impl From<std::io::Error> for StreamError {
    fn from(e: std::io::Error) -> StreamError {
        match e.kind() {
            std::io::ErrorKind::BrokenPipe => StreamError::Closed,
            _ => StreamError::Io(e.to_string(), IoCause::of(&e)),
        }
    }
}

/// A byte source a guest reads through `wasi:io/streams.input-stream`.
pub trait InputStream: Send {
    /// Up to `len` bytes, or none when none are available yet; `Closed` at the end.
    fn read(&mut self, len: usize) -> Result<Vec<u8>, StreamError>;
    /// Up to `len` bytes, waiting until at least one is available (or the end).
    fn blocking_read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        self.read(len)
    }
    /// A read that does not wait, of bytes the stream knows are there before it reads them
    /// (a file: its size), to be written straight into the guest's memory when the result is
    /// lowered ([`Bytes::in_place`]). `None`: no such read now; [`Self::read`] or
    /// [`Self::blocking_read`] is used.
    fn read_in_place(&mut self, _len: usize) -> Option<Result<Bytes, StreamError>> {
        None
    }
    /// What `subscribe` returns: when a read will not come back empty. By default always
    /// ready (a stream whose reads never wait, or wait in `read`).
    fn pollable(&self) -> Pollable {
        Pollable::Ready
    }
}

/// A byte sink a guest writes through `wasi:io/streams.output-stream`.
pub trait OutputStream: Send {
    /// Writes all of `bytes` (at most what [`OutputStream::check_write`] allowed).
    fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError>;
    /// Sends what was written on to its destination.
    fn flush(&mut self) -> Result<(), StreamError>;
    /// How many bytes the next write may take.
    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(DEFAULT_WRITE_BUDGET)
    }
    /// Sends what was written on, waiting until it is sent (`blocking-flush`, and the
    /// flushes of the `blocking-write-…-and-flush` functions). By default [`Self::flush`].
    fn blocking_flush(&mut self) -> Result<(), StreamError> {
        self.flush()
    }
    /// What `subscribe` returns: when `check-write` will allow a write (or fail). By
    /// default always ready.
    fn pollable(&self) -> Pollable {
        Pollable::Ready
    }
}

/// What `check-write` allows when a stream has no limit of its own.
pub const DEFAULT_WRITE_BUDGET: usize = 1 << 20;

/// The most a single `blocking-write-and-flush` (and `-zeroes-`) may write, per the WIT.
pub const BLOCKING_WRITE_MAX: u64 = 4096;

/// The most one `read` returns, whatever the guest asks for (guests loop).
pub const READ_MAX: usize = 1 << 20;

/// A guest's input stream in the table.
pub struct InputEntry(pub Box<dyn InputStream>);
/// A guest's output stream in the table.
pub struct OutputEntry(pub Box<dyn OutputStream>);
/// A `wasi:io/error.error` in the table: its debug string, and the I/O error behind it.
pub struct ErrorEntry(pub String, pub Option<IoCause>);

/// A `wasi:io/poll.pollable` in the table.
#[derive(Clone)]
pub enum Pollable {
    /// Always ready (streams that never make a guest wait, such as files and pipes).
    Ready,
    /// Ready from this instant on (clocks).
    At(Instant),
    /// Ready when an I/O event happened (a socket, a name lookup).
    Io(Arc<dyn Readiness>),
}

/// What an I/O pollable waits for. `is_ready` asks without waiting; `wait` resolves once
/// it may have become true (`poll` asks again, so a wake-up too early is harmless). The
/// future must not borrow the guest's state: it runs while other pollables are waited on.
pub trait Readiness: Send + Sync {
    /// Whether the event happened.
    fn is_ready(&self) -> bool;
    /// Resolves when the event may have happened.
    fn wait(&self) -> BoxFuture<'static, ()>;
}

impl std::fmt::Debug for Pollable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pollable::Ready => f.write_str("Ready"),
            Pollable::At(t) => f.debug_tuple("At").field(t).finish(),
            Pollable::Io(_) => f.write_str("Io"),
        }
    }
}

impl Pollable {
    fn deadline(&self) -> Option<Instant> {
        match self {
            Pollable::At(t) => Some(*t),
            Pollable::Ready | Pollable::Io(_) => None,
        }
    }
    fn is_ready(&self, now: Instant) -> bool {
        match self {
            Pollable::Ready => true,
            Pollable::At(t) => *t <= now,
            Pollable::Io(r) => r.is_ready(),
        }
    }
}

/// Waits until at least one of `pollables` is ready: the indices of those that are.
/// Deadlines alone wait on tokio's timer inside a tokio runtime, else by sleeping the thread;
/// with I/O, on the I/O runtime's timer.
pub async fn wait_ready(pollables: &[Pollable]) -> Vec<u32> {
    loop {
        let now = Instant::now();
        let ready: Vec<u32> = (0..pollables.len())
            .filter(|&i| pollables[i].is_ready(now))
            .map(|i| i as u32)
            .collect();
        if !ready.is_empty() {
            return ready;
        }
        let deadline = pollables.iter().filter_map(Pollable::deadline).min();
        let io: Vec<BoxFuture<'static, ()>> = pollables
            .iter()
            .filter_map(|p| match p {
                Pollable::Io(r) => Some(r.wait()),
                _ => None,
            })
            .collect();
        match (io.is_empty(), deadline) {
            (true, Some(d)) => sleep_until(d).await,
            // Nothing to wait for (an empty list).
            (true, None) => return Vec::new(),
            (false, None) => {
                futures::future::select_all(io).await;
            }
            (false, Some(d)) => {
                let timer = crate::rt::sleep_until(d);
                futures::future::select(futures::future::select_all(io), timer).await;
            }
        }
    }
}

/// Waits until `deadline`: on tokio's timer when the guest runs inside a tokio runtime,
/// otherwise by sleeping the thread.
async fn sleep_until(deadline: Instant) {
    let now = Instant::now();
    if deadline <= now {
        return;
    }
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::time::sleep_until(deadline.into()).await;
    } else {
        std::thread::sleep(deadline - now);
    }
}

/// The process's standard input, shared by every stream the guest opens on it.
///
/// One background thread, started by the first read or `subscribe`, reads the process's stdin
/// into a shared buffer (at most [`STDIN_AHEAD`] bytes ahead of the guest), so that `read`
/// returns what has arrived without waiting, `blocking-read` waits for it, and `subscribe`'s
/// pollable is ready exactly when bytes (or the end) are there: a guest can poll stdin
/// together with timers and sockets.
pub struct Stdin;

/// How far the stdin reader reads ahead of the guest.
pub const STDIN_AHEAD: usize = 64 * 1024;

/// What the stdin reader thread and the guest share.
struct StdinShared {
    state: Mutex<StdinState>,
    /// Signalled when bytes arrive or the end is reached (guests blocked in `blocking-read`),
    /// and when the guest takes bytes (the reader waiting for room).
    changed: std::sync::Condvar,
    /// The same, for pollables waiting asynchronously.
    notify: tokio::sync::Notify,
}

#[derive(Default)]
struct StdinState {
    buf: std::collections::VecDeque<u8>,
    /// The end of input was reached.
    eof: bool,
    /// Reading failed (sticky).
    error: Option<String>,
}

impl StdinState {
    fn ready(&self) -> bool {
        !self.buf.is_empty() || self.eof || self.error.is_some()
    }

    /// Takes up to `len` bytes, or says the stream ended or failed; `None` when nothing has
    /// arrived yet.
    fn take(&mut self, len: usize) -> Option<Result<Vec<u8>, StreamError>> {
        if !self.buf.is_empty() {
            let n = len.min(self.buf.len());
            return Some(Ok(self.buf.drain(..n).collect()));
        }
        if let Some(e) = &self.error {
            return Some(Err(StreamError::Failed(e.clone())));
        }
        if self.eof {
            return Some(Err(StreamError::Closed));
        }
        None
    }
}

/// The shared stdin state, its reader thread started on first use.
fn stdin_shared() -> &'static Arc<StdinShared> {
    static SHARED: std::sync::OnceLock<Arc<StdinShared>> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let shared = Arc::new(StdinShared {
            state: Mutex::new(StdinState::default()),
            changed: std::sync::Condvar::new(),
            notify: tokio::sync::Notify::new(),
        });
        let reader = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("weft-stdin".into())
            .spawn(move || read_stdin(&reader));
        if let Err(e) = spawned {
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            state.error = Some(format!("cannot start the stdin reader: {e}"));
        }
        shared
    })
}

/// The reader thread: reads stdin in chunks while the buffer has room, until the end or an
/// error.
fn read_stdin(shared: &StdinShared) {
    let mut chunk = vec![0u8; STDIN_AHEAD];
    loop {
        {
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            while state.buf.len() >= STDIN_AHEAD {
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
        let result = std::io::stdin().lock().read(&mut chunk);
        // A descriptor left non-blocking by whoever started this process (Node.js child
        // processes, some CI runners): wait until it has bytes, as a blocking one would.
        #[cfg(unix)]
        if matches!(&result, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock) {
            use std::os::fd::AsFd;
            crate::sockets::poll_wait(std::io::stdin().as_fd(), rustix::event::PollFlags::IN, None);
            continue;
        }
        let done = {
            let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            match result {
                Ok(0) => state.eof = true,
                Ok(n) => state.buf.extend(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => state.error = Some(e.to_string()),
            }
            state.eof || state.error.is_some()
        };
        shared.changed.notify_all();
        shared.notify.notify_waiters();
        if done {
            return;
        }
    }
}

/// Readiness of stdin, for `subscribe`.
struct StdinReady(Arc<StdinShared>);

impl Readiness for StdinReady {
    fn is_ready(&self) -> bool {
        self.0
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .ready()
    }
    fn wait(&self) -> futures::future::BoxFuture<'static, ()> {
        let shared = self.0.clone();
        Box::pin(async move {
            loop {
                let notified = shared.notify.notified();
                tokio::pin!(notified);
                // Registered before the check, so a wake-up between the two is not lost.
                notified.as_mut().enable();
                if shared
                    .state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .ready()
                {
                    return;
                }
                notified.await;
            }
        })
    }
}

impl InputStream for Stdin {
    fn read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        let shared = stdin_shared();
        let taken = shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take(len.min(READ_MAX));
        match taken {
            Some(r) => {
                // Room for the reader.
                shared.changed.notify_all();
                r
            }
            None => Ok(Vec::new()),
        }
    }
    fn blocking_read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let shared = stdin_shared();
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = state.take(len.min(READ_MAX)) {
                drop(state);
                shared.changed.notify_all();
                return r;
            }
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
    fn pollable(&self) -> Pollable {
        Pollable::Io(Arc::new(StdinReady(stdin_shared().clone())))
    }
}

/// The process's standard output.
pub struct Stdout;
/// The process's standard error.
pub struct Stderr;

impl OutputStream for Stdout {
    fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        // Straight to the file descriptor on Unix: the guest buffers as it likes, and Rust's
        // line-buffered `Stdout` would scan every write for newlines (a tenth of the time of
        // writing 100 MiB). Whatever weft itself buffered goes first. The lock is not held
        // while writing, which may wait (a full pipe), so a thread of the host can still
        // print meanwhile.
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            let stdout = std::io::stdout();
            stdout.lock().flush()?;
            write_fd(stdout.as_fd(), bytes)
        }
        #[cfg(not(unix))]
        {
            Ok(std::io::stdout().lock().write_all(bytes)?)
        }
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(std::io::stdout().lock().flush()?)
    }
}

impl OutputStream for Stderr {
    fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            write_fd(std::io::stderr().as_fd(), bytes)
        }
        #[cfg(not(unix))]
        {
            Ok(std::io::stderr().lock().write_all(bytes)?)
        }
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(std::io::stderr().lock().flush()?)
    }
}

/// Writes all of `bytes` to `fd` (the process's stdout or stderr). A descriptor left
/// non-blocking by whoever started this process (Node.js child processes, some CI runners)
/// is waited on with `poll(2)` when it is full, as a blocking one would be: the guest did not
/// ask for `EAGAIN`.
#[cfg(unix)]
fn write_fd(fd: std::os::fd::BorrowedFd<'_>, bytes: &[u8]) -> Result<(), StreamError> {
    use rustix::io::Errno;
    let mut rest = bytes;
    while !rest.is_empty() {
        match rustix::io::write(fd, rest) {
            Ok(0) => return Err(StreamError::Closed),
            Ok(n) => rest = &rest[n..],
            Err(Errno::INTR) => {}
            Err(Errno::AGAIN) => crate::sockets::poll_wait(fd, rustix::event::PollFlags::OUT, None),
            Err(e) => return Err(std::io::Error::from(e).into()),
        }
    }
    Ok(())
}

/// An input stream with nothing in it: reads report the end at once.
pub struct EmptyInput;

impl InputStream for EmptyInput {
    fn read(&mut self, _: usize) -> Result<Vec<u8>, StreamError> {
        Err(StreamError::Closed)
    }
}

/// An output stream that discards what it is given.
pub struct Sink;

impl OutputStream for Sink {
    fn write(&mut self, _: &[u8]) -> Result<(), StreamError> {
        Ok(())
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }
}

/// In-memory input: the guest reads these bytes, then the end. Clones share the position.
#[derive(Clone)]
pub struct MemoryInputPipe(Arc<Mutex<(Vec<u8>, usize)>>);

impl MemoryInputPipe {
    /// A pipe holding `bytes`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> MemoryInputPipe {
        MemoryInputPipe(Arc::new(Mutex::new((bytes.into(), 0))))
    }
}

impl InputStream for MemoryInputPipe {
    fn read(&mut self, len: usize) -> Result<Vec<u8>, StreamError> {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (bytes, pos) = &mut *g;
        if *pos >= bytes.len() {
            return Err(StreamError::Closed);
        }
        let end = bytes.len().min(*pos + len.min(READ_MAX));
        let out = bytes[*pos..end].to_vec();
        *pos = end;
        Ok(out)
    }
}

/// In-memory output: collects what the guest writes. Clones share the buffer, so the
/// embedder keeps one and reads [`MemoryOutputPipe::contents`] after the guest ran.
#[derive(Clone, Default)]
pub struct MemoryOutputPipe {
    buf: Arc<Mutex<Vec<u8>>>,
    capacity: Option<usize>,
}

impl MemoryOutputPipe {
    /// An unbounded pipe.
    pub fn new() -> MemoryOutputPipe {
        MemoryOutputPipe::default()
    }
    /// A pipe that takes at most `capacity` bytes; writing more fails (the stream is closed).
    pub fn with_capacity(capacity: usize) -> MemoryOutputPipe {
        MemoryOutputPipe {
            buf: Arc::default(),
            capacity: Some(capacity),
        }
    }
    /// What was written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl OutputStream for MemoryOutputPipe {
    fn write(&mut self, bytes: &[u8]) -> Result<(), StreamError> {
        let mut buf = self.buf.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cap) = self.capacity {
            if buf.len() + bytes.len() > cap {
                return Err(StreamError::Closed);
            }
        }
        buf.extend_from_slice(bytes);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }
    fn check_write(&mut self) -> Result<usize, StreamError> {
        match self.capacity {
            None => Ok(DEFAULT_WRITE_BUDGET),
            Some(cap) => {
                let used = self.buf.lock().unwrap_or_else(|e| e.into_inner()).len();
                if used >= cap {
                    Err(StreamError::Closed)
                } else {
                    Ok(cap - used)
                }
            }
        }
    }
}

/// `stream-error` as a value: `closed`, or `last-operation-failed` with a new error resource.
pub(crate) fn stream_error(
    ctx: &mut WasiCtx,
    types: &WasiTypes,
    e: StreamError,
) -> Result<Val, String> {
    let (msg, cause) = match e {
        StreamError::Closed => return Ok(Val::Variant("closed".into(), None)),
        StreamError::Failed(msg) => (msg, None),
        StreamError::Io(msg, cause) => (msg, Some(cause)),
    };
    let rep = ctx.table.push(ErrorEntry(msg, cause))?;
    Ok(Val::Variant(
        "last-operation-failed".into(),
        Some(Box::new(own(types.error, rep))),
    ))
}

/// Converts a stream result into the WIT `result<T, stream-error>`.
fn stream_result<R>(
    ctx: &mut WasiCtx,
    types: &WasiTypes,
    r: Result<R, StreamError>,
) -> Result<Result<R, Val>, String> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(e) => Ok(Err(stream_error(ctx, types, e)?)),
    }
}

/// A pollable for a new table entry, as an own handle.
pub(crate) fn new_pollable(
    ctx: &mut WasiCtx,
    types: &WasiTypes,
    p: Pollable,
) -> Result<Resource, String> {
    let rep = ctx.table.push(p)?;
    Ok(Resource {
        ty: types.pollable,
        rep,
        own: true,
    })
}

fn len_arg(len: u64) -> usize {
    usize::try_from(len).unwrap_or(usize::MAX).min(READ_MAX)
}

fn input(ctx: &mut WasiCtx, r: Resource) -> Result<&mut dyn InputStream, String> {
    Ok(&mut *ctx.table.get_mut::<InputEntry>(r.rep)?.0)
}

fn output(ctx: &mut WasiCtx, r: Resource) -> Result<&mut dyn OutputStream, String> {
    Ok(&mut *ctx.table.get_mut::<OutputEntry>(r.rep)?.0)
}

/// Writes `bytes` after checking them against the stream's budget.
fn checked_write(
    out: &mut dyn OutputStream,
    bytes: &[u8],
) -> Result<Result<(), StreamError>, String> {
    match out.check_write() {
        Ok(n) if bytes.len() > n => Err(format!(
            "the guest wrote {} bytes to an output stream that allowed {n} (`check-write`)",
            bytes.len()
        )),
        Ok(_) => Ok(out.write(bytes)),
        Err(e) => Ok(Err(e)),
    }
}

/// Registers `wasi:io/error`, `wasi:io/poll` and `wasi:io/streams`.
pub(crate) fn add<T: WasiView>(l: &mut Linker<T>, types: &Arc<WasiTypes>) {
    const ERROR: &str = "wasi:io/error@0.2.12";
    const POLL: &str = "wasi:io/poll@0.2.12";
    const STREAMS: &str = "wasi:io/streams@0.2.12";

    l.instance_func_wrap(
        ERROR,
        "[method]error.to-debug-string",
        |t: &mut T, (e,): (Resource,)| Ok(t.wasi().table.get::<ErrorEntry>(e.rep)?.0.clone()),
    );

    l.instance_func_wrap(
        POLL,
        "[method]pollable.ready",
        |t: &mut T, (p,): (Resource,)| {
            Ok(t.wasi()
                .table
                .get::<Pollable>(p.rep)?
                .is_ready(Instant::now()))
        },
    );
    l.func_async(
        POLL,
        "[method]pollable.block",
        Arc::new(|t: &mut T, args: Vec<Val>| {
            Box::pin(async move {
                let rep = resource_arg(&args, 0)?.rep;
                let p = t.wasi().table.get::<Pollable>(rep)?.clone();
                wait_ready(&[p]).await;
                Ok(None)
            })
        }),
    );
    l.func_async(
        POLL,
        "poll",
        Arc::new(|t: &mut T, args: Vec<Val>| {
            Box::pin(async move {
                let Some(Val::List(items)) = args.first() else {
                    return Err("`poll` takes a list of pollables".to_string());
                };
                if items.is_empty() {
                    return Err("`poll` was given an empty list of pollables".to_string());
                }
                let mut pollables = Vec::with_capacity(items.len());
                for item in items {
                    let Val::Resource(r) = item else {
                        return Err("`poll` takes a list of pollables".to_string());
                    };
                    pollables.push(t.wasi().table.get::<Pollable>(r.rep)?.clone());
                }
                let ready = wait_ready(&pollables).await;
                Ok(Some(Val::List(ready.into_iter().map(Val::U32).collect())))
            })
        }),
    );

    // Input streams.
    for (name, blocking) in [
        ("[method]input-stream.read", false),
        ("[method]input-stream.blocking-read", true),
    ] {
        let ty = types.clone();
        l.instance_func_wrap(
            STREAMS,
            name,
            move |t: &mut T, (s, len): (Resource, u64)| {
                let ctx = t.wasi();
                let stream = input(ctx, s)?;
                let len = len_arg(len);
                let r = stream.read_in_place(len).unwrap_or_else(|| {
                    match blocking {
                        true => stream.blocking_read(len),
                        false => stream.read(len),
                    }
                    .map(Bytes::from)
                });
                stream_result(ctx, &ty, r)
            },
        );
    }
    for (name, blocking) in [
        ("[method]input-stream.skip", false),
        ("[method]input-stream.blocking-skip", true),
    ] {
        let ty = types.clone();
        l.instance_func_wrap(
            STREAMS,
            name,
            move |t: &mut T, (s, len): (Resource, u64)| {
                let ctx = t.wasi();
                let stream = input(ctx, s)?;
                let len = len_arg(len);
                let r = if blocking {
                    stream.blocking_read(len)
                } else {
                    stream.read(len)
                };
                let r = r.map(|b| b.len() as u64);
                stream_result(ctx, &ty, r)
            },
        );
    }
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]input-stream.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let p = input(ctx, s)?.pollable();
            new_pollable(ctx, &ty, p)
        },
    );

    // Output streams.
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]output-stream.check-write",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let r = output(ctx, s)?.check_write().map(|n| n as u64);
            stream_result(ctx, &ty, r)
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]output-stream.write",
        move |t: &mut T, (s, bytes): (Resource, Vec<u8>)| {
            let ctx = t.wasi();
            let r = checked_write(output(ctx, s)?, &bytes)?;
            stream_result(ctx, &ty, r)
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]output-stream.blocking-write-and-flush",
        move |t: &mut T, (s, bytes): (Resource, Vec<u8>)| {
            if bytes.len() as u64 > BLOCKING_WRITE_MAX {
                return Err(format!(
                    "`blocking-write-and-flush` was given {} bytes; it takes at most {BLOCKING_WRITE_MAX}",
                    bytes.len()
                ));
            }
            let ctx = t.wasi();
            let out = output(ctx, s)?;
            let r = out.write(&bytes).and_then(|()| out.blocking_flush());
            stream_result(ctx, &ty, r)
        },
    );
    for (name, blocking) in [
        ("[method]output-stream.flush", false),
        ("[method]output-stream.blocking-flush", true),
    ] {
        let ty = types.clone();
        l.instance_func_wrap(STREAMS, name, move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let out = output(ctx, s)?;
            let r = if blocking {
                out.blocking_flush()
            } else {
                out.flush()
            };
            stream_result(ctx, &ty, r)
        });
    }
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]output-stream.subscribe",
        move |t: &mut T, (s,): (Resource,)| {
            let ctx = t.wasi();
            let p = output(ctx, s)?.pollable();
            new_pollable(ctx, &ty, p)
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]output-stream.write-zeroes",
        move |t: &mut T, (s, len): (Resource, u64)| {
            let ctx = t.wasi();
            let zeroes = vec![0u8; usize::try_from(len).map_err(|_| "write-zeroes: too long")?];
            let r = checked_write(output(ctx, s)?, &zeroes)?;
            stream_result(ctx, &ty, r)
        },
    );
    let ty = types.clone();
    l.instance_func_wrap(
        STREAMS,
        "[method]output-stream.blocking-write-zeroes-and-flush",
        move |t: &mut T, (s, len): (Resource, u64)| {
            if len > BLOCKING_WRITE_MAX {
                return Err(format!(
                    "`blocking-write-zeroes-and-flush` was given {len} bytes; it takes at most {BLOCKING_WRITE_MAX}"
                ));
            }
            let ctx = t.wasi();
            let out = output(ctx, s)?;
            let r = out
                .write(&vec![0u8; len as usize])
                .and_then(|()| out.blocking_flush());
            stream_result(ctx, &ty, r)
        },
    );
    for (name, blocking) in [
        ("[method]output-stream.splice", false),
        ("[method]output-stream.blocking-splice", true),
    ] {
        let ty = types.clone();
        l.instance_func_wrap(
            STREAMS,
            name,
            move |t: &mut T, (dst, src, len): (Resource, Resource, u64)| {
                let ctx = t.wasi();
                let budget = match output(ctx, dst)?.check_write() {
                    Ok(n) => n,
                    Err(e) => return stream_result(ctx, &ty, Err(e)),
                };
                let len = len_arg(len).min(budget);
                let stream = input(ctx, src)?;
                let bytes = if blocking {
                    stream.blocking_read(len)
                } else {
                    stream.read(len)
                };
                let r = match bytes {
                    Ok(b) => {
                        let out = output(ctx, dst)?;
                        let w = out.write(&b);
                        let w = if blocking {
                            w.and_then(|()| out.blocking_flush())
                        } else {
                            w
                        };
                        w.map(|()| b.len() as u64)
                    }
                    Err(e) => Err(e),
                };
                stream_result(ctx, &ty, r)
            },
        );
    }
}

/// Argument `i`, which must be a resource handle.
pub(crate) fn resource_arg(args: &[Val], i: usize) -> Result<Resource, String> {
    match args.get(i) {
        Some(Val::Resource(r)) => Ok(*r),
        _ => Err(format!("argument {} is not a resource handle", i + 1)),
    }
}

/// Destructors: the table entry goes with the guest's last own handle.
pub(crate) fn dtor<T: WasiView, E: std::any::Any + Send>() -> weft_runtime::HostDtor<T> {
    Arc::new(|t: &mut T, rep: u32| {
        let _ = t.wasi().table.delete::<E>(rep);
    })
}

/// Registers the resource types of `wasi:io` and returns them.
pub(crate) fn resource_types<T: WasiView>(
    l: &mut Linker<T>,
) -> (ResourceType, ResourceType, ResourceType, ResourceType) {
    let error = l.resource(
        "wasi:io/error@0.2.12",
        "error",
        Some(dtor::<T, ErrorEntry>()),
    );
    let pollable = l.resource(
        "wasi:io/poll@0.2.12",
        "pollable",
        Some(dtor::<T, Pollable>()),
    );
    let input = l.resource(
        "wasi:io/streams@0.2.12",
        "input-stream",
        Some(dtor::<T, InputEntry>()),
    );
    let output = l.resource(
        "wasi:io/streams@0.2.12",
        "output-stream",
        Some(dtor::<T, OutputEntry>()),
    );
    (error, pollable, input, output)
}
