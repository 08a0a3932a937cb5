//! `weft new`: wrap a core module into a component.
//!
//! The world comes from `--wit` or from the module's `component-type*` custom sections. The
//! module's imports and exports are bound to the world by the canonical ABI's naming
//! conventions ([`bind`]). A module that imports from an *adapter* (a core module that
//! implements an old ABI, such as `wasi_snapshot_preview1`, on top of component imports) gets
//! the adapter instantiated beside it: the adapter shares the main module's memory, and its own
//! world's imports and exports join the component's. The preview1 adapter is built in.
//!
//! The component is assembled in [`assemble`]: imports, a *shim* module whose table stands in
//! for functions that cannot exist before the main module does, the main module, adapters, a
//! *fixup* module that fills the table, `_initialize`, and the exports.

mod assemble;
mod bind;
mod builder;
mod gc;
mod live;
mod modules;
mod spaces;

use weft_binary::{Binary, CoreKind, Module, Validation};
use weft_wit::fxhash::{HashMap, HashSet};
use weft_wit::{Resolve, WorldId};

use crate::{Error, Result, StringEncoding};
use bind::Bindings;

/// What `weft new` wraps a module with.
#[derive(Default)]
pub struct NewOptions {
    /// The world, when given with `--wit` (otherwise read from the module's custom sections).
    pub world: Option<(Resolve, WorldId)>,
    /// The string encoding of the module's bindings (otherwise from the custom sections,
    /// UTF-8 by default).
    pub string_encoding: Option<StringEncoding>,
    /// Adapters given by the user: (import module name, adapter module).
    pub adapters: Vec<(String, Vec<u8>)>,
    /// Do not add the built-in preview1 adapter for a `wasi_snapshot_preview1` import.
    pub no_builtin_adapter: bool,
}

/// The import module name of WASI preview1.
pub const PREVIEW1: &str = "wasi_snapshot_preview1";

/// One core module of the component: the main module or an adapter.
pub(crate) struct Unit<'a> {
    /// The adapter's name (the import module name it satisfies); `None` for the main module.
    pub(crate) name: Option<&'a str>,
    pub(crate) module: &'a Module,
    /// The bytes to embed (custom sections stripped; adapters prepared).
    pub(crate) bytes: Vec<u8>,
    pub(crate) world: WorldId,
    pub(crate) bindings: Bindings<'a>,
    pub(crate) encoding: StringEncoding,
}

/// Wraps core module `module` into a component.
pub fn new_component(module: &[u8], opts: NewOptions) -> Result<Vec<u8>> {
    new_component_with(module, opts, WorldSource::Wit)
}

/// Where [`new_component`] reads a built-in adapter's world from, when it reads it ahead.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum WorldSource {
    /// The adapter's WIT ([`builtin_world`]).
    Wit,
    /// The adapter's `component-type` section ([`adapter_world`]); for tests, which check
    /// that both give the same component.
    #[cfg_attr(not(test), allow(dead_code))]
    Bytes,
}

fn new_component_with(module: &[u8], opts: NewOptions, source: WorldSource) -> Result<Vec<u8>> {
    // The input is validated once, fully; what weft derives from it (the module without its
    // world sections, duplicates merged, and adapters after garbage collection) only
    // structurally, since their function bodies are the validated ones, renumbered. The model
    // is read without validation (reading never panics) while the validator runs on one of two
    // threads, and the validator's error is the one reported for an invalid input.
    let validate = || {
        weft_binary::validate(module, Validation::Full).map_err(|e| {
            e.context("invalid core module")
                .context("reading the input")
        })
    };
    let main = match weft_binary::kind(module) {
        weft_binary::Kind::Module => match weft_binary::decode_unvalidated(module) {
            Ok(Binary::Module(m)) => m,
            _ => {
                validate()?;
                decode_core(module, "the input", Validation::Structure)?
            }
        },
        _ => decode_core(module, "the input", Validation::Structure)?,
    };
    // The built-in preview1 adapter, for a module that imports preview1 from no adapter of
    // the user's. A program whose `proc_exit` `weft run` rerouted (`preview1_exit_with_code`)
    // is a preview1 program even when that was its only preview1 import.
    let builtin = (!opts.no_builtin_adapter
        && main
            .imports
            .iter()
            .any(|i| i.module == PREVIEW1 || i.module == crate::exit::EXIT_ADAPTER)
        && !opts.adapters.iter().any(|(n, _)| n == PREVIEW1))
    .then(|| builtin_preview1(&main));
    // Reading the built-in adapter's world (from its WIT, `builtin_world`) is a fifth of the
    // work for a small module. When it is the component's first world (no `--wit`, no world
    // sections in the module), the second thread reads it, hands it over and then validates
    // the input, while this one garbage-collects the adapter and builds the component from
    // the input read without validation (reading never panics, and neither may `build` on an
    // invalid input); otherwise the adapter's world is
    // decoded into the module's world, and the second thread only validates.
    let has_world = main
        .custom_sections
        .iter()
        .any(|c| c.name.starts_with("component-type"));
    let early = builtin.filter(|_| opts.world.is_none() && !has_world);
    std::thread::scope(|scope| {
        let (world_tx, world_rx) = std::sync::mpsc::sync_channel(1);
        let side = scope.spawn(move || {
            if let Some(adapter) = early {
                let mut resolve = Resolve::new();
                let world = match source {
                    WorldSource::Wit => builtin_world(&mut resolve, adapter),
                    WorldSource::Bytes => adapter_world(&mut resolve, PREVIEW1, adapter.bytes),
                };
                // The receiver outlives this thread (both are in the scope).
                let _ = world_tx.send(world.map(|(world, encoding)| (resolve, world, encoding)));
            }
            validate()
        });
        let built = builtin
            .map(|b| prepare_builtin(&main, b))
            .transpose()
            .and_then(|builtin| {
                let world = match early {
                    Some(_) => Some(world_rx.recv().unwrap_or_else(|_| {
                        Err(Error::msg("a worker thread of `weft new` failed"))
                    })?),
                    None => None,
                };
                build(module, main, opts, builtin, world)
            });
        // An invalid input is reported as such, whatever building it did.
        side.join()
            .unwrap_or_else(|_| Err(Error::msg("a worker thread of `weft new` failed")))?;
        built
    })
}

/// The built-in adapter, garbage-collected for a main module: its bytes, the model of the
/// original, and the bytes and model after garbage collection.
struct Builtin {
    bytes: &'static [u8],
    parsed: Module,
    ready: Vec<u8>,
    module: Module,
}

/// Prepares and garbage-collects built-in adapter `bytes` for `main`. What it keeps does not
/// depend on its world (see [`builtin_keep`]), so this needs no world.
fn prepare_builtin(main: &Module, adapter: BuiltinAdapter) -> Result<Builtin> {
    let bytes = adapter.bytes;
    let context = |e: Error| e.context(format!("preparing adapter `{PREVIEW1}`"));
    let Binary::Module(parsed) = weft_binary::decode_unvalidated(bytes).map_err(context)? else {
        return Err(context(Error::msg(
            "the built-in adapter is not a core module",
        )));
    };
    let ready = modules::prepare_adapter(&strip_metadata(bytes)?, &parsed)
        .and_then(|b| gc::gc(&b, &builtin_keep(main, &parsed)))
        .map_err(context)?;
    // The built-in adapters ship with weft and are known to be valid: their structure is
    // checked with the output's.
    let module = match weft_binary::decode_unvalidated(&ready) {
        Ok(Binary::Module(m)) => m,
        _ => decode_core(
            &ready,
            &format!("adapter `{PREVIEW1}`"),
            Validation::Structure,
        )?,
    };
    Ok(Builtin {
        bytes,
        parsed,
        ready,
        module,
    })
}

/// What garbage collection keeps of built-in adapter `adapter`: the functions `main`
/// imports from it, the functions its world exports (interface functions, named
/// `interface#function`, and their `cabi_post_` functions) and its allocators. For the
/// built-in adapters this is what binding their world gives ([`adapter_keep`]; a test checks
/// both agree), known before the world is read.
fn builtin_keep<'a>(main: &'a Module, adapter: &'a Module) -> HashSet<&'a str> {
    let mut keep: HashSet<&str> = main
        .imports
        .iter()
        .filter(|i| i.module == PREVIEW1)
        .map(|i| i.name.as_str())
        .collect();
    keep.extend(
        adapter
            .exports
            .iter()
            .filter(|e| e.kind == CoreKind::Func && e.name.contains('#'))
            .map(|e| e.name.as_str()),
    );
    keep.extend(ALLOCATORS);
    keep
}

/// The allocators an adapter keeps through garbage collection.
const ALLOCATORS: [&str; 3] = ["cabi_import_realloc", "cabi_export_realloc", "cabi_realloc"];

/// What garbage collection keeps of adapter `name`: the functions `main` imports from it,
/// what its world exports (with post-return functions and destructors) and its allocators.
fn adapter_keep<'a>(main: &'a Module, name: &str, bindings: &'a Bindings<'a>) -> HashSet<&'a str> {
    let mut keep: HashSet<&str> = main
        .imports
        .iter()
        .filter(|i| i.module == name)
        .map(|i| i.name.as_str())
        .collect();
    for funcs in bindings.exports.values() {
        for f in funcs {
            keep.insert(f.core_name.as_str());
            keep.extend(f.post_return.as_deref());
        }
    }
    keep.extend(bindings.dtors.values().map(String::as_str));
    keep.extend(ALLOCATORS);
    keep
}

/// Decodes the world of adapter `name` into `resolve`: its world and string encoding.
fn adapter_world(
    resolve: &mut Resolve,
    name: &str,
    bytes: &[u8],
) -> Result<(WorldId, StringEncoding)> {
    match crate::decode::metadata_into(resolve, bytes)
        .map_err(|e| e.context(format!("reading the world of adapter `{name}`")))?
    {
        Some(found) => Ok(found),
        None => Err(Error::msg(format!(
            "adapter `{name}` has no `component-type` custom section naming its world"
        ))
        .with_help("build the adapter with a bindings generator, or `weft embed` its world")),
    }
}

/// A world decoded ahead: the resolve it is in, the world and its string encoding.
type EarlyWorld = (Resolve, WorldId, StringEncoding);

/// [`new_component`] while the input is validated; must not panic on an invalid one.
/// `builtin` is the built-in adapter the module needs, and `early` its world when it was read
/// first.
fn build(
    module: &[u8],
    main: Module,
    opts: NewOptions,
    builtin: Option<Builtin>,
    early: Option<EarlyWorld>,
) -> Result<Vec<u8>> {
    // The module as embedded: without its world sections, and with duplicate imports merged
    // (a component's core module may import each name once).
    let stripped = strip_metadata(module)?;
    let main_bytes = gc::dedupe_imports(&stripped)?;
    // Without duplicates nothing but custom sections changed, which the model does not use.
    let main = if main_bytes.len() == stripped.len() {
        main
    } else {
        decode_core(&main_bytes, "the input", Validation::Structure)?
    };
    let (mut resolve, world, encoding, no_world, early_world) = match (early, opts.world) {
        (Some((mut resolve, adapter_world, adapter_encoding)), _) => {
            let world = empty_world(&mut resolve)?;
            (
                resolve,
                world,
                opts.string_encoding.unwrap_or_default(),
                true,
                Some((adapter_world, adapter_encoding)),
            )
        }
        (None, Some((resolve, world))) => (
            resolve,
            world,
            opts.string_encoding.unwrap_or_default(),
            false,
            None,
        ),
        (None, None) => {
            let (resolve, world, encoding, found) = world_from_module(module)?;
            (
                resolve,
                world,
                opts.string_encoding.unwrap_or(encoding),
                !found,
                None,
            )
        }
    };
    // Without `--wit` and without `component-type` sections the world is empty; binding
    // errors then have one fix.
    let world_hint = |e: Error| {
        if no_world {
            e.with_help(
                "the module has no `component-type` section naming its world: pass the WIT it was built against with `--wit` (and `--world`), or `weft embed` the world into it first",
            )
        } else {
            e
        }
    };

    // Adapters: the user's, then the built-in preview1 adapter if the module needs it; each
    // with its model and, once garbage-collected, its bytes and model.
    type Ready = Option<(Vec<u8>, Module)>;
    let mut adapters: Vec<(&str, &[u8], Option<Module>, Ready)> = opts
        .adapters
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice(), None, None))
        .collect();
    adapters
        .extend(builtin.map(|b| (PREVIEW1, b.bytes, Some(b.parsed), Some((b.ready, b.module)))));
    let mut parsed_adapters = Vec::new();
    for (name, bytes, parsed, ready) in adapters {
        // An adapter is validated after garbage collection, as wit-component does: an adapter
        // may hold code that only becomes valid once what the module does not use is gone
        // (memory instructions in functions no export reaches, say). Until then it is read
        // without validation, which never panics.
        let parsed = match parsed {
            Some(parsed) => parsed,
            None => match weft_binary::kind(bytes) {
                weft_binary::Kind::Module => weft_binary::decode_unvalidated(bytes),
                _ => weft_binary::decode_with(bytes, Validation::Structure),
            }
            .map_err(|e| e.context(format!("reading adapter `{name}`")))
            .and_then(|b| match b {
                Binary::Module(m) => Ok(m),
                Binary::Component(_) => Err(Error::msg(format!(
                    "adapter `{name}` is a component, not a core module"
                ))),
            })?,
        };
        let (adapter_world, adapter_encoding) = match early_world {
            Some(found) if ready.is_some() => found,
            _ => adapter_world(&mut resolve, name, bytes)?,
        };
        // An adapter the module does not import from, and that exports nothing of its own,
        // has no part in the component.
        let used = main.imports.iter().any(|i| i.module == name);
        if !used && resolve.worlds[adapter_world].exports.is_empty() {
            continue;
        }
        parsed_adapters.push((name, bytes, parsed, adapter_world, adapter_encoding, ready));
    }

    // Semver-compatible versions of one interface, imported by the module and its adapters,
    // become one import of the newest.
    let mut worlds = vec![world];
    worlds.extend(parsed_adapters.iter().map(|a| a.3));
    merge_semver_imports(&mut resolve, &worlds);

    // Each of the user's adapters is prepared (its shadow stack), then garbage-collected down
    // to what the main module imports from it and what its world exports, validated and
    // decoded again.
    let special = |m: &str| m == "env" || m == "__main_module__";
    let mut prepared = Vec::new();
    for (name, bytes, parsed, adapter_world, adapter_encoding, ready) in parsed_adapters {
        let (ready, module) = match ready {
            Some(ready) => ready,
            None => {
                let bindings = bind::bind(&resolve, adapter_world, &parsed, &special)
                    .map_err(|e| e.context(format!("binding adapter `{name}` to its world")))?;
                let ready = modules::prepare_adapter(&strip_metadata(bytes)?, &parsed)
                    .and_then(|b| gc::gc(&b, &adapter_keep(&main, name, &bindings)))
                    .map_err(|e| e.context(format!("preparing adapter `{name}`")))?;
                let module = decode_core(&ready, &format!("adapter `{name}`"), Validation::Full)?;
                (ready, module)
            }
        };
        prepared.push((name, ready, module, adapter_world, adapter_encoding));
    }

    let names: Vec<&str> = prepared.iter().map(|(n, ..)| *n).collect();
    let is_adapter = |m: &str| names.contains(&m);
    let mut units = vec![Unit {
        name: None,
        module: &main,
        bytes: main_bytes.clone(),
        world,
        bindings: bind::bind(&resolve, world, &main, &is_adapter)
            .map_err(|e| world_hint(e.context("binding the module to its world")))?,
        encoding,
    }];
    for (name, bytes, module, adapter_world, adapter_encoding) in &prepared {
        // An adapter imports the main module's memory and functions besides its world.
        let bindings = bind::bind(&resolve, *adapter_world, module, &special)
            .map_err(|e| e.context(format!("binding adapter `{name}` to its world")))?;
        units.push(Unit {
            name: Some(name),
            module,
            bytes: bytes.clone(),
            world: *adapter_world,
            bindings,
            encoding: *adapter_encoding,
        });
    }
    check_adapter_imports(&units)?;
    assemble::Assembler::new(&resolve, &units).assemble()
}

/// (namespace, package, interface, semver compatibility track).
type InterfaceTrack = (String, String, String, String);

/// Replaces, in the imports of `worlds`, each interface imported at several semver-compatible
/// versions (`a:b/c@0.1.0` and `a:b/c@0.1.1`) by the newest, when the newest has every type
/// and function of the others. Core imports naming an older version then bind to the newest
/// (binding falls back to a compatible version).
fn merge_semver_imports(resolve: &mut Resolve, worlds: &[WorldId]) {
    use weft_wit::{InterfaceId, WorldItem, WorldKey};
    // (namespace, package, interface, compatibility track) → versions seen.
    let mut groups: indexmap::IndexMap<InterfaceTrack, Vec<(semver::Version, InterfaceId)>> =
        indexmap::IndexMap::new();
    for &w in worlds {
        for key in resolve.worlds[w].imports.keys() {
            let WorldKey::Interface(id) = key else {
                continue;
            };
            let iface = &resolve.interfaces[*id];
            let (Some(pkg), Some(name)) = (iface.package, iface.name.as_ref()) else {
                continue;
            };
            let pkg = &resolve.packages[pkg].name;
            let Some(version) = &pkg.version else {
                continue;
            };
            let track = bind::compat_track(version);
            let entry = groups
                .entry((pkg.namespace.clone(), pkg.name.clone(), name.clone(), track))
                .or_default();
            if !entry.iter().any(|(_, i)| i == id) {
                entry.push((version.clone(), *id));
            }
        }
    }
    let mut replace: HashMap<InterfaceId, InterfaceId> = Default::default();
    for versions in groups.values() {
        let Some((_, newest)) = versions.iter().max_by(|a, b| a.0.cmp(&b.0)) else {
            continue;
        };
        let new = &resolve.interfaces[*newest];
        for (_, old) in versions {
            let o = &resolve.interfaces[*old];
            let superset = o.types.keys().all(|t| new.types.contains_key(t))
                && o.functions.keys().all(|f| new.functions.contains_key(f));
            if old != newest && superset {
                replace.insert(*old, *newest);
            }
        }
    }
    if replace.is_empty() {
        return;
    }
    for &w in worlds {
        let imports = std::mem::take(&mut resolve.worlds[w].imports);
        let mut merged = indexmap::IndexMap::with_capacity(imports.len());
        for (key, item) in imports {
            match (&key, &item) {
                (
                    WorldKey::Interface(id),
                    WorldItem::Interface {
                        stability,
                        docs,
                        span,
                        ..
                    },
                ) if replace.contains_key(id) => {
                    let newest = replace[id];
                    merged
                        .entry(WorldKey::Interface(newest))
                        .or_insert(WorldItem::Interface {
                            id: newest,
                            stability: stability.clone(),
                            docs: docs.clone(),
                            span: *span,
                        });
                }
                _ => {
                    if !merged.contains_key(&key) {
                        merged.insert(key, item);
                    }
                }
            }
        }
        resolve.worlds[w].imports = merged;
    }
}

/// An adapter built into weft: its bytes and, for reading its world, the same world as WIT.
#[derive(Clone, Copy)]
struct BuiltinAdapter {
    bytes: &'static [u8],
    /// The world of the bytes' `component-type` section, printed as WIT (file `file`, named
    /// `world`); the test `builtin_adapter_worlds_are_current` keeps the two in step.
    wit: &'static str,
    file: &'static str,
    world: &'static str,
}

/// The preview1 adapters of `wasi-preview1-component-adapter-provider`.
const PREVIEW1_COMMAND: BuiltinAdapter = BuiltinAdapter {
    bytes: wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    wit: include_str!("new/adapters/preview1-command.wit"),
    file: "weft-component/src/new/adapters/preview1-command.wit",
    world: "command",
};
const PREVIEW1_REACTOR: BuiltinAdapter = BuiltinAdapter {
    bytes: wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
    wit: include_str!("new/adapters/preview1-reactor.wit"),
    file: "weft-component/src/new/adapters/preview1-reactor.wit",
    world: "imports",
};

/// The built-in preview1 adapter: the command adapter for a module that exports `_start`,
/// the reactor adapter otherwise.
fn builtin_preview1(main: &Module) -> BuiltinAdapter {
    let command = main
        .exports
        .iter()
        .any(|e| e.name == "_start" && e.kind == CoreKind::Func);
    if command {
        PREVIEW1_COMMAND
    } else {
        PREVIEW1_REACTOR
    }
}

/// The world of built-in adapter `adapter`, read from its WIT into `resolve`: the world that
/// decoding its `component-type` section gives ([`adapter_world`]), in less than half the
/// instructions (3.2 M against 7 M: decoding validates the section's component type with
/// wasmparser). Its string encoding is UTF-8 (the test checks that too).
fn builtin_world(
    resolve: &mut Resolve,
    adapter: BuiltinAdapter,
) -> Result<(WorldId, StringEncoding)> {
    let failed = |message: String| {
        Error::msg(format!(
            "the world of the built-in adapter `{PREVIEW1}` ({}) does not resolve: {message}",
            adapter.file
        ))
    };
    let pkg = resolve
        .push_str(adapter.file, adapter.wit)
        .map_err(|e| failed(resolve.render_error(&e)))?;
    let world = resolve
        .select_world(pkg, Some(adapter.world))
        .map_err(|e| failed(e.message().to_string()))?;
    Ok((world, StringEncoding::Utf8))
}

/// Every function the main module imports from an adapter must be exported by it.
fn check_adapter_imports(units: &[Unit<'_>]) -> Result<()> {
    let main = &units[0];
    for import in &main.module.imports {
        let Some(adapter) = units[1..]
            .iter()
            .find(|u| u.name == Some(import.module.as_str()))
        else {
            continue;
        };
        if import.kind != CoreKind::Func {
            return Err(Error::msg(format!(
                "core import `{}` `{}` is a {}, but adapters only provide functions",
                import.module,
                import.name,
                import.kind.as_str()
            )));
        }
        let Some(export) = adapter
            .module
            .exports
            .iter()
            .find(|e| e.name == import.name && e.kind == CoreKind::Func)
        else {
            return Err(Error::msg(format!(
                "core import `{}` `{}`: adapter `{}` does not export a function named `{}`",
                import.module, import.name, import.module, import.name
            ))
            .with_help("the module was built for a different version of the adapter's ABI"));
        };
        let expected = import
            .func_type
            .and_then(|t| main.module.func_types.get(t as usize)?.as_ref());
        let actual = adapter
            .module
            .funcs
            .get(export.index as usize)
            .and_then(|t| adapter.module.func_types.get(*t as usize)?.as_ref());
        if expected != actual {
            return Err(Error::msg(format!(
                "core import `{}` `{}` has type {}, but the adapter's export has type {}",
                import.module,
                import.name,
                expected.map(ToString::to_string).unwrap_or_default(),
                actual.map(ToString::to_string).unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// Decodes `bytes` as a core module.
fn decode_core(bytes: &[u8], what: &str, validation: Validation) -> Result<Module> {
    match weft_binary::decode_with(bytes, validation)
        .map_err(|e| e.context(format!("reading {what}")))?
    {
        Binary::Module(m) => Ok(m),
        Binary::Component(_) => Err(Error::msg(format!(
            "{what} is already a component, not a core module"
        ))
        .with_help("`weft new` wraps core modules; inspect this one with `weft inspect`")),
    }
}

/// The world in the module's `component-type*` custom sections, and `true`; or an empty world
/// and `false`.
fn world_from_module(module: &[u8]) -> Result<(Resolve, WorldId, StringEncoding, bool)> {
    match crate::decode_metadata(module)? {
        Some(m) => Ok((m.resolve, m.world, m.string_encoding, true)),
        None => {
            let mut resolve = Resolve::new();
            let world = empty_world(&mut resolve)?;
            Ok((resolve, world, StringEncoding::Utf8, false))
        }
    }
}

/// Adds the empty world of a module without world sections to `resolve`.
fn empty_world(resolve: &mut Resolve) -> Result<WorldId> {
    let pkg = resolve
        .push_str("<empty>", "package root:component;\nworld root {}\n")
        .map_err(|e| Error::msg(e.to_string()))?;
    Ok(resolve.packages[pkg].worlds[0])
}

/// The module without its `component-type*` custom sections (the component carries the
/// world in its own types).
fn strip_metadata(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload?;
        if let wasmparser::Payload::CustomSection(c) = &payload {
            if c.name().starts_with("component-type") {
                continue;
            }
        }
        if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection {
                id,
                data: &module[range],
            });
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests;
