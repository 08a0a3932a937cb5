//! `weft run`: instantiate a component and call one of its functions.
//!
//! `--invoke 'greet("Ada")'` names an export (a top-level function, `instance#function`,
//! wasmtime's `ns:pkg/iface.function@version`, or a function name that only one export
//! has) and its arguments in WAVE; the result is printed in WAVE.

mod net;

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _, Result};
use wasm_wave::untyped::UntypedFuncCall;
use weft_abi::{FuncType, Val};
use weft_runtime::{Component, Engine, EngineOptions, Linker, Store};
use weft_wasi::{DirPerms, FilePerms, WasiCtx, WasiCtxBuilder};

// `weft run`: the command line.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub struct Args {
    /// The component: a `.wasm` binary or `.wat` text.
    component: PathBuf,
    /// Call this export with these arguments, in WAVE: `greet("Ada")`,
    /// `'example:types/torture#echo-u8(42)'`.
    #[arg(long, value_name = "CALL")]
    invoke: Option<String>,
    /// Turn imports the host does not provide into functions that trap when called.
    #[arg(long)]
    stub_missing: bool,
    /// Stop the guest (a trap) after about this many instructions' worth of fuel.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Stop the guest (a trap) after this long, in wasm code or waiting in a WASI call:
    /// `500ms`, `5s`, `2m`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<std::time::Duration>,
    /// Limit each linear memory to this size: `64MiB`, `1GiB`, or bytes.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<usize>,
    /// Compile every core module afresh instead of using the compilation cache
    /// (`$XDG_CACHE_HOME/weft`, or `~/.cache/weft`).
    #[arg(long)]
    no_cache: bool,
    /// Give the guest this environment variable (`NAME=VALUE`, or `NAME` for this
    /// process's value); repeatable.
    #[arg(long, value_name = "NAME[=VALUE]")]
    env: Vec<String>,
    /// Give the guest every environment variable of this process.
    #[arg(long)]
    inherit_env: bool,
    /// Give the guest host directory HOST, as GUEST (by default the same path as written);
    /// repeatable. The guest reaches nothing outside it.
    #[arg(long, value_name = "HOST[::GUEST]")]
    dir: Vec<String>,
    /// Give the guest the network: TCP and UDP sockets bound, connected and sending to
    /// any address, and name lookup. Without it (or the `--allow-…` lists below), creating
    /// a socket or resolving a name is `access-denied`.
    #[arg(long)]
    allow_network: bool,
    /// Let the guest resolve host names (`wasi:sockets/ip-name-lookup`, with this
    /// machine's resolver).
    #[arg(long)]
    allow_ip_name_lookup: bool,
    /// Let the guest connect TCP sockets to HOST:PORT; repeatable. HOST is an IP address
    /// (`[…]` for IPv6), a name (resolved when `weft run` starts; the guest needs
    /// `--allow-ip-name-lookup` to resolve it itself) or `*`; PORT is a number or `*`.
    /// Any of the `--allow-tcp-…`/`--allow-udp-…` lists lets the guest create sockets;
    /// every other address is `access-denied`.
    #[arg(long, value_name = "HOST:PORT")]
    allow_tcp_connect: Vec<String>,
    /// Let the guest bind TCP sockets (to listen, say) to ADDR:PORT; repeatable. Port 0
    /// lets the system pick the port; `*` allows any.
    #[arg(long, value_name = "ADDR:PORT")]
    allow_tcp_bind: Vec<String>,
    /// Let the guest bind UDP sockets to ADDR:PORT (`0.0.0.0:0` for a client's
    /// ephemeral port); repeatable.
    #[arg(long, value_name = "ADDR:PORT")]
    allow_udp_bind: Vec<String>,
    /// Let the guest send UDP datagrams to HOST:PORT (and limit a socket's streams to it);
    /// repeatable.
    #[arg(long, value_name = "HOST:PORT")]
    allow_udp_send: Vec<String>,
    /// Arguments for the program (after `--`).
    #[arg(last = true)]
    args: Vec<String>,
}

impl Args {
    /// Runs `weft run`.
    ///
    /// With `--timeout`, the guest runs on a thread of its own, and this one watches the
    /// clock: the epoch deadline stops wasm code, the deadline raced against the call stops a
    /// guest waiting in an async WASI call (`poll`, `pollable.block`), and a guest still not
    /// done a moment later is blocked in a synchronous WASI call (a `blocking-read` of stdin,
    /// a write to a full pipe): it is reported here, and the process's exit ends that thread.
    pub fn run(self) -> Result<()> {
        let Some(timeout) = self.timeout else {
            return self.run_guest(&|_| {});
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let started = tx.clone();
        std::thread::Builder::new()
            .name("weft-guest".into())
            // As much stack as the main thread has (compiling takes some).
            .stack_size(8 << 20)
            .spawn(move || {
                let result = self.run_guest(&|name| {
                    let _ = started.send(Watch::Started(name.to_string()));
                });
                let _ = tx.send(Watch::Done(result));
            })
            .context("failed to start the guest's thread")?;
        use std::sync::mpsc::RecvTimeoutError;
        let mut deadline: Option<(std::time::Instant, String)> = None;
        loop {
            let message = match &deadline {
                Some((at, _)) => {
                    rx.recv_timeout(at.saturating_duration_since(std::time::Instant::now()))
                }
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match message {
                Ok(Watch::Started(name)) => {
                    deadline = std::time::Instant::now()
                        .checked_add(timeout)
                        .and_then(|at| at.checked_add(TIMEOUT_GRACE))
                        .map(|at| (at, name));
                }
                Ok(Watch::Done(result)) => return result,
                Err(RecvTimeoutError::Timeout) => match deadline {
                    Some((_, name)) => return Err(timed_out(&name)),
                    None => unreachable!("no deadline to wait for"),
                },
                // The thread panicked (and said so on stderr).
                Err(RecvTimeoutError::Disconnected) => {
                    bail!("the guest's thread ended without a result")
                }
            }
        }
    }

    /// Runs the guest on this thread; `started` is told the name of the function about to be
    /// called, once the timeout (if any) is counting.
    fn run_guest(&self, started: &dyn Fn(&str)) -> Result<()> {
        // The flags first: their errors come before any work.
        let ctx = self.wasi_ctx()?;
        let bytes = crate::input::read_wasm(&self.component)?.to_vec();
        // A core module (a preview1 program, say) runs as the component `weft new` makes of
        // it: WASI preview1 through the built-in adapter, over the same WASI 0.2 host.
        let was_module = weft_binary::kind(&bytes) == weft_binary::Kind::Module;
        // Whether the program's `proc_exit` is `exit-with-code`, with its status as it is.
        let mut preview1_exit = false;
        let bytes = if was_module {
            self.check_module(&bytes, &ctx)?;
            // `proc_exit` goes through `wasi:cli/exit.exit-with-code`, so the program's exit
            // status is kept as `wasmtime run` keeps it (the adapter alone makes every
            // non-zero status 1).
            let (module, adapters) = match weft_component::preview1_exit_with_code(&bytes) {
                Ok(Some((module, adapter))) => {
                    preview1_exit = true;
                    (module, vec![adapter])
                }
                _ => (bytes, Vec::new()),
            };
            let options = weft_component::NewOptions {
                adapters,
                ..Default::default()
            };
            weft_component::new_component(&module, options).map_err(|e| {
                // One help line: `weft new`'s, whose flags `weft run` does not have, said as
                // `weft new`'s.
                let what = e.without_help();
                let help = match e.help() {
                    Some(help) => format!("with `weft new` first: {help}"),
                    None => "wrap it with `weft new --wit …` first".to_string(),
                };
                anyhow!(
                    "`{}` is a core module, and making a component of it failed: {what}\n      = help: {help}",
                    self.component.display()
                )
            })?
        } else {
            bytes
        };
        let mut options = if self.no_cache {
            EngineOptions::default()
        } else {
            EngineOptions::with_default_cache()
        };
        options.fuel = self.fuel.is_some();
        options.timeouts = self.timeout.is_some();
        let engine = Engine::with_options(&options)?;
        let component = with_progress(&self.component, bytes.len(), || {
            Component::new(&engine, &bytes)
        })
        .with_context(|| format!("failed to load `{}`", self.component.display()))?;
        if was_module && component.exports().is_empty() {
            // (A module with WIT world sections that exports none of its functions.)
            return Err(nothing_to_run(&self.component));
        }
        let mut linker: Linker<WasiCtx> = Linker::new();
        weft_wasi::add_to_linker(&mut linker);
        linker.stub_missing(self.stub_missing);
        let mut store = Store::new(&engine, ctx);
        if let Some(fuel) = self.fuel {
            store.set_fuel(fuel)?;
        }
        if let Some(bytes) = self.max_memory {
            store.set_max_memory(bytes);
        }
        // What to call, and with what: `--invoke`'s call, or the command's `wasi:cli/run`.
        let (name, call) = match &self.invoke {
            Some(invoke) => {
                let (name, args) = self.parse_invoke(&component, invoke)?;
                (name, Some((invoke.as_str(), args)))
            }
            None => match command_export(&component) {
                Some(name) => (name, None),
                None => {
                    let example = component
                        .exports()
                        .first()
                        .map(|(name, ty)| format!("{name}({})", example_args(ty)))
                        .unwrap_or_else(|| "NAME(ARGS)".to_string());
                    bail!(
                        "`{}` is not a command: it does not export `wasi:cli/run`; call one of its functions instead\n      = help: weft run --invoke '{example}' {}",
                        self.component.display(),
                        self.component.display()
                    );
                }
            },
        };
        // The guest runs on this thread; WASI's timers and blocking calls wait on tokio.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start the async runtime")?;
        // The time limit counts from here: instantiating (start functions, `_initialize`)
        // and the call.
        let deadline = match self.timeout {
            Some(timeout) => {
                store.set_timeout(timeout)?;
                std::time::Instant::now().checked_add(timeout)
            }
            None => None,
        };
        started(&name);
        let result = rt.block_on(async {
            let instance = linker
                .instantiate_async(&mut store, &component)
                .await
                .map_err(|e| self.instantiate_error(e))?;
            let func = instance
                .func(&store, &name)
                .ok_or_else(|| anyhow!("no function `{name}`"))?;
            let args = match &call {
                Some((invoke, (shift, wave))) => {
                    let parsed = UntypedFuncCall::parse(wave)
                        .map_err(|e| anyhow!("`--invoke`: {}", e.kind()))?;
                    let ty = func.ty().clone();
                    let types: Vec<_> = ty.params.iter().map(|(_, t)| t).collect();
                    parsed
                        .to_wasm_params(types)
                        .map_err(|e| bad_arguments(invoke, *shift, &name, &ty, &e))?
                }
                None => Vec::new(),
            };
            let call = func.call_async(&mut store, &args);
            // wasm code is stopped by the epoch deadline (a trap with a backtrace); a guest
            // waiting in an async host function, by this.
            match deadline {
                Some(at) => match tokio::time::timeout_at(at.into(), call).await {
                    Ok(result) => anyhow::Ok(result),
                    Err(_) => Err(timed_out(&name)),
                },
                None => anyhow::Ok(call.await),
            }
        })?;
        let _ = std::io::Write::flush(&mut std::io::stdout());
        if let Some(code) = store.data().exit_code() {
            // As wasmtime runs preview1 programs: statuses from 126 up (which shells reserve
            // for "not executable", "not found" and signals) are refused, exit 1. A component
            // calling `exit-with-code` itself keeps any status, as under wasmtime.
            if preview1_exit && code >= 126 {
                let status = match code {
                    255 => "255 (or more, or negative)".to_string(),
                    _ => code.to_string(),
                };
                bail!("the program called `proc_exit` with status {status}, outside 0..126: statuses from 126 up are reserved by shells, so weft exits with 1, as wasmtime does");
            }
            // `wasi:cli/exit`: the trap that ended the guest is how it exits, not an error.
            return exit_with(code);
        }
        match result {
            Ok(v) if call.is_some() => match v {
                Some(v) => println!("{}", weft_abi::print_val(&v)),
                // As `wasmtime run --invoke` prints a function without results.
                None => println!("()"),
            },
            // `wasi:cli/run.run` returns `result`: an error is exit status 1, said by the guest.
            Ok(Some(Val::Result(Err(_)))) => return exit_with(1),
            Ok(_) => {}
            Err(e) => {
                if let weft_runtime::ErrorKind::Trap {
                    backtrace: Some(bt),
                    ..
                } = e.kind()
                {
                    bail!("{e}\nwasm backtrace:\n{bt}");
                }
                bail!("{e}");
            }
        }
        Ok(())
    }

    /// Refuses, with the reason, a core module `weft run` cannot run: one that neither
    /// imports WASI preview1 nor embeds a WIT world, a preview1 reactor (no `_start`, and
    /// exports without WIT types), a preview1 module that does not export its memory, and a
    /// preview1 program given more arguments and environment than the preview1 adapter holds.
    fn check_module(&self, bytes: &[u8], ctx: &WasiCtx) -> Result<()> {
        let (mut preview1, mut world, mut start, mut memory) = (false, false, false, false);
        // Whether the program reads its arguments or environment: the adapter fetches them
        // only for `args_*` and `environ_*`, and drops those imports otherwise.
        let (mut reads_args, mut reads_env) = (false, false);
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            // An invalid module is reported by `new_component`, with its offset.
            let Ok(payload) = payload else { return Ok(()) };
            match payload {
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports().flatten() {
                        if import.module == "wasi_snapshot_preview1" {
                            preview1 = true;
                            reads_args |= import.name.starts_with("args_");
                            reads_env |= import.name.starts_with("environ_");
                        }
                    }
                }
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader.into_iter().flatten() {
                        match (export.name, export.kind) {
                            ("_start", wasmparser::ExternalKind::Func) => start = true,
                            ("memory", wasmparser::ExternalKind::Memory) => memory = true,
                            _ => {}
                        }
                    }
                }
                wasmparser::Payload::CustomSection(c) => {
                    world |= c.name().starts_with("component-type")
                }
                _ => {}
            }
        }
        let path = self.component.display();
        if !preview1 && !world {
            return Err(nothing_to_run(&self.component));
        }
        if preview1 && !memory {
            bail!("`{path}` imports WASI preview1 but does not export its memory: preview1 modules must export their linear memory as `memory`");
        }
        if preview1 && !start && !world {
            bail!("`{path}` is a WASI preview1 reactor (it exports no `_start`): it has no command to run, and its exports have no WIT types for `--invoke` to call them with\n      = help: give it the WIT world of its exports: `weft new {path} --wit WORLD.wit --world WORLD -o component.wasm` (or `weft embed` the world into it), then run the component");
        }
        if preview1 {
            check_preview1_sizes(ctx, reads_args, reads_env)?;
        }
        Ok(())
    }

    /// The guest's WASI context: its arguments (the component's file name first), the
    /// environment it was given, and this process's stdio.
    fn wasi_ctx(&self) -> Result<WasiCtx> {
        let mut b = WasiCtxBuilder::new()
            .inherit_stdio()
            .args(std::iter::once(program_name(&self.component)).chain(self.args.iter().cloned()));
        if self.inherit_env {
            b = b.inherit_env();
            // WASI's environment is strings: say which variables could not be passed on.
            let left_out: Vec<String> = std::env::vars_os()
                .filter(|(k, v)| k.to_str().is_none() || v.to_str().is_none())
                .map(|(k, _)| k.to_string_lossy().into_owned())
                .collect();
            if !left_out.is_empty() {
                eprintln!(
                    "warning: `--inherit-env` leaves out {} that {} not UTF-8: {}",
                    if left_out.len() == 1 {
                        "a variable"
                    } else {
                        "variables"
                    },
                    if left_out.len() == 1 { "is" } else { "are" },
                    crate::output::printable(&left_out.join(", "))
                );
            }
        }
        // Each guest path once: two directories at one path would leave it to the guest's
        // libc which one a path under it is resolved in.
        let mut guests: Vec<(&str, &str)> = Vec::new();
        for spec in &self.dir {
            // As wasmtime's `--dir`: `HOST::GUEST`, or `HOST` seen by the guest as itself.
            let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
            if guest.is_empty() {
                return Err(crate::usage(format!(
                    "`--dir {spec}`: the guest path is empty\n      = help: name the directory the guest sees, e.g. `--dir {host}::/`"
                )));
            }
            if let Some((first, _)) = guests.iter().find(|(_, g)| *g == guest) {
                return Err(crate::usage(format!(
                    "`--dir {spec}`: guest path `{guest}` is already given by `--dir {first}`\n      = help: give each directory its own guest path"
                )));
            }
            guests.push((spec, guest));
            b = b
                .preopened_dir(host, guest, DirPerms::all(), FilePerms::all())
                .map_err(|e| anyhow!("`--dir {spec}`: cannot open directory `{host}`: {e}"))?;
        }
        // A later `--env` replaces an earlier one and an inherited variable
        // (`WasiCtxBuilder::env`).
        for kv in &self.env {
            let (name, value) = match kv.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (kv.as_str(), None),
            };
            if name.is_empty() {
                return Err(crate::usage(format!(
                    "`--env {kv}`: the variable's name is empty\n      = help: write `--env NAME=VALUE`, or `--env NAME` for this process's value"
                )));
            }
            b = match value {
                Some(v) => b.env(name, v),
                // `--env NAME` passes this process's value, as wasmtime does.
                None => match std::env::var(name) {
                    Ok(v) => b.env(name, v),
                    Err(std::env::VarError::NotPresent) => bail!("`--env {kv}`: this process has no environment variable `{kv}`\n      = help: give its value: `--env {kv}=VALUE`"),
                    Err(std::env::VarError::NotUnicode(_)) => bail!("`--env {kv}`: the value of this process's environment variable `{kv}` is not UTF-8, and WASI's environment is strings\n      = help: give its value: `--env {kv}=VALUE`"),
                },
            };
        }
        let mut patterns = Vec::new();
        for (flag, specs, uses) in [
            (
                "allow-tcp-connect",
                &self.allow_tcp_connect,
                net::TCP_CONNECT,
            ),
            ("allow-tcp-bind", &self.allow_tcp_bind, net::TCP_BIND),
            ("allow-udp-bind", &self.allow_udp_bind, net::UDP_BIND),
            ("allow-udp-send", &self.allow_udp_send, net::UDP_SEND),
        ] {
            for spec in specs {
                patterns.push(net::parse(flag, spec, uses)?);
            }
        }
        let b = net::grant(b, self.allow_network, self.allow_ip_name_lookup, patterns);
        Ok(b.build())
    }

    /// `--invoke`'s export name (resolved against the component's exports) and its
    /// arguments as a WAVE call `f(…)` that parses (typing them needs the instance), with
    /// the shift from its positions to `invoke`'s.
    fn parse_invoke(
        &self,
        component: &Component,
        invoke: &str,
    ) -> Result<(String, (usize, String))> {
        // WAVE's call syntax has no `#` in names; the name (everything before the first `(`)
        // is taken as written and only the arguments are parsed as WAVE, as `f(…)`, with
        // error positions moved back to `invoke`'s.
        let name_end = invoke.find('(').unwrap_or(invoke.len());
        let (written_name, args_text) = invoke.split_at(name_end);
        let shift = name_end.saturating_sub(1);
        let wave = format!("f{args_text}");
        UntypedFuncCall::parse(&wave).map_err(|e| {
            let span = e.span();
            let start = (span.start + shift).min(invoke.len());
            anyhow!(
                "`--invoke` is not a WAVE function call: {}\n  {invoke}\n  {}{}\n      = help: write the call as `name(arg, …)`, e.g. `greet(\"Ada\")`",
                e.kind(),
                " ".repeat(invoke[..start].chars().count()),
                "^".repeat(span.end.saturating_sub(span.start).max(1))
            )
        })?;
        if written_name.trim().is_empty() {
            bail!("`--invoke {invoke}` names no function\n      = help: write the call as `name(arg, …)`, e.g. `greet(\"Ada\")`");
        }
        let name = component.resolve_export(written_name.trim_end())?;
        Ok((name, (shift, wave)))
    }

    /// The message for a failed instantiation.
    fn instantiate_error(&self, e: weft_runtime::Error) -> anyhow::Error {
        match e.kind() {
            weft_runtime::ErrorKind::MissingImports(_) => anyhow!("{e}\n      = help: `weft run` provides the WASI 0.2 interfaces and nothing else; pass `--stub-missing` to instantiate anyway, with each of these trapping when called"),
            weft_runtime::ErrorKind::Trap { backtrace, .. } => {
                let backtrace = backtrace
                    .as_deref()
                    .map(|b| format!("\nwasm backtrace:\n{b}"))
                    .unwrap_or_default();
                anyhow!(
                    "instantiating `{}` trapped (in a start function or `_initialize`): {}{backtrace}",
                    self.component.display(),
                    e.message()
                )
            }
            _ => anyhow!("{e}"),
        }
    }
}

/// What the preview1 adapter (wasmtime 48's, which `weft run` wraps preview1 programs with)
/// holds of a program's arguments and environment, measured (`rust-wasi-args` and
/// `rust-wasi-env` of the fixtures, comparing every output): about 2100 to 2600 arguments,
/// 1700 variables, or 50 to 60 KiB of them, each string counting its bytes and 16 (an
/// argument) or 24 (a variable) more. Beyond, the adapter's fixed buffers overflow: the
/// program traps, or worse, reads corrupted arguments. The limits here are below what was
/// measured.
const PREVIEW1_MAX_ARGS: usize = 2048;
const PREVIEW1_MAX_VARS: usize = 1500;
const PREVIEW1_MAX_BYTES: usize = 48 * 1024;

/// Refuses arguments and environment larger than the preview1 adapter holds, counting only
/// those the program reads (`reads_args`, `reads_env`: it imports `args_*`, `environ_*`).
fn check_preview1_sizes(ctx: &WasiCtx, reads_args: bool, reads_env: bool) -> Result<()> {
    let args = if reads_args { ctx.args() } else { &[] };
    let env = if reads_env { ctx.env() } else { &[] };
    let bytes: usize = args.iter().map(|a| a.len() + 16).sum::<usize>()
        + env
            .iter()
            .map(|(k, v)| k.len() + v.len() + 24)
            .sum::<usize>();
    if args.len() > PREVIEW1_MAX_ARGS || env.len() > PREVIEW1_MAX_VARS || bytes > PREVIEW1_MAX_BYTES
    {
        bail!(
            "too many arguments or environment variables for a WASI preview1 program: {} arguments and {} variables, {} KiB as weft counts them; preview1 programs run through the preview1 adapter, which holds at most about {PREVIEW1_MAX_ARGS} arguments, {PREVIEW1_MAX_VARS} variables, or {} KiB\n      = help: pass fewer or shorter ones, or build the program for WASI 0.2 (a component; e.g. Rust's `wasm32-wasip2` target), which has no such limit",
            args.len(),
            env.len(),
            bytes.div_ceil(1024),
            PREVIEW1_MAX_BYTES / 1024
        );
    }
    Ok(())
}

/// The error for a core module `weft run` finds nothing to run in.
fn nothing_to_run(path: &std::path::Path) -> anyhow::Error {
    let path = path.display();
    anyhow!("`{path}` is a core module with nothing to run: it neither imports WASI preview1 nor embeds a WIT world\n      = help: wrap it with its world first: `weft new {path} --wit WORLD.wit -o component.wasm`")
}

/// What the guest's thread tells the thread watching the time limit.
enum Watch {
    /// The time limit is counting, for a call of this function.
    Started(String),
    /// The guest's run is over.
    Done(Result<()>),
}

/// How long after the time limit a guest blocked in a synchronous host call is given up on
/// (by then, wasm code would have been interrupted, at the epoch timer's resolution).
const TIMEOUT_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// The error for a guest stopped by `--timeout` while it waited in a WASI call (in wasm
/// code, the runtime's trap says the same, with a backtrace).
fn timed_out(name: &str) -> anyhow::Error {
    anyhow!("`{name}` trapped: interrupted: the time limit ran out (while waiting in a WASI call)")
}

/// The guest's `argv[0]`: the component's file name, as `wasmtime run` gives it (the host's
/// directories are none of the guest's business).
fn program_name(path: &std::path::Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// The guest asked to exit with `code`: the CLI exits with it, printing nothing.
#[derive(Debug)]
pub struct GuestExit(pub u8);

impl std::fmt::Display for GuestExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the guest exited with status {}", self.0)
    }
}

impl std::error::Error for GuestExit {}

fn exit_with(code: u8) -> Result<()> {
    if code == 0 {
        Ok(())
    } else {
        Err(GuestExit(code).into())
    }
}

/// The `run` function of the component's `wasi:cli/run@0.2.x` export, if it has one.
fn command_export(component: &Component) -> Option<String> {
    component
        .exports()
        .into_iter()
        .map(|(name, _)| name)
        .find(|name| {
            name.strip_prefix("wasi:cli/run@0.2.")
                .is_some_and(|rest| rest.ends_with("#run") || rest.ends_with(".run"))
        })
}

/// Example arguments of the right types, for the help line.
fn example_args(ty: &FuncType) -> String {
    ty.params
        .iter()
        .map(|(_, t)| example_val(t))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A WAVE value of type `t`, for examples.
fn example_val(t: &weft_abi::Type) -> String {
    use weft_abi::Type;
    match t {
        Type::Bool => "true".into(),
        Type::S8
        | Type::U8
        | Type::S16
        | Type::U16
        | Type::S32
        | Type::U32
        | Type::S64
        | Type::U64 => "1".into(),
        Type::F32 | Type::F64 => "1.5".into(),
        Type::Char => "'x'".into(),
        Type::String => "\"hello\"".into(),
        Type::List(e) => format!("[{}]", example_val(e)),
        Type::FixedList(e, n) => format!("[{}]", vec![example_val(e); *n as usize].join(", ")),
        Type::Map(kv) => format!("[({}, {})]", example_val(&kv.0), example_val(&kv.1)),
        Type::Record(r) => format!(
            "{{{}}}",
            r.fields
                .iter()
                .map(|(n, t)| format!("{n}: {}", example_val(t)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Tuple(ts) => format!(
            "({})",
            ts.iter().map(example_val).collect::<Vec<_>>().join(", ")
        ),
        Type::Variant(v) => match v.cases.first() {
            Some((n, Some(t))) => format!("{n}({})", example_val(t)),
            Some((n, None)) => n.clone(),
            None => "_".into(),
        },
        Type::Enum(e) => e.cases.first().cloned().unwrap_or_default(),
        Type::Option(e) => format!("some({})", example_val(e)),
        Type::Result(r) => match &r.ok {
            Some(t) => format!("ok({})", example_val(t)),
            None => "ok".into(),
        },
        Type::Flags(f) => format!("{{{}}}", f.names.first().cloned().unwrap_or_default()),
        Type::Own(_) | Type::Borrow(_) => "_".into(),
    }
}

/// The error for `--invoke` arguments that do not fit: the call with a caret under the
/// offending text, the parameter it was meant for and its type.
fn bad_arguments(
    invoke: &str,
    shift: usize,
    name: &str,
    ty: &FuncType,
    e: &wasm_wave::parser::ParserError,
) -> anyhow::Error {
    let span = e.span();
    let span = span.start + shift..span.end + shift;
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    let kind = e.kind();
    let param = param_at(invoke, span.start).and_then(|i| ty.params.get(i));
    let expected = match param {
        Some((p, t)) => format!("expected `{p}: {t}`"),
        None => String::new(),
    };
    let start = span.start.min(invoke.len());
    let width = span.end.saturating_sub(span.start).max(1);
    let caret = format!(
        "{}{} {expected}",
        " ".repeat(invoke[..start].chars().count()),
        "^".repeat(width)
    );
    anyhow!(
        "invalid arguments for `{name}`: {kind}{detail}\n  {invoke}\n  {}\n      = help: `{name}` is `{ty}`",
        caret.trim_end()
    )
}

/// Which parameter the text at byte `at` of a WAVE call belongs to: the number of
/// top-level commas between the call's `(` and `at`.
fn param_at(call: &str, at: usize) -> Option<usize> {
    let open = call.find('(')?;
    if at <= open {
        return None;
    }
    let (mut depth, mut index, mut quoted, mut escaped) = (0i32, 0usize, false, false);
    for (i, c) in call.char_indices().skip_while(|(i, _)| *i <= open) {
        if i >= at {
            break;
        }
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => index += 1,
            _ => {}
        }
    }
    Some(index)
}

/// `500ms`, `5s`, `2m`, `1h`, or seconds.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write e.g. `500ms`, `5s` or `2m`"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{text}`: use ms, s, m or h"
            ))
        }
    };
    std::time::Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

/// `64MiB`, `1GiB`, `512KiB` (or `K`, `M`, `G`, `KB`, `MB`, `GB`, all powers of 1024), or bytes.
fn parse_size(text: &str) -> Result<usize, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: usize = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write e.g. `64MiB` or `1GiB`"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{text}`: use KiB, MiB or GiB"
            ))
        }
    };
    value
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Runs `work` (compiling a component), showing on a terminal stderr how long it has taken
/// once it takes more than a moment; nothing when stderr is not a terminal.
fn with_progress<R>(path: &std::path::Path, size: usize, work: impl FnOnce() -> R) -> R {
    use std::io::{IsTerminal as _, Write as _};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let start = Instant::now();
            let mut shown = false;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let elapsed = start.elapsed();
                if elapsed < Duration::from_millis(300) || done.load(Ordering::Relaxed) {
                    continue;
                }
                shown = true;
                let _ = write!(
                    std::io::stderr(),
                    "\r\x1b[2K  compiling {} ({:.1} MiB)… {:.1}s",
                    path.display(),
                    size as f64 / (1024.0 * 1024.0),
                    elapsed.as_secs_f64()
                );
            }
            if shown {
                // Clear the line for what comes next.
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        result
    })
}
