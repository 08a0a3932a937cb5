//! weft's WASI 0.2 host.
//!
//! [`add_to_linker`] registers every interface of WASI 0.2.12 (`wasi:cli`, `wasi:io`,
//! `wasi:clocks`, `wasi:random`, `wasi:filesystem`, `wasi:sockets`) with a
//! [`weft_runtime::Linker`]; a component importing any 0.2.x version links against them
//! (the runtime matches imports semver-compatibly). The guest's view of the world — its
//! arguments, environment, stdio, directories, network — is a [`WasiCtx`], built with a
//! [`WasiCtxBuilder`]: everything is denied unless granted, and a denied operation is the
//! interface's error code, not a trap.
//!
//! The modules, one per package: `cli` (arguments, environment, exit, stdio, terminals),
//! [`io`] (errors, pollables, streams), `clocks`, `random`, `filesystem` (preopened
//! directories, granted with [`WasiCtxBuilder::preopened_dir`], on cap-std: a guest's paths
//! never leave its directories), and `sockets` (TCP, UDP and name lookup on the host's
//! sockets, granted with [`WasiCtxBuilder::allow_network`],
//! [`WasiCtxBuilder::socket_addr_check`] and [`WasiCtxBuilder::allow_ip_name_lookup`]).
//!
//! Host resources (streams, pollables, errors, descriptors, sockets) live in one [`Table`]
//! per context, under generation-checked representations.
//!
//! ```
//! use weft_runtime::{Component, Engine, Linker, Store};
//! use weft_wasi::{MemoryOutputPipe, WasiCtx, WasiCtxBuilder};
//!
//! let engine = Engine::new()?;
//! let mut linker: Linker<WasiCtx> = Linker::new();
//! weft_wasi::add_to_linker(&mut linker);
//! let stdout = MemoryOutputPipe::new();
//! let ctx = WasiCtxBuilder::new()
//!     .args(["prog", "--flag"])
//!     .stdout(stdout.clone())
//!     .build();
//! let mut store = Store::new(&engine, ctx);
//! # let _ = (&mut store, &linker);
//! // let instance = linker.instantiate(&mut store, &component)?; ...
//! # Ok::<(), weft_runtime::Error>(())
//! ```

/// Declares `ErrorCode`, the enum of an interface's WIT `error-code`: its doc comment, then each
/// case with its WIT name. `name` gives a case's WIT name and `val` the case as a value.
macro_rules! error_codes {
    ($(#[$doc:meta])* $($case:ident = $name:literal,)*) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum ErrorCode {
            $($case,)*
        }

        impl ErrorCode {
            /// The case's WIT name.
            fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$case => $name,)*
                }
            }

            /// The case as a value.
            fn val(self) -> weft_runtime::Val {
                weft_runtime::Val::Enum(self.name().into())
            }
        }
    };
}

mod cli;
mod clocks;
mod filesystem;
pub mod io;
mod random;
mod rt;
mod sockets;
pub mod table;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use weft_runtime::{Linker, Resource, ResourceType, Val};

pub use filesystem::{DirPerms, FilePerms};
pub use io::{
    EmptyInput, InputStream, MemoryInputPipe, MemoryOutputPipe, OutputStream, Sink, StreamError,
};
pub use sockets::SocketAddrUse;
pub use table::Table;

/// The WASI state of one store: what the guest may see and do, and its host resources.
pub struct WasiCtx {
    /// The host resources the guest holds handles to.
    pub table: Table,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: Option<String>,
    stdin: Stdio<dyn Fn() -> Box<dyn InputStream> + Send + Sync>,
    stdout: Stdio<dyn Fn() -> Box<dyn OutputStream> + Send + Sync>,
    stderr: Stdio<dyn Fn() -> Box<dyn OutputStream> + Send + Sync>,
    random: RandomSource,
    insecure: XorShift,
    insecure_seed: (u64, u64),
    wall_clock: Arc<dyn WallClock>,
    monotonic_clock: Arc<dyn MonotonicClock>,
    exit_code: Option<u8>,
    preopens: Vec<filesystem::Preopen>,
    network: sockets::Policy,
}

/// One of the standard streams: how to open it, and whether it is a terminal.
struct Stdio<F: ?Sized> {
    open: Arc<F>,
    terminal: bool,
}

/// The host's data type for WASI host functions: a store's data that holds a [`WasiCtx`].
pub trait WasiView: Send + 'static {
    /// The WASI state.
    fn wasi(&mut self) -> &mut WasiCtx;
}

impl WasiView for WasiCtx {
    fn wasi(&mut self) -> &mut WasiCtx {
        self
    }
}

impl WasiCtx {
    /// The guest's arguments.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The guest's environment variables.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The status the guest asked to exit with (`wasi:cli/exit`), once it did: the call that
    /// exited then fails with a trap whose message says so.
    pub fn exit_code(&self) -> Option<u8> {
        self.exit_code
    }
}

/// The message of the trap that ends a guest calling `wasi:cli/exit`.
pub const EXIT_MESSAGE: &str = "the guest exited (wasi:cli/exit)";

/// A wall clock (`wasi:clocks/wall-clock`).
pub trait WallClock: Send + Sync {
    /// Time since the Unix epoch.
    fn now(&self) -> Duration;
    /// The clock's resolution.
    fn resolution(&self) -> Duration;
}

/// A monotonic clock (`wasi:clocks/monotonic-clock`).
pub trait MonotonicClock: Send + Sync {
    /// Nanoseconds since an arbitrary start, never decreasing.
    fn now(&self) -> u64;
    /// The clock's resolution in nanoseconds.
    fn resolution(&self) -> u64;
    /// The instant at which [`MonotonicClock::now`] reaches `when`, for timers.
    fn instant_of(&self, when: u64) -> Instant;
}

/// The host's clocks.
struct SystemClocks {
    start: Instant,
}

impl WallClock for SystemClocks {
    fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
    }
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
}

impl MonotonicClock for SystemClocks {
    fn now(&self) -> u64 {
        self.start.elapsed().as_nanos().min(u64::MAX as u128) as u64
    }
    fn resolution(&self) -> u64 {
        1
    }
    fn instant_of(&self, when: u64) -> Instant {
        // Far-future deadlines saturate instead of overflowing `Instant`.
        self.start
            .checked_add(Duration::from_nanos(when))
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(60 * 60 * 24 * 365 * 30))
    }
}

/// Where `wasi:random/random` gets its bytes.
enum RandomSource {
    /// The operating system's secure generator.
    Os,
    /// A deterministic generator (tests and reproducible runs only).
    Seeded(XorShift),
}

/// xorshift64*: the insecure generator, and the deterministic "secure" one for tests.
#[derive(Clone, Debug)]
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

fn os_u64() -> u64 {
    let mut b = [0u8; 8];
    // The OS generator does not fail on the platforms weft runs on; a fixed fallback keeps
    // the insecure generator going if it ever does.
    if getrandom::fill(&mut b).is_err() {
        return 0x853c_49e6_748f_ea9b;
    }
    u64::from_le_bytes(b)
}

/// Builds a [`WasiCtx`]. Nothing is granted by default: no arguments, no environment,
/// empty stdin, discarded stdout and stderr, no directories, no network, no name lookup.
pub struct WasiCtxBuilder {
    ctx: WasiCtx,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    /// A builder that grants nothing.
    pub fn new() -> WasiCtxBuilder {
        let clocks = Arc::new(SystemClocks {
            start: Instant::now(),
        });
        WasiCtxBuilder {
            ctx: WasiCtx {
                table: Table::new(),
                args: Vec::new(),
                env: Vec::new(),
                cwd: None,
                stdin: Stdio {
                    open: Arc::new(|| Box::new(EmptyInput) as Box<dyn InputStream>),
                    terminal: false,
                },
                stdout: Stdio {
                    open: Arc::new(|| Box::new(Sink) as Box<dyn OutputStream>),
                    terminal: false,
                },
                stderr: Stdio {
                    open: Arc::new(|| Box::new(Sink) as Box<dyn OutputStream>),
                    terminal: false,
                },
                random: RandomSource::Os,
                insecure: XorShift::new(os_u64()),
                insecure_seed: (os_u64(), os_u64()),
                wall_clock: clocks.clone(),
                monotonic_clock: clocks,
                exit_code: None,
                preopens: Vec::new(),
                network: sockets::Policy::default(),
            },
        }
    }

    /// The guest's arguments (`wasi:cli/environment.get-arguments`), the program name first
    /// by convention.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.ctx.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// One environment variable for the guest. A variable of the same name given before
    /// (here or by [`WasiCtxBuilder::inherit_env`]) takes this value, so the guest never sees
    /// a name twice: the last value given wins, as with `env X=1 X=2 cmd`.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_env(key.into(), value.into());
        self
    }

    /// Every environment variable of this process (those whose names and values are
    /// Unicode) for the guest, each replacing the value of one of the same name given
    /// before.
    pub fn inherit_env(mut self) -> Self {
        for (k, v) in std::env::vars_os() {
            if let (Ok(k), Ok(v)) = (k.into_string(), v.into_string()) {
                self.set_env(k, v);
            }
        }
        self
    }

    /// Sets `key` to `value`: in place if the guest already has `key`, else at the end.
    fn set_env(&mut self, key: String, value: String) {
        match self.ctx.env.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.ctx.env.push((key, value)),
        }
    }

    /// What `wasi:cli/environment.initial-cwd` says (nothing by default).
    pub fn initial_cwd(mut self, cwd: impl Into<String>) -> Self {
        self.ctx.cwd = Some(cwd.into());
        self
    }

    /// The guest's stdin reads `stream` (clones share it: use a [`MemoryInputPipe`]).
    pub fn stdin<S: InputStream + Clone + Sync + 'static>(mut self, stream: S) -> Self {
        self.ctx.stdin = Stdio {
            open: Arc::new(move || Box::new(stream.clone()) as Box<dyn InputStream>),
            terminal: false,
        };
        self
    }

    /// The guest's stdout writes to `stream` (a [`MemoryOutputPipe`], say).
    pub fn stdout<S: OutputStream + Clone + Sync + 'static>(mut self, stream: S) -> Self {
        self.ctx.stdout = Stdio {
            open: Arc::new(move || Box::new(stream.clone()) as Box<dyn OutputStream>),
            terminal: false,
        };
        self
    }

    /// The guest's stderr writes to `stream`.
    pub fn stderr<S: OutputStream + Clone + Sync + 'static>(mut self, stream: S) -> Self {
        self.ctx.stderr = Stdio {
            open: Arc::new(move || Box::new(stream.clone()) as Box<dyn OutputStream>),
            terminal: false,
        };
        self
    }

    /// The guest's stdin, stdout and stderr are this process's.
    pub fn inherit_stdio(mut self) -> Self {
        use std::io::IsTerminal;
        self.ctx.stdin = Stdio {
            open: Arc::new(|| Box::new(io::Stdin) as Box<dyn InputStream>),
            terminal: std::io::stdin().is_terminal(),
        };
        self.ctx.stdout = Stdio {
            open: Arc::new(|| Box::new(io::Stdout) as Box<dyn OutputStream>),
            terminal: std::io::stdout().is_terminal(),
        };
        self.ctx.stderr = Stdio {
            open: Arc::new(|| Box::new(io::Stderr) as Box<dyn OutputStream>),
            terminal: std::io::stderr().is_terminal(),
        };
        self
    }

    /// `wasi:random/random` from a deterministic generator seeded with `seed` — for tests
    /// and reproducible runs only: the bytes are predictable.
    pub fn insecure_deterministic_random(mut self, seed: u64) -> Self {
        self.ctx.random = RandomSource::Seeded(XorShift::new(seed));
        self.ctx.insecure = XorShift::new(seed ^ 0x5555_5555_5555_5555);
        self.ctx.insecure_seed = (seed, seed.rotate_left(32));
        self
    }

    /// The wall clock the guest sees.
    pub fn wall_clock(mut self, clock: impl WallClock + 'static) -> Self {
        self.ctx.wall_clock = Arc::new(clock);
        self
    }

    /// The monotonic clock the guest sees.
    pub fn monotonic_clock(mut self, clock: impl MonotonicClock + 'static) -> Self {
        self.ctx.monotonic_clock = Arc::new(clock);
        self
    }

    /// Gives the guest host directory `host_path` as `guest_path`
    /// (`wasi:filesystem/preopens`), with `perms` for it and the directories under it and
    /// `file_perms` for the files under it. Fails when the directory cannot be opened.
    pub fn preopened_dir(
        mut self,
        host_path: impl AsRef<std::path::Path>,
        guest_path: impl Into<String>,
        perms: DirPerms,
        file_perms: FilePerms,
    ) -> Result<Self, std::io::Error> {
        let p = filesystem::preopen(host_path.as_ref(), guest_path.into(), perms, file_perms)?;
        self.ctx.preopens.push(p);
        Ok(self)
    }

    /// Grants the guest the network (`yes`): it may create TCP and UDP sockets and bind,
    /// connect and send to any address. `false` takes the grant back (with any
    /// [`WasiCtxBuilder::socket_addr_check`]): creating a socket is then `access-denied`.
    /// Name lookup is granted separately, with [`WasiCtxBuilder::allow_ip_name_lookup`].
    pub fn allow_network(mut self, yes: bool) -> Self {
        self.ctx.network.check = match yes {
            true => Some(Arc::new(|_, _| true)),
            false => None,
        };
        self
    }

    /// Grants the guest the network as far as `check` allows: it may create sockets, and
    /// each address it binds, connects or sends a datagram to is put to `check` with what
    /// it is for; a refusal is `access-denied`. Replaces [`WasiCtxBuilder::allow_network`]'s
    /// grant (and the other way round).
    ///
    /// ```
    /// use weft_wasi::{SocketAddrUse, WasiCtxBuilder};
    ///
    /// // Connections to one local service, nothing else.
    /// let ctx = WasiCtxBuilder::new()
    ///     .socket_addr_check(|addr, use_| {
    ///         use_ == SocketAddrUse::TcpConnect && addr == "127.0.0.1:5432".parse().unwrap()
    ///     })
    ///     .build();
    /// # let _ = ctx;
    /// ```
    pub fn socket_addr_check(
        mut self,
        check: impl Fn(SocketAddr, SocketAddrUse) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.ctx.network.check = Some(Arc::new(check));
        self
    }

    /// Lets the guest resolve names (`wasi:sockets/ip-name-lookup`, with the host's
    /// resolver); denied by default (`access-denied`).
    pub fn allow_ip_name_lookup(mut self, yes: bool) -> Self {
        self.ctx.network.name_lookup = yes;
        self
    }

    /// The context.
    pub fn build(self) -> WasiCtx {
        self.ctx
    }
}

/// The resource types the host defines, as the linker numbered them.
pub(crate) struct WasiTypes {
    pub error: ResourceType,
    pub pollable: ResourceType,
    pub input_stream: ResourceType,
    pub output_stream: ResourceType,
    pub terminal_input: ResourceType,
    pub terminal_output: ResourceType,
    pub descriptor: ResourceType,
    pub directory_entry_stream: ResourceType,
}

/// An own handle of host resource `rep` of type `ty`, as a value.
pub(crate) fn own(ty: ResourceType, rep: u32) -> Val {
    Val::Resource(Resource { ty, rep, own: true })
}

/// Registers every WASI 0.2.12 interface weft implements with `linker`.
pub fn add_to_linker<T: WasiView>(linker: &mut Linker<T>) {
    let (error, pollable, input_stream, output_stream) = io::resource_types(linker);
    let (terminal_input, terminal_output) = cli::resource_types(linker);
    let (descriptor, directory_entry_stream) = filesystem::resource_types(linker);
    let types = Arc::new(WasiTypes {
        error,
        pollable,
        input_stream,
        output_stream,
        terminal_input,
        terminal_output,
        descriptor,
        directory_entry_stream,
    });
    io::add(linker, &types);
    cli::add(linker, &types);
    clocks::add(linker, &types);
    random::add(linker);
    sockets::add(linker, &types);
    filesystem::add(linker, &types);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variable given twice is listed once, with the last value, where it was first given.
    #[test]
    fn env_given_twice_keeps_the_last_value() {
        let ctx = WasiCtxBuilder::new()
            .env("X", "1")
            .env("Y", "y")
            .env("X", "2")
            .build();
        assert_eq!(
            ctx.env,
            [
                ("X".to_string(), "2".to_string()),
                ("Y".to_string(), "y".to_string())
            ]
        );
    }

    /// An explicit variable after `inherit_env` replaces the inherited one (`PATH` is set in
    /// any environment the tests run in).
    #[test]
    fn env_after_inherit_env_replaces_the_inherited_value() {
        assert!(std::env::var("PATH").is_ok(), "the tests need `PATH` set");
        let ctx = WasiCtxBuilder::new()
            .inherit_env()
            .env("PATH", "/guest/bin")
            .build();
        let paths: Vec<_> = ctx.env.iter().filter(|(k, _)| k == "PATH").collect();
        assert_eq!(paths, [&("PATH".to_string(), "/guest/bin".to_string())]);
        let mut names: Vec<_> = ctx.env.iter().map(|(k, _)| k).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "a name listed twice");
    }
}
