//! weft's component runtime.
//!
//! A component is translated once ([`Component::new`]): validated, every nested component
//! inlined, and reduced to an instantiation *plan* (core instantiations, lowered and lifted
//! functions, resource types), with its core modules compiled by wasmtime's core engine.
//! Instantiating ([`Linker::instantiate`]) runs the plan against a [`Store`]; calling an
//! export ([`Func::call`]) lowers [`Val`]s into the guest and lifts the results back through
//! the canonical ABI of [`weft_abi`].
//!
//! ```
//! use weft_runtime::{Engine, Component, Linker, Store, Val};
//!
//! let wat = r#"(component
//!     (core module $m (func (export "add") (param i32 i32) (result i32)
//!         local.get 0 local.get 1 i32.add))
//!     (core instance $i (instantiate $m))
//!     (func (export "add") (param "a" u32) (param "b" u32) (result u32)
//!         (canon lift (core func $i "add"))))"#;
//! let engine = Engine::new()?;
//! let component = Component::new(&engine, &wat::parse_str(wat).unwrap())?;
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new().instantiate(&mut store, &component)?;
//! let add = instance.func(&store, "add").unwrap();
//! assert_eq!(add.call(&mut store, &[Val::U32(2), Val::U32(3)])?, Some(Val::U32(5)));
//! # Ok::<(), weft_runtime::Error>(())
//! ```

mod adapter;
mod cache;
mod call;
mod error;
mod handles;
mod inline;
mod instance;
mod linker;
mod translate;
pub mod typed;

use std::sync::Arc;

pub use error::{Error, ErrorKind, Result};
pub use instance::{Func, Instance, Store, TypedFunc};
pub use linker::{HostDtor, HostFunc, HostFuncAsync, Linker};
pub use weft_abi::{FuncType, Resource, ResourceType, Type, Val};

/// How an [`Engine`] compiles.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Keep compiled core modules on disk, keyed by their content and the engine's settings,
    /// in this directory (absolute). `None`: compile every time.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Count fuel, so that stores can be given a budget ([`Store::set_fuel`]). Costs some
    /// speed.
    pub fuel: bool,
    /// Interrupt guests at deadlines ([`Store::set_timeout`]): one timer thread per engine
    /// advances its epoch.
    pub timeouts: bool,
    /// Compile an adapter for each call from one component instance into another of the same
    /// component whose types allow it (no resources, UTF-8 strings on both sides), instead of
    /// going through the host (see ARCHITECTURE.md). Calls are the same either way, only
    /// faster; the default is on unless the environment has `WEFT_COMPILED_ADAPTERS=0`, which
    /// compares the two.
    pub compiled_adapters: bool,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            cache_dir: None,
            fuel: false,
            timeouts: false,
            compiled_adapters: std::env::var_os("WEFT_COMPILED_ADAPTERS")
                .is_none_or(|v| v != "0" && v != "false"),
        }
    }
}

impl EngineOptions {
    /// The options `weft` uses: the cache under the user's cache directory
    /// (`$XDG_CACHE_HOME/weft` or `~/.cache/weft`), when there is one.
    pub fn with_default_cache() -> EngineOptions {
        EngineOptions {
            cache_dir: default_cache_dir(),
            ..EngineOptions::default()
        }
    }
}

/// `$XDG_CACHE_HOME/weft`, else `$HOME/.cache/weft`; `None` without either (or when
/// they are not absolute).
pub fn default_cache_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| std::path::PathBuf::from(h).join(".cache"))
                .filter(|p| p.is_absolute())
        })?;
    Some(base.join("weft"))
}

/// Compiles and runs components: wasmtime's core engine with weft's settings.
#[derive(Clone)]
pub struct Engine {
    inner: wasmtime::Engine,
    /// Where compiled modules are kept, if anywhere.
    cache: Option<Arc<cache::ModuleCache>>,
    /// The epoch timer, started by the first store given a timeout.
    ticker: Arc<std::sync::OnceLock<()>>,
    fuel: bool,
    timeouts: bool,
    compiled_adapters: bool,
}

/// How often the epoch timer ticks: the resolution of timeouts.
pub(crate) const TICK: std::time::Duration = std::time::Duration::from_millis(10);

impl Engine {
    /// Starts this engine's epoch timer if it is not running: one thread for all its stores,
    /// which ends with the process.
    pub(crate) fn start_ticker(&self) {
        self.ticker.get_or_init(|| {
            let engine = self.inner.weak();
            std::thread::Builder::new()
                .name("weft-epoch".into())
                .spawn(move || loop {
                    std::thread::sleep(TICK);
                    match engine.upgrade() {
                        Some(e) => e.increment_epoch(),
                        None => return,
                    }
                })
                .map(|_| ())
                .unwrap_or(())
        });
    }
}

impl Engine {
    /// An engine with the default settings and no compilation cache.
    pub fn new() -> Result<Engine> {
        Engine::with_options(&EngineOptions::default())
    }

    /// An engine with `options`.
    pub fn with_options(options: &EngineOptions) -> Result<Engine> {
        let mut config = wasmtime::Config::new();
        config.wasm_multi_memory(true);
        config.consume_fuel(options.fuel);
        config.epoch_interruption(options.timeouts);
        let inner = wasmtime::Engine::new(&config).map_err(|e| Error::msg(format!("{e:#}")))?;
        let cache = options
            .cache_dir
            .as_deref()
            .map(|dir| Arc::new(cache::ModuleCache::new(dir, &inner)));
        Ok(Engine {
            inner,
            cache,
            ticker: Arc::new(std::sync::OnceLock::new()),
            fuel: options.fuel,
            timeouts: options.timeouts,
            compiled_adapters: options.compiled_adapters,
        })
    }
}

/// A component, translated into its instantiation plan, with its core modules compiled.
#[derive(Clone)]
pub struct Component {
    pub(crate) inner: Arc<ComponentInner>,
}

pub(crate) struct ComponentInner {
    pub(crate) engine: Engine,
    pub(crate) plan: inline::Plan,
    /// Compiled core modules, by static module index; `None` for modules the plan never
    /// instantiates.
    pub(crate) modules: Vec<Option<wasmtime::Module>>,
    /// The compiled adapters of calls between its component instances.
    pub(crate) adapters: adapter::Adapters,
}

impl Component {
    /// Validates, translates and compiles component `bytes` (binary).
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Component> {
        let translation = translate::translate(bytes)?;
        let plan = inline::inline(&translation)?;
        // Every module is compiled, instantiated or not: compiling validates its function
        // bodies, which translation leaves to wasmtime. The modules compile at the same time
        // (each also compiles its functions in parallel), so that no core idles while a small
        // module waits for a large one.
        let compile = |m: &translate::StaticModule| {
            let module = &bytes[m.range.clone()];
            let fresh = || wasmtime::Module::from_binary(&engine.inner, module);
            match &engine.cache {
                Some(cache) => cache.get_or_compile(&engine.inner, module, fresh),
                None => fresh(),
            }
            .map(Some)
            .map_err(|e| {
                let message = format!("{e:#}");
                if message.contains("proposal not enabled") {
                    return Error::unsupported(format!(
                        "a core wasm proposal weft does not enable ({message})"
                    ));
                }
                Error::new(
                    ErrorKind::Binary {
                        offset: Some(m.range.start),
                    },
                    format!(
                        "invalid core module at offset {:#x}: {message}",
                        m.range.start
                    ),
                )
            })
        };
        let modules: Vec<Option<wasmtime::Module>> = match translation.modules.as_slice() {
            [] => Vec::new(),
            [one] => vec![compile(one)?],
            many => std::thread::scope(|scope| {
                let handles: Vec<_> = many[1..]
                    .iter()
                    .map(|m| scope.spawn(move || compile(m)))
                    .collect();
                let mut out = vec![compile(&many[0])];
                for h in handles {
                    out.push(
                        h.join()
                            .unwrap_or_else(|_| Err(Error::msg("compiling a core module failed"))),
                    );
                }
                out.into_iter().collect::<Result<Vec<_>>>()
            })?,
        };
        // The adapters of calls between component instances (adapter.rs), compiled and cached
        // as the core modules are.
        let adapters = match engine.compiled_adapters {
            true => adapter::compile(&plan, &|module: &[u8]| {
                let fresh = || wasmtime::Module::from_binary(&engine.inner, module);
                match &engine.cache {
                    Some(cache) => cache.get_or_compile(&engine.inner, module, fresh),
                    None => fresh(),
                }
            }),
            false => adapter::Adapters::default(),
        };
        Ok(Component {
            inner: Arc::new(ComponentInner {
                engine: engine.clone(),
                plan,
                modules,
                adapters,
            }),
        })
    }

    /// How many of the component's lowerings call another of its component instances through a
    /// compiled adapter rather than through the host ([`EngineOptions::compiled_adapters`]).
    pub fn compiled_adapters(&self) -> usize {
        self.inner.adapters.len()
    }

    /// The component's imports: name and, for functions, their type (instances list their
    /// functions as `instance#function`).
    pub fn imports(&self) -> Vec<(String, Option<FuncType>)> {
        let mut out = Vec::new();
        for (name, shape) in &self.inner.plan.imports {
            list_shape(name, shape, &mut out);
        }
        out
    }

    /// The full name of the exported function `name` names: a top-level function,
    /// `instance#function` or `instance.function`, wasmtime's `ns:pkg/iface.function@version`,
    /// or a function name only one export has. The error lists the exports.
    pub fn resolve_export(&self, name: &str) -> Result<String> {
        let exports = self.exports();
        let has = |full: &str| exports.iter().any(|(n, _)| n == full);
        if has(name) {
            return Ok(name.to_string());
        }
        let mut candidates: Vec<String> = Vec::new();
        // The function follows the first `.` after the interface's `/` (versions have dots).
        let start = name.rfind('/').map_or(0, |i| i + 1);
        if let Some(dot) = name[start..].find('.').map(|i| start + i) {
            let (instance, func) = (&name[..dot], &name[dot + 1..]);
            candidates.push(format!("{instance}#{func}"));
            // `ns:pkg/iface.func@1.0.0` is `ns:pkg/iface@1.0.0#func`.
            if let Some((func, version)) = func.split_once('@') {
                candidates.push(format!("{instance}@{version}#{func}"));
            }
        }
        if let Some(found) = candidates.iter().find(|c| has(c)) {
            return Ok(found.clone());
        }
        // An interface named at another, semver-compatible version (`@0.1.1` for an export of
        // `@0.1.0`), as wasmtime resolves it.
        for c in &candidates {
            if let Some(found) = compatible_export(&exports, c) {
                return Ok(found);
            }
        }
        let by_short: Vec<&String> = exports
            .iter()
            .map(|(n, _)| n)
            .filter(|n| n.rsplit_once('#').is_some_and(|(_, f)| f == name))
            .collect();
        let list = || {
            exports
                .iter()
                .map(|(n, t)| format!("\n  {n}: {t}"))
                .collect::<String>()
        };
        match by_short.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::new(
                ErrorKind::Arguments,
                if exports.is_empty() {
                    format!("no function `{name}`: the component exports no functions")
                } else {
                    format!("no function `{name}`; the component exports:{}", list())
                },
            )),
            many => Err(Error::new(
                ErrorKind::Arguments,
                format!(
                    "`{name}` is ambiguous: it could be {}; use the full name",
                    many.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )),
        }
    }

    /// The component's exported functions: full name (`name` or `instance#function`) and type.
    pub fn exports(&self) -> Vec<(String, FuncType)> {
        let mut out = Vec::new();
        for (name, export) in &self.inner.plan.exports {
            list_export(name, export, &mut out);
        }
        out
    }
}

/// The export `ns:pkg/iface@V#f` for `name` = `ns:pkg/iface@W#f` with `V` semver-compatible
/// with `W` (the newest such).
fn compatible_export(exports: &[(String, FuncType)], name: &str) -> Option<String> {
    let (instance, func) = name.rsplit_once('#')?;
    let (base, version) = instance.rsplit_once('@')?;
    let wanted = semver::Version::parse(version).ok()?;
    let mut best: Option<(semver::Version, &String)> = None;
    for (full, _) in exports {
        let Some((i, f)) = full.rsplit_once('#') else {
            continue;
        };
        let Some((b, v)) = i.rsplit_once('@') else {
            continue;
        };
        let Ok(have) = semver::Version::parse(v) else {
            continue;
        };
        if f == func
            && b == base
            && linker::compatible(&wanted, &have)
            && best.as_ref().is_none_or(|(v, _)| have > *v)
        {
            best = Some((have, full));
        }
    }
    best.map(|(_, n)| n.clone())
}

fn list_shape(
    name: &str,
    shape: &translate::ImportShape,
    out: &mut Vec<(String, Option<FuncType>)>,
) {
    match shape {
        translate::ImportShape::Func(ty) => out.push((name.to_string(), Some(ty.clone()))),
        translate::ImportShape::Instance(items) => {
            for (n, s) in items {
                if let translate::ImportShape::Func(ty) = s {
                    out.push((format!("{name}#{n}"), Some(ty.clone())));
                }
            }
        }
        _ => out.push((name.to_string(), None)),
    }
}

fn list_export(name: &str, export: &inline::Export, out: &mut Vec<(String, FuncType)>) {
    match export {
        inline::Export::Func(_, ty) => out.push((name.to_string(), (**ty).clone())),
        inline::Export::Instance(items) => {
            for (n, e) in items {
                if let inline::Export::Func(_, ty) = e {
                    out.push((format!("{name}#{n}"), (**ty).clone()));
                }
            }
        }
        _ => {}
    }
}
