//! `weft inspect FILE [--json]`: what a binary is and what it needs, for a person or a tool.
//!
//! The input is a component, a core module or a WIT package encoded as a component, in binary
//! or text (`.wat`) form. The facts come from two decoders: `weft_binary` (the structure:
//! imports and exports by name, core modules, canonical functions, resources, producers) and
//! `weft_component` (the WIT view: the world a component implements, with signatures).
//!
//! * A **component** shows its imports and exports with WIT signatures (interfaces by their
//!   full name, one line per function), the WASI interfaces it imports and exports grouped by
//!   package and version, its core modules (size, memories, producers, where their imports
//!   come from), the string encodings of its lifts and lowers, and its resources.
//! * A **core module** says that it is not a component, lists its imports (grouped by module
//!   name) and exports with core signatures, its memories, producers and custom sections, the
//!   world of its `component-type` sections if it has any, and the `weft new` line that wraps
//!   it.
//! * A **WIT package** lists its interfaces and worlds.
//!
//! With `--graph`, a component's instance graph instead, as Graphviz DOT (`inspect/graph.rs`),
//! or SVG with `--svg` when Graphviz's `dot` is installed.
//!
//! Errors (not WebAssembly, truncated, invalid) are the decoders' messages under
//! ``failed to inspect `FILE` ``.
//!
//! # `--json`
//!
//! One JSON object, pretty-printed. Keys are never left out: a missing value is `null` or an
//! empty array. New keys may be added; existing ones keep their meaning.
//!
//! Every report has:
//!
//! * `file` (string, as given), `size` (bytes of the binary), `text` (bool: the file was
//!   WebAssembly text, and `size` is that of the binary it compiles to);
//! * `kind`: `"component"`, `"core-module"` or `"wit-package"`.
//!
//! A **WIT item** (an import or export of a world) is an object with `name` (the import or
//! export name, e.g. `wasi:cli/stdout@0.2.3` or `greet`) and `kind`:
//!
//! * `"interface"`: `interface` (the full name `ns:pkg/name@version`, or `null` for an
//!   interface written inline in the world), `functions` (array of `{name, signature}`, where
//!   `name` is `f`, `res.method`, or `res` for a constructor, and `signature` is the WIT after
//!   `name: `, e.g. `func(x: u32) -> string`), `resources` (array of resource names defined in
//!   it);
//! * `"function"`: `signature`;
//! * `"type"`: `resource` (bool).
//!
//! A **core module** object has `path` (`#0`, `#1`, … for the modules of the component, and
//! `c0/#1` for module 1 of nested component 0; `null` at the top level), `size`, `name` (from
//! the `name` section, or `null`), `memories` (array of `{initial, maximum, memory64, shared,
//! import}` with sizes in pages, `maximum` and `import` (`"module.name"`) possibly `null`),
//! `producers` (array of `{field, name, version}`), `imports` (array of `{module, name, kind,
//! type}`), `exports` (array of `{name, kind, type}`), where `kind` is `func`, `table`,
//! `memory`, `global` or `tag` and `type` is a function's core type (`(func (param i32))`) or
//! `null`, and `custom_sections` (array of `{name, size}`).
//!
//! A `"component"` report adds:
//!
//! * `world`: the decoded world's name (`root:component/root`), or `null` when the WIT view
//!   could not be decoded, in which case `wit_error` holds why (else `null`) and `imports` and
//!   `exports` are `{name, kind}` with the binary's kinds (`instance`, `func`, `type`, …);
//! * `imports`, `exports`: arrays of WIT items;
//! * `wasi`: `{imports, exports}`, each an array of `{package, version, interfaces}` for the
//!   imported (exported) interfaces of packages in the `wasi` namespace (`package` is
//!   `wasi:cli`, `version` a string or `null`, `interfaces` the sorted interface names);
//! * `core_modules`: every core module, nested components' too, depth first;
//! * `components`: how many components are nested in it (at any depth);
//! * `canon`: `{lifts, lowers, async, string_encodings, resource_builtins, other_builtins}`:
//!   counts of `canon lift` and `canon lower` (in nested components too), how many of them
//!   are `async`, an object from encoding (`utf8`, `utf16`, `latin1+utf16`) to
//!   `{lifts, lowers}` counting those with a `memory` option (strings cross only through
//!   memory, so the encoding of the others is moot), the number of `resource.new/drop/rep`, and the names of any other
//!   built-ins (`task.return`, …);
//! * `resources`: `{defined, exported, imported}`: the number of resource types the
//!   component (and its nested components) define, and arrays of `{interface, name}` for the
//!   resources of exported and imported interfaces (`interface` is `null` for a world-level
//!   resource import);
//! * `producers`: the component's own `producers` section.
//!
//! A `"core-module"` report adds the core module fields (`path` is `null`), and:
//!
//! * `start`: whether it has a start function;
//! * `component_type`: `null` without `component-type` custom sections, else
//!   `{world, string_encoding, imports, exports, error}` (`world` is `ns:pkg/name@version`;
//!   if the sections are malformed, `error` says why and the others are `null` or empty);
//! * `wrap`: `{command, adapter}`: the `weft new` command line that wraps the module, and
//!   `"command"` or `"reactor"` when it imports `wasi_snapshot_preview1` (the built-in
//!   preview1 adapter of that kind is used, command when `_start` is exported), else `null`.
//!
//! A `"wit-package"` report adds `package` (`ns:name@version`), `interfaces` (array of
//! `{name, id, functions, resources}`), `worlds` (array of `{name, id, imports, exports}` with
//! WIT items), and `dependencies` (names of the other packages it uses, sorted).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _, Result};
use serde_json::{json, Value};
use weft_binary::{
    Binary, Canon, Component, CoreKind, Kind, Memory, Module, Producer, StringEncoding,
};
use weft_component::Decoded;
use weft_wit::{
    FunctionKind, InterfaceId, PackageId, Resolve, TypeDefKind, WorldId, WorldItem, WorldKey,
};

mod graph;

// `weft inspect`: the command line.
// (Not a doc comment: clap would make it the subcommand's `about`, replacing the one
// `main.rs` gives, since subcommands' arguments are built late, `defer`.)
#[derive(clap::Args)]
pub struct Args {
    /// The file: a component, a core module or a binary WIT package (`.wasm`), or
    /// WebAssembly text (`.wat`).
    file: PathBuf,
    /// Print JSON for tools instead (the schema is in `weft inspect`'s module docs).
    #[arg(long, conflicts_with = "graph")]
    json: bool,
    /// Print the component's instance graph instead, as Graphviz DOT: its imports, the
    /// instances it creates and its exports, with an edge for each instantiation argument.
    #[arg(long)]
    graph: bool,
    /// With `--graph`: render it to SVG with Graphviz's `dot`, which must be installed.
    #[arg(long, requires = "graph")]
    svg: bool,
}

impl Args {
    /// Runs `weft inspect`.
    pub fn run(self) -> Result<()> {
        let shown = self.file.display().to_string();
        let bytes = crate::input::read(&self.file)?;
        if self.graph {
            let dot = graph_of(&self.file, &bytes)
                .with_context(|| format!("failed to inspect `{shown}`"))?;
            let out = match self.svg {
                true => svg(&dot)?,
                false => dot.into_bytes(),
            };
            return crate::output::write_stdout(&out);
        }
        let report =
            inspect(&self.file, &bytes).with_context(|| format!("failed to inspect `{shown}`"))?;
        let text = match self.json {
            true => {
                let mut s = serde_json::to_string_pretty(&report.to_json())?;
                s.push('\n');
                s
            }
            // Names come from the binary: no escape sequences reach the terminal.
            false => crate::output::printable(&report.render()).into_owned(),
        };
        crate::output::write_stdout(text.as_bytes())
    }
}

// ---- the graph ----------------------------------------------------------------------------

/// `--graph`: the instance graph of the component in `bytes`, as DOT.
fn graph_of(path: &Path, bytes: &[u8]) -> Result<String> {
    let wasm = match weft_binary::kind(bytes) {
        Kind::Text => crate::input::parse_text(path, bytes)?,
        _ => bytes.to_vec(),
    };
    match weft_binary::decode_with(&wasm, weft_binary::Validation::Structure)
        .map_err(|e| anyhow!("{e}"))?
    {
        Binary::Component(c) => Ok(graph::dot(&c, &wasm, &path.display().to_string())),
        Binary::Module(_) => Err(anyhow!(
            "`--graph` shows how a component's instances are wired, and this is a core module\n      \
             = help: `weft inspect` without `--graph` lists its imports and exports"
        )),
    }
}

/// DOT → SVG with Graphviz's `dot`.
fn svg(dot: &str) -> Result<Vec<u8>> {
    use std::process::{Command, Stdio};
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(anyhow!(
                "`--svg` needs Graphviz's `dot`, which is not on PATH\n      \
                 = help: install Graphviz (`apt install graphviz`, `brew install graphviz`), or \
                 leave out `--svg` and render the DOT yourself"
            ))
        }
        Err(e) => return Err(e).context("failed to run Graphviz's `dot`"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(dot.as_bytes())
            .context("failed to write to Graphviz's `dot`")?;
    }
    let out = child
        .wait_with_output()
        .context("failed to run Graphviz's `dot`")?;
    if !out.status.success() {
        return Err(anyhow!(
            "Graphviz's `dot -Tsvg` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

// ---- the report ---------------------------------------------------------------------------

/// Everything `weft inspect` says about a file.
struct Report {
    file: String,
    size: usize,
    text: bool,
    body: Body,
}

enum Body {
    Component(ComponentReport),
    Module(ModuleReport),
    Package(PackageReport),
}

struct ComponentReport {
    /// The WIT view, or why there is none.
    wit: Result<WitWorld, String>,
    /// The binary's own import and export names and kinds (shown when there is no WIT view).
    raw_imports: Vec<(String, &'static str)>,
    raw_exports: Vec<(String, &'static str)>,
    modules: Vec<ModuleInfo>,
    nested_components: usize,
    canon: CanonStats,
    resources_defined: u32,
    producers: Vec<Producer>,
}

struct ModuleReport {
    info: ModuleInfo,
    start: bool,
    /// `None` without `component-type` sections; `Some(Err)` when they are malformed.
    component_type: Option<Result<(WitWorld, StringEncoding), String>>,
    wrap_command: String,
    adapter: Option<&'static str>,
    /// Import module names other than preview1's, which need a world to be wrapped.
    other_import_modules: Vec<String>,
}

struct PackageReport {
    name: String,
    interfaces: Vec<(String, String, WitInterface)>,
    worlds: Vec<(String, String, WitWorld)>,
    dependencies: Vec<String>,
}

/// A world's imports and exports, as WIT.
struct WitWorld {
    name: String,
    imports: Vec<WitItem>,
    exports: Vec<WitItem>,
}

struct WitItem {
    name: String,
    body: WitBody,
}

enum WitBody {
    Interface(WitInterface),
    Function(String),
    Type { resource: bool },
}

struct WitInterface {
    /// `ns:pkg/name@version`, or `None` for an inline interface.
    id: Option<String>,
    /// `ns` and `ns:pkg` with version, for grouping WASI interfaces.
    package: Option<(String, String, Option<String>)>,
    /// The interface's own name.
    short: Option<String>,
    functions: Vec<(String, String)>,
    resources: Vec<String>,
}

/// A core module, flattened for display.
struct ModuleInfo {
    path: Option<String>,
    size: usize,
    name: Option<String>,
    memories: Vec<Memory>,
    producers: Vec<Producer>,
    /// `(module, name, kind, core type)`.
    imports: Vec<(String, String, &'static str, Option<String>)>,
    /// `(name, kind, core type)`.
    exports: Vec<(String, &'static str, Option<String>)>,
    custom_sections: Vec<(String, usize)>,
}

#[derive(Default)]
struct CanonStats {
    lifts: usize,
    lowers: usize,
    is_async: usize,
    /// Encoding → (lifts, lowers), in the order first seen.
    encodings: Vec<(StringEncoding, usize, usize)>,
    resource_builtins: usize,
    other_builtins: Vec<String>,
}

// ---- gathering the facts ------------------------------------------------------------------

fn inspect(path: &Path, bytes: &[u8]) -> Result<Report> {
    let (wasm, text): (std::borrow::Cow<'_, [u8]>, bool) = match weft_binary::kind(bytes) {
        Kind::Text => (
            std::borrow::Cow::Owned(crate::input::parse_text(path, bytes)?),
            true,
        ),
        _ => (std::borrow::Cow::Borrowed(bytes), false),
    };
    // What inspect shows is the binary's interface and structure; function bodies are not
    // validated (as `wasm-tools component wit` does not), which is most of the time a large
    // binary takes. A component is validated once, by the WIT decoder, when that succeeds.
    let wit_error = |e: weft_binary::Error| {
        let is_wit = path.extension().is_some_and(|e| e == "wit");
        match is_wit {
            true => anyhow!(
                "{e}\n      = help: this is WIT text; `weft wit check` or `weft wit print` read \
                 it, and `weft wit print --wasm` makes the binary `weft inspect` reads"
            ),
            false => anyhow!("{e}"),
        }
    };
    // A large component's WIT and model are read at the same time, on two threads: reading
    // the model first is safe (`decode_unvalidated` never panics on invalid input), and it is
    // kept only when the WIT decoder has validated the binary.
    let is_component = weft_binary::kind(&wasm) == Kind::Component;
    let (decoded, unvalidated) = match is_component && wasm.len() >= crate::input::MAP_AT as usize {
        true => std::thread::scope(|s| {
            let model = s.spawn(|| weft_binary::decode_unvalidated(&wasm));
            let decoded = weft_component::decode(&wasm);
            (Some(decoded), model.join().ok())
        }),
        false => (is_component.then(|| weft_component::decode(&wasm)), None),
    };
    let binary = match (&decoded, unvalidated) {
        // Validated by the decoder.
        (Some(Ok(_)), Some(model)) => model.map_err(wit_error)?,
        (Some(Ok(_)), None) => weft_binary::decode_unvalidated(&wasm).map_err(wit_error)?,
        _ => weft_binary::decode_with(&wasm, weft_binary::Validation::Structure)
            .map_err(wit_error)?,
    };
    let body = match (binary, decoded) {
        (Binary::Module(m), _) => Body::Module(module_report(path, &wasm, &m)),
        (Binary::Component(c), decoded) => match decoded {
            Some(Ok(Decoded::Package { resolve, package })) => {
                Body::Package(package_report(&resolve, package))
            }
            Some(Ok(Decoded::Component { resolve, world })) => {
                Body::Component(component_report(&c, Ok(wit_world(&resolve, world))))
            }
            // Only a core module decodes as one, and `weft_binary` said this is a component.
            Some(Ok(Decoded::CoreModule(_))) => Body::Component(component_report(
                &c,
                Err("the WIT decoder read it as a core module".to_string()),
            )),
            Some(Err(e)) => Body::Component(component_report(&c, Err(e.to_string()))),
            None => Body::Component(component_report(
                &c,
                Err("the binary's header says core module".to_string()),
            )),
        },
    };
    Ok(Report {
        file: path.display().to_string(),
        size: wasm.len(),
        text,
        body,
    })
}

fn component_report(c: &Component, wit: Result<WitWorld, String>) -> ComponentReport {
    let mut modules = Vec::new();
    collect_modules(c, &mut modules);
    let mut canon = CanonStats::default();
    let mut resources_defined = 0;
    let mut nested_components = 0;
    walk_components(c, &mut |c| {
        canon.add(c);
        resources_defined += c.resources_defined;
        nested_components += c.components.len();
    });
    ComponentReport {
        wit,
        raw_imports: c
            .imports
            .iter()
            .map(|i| (i.name.clone(), i.kind.as_str()))
            .collect(),
        raw_exports: c
            .exports
            .iter()
            .map(|e| (e.name.clone(), e.kind.as_str()))
            .collect(),
        modules,
        nested_components,
        canon,
        resources_defined,
        producers: c.producers.clone(),
    }
}

/// Calls `f` on `c` and on every component nested in it, depth first, parents first. With an
/// explicit stack: a component may nest as deep as it holds components.
fn walk_components(c: &Component, f: &mut dyn FnMut(&Component)) {
    let mut stack = vec![c];
    while let Some(c) = stack.pop() {
        f(c);
        stack.extend(c.components.iter().rev());
    }
}

/// The core modules of `c` and of its nested components, depth first: `#0`, `c0/#1`, ….
/// With an explicit stack and one path buffer, cut back on the way up.
fn collect_modules(c: &Component, out: &mut Vec<ModuleInfo>) {
    use std::fmt::Write as _;
    let mut path = String::new();
    let modules = |c: &Component, path: &str, out: &mut Vec<ModuleInfo>| {
        for (i, m) in c.modules.iter().enumerate() {
            out.push(module_info(m, Some(format!("{path}#{i}"))));
        }
    };
    modules(c, &path, out);
    // Each component being walked, the index of its next nested component, and the length of
    // `path` before its own step.
    let mut stack = vec![(c, 0, 0)];
    while let Some((c, next, len)) = stack.last_mut() {
        let Some(nested) = c.components.get(*next) else {
            path.truncate(*len);
            stack.pop();
            continue;
        };
        let len = path.len();
        let _ = write!(path, "c{next}/");
        *next += 1;
        modules(nested, &path, out);
        stack.push((nested, 0, len));
    }
}

impl CanonStats {
    fn add(&mut self, c: &Component) {
        for canon in &c.canons {
            let (options, lift) = match canon {
                Canon::Lift { options, .. } => (options, true),
                Canon::Lower { options, .. } => (options, false),
                Canon::ResourceNew(_) | Canon::ResourceDrop(_) | Canon::ResourceRep(_) => {
                    self.resource_builtins += 1;
                    continue;
                }
                Canon::Builtin(name) => {
                    if !self.other_builtins.contains(name) {
                        self.other_builtins.push(name.clone());
                    }
                    continue;
                }
            };
            match lift {
                true => self.lifts += 1,
                false => self.lowers += 1,
            }
            self.is_async += usize::from(options.is_async);
            // Strings (and lists) cross through memory: without one, the encoding is moot.
            if options.memory.is_none() {
                continue;
            }
            let entry = match self
                .encodings
                .iter()
                .position(|(e, _, _)| *e == options.string_encoding)
            {
                Some(i) => &mut self.encodings[i],
                None => {
                    self.encodings.push((options.string_encoding, 0, 0));
                    let last = self.encodings.len() - 1;
                    &mut self.encodings[last]
                }
            };
            match lift {
                true => entry.1 += 1,
                false => entry.2 += 1,
            }
        }
    }
}

fn module_info(m: &Module, path: Option<String>) -> ModuleInfo {
    let func_type = |ty: u32| {
        m.func_types
            .get(ty as usize)
            .and_then(Option::as_ref)
            .map(ToString::to_string)
    };
    ModuleInfo {
        path,
        size: m.range.len(),
        name: m.name.clone(),
        memories: m.memories.clone(),
        producers: m.producers.clone(),
        imports: m
            .imports
            .iter()
            .map(|i| {
                (
                    i.module.clone(),
                    i.name.clone(),
                    i.kind.as_str(),
                    i.func_type.and_then(func_type),
                )
            })
            .collect(),
        exports: m
            .exports
            .iter()
            .map(|e| {
                let ty = match e.kind {
                    CoreKind::Func => m.funcs.get(e.index as usize).and_then(|t| func_type(*t)),
                    _ => None,
                };
                (e.name.clone(), e.kind.as_str(), ty)
            })
            .collect(),
        custom_sections: m
            .custom_sections
            .iter()
            .map(|s| (s.name.clone(), s.data.len()))
            .collect(),
    }
}

fn module_report(path: &Path, wasm: &[u8], m: &Module) -> ModuleReport {
    let info = module_info(m, None);
    let has_sections = m
        .custom_sections
        .iter()
        .any(|s| s.name.starts_with("component-type"));
    let component_type = match has_sections {
        false => None,
        true => Some(match weft_component::decode_metadata(wasm) {
            Ok(Some(meta)) => Ok((
                wit_world(&meta.resolve, meta.world),
                binary_encoding(meta.string_encoding),
            )),
            Ok(None) => Err("no world found in the `component-type` sections".to_string()),
            Err(e) => Err(e.to_string()),
        }),
    };
    let preview1 = m
        .imports
        .iter()
        .any(|i| i.module == "wasi_snapshot_preview1");
    let exports_start = m
        .exports
        .iter()
        .any(|e| e.name == "_start" && e.kind == CoreKind::Func);
    let adapter = preview1.then_some(if exports_start { "command" } else { "reactor" });
    let mut other_import_modules: Vec<String> = Vec::new();
    for i in &m.imports {
        if i.module != "wasi_snapshot_preview1" && !other_import_modules.contains(&i.module) {
            other_import_modules.push(i.module.clone());
        }
    }
    ModuleReport {
        info,
        start: m.start.is_some(),
        component_type,
        wrap_command: format!(
            "weft new {} -o {}",
            shell_quote(&path.display().to_string()),
            shell_quote(&component_path(path))
        ),
        adapter,
        other_import_modules,
    }
}

fn binary_encoding(e: weft_component::StringEncoding) -> StringEncoding {
    match e {
        weft_component::StringEncoding::Utf8 => StringEncoding::Utf8,
        weft_component::StringEncoding::Utf16 => StringEncoding::Utf16,
        weft_component::StringEncoding::CompactUtf16 => StringEncoding::CompactUtf16,
    }
}

/// `dir/x.wasm` → `dir/x.component.wasm` (`x.core.wasm` and `x.wat` too).
fn component_path(path: &Path) -> String {
    let shown = path.display().to_string();
    let stem = [".core.wasm", ".wasm", ".wat"]
        .iter()
        .find_map(|ext| shown.strip_suffix(ext))
        .unwrap_or(&shown);
    format!("{stem}.component.wasm")
}

/// `s` as one shell word: as is when it has only safe characters, else in single quotes.
fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:@+=%,".contains(c);
    match !s.is_empty() && s.chars().all(safe) {
        true => s.to_string(),
        false => format!("'{}'", s.replace('\'', r"'\''")),
    }
}

fn package_report(resolve: &Resolve, package: PackageId) -> PackageReport {
    let p = &resolve.packages[package];
    let interfaces = p
        .interfaces
        .iter()
        .map(|(name, &id)| {
            (
                name.clone(),
                p.name.interface_id(name),
                wit_interface(resolve, id),
            )
        })
        .collect();
    let worlds = p
        .worlds
        .iter()
        .map(|(name, &id)| {
            (
                name.clone(),
                p.name.interface_id(name),
                wit_world(resolve, id),
            )
        })
        .collect();
    let mut dependencies: Vec<String> = resolve
        .packages
        .iter()
        .filter(|(id, _)| *id != package)
        .map(|(_, p)| p.name.to_string())
        .collect();
    dependencies.sort();
    PackageReport {
        name: p.name.to_string(),
        interfaces,
        worlds,
        dependencies,
    }
}

fn wit_world(resolve: &Resolve, world: WorldId) -> WitWorld {
    let w = &resolve.worlds[world];
    let name = match w.package {
        Some(p) => resolve.packages[p].name.interface_id(&w.name),
        None => w.name.clone(),
    };
    let items = |items: &mut dyn Iterator<Item = (&WorldKey, &WorldItem)>| -> Vec<WitItem> {
        items
            .map(|(key, item)| {
                let name = match key {
                    WorldKey::Name(n) => n.clone(),
                    WorldKey::Interface(id) => resolve
                        .id_of(*id)
                        .unwrap_or_else(|| "<anonymous-interface>".to_string()),
                };
                let body = match item {
                    WorldItem::Interface { id, .. } => {
                        WitBody::Interface(wit_interface(resolve, *id))
                    }
                    WorldItem::Function(f) => {
                        WitBody::Function(weft_wit::print::func_signature(resolve, f))
                    }
                    WorldItem::Type { id, .. } => WitBody::Type {
                        resource: is_resource(resolve, *id),
                    },
                };
                WitItem { name, body }
            })
            .collect()
    };
    WitWorld {
        name,
        imports: items(&mut w.imports.iter()),
        exports: items(&mut w.exports.iter()),
    }
}

fn is_resource(resolve: &Resolve, id: weft_wit::TypeId) -> bool {
    matches!(resolve.types[id].kind, TypeDefKind::Resource)
}

fn wit_interface(resolve: &Resolve, id: InterfaceId) -> WitInterface {
    let iface = &resolve.interfaces[id];
    let package = iface.package.map(|p| {
        let n = &resolve.packages[p].name;
        (
            n.namespace.clone(),
            format!("{}:{}", n.namespace, n.name),
            n.version.as_ref().map(ToString::to_string),
        )
    });
    let functions = iface
        .functions
        .values()
        .map(|f| {
            let resource = f
                .kind
                .resource()
                .and_then(|r| resolve.types[r].name.clone());
            let label = match (f.kind, resource) {
                (FunctionKind::Constructor(_), Some(r)) => r,
                (_, Some(r)) => format!("{r}.{}", f.item_name()),
                (_, None) => f.item_name().to_string(),
            };
            (label, weft_wit::print::func_signature(resolve, f))
        })
        .collect();
    let resources = iface
        .types
        .iter()
        .filter(|(_, &t)| is_resource(resolve, t))
        .map(|(name, _)| name.clone())
        .collect();
    WitInterface {
        id: resolve.id_of(id),
        package,
        short: iface.name.clone(),
        functions,
        resources,
    }
}

/// WASI interfaces among `items`: `(wasi:pkg, version)` → interface names, sorted.
fn wasi_packages(items: &[WitItem]) -> BTreeMap<(String, Option<String>), BTreeSet<String>> {
    let mut out: BTreeMap<(String, Option<String>), BTreeSet<String>> = BTreeMap::new();
    for item in items {
        let WitBody::Interface(i) = &item.body else {
            continue;
        };
        if let (Some((ns, pkg, version)), Some(short)) = (&i.package, &i.short) {
            if ns == "wasi" {
                out.entry((pkg.clone(), version.clone()))
                    .or_default()
                    .insert(short.clone());
            }
        }
    }
    out
}

/// The resources of the interfaces (and world-level resource types) among `items`:
/// `(interface id, resource names)`.
fn resources_of(items: &[WitItem]) -> Vec<(Option<String>, Vec<String>)> {
    let mut out = Vec::new();
    for item in items {
        match &item.body {
            WitBody::Interface(i) if !i.resources.is_empty() => out.push((
                Some(i.id.clone().unwrap_or_else(|| item.name.clone())),
                i.resources.clone(),
            )),
            WitBody::Type { resource: true } => out.push((None, vec![item.name.clone()])),
            _ => {}
        }
    }
    out
}

// ---- JSON ---------------------------------------------------------------------------------

impl Report {
    fn to_json(&self) -> Value {
        let mut v = json!({
            "file": self.file,
            "kind": match self.body {
                Body::Component(_) => "component",
                Body::Module(_) => "core-module",
                Body::Package(_) => "wit-package",
            },
            "size": self.size,
            "text": self.text,
        });
        let extra = match &self.body {
            Body::Component(c) => c.to_json(),
            Body::Module(m) => m.to_json(),
            Body::Package(p) => p.to_json(),
        };
        if let (Value::Object(v), Value::Object(extra)) = (&mut v, extra) {
            v.extend(extra);
        }
        v
    }
}

impl ComponentReport {
    fn to_json(&self) -> Value {
        let (world, imports, exports, wit_error, wasi) = match &self.wit {
            Ok(w) => (
                json!(w.name),
                items_json(&w.imports),
                items_json(&w.exports),
                Value::Null,
                json!({
                    "imports": wasi_json(&w.imports),
                    "exports": wasi_json(&w.exports),
                }),
            ),
            Err(e) => {
                let raw = |items: &[(String, &str)]| -> Value {
                    items
                        .iter()
                        .map(|(n, k)| json!({"name": n, "kind": k}))
                        .collect()
                };
                (
                    Value::Null,
                    raw(&self.raw_imports),
                    raw(&self.raw_exports),
                    json!(e),
                    json!({"imports": [], "exports": []}),
                )
            }
        };
        let resources = |items: Option<&[WitItem]>| -> Value {
            let mut out = Vec::new();
            for (iface, names) in items.map(resources_of).unwrap_or_default() {
                for name in names {
                    out.push(json!({"interface": iface, "name": name}));
                }
            }
            Value::Array(out)
        };
        let wit = self.wit.as_ref().ok();
        let c = &self.canon;
        let encodings: serde_json::Map<String, Value> = c
            .encodings
            .iter()
            .map(|(e, lifts, lowers)| {
                (
                    e.as_str().to_string(),
                    json!({"lifts": lifts, "lowers": lowers}),
                )
            })
            .collect();
        json!({
            "world": world,
            "wit_error": wit_error,
            "imports": imports,
            "exports": exports,
            "wasi": wasi,
            "core_modules": self.modules.iter().map(ModuleInfo::to_json).collect::<Vec<_>>(),
            "components": self.nested_components,
            "canon": {
                "lifts": c.lifts,
                "lowers": c.lowers,
                "async": c.is_async,
                "string_encodings": encodings,
                "resource_builtins": c.resource_builtins,
                "other_builtins": c.other_builtins,
            },
            "resources": {
                "defined": self.resources_defined,
                "exported": resources(wit.map(|w| w.exports.as_slice())),
                "imported": resources(wit.map(|w| w.imports.as_slice())),
            },
            "producers": producers_json(&self.producers),
        })
    }
}

impl ModuleReport {
    fn to_json(&self) -> Value {
        let mut v = self.info.to_json();
        let component_type = match &self.component_type {
            None => Value::Null,
            Some(Ok((w, encoding))) => json!({
                "world": w.name,
                "string_encoding": encoding.as_str(),
                "imports": items_json(&w.imports),
                "exports": items_json(&w.exports),
                "error": null,
            }),
            Some(Err(e)) => json!({
                "world": null,
                "string_encoding": null,
                "imports": [],
                "exports": [],
                "error": e,
            }),
        };
        if let Value::Object(map) = &mut v {
            map.insert("start".into(), json!(self.start));
            map.insert("component_type".into(), component_type);
            map.insert(
                "wrap".into(),
                json!({"command": self.wrap_command, "adapter": self.adapter}),
            );
        }
        v
    }
}

impl PackageReport {
    fn to_json(&self) -> Value {
        json!({
            "package": self.name,
            "interfaces": self.interfaces.iter().map(|(name, id, i)| {
                json!({
                    "name": name,
                    "id": id,
                    "functions": functions_json(&i.functions),
                    "resources": i.resources,
                })
            }).collect::<Vec<_>>(),
            "worlds": self.worlds.iter().map(|(name, id, w)| {
                json!({
                    "name": name,
                    "id": id,
                    "imports": items_json(&w.imports),
                    "exports": items_json(&w.exports),
                })
            }).collect::<Vec<_>>(),
            "dependencies": self.dependencies,
        })
    }
}

impl ModuleInfo {
    fn to_json(&self) -> Value {
        json!({
            "path": self.path,
            "size": self.size,
            "name": self.name,
            "memories": self.memories.iter().map(|m| json!({
                "initial": m.initial,
                "maximum": m.maximum,
                "memory64": m.memory64,
                "shared": m.shared,
                "import": m.import.as_ref().map(|(module, name)| format!("{module}.{name}")),
            })).collect::<Vec<_>>(),
            "producers": producers_json(&self.producers),
            "imports": self.imports.iter().map(|(module, name, kind, ty)| json!({
                "module": module, "name": name, "kind": kind, "type": ty,
            })).collect::<Vec<_>>(),
            "exports": self.exports.iter().map(|(name, kind, ty)| json!({
                "name": name, "kind": kind, "type": ty,
            })).collect::<Vec<_>>(),
            "custom_sections": self.custom_sections.iter().map(|(name, size)| json!({
                "name": name, "size": size,
            })).collect::<Vec<_>>(),
        })
    }
}

fn producers_json(producers: &[Producer]) -> Value {
    producers
        .iter()
        .map(|p| json!({"field": p.field, "name": p.name, "version": p.version}))
        .collect()
}

fn functions_json(functions: &[(String, String)]) -> Value {
    functions
        .iter()
        .map(|(name, sig)| json!({"name": name, "signature": sig}))
        .collect()
}

fn items_json(items: &[WitItem]) -> Value {
    items
        .iter()
        .map(|item| match &item.body {
            WitBody::Interface(i) => json!({
                "name": item.name,
                "kind": "interface",
                "interface": i.id,
                "functions": functions_json(&i.functions),
                "resources": i.resources,
            }),
            WitBody::Function(sig) => json!({
                "name": item.name,
                "kind": "function",
                "signature": sig,
            }),
            WitBody::Type { resource } => json!({
                "name": item.name,
                "kind": "type",
                "resource": resource,
            }),
        })
        .collect()
}

fn wasi_json(items: &[WitItem]) -> Value {
    wasi_packages(items)
        .into_iter()
        .map(|((package, version), interfaces)| {
            json!({"package": package, "version": version, "interfaces": interfaces})
        })
        .collect()
}

// ---- text ---------------------------------------------------------------------------------

impl Report {
    fn render(&self) -> String {
        let mut out = String::new();
        let what = match &self.body {
            Body::Component(_) => "component".to_string(),
            Body::Module(_) => "core module (not a component)".to_string(),
            Body::Package(p) => format!("WIT package {} (encoded as a component)", p.name),
        };
        let from_text = if self.text { ", from text" } else { "" };
        let _ = writeln!(
            out,
            "{what}  {}  ({}{from_text})",
            self.file,
            human_size(self.size)
        );
        match &self.body {
            Body::Component(c) => c.render(&mut out),
            Body::Module(m) => m.render(&mut out),
            Body::Package(p) => p.render(&mut out),
        }
        out
    }
}

impl ComponentReport {
    fn render(&self, out: &mut String) {
        match &self.wit {
            Ok(w) => {
                render_items(out, "imports", &w.imports, "");
                render_items(out, "exports", &w.exports, "");
                render_wasi(out, w);
            }
            Err(e) => {
                let _ = writeln!(out, "\nWIT view unavailable: {e}");
                for (title, items) in [
                    ("imports", &self.raw_imports),
                    ("exports", &self.raw_exports),
                ] {
                    let _ = writeln!(out, "\n{title}");
                    if items.is_empty() {
                        let _ = writeln!(out, "  (none)");
                    }
                    for (name, kind) in items {
                        let _ = writeln!(out, "  {name}  ({kind})");
                    }
                }
            }
        }

        let _ = writeln!(out);
        let in_nested = self
            .modules
            .iter()
            .filter(|m| m.path.as_deref().is_some_and(|p| p.contains('/')))
            .count();
        let _ = write!(out, "core modules: {}", self.modules.len());
        if in_nested > 0 {
            let _ = write!(out, " ({in_nested} in nested components)");
        }
        let _ = writeln!(out);
        let label_width = self
            .modules
            .iter()
            .map(|m| m.path.as_deref().unwrap_or("").len())
            .max()
            .unwrap_or(0);
        let size_width = self
            .modules
            .iter()
            .map(|m| human_size(m.size).len())
            .max()
            .unwrap_or(0);
        for m in &self.modules {
            let label = m.path.as_deref().unwrap_or("");
            let memories = match m.memories.as_slice() {
                [] => "no memory".to_string(),
                ms => ms
                    .iter()
                    .map(|m| format!("memory {}", memory_text(m)))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let _ = writeln!(
                out,
                "  {label:label_width$}  {:>size_width$}  {memories}",
                human_size(m.size)
            );
            let indent = " ".repeat(label_width + 4);
            if let Some(name) = &m.name {
                let _ = writeln!(out, "{indent}name: {name}");
            }
            if !m.producers.is_empty() {
                let _ = writeln!(out, "{indent}producers: {}", producers_text(&m.producers));
            }
            if !m.imports.is_empty() {
                let _ = writeln!(out, "{indent}imports: {}", import_modules_text(&m.imports));
            }
        }
        if self.nested_components > 0 {
            let _ = writeln!(out, "nested components: {}", self.nested_components);
        }

        let c = &self.canon;
        let _ = writeln!(
            out,
            "canonical functions: {}, {} resource built-in{}",
            lifts_lowers(c.lifts, c.lowers),
            c.resource_builtins,
            if c.resource_builtins == 1 { "" } else { "s" }
        );
        let encodings = match c.encodings.as_slice() {
            [] => "n/a (no lift or lower uses memory)".to_string(),
            all => {
                let list: Vec<String> = all
                    .iter()
                    .map(|(e, l, w)| {
                        format!("{} ({} with memory)", e.as_str(), lifts_lowers(*l, *w))
                    })
                    .collect();
                list.join(", ")
            }
        };
        let _ = writeln!(out, "string encoding: {encodings}");
        if c.is_async > 0 {
            let _ = writeln!(out, "async: {} of the lifts and lowers", c.is_async);
        }
        if !c.other_builtins.is_empty() {
            let _ = writeln!(out, "built-ins: {}", c.other_builtins.join(", "));
        }

        let wit = self.wit.as_ref().ok();
        let exported = wit.map(|w| resources_of(&w.exports)).unwrap_or_default();
        let imported = wit.map(|w| resources_of(&w.imports)).unwrap_or_default();
        if self.resources_defined == 0 && exported.is_empty() && imported.is_empty() {
            let _ = writeln!(out, "resources: none");
        } else {
            let _ = writeln!(out, "resources");
            let _ = writeln!(out, "  defined   {}", self.resources_defined);
            for (title, list) in [("exported", &exported), ("imported", &imported)] {
                for (i, (iface, names)) in list.iter().enumerate() {
                    let title = if i == 0 { title } else { "" };
                    let names = match iface {
                        Some(iface) => format!("{iface}.{{{}}}", names.join(", ")),
                        None => names.join(", "),
                    };
                    let _ = writeln!(out, "  {title:8}  {names}");
                }
            }
        }
        if !self.producers.is_empty() {
            let _ = writeln!(out, "producers: {}", producers_text(&self.producers));
        }
    }
}

fn lifts_lowers(lifts: usize, lowers: usize) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (lifts, lowers) {
        (0, 0) => "no lifts or lowers".to_string(),
        (0, n) => plural(n, "lower"),
        (n, 0) => plural(n, "lift"),
        (l, w) => format!("{}, {}", plural(l, "lift"), plural(w, "lower")),
    }
}

fn render_wasi(out: &mut String, w: &WitWorld) {
    let imports = wasi_packages(&w.imports);
    let exports = wasi_packages(&w.exports);
    if imports.is_empty() && exports.is_empty() {
        let _ = writeln!(out, "\nWASI: none");
        return;
    }
    let _ = writeln!(out, "\nWASI");
    for (title, packages) in [("imports", imports), ("exports", exports)] {
        for (i, ((package, version), interfaces)) in packages.into_iter().enumerate() {
            let title = if i == 0 { title } else { "" };
            let version = version.map(|v| format!("@{v}")).unwrap_or_default();
            let names: Vec<String> = interfaces.into_iter().collect();
            let _ = writeln!(
                out,
                "  {title:7}  {package}{version} ({})",
                names.join(", ")
            );
        }
    }
}

/// A heading and one line per function: the item's name in a column, then `f: signature`.
fn render_items(out: &mut String, title: &str, items: &[WitItem], indent: &str) {
    let _ = writeln!(out, "\n{indent}{title}");
    if items.is_empty() {
        let _ = writeln!(out, "{indent}  (none)");
        return;
    }
    let width = items
        .iter()
        .filter(|i| matches!(i.body, WitBody::Interface(_)))
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(0);
    for item in items {
        match &item.body {
            WitBody::Function(sig) => {
                let _ = writeln!(out, "{indent}  {}: {sig}", item.name);
            }
            WitBody::Type { resource } => {
                let what = if *resource { "resource" } else { "type" };
                let _ = writeln!(out, "{indent}  {what} {}", item.name);
            }
            WitBody::Interface(i) => {
                let mut name = Some(item.name.as_str());
                let mut line = |text: &str| {
                    let _ = writeln!(
                        out,
                        "{indent}  {:width$}  {text}",
                        name.take().unwrap_or("")
                    );
                };
                if i.functions.is_empty() {
                    match i.resources.as_slice() {
                        [] => line("(types only)"),
                        rs => line(&format!("resource {}", rs.join(", "))),
                    }
                }
                for (f, sig) in &i.functions {
                    line(&format!("{f}: {sig}"));
                }
            }
        }
    }
}

impl ModuleReport {
    fn render(&self, out: &mut String) {
        let m = &self.info;
        let _ = writeln!(out, "\nimports");
        if m.imports.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        let width = m
            .imports
            .iter()
            .map(|i| i.0.chars().count())
            .max()
            .unwrap_or(0);
        let mut last: Option<&str> = None;
        for (module, name, kind, ty) in &m.imports {
            let shown = if last == Some(module.as_str()) {
                ""
            } else {
                module.as_str()
            };
            last = Some(module);
            let _ = writeln!(
                out,
                "  {shown:width$}  {name}: {}",
                core_type_text(m, module, name, kind, ty.as_deref())
            );
        }
        let _ = writeln!(out, "\nexports");
        if m.exports.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for (name, kind, ty) in &m.exports {
            let _ = writeln!(out, "  {name}: {}", ty.as_deref().unwrap_or(kind));
        }

        let _ = writeln!(out);
        match m.memories.as_slice() {
            [] => {
                let _ = writeln!(out, "memory: none");
            }
            ms => {
                for mem in ms {
                    let _ = writeln!(out, "memory: {}", memory_text(mem));
                }
            }
        }
        if self.start {
            let _ = writeln!(out, "start function: yes");
        }
        let producers = match m.producers.is_empty() {
            true => "none".to_string(),
            false => producers_text(&m.producers),
        };
        let _ = writeln!(out, "producers: {producers}");
        let sections = match m.custom_sections.is_empty() {
            true => "none".to_string(),
            false => m
                .custom_sections
                .iter()
                .map(|(n, s)| format!("{n} ({})", human_size(*s)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let _ = writeln!(out, "custom sections: {sections}");

        match &self.component_type {
            None => {
                let _ = writeln!(out, "component-type: none (no WIT world embedded)");
            }
            Some(Err(e)) => {
                let _ = writeln!(out, "component-type: malformed: {e}");
            }
            Some(Ok((w, encoding))) => {
                let _ = writeln!(
                    out,
                    "component-type: world {} (string encoding {})",
                    w.name,
                    encoding.as_str()
                );
                render_items(out, "imports", &w.imports, "  ");
                render_items(out, "exports", &w.exports, "  ");
            }
        }

        let _ = writeln!(out, "\nto make a component:\n  {}", self.wrap_command);
        if let Some(kind) = self.adapter {
            let why = match kind {
                "command" => "`_start` is exported",
                _ => "no `_start` export",
            };
            let _ = writeln!(out, "  `wasi_snapshot_preview1` imports get the built-in preview1 adapter ({kind}: {why})");
        }
        if self.component_type.is_none() && !self.other_import_modules.is_empty() {
            let names: Vec<String> = self
                .other_import_modules
                .iter()
                .map(|m| format!("`{m}`"))
                .collect();
            let _ = writeln!(
                out,
                "  imports from {} need a world or an adapter: add `--wit PATH` (and `--world W`), \
                 embed a world first with `weft embed`, or pass `--adapt NAME=FILE`",
                names.join(", ")
            );
        }
    }
}

fn core_type_text(
    m: &ModuleInfo,
    module: &str,
    name: &str,
    kind: &str,
    ty: Option<&str>,
) -> String {
    if let Some(ty) = ty {
        return ty.to_string();
    }
    if kind == "memory" {
        if let Some(mem) = m.memories.iter().find(|mem| {
            mem.import
                .as_ref()
                .is_some_and(|(a, b)| a == module && b == name)
        }) {
            return format!("memory {}", memory_text_plain(mem));
        }
    }
    kind.to_string()
}

impl PackageReport {
    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "\ninterfaces");
        if self.interfaces.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        let items: Vec<WitItem> = self
            .interfaces
            .iter()
            .map(|(_, id, i)| WitItem {
                name: id.clone(),
                body: WitBody::Interface(WitInterface {
                    id: i.id.clone(),
                    package: i.package.clone(),
                    short: i.short.clone(),
                    functions: i.functions.clone(),
                    resources: i.resources.clone(),
                }),
            })
            .collect();
        if !items.is_empty() {
            // Reuse the world-item layout without its heading.
            let mut block = String::new();
            render_items(&mut block, "", &items, "");
            out.push_str(block.trim_start_matches('\n').trim_start_matches('\n'));
        }
        let _ = writeln!(out, "\nworlds");
        if self.worlds.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for (_, id, w) in &self.worlds {
            let _ = writeln!(out, "  {id}");
            // The package's interfaces are listed above: a world names its items, as in WIT.
            for (what, items) in [("import", &w.imports), ("export", &w.exports)] {
                for item in items.iter() {
                    let _ = match &item.body {
                        WitBody::Interface(_) => writeln!(out, "    {what} {}", item.name),
                        WitBody::Function(sig) => {
                            writeln!(out, "    {what} {}: {sig}", item.name)
                        }
                        WitBody::Type { resource: true } => {
                            writeln!(out, "    {what} {}: resource", item.name)
                        }
                        WitBody::Type { resource: false } => {
                            writeln!(out, "    {what} {}: type", item.name)
                        }
                    };
                }
            }
            if w.imports.is_empty() && w.exports.is_empty() {
                let _ = writeln!(out, "    (empty)");
            }
        }
        let deps = match self.dependencies.is_empty() {
            true => "none".to_string(),
            false => self.dependencies.join(", "),
        };
        let _ = writeln!(out, "\nuses packages: {deps}");
    }
}

fn import_modules_text(imports: &[(String, String, &'static str, Option<String>)]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (module, ..) in imports {
        match counts.iter_mut().find(|(m, _)| m == module) {
            Some((_, n)) => *n += 1,
            None => counts.push((module, 1)),
        }
    }
    const SHOWN: usize = 8;
    let mut list: Vec<String> = counts
        .iter()
        .take(SHOWN)
        .map(|(m, n)| match m.is_empty() {
            true => format!("\"\" ({n})"),
            false => format!("{m} ({n})"),
        })
        .collect();
    if counts.len() > SHOWN {
        list.push(format!("… {} more modules", counts.len() - SHOWN));
    }
    list.join(", ")
}

/// `17 pages (max none)`, `1 page (max 2), 64-bit, shared, imported from env.memory`.
fn memory_text(m: &Memory) -> String {
    let mut s = memory_text_plain(m);
    if let Some((module, name)) = &m.import {
        let _ = write!(s, ", imported from {module}.{name}");
    }
    s
}

fn memory_text_plain(m: &Memory) -> String {
    let pages = |n: u64| format!("{n} page{}", if n == 1 { "" } else { "s" });
    let mut s = format!(
        "{} (max {})",
        pages(m.initial),
        m.maximum.map_or("none".to_string(), |n| n.to_string())
    );
    if m.memory64 {
        s.push_str(", 64-bit");
    }
    if m.shared {
        s.push_str(", shared");
    }
    s
}

/// `language Rust 1.80; processed-by rustc 1.80, wit-component 0.215`.
fn producers_text(producers: &[Producer]) -> String {
    let mut fields: Vec<(&str, Vec<String>)> = Vec::new();
    for p in producers {
        let entry = match p.version.is_empty() {
            true => p.name.clone(),
            false => format!("{} {}", p.name, p.version),
        };
        match fields.iter_mut().find(|(f, _)| *f == p.field) {
            Some((_, list)) => list.push(entry),
            None => fields.push((&p.field, vec![entry])),
        }
    }
    fields
        .iter()
        .map(|(f, list)| format!("{f} {}", list.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `812 B`, `12.3 KiB`, `1.2 MiB`.
fn human_size(n: usize) -> String {
    const KIB: f64 = 1024.0;
    match n {
        n if n < 1024 => format!("{n} B"),
        n if (n as f64) < KIB * KIB => format!("{:.1} KiB", n as f64 / KIB),
        n => format!("{:.1} MiB", n as f64 / (KIB * KIB)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_paths_and_quoting() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(12_600), "12.3 KiB");
        assert_eq!(human_size(1_300_000), "1.2 MiB");
        assert_eq!(component_path(Path::new("a/x.wasm")), "a/x.component.wasm");
        assert_eq!(component_path(Path::new("x.core.wasm")), "x.component.wasm");
        assert_eq!(component_path(Path::new("x.wat")), "x.component.wasm");
        assert_eq!(component_path(Path::new("x")), "x.component.wasm");
        assert_eq!(shell_quote("a/b-c.wasm"), "a/b-c.wasm");
        assert_eq!(shell_quote("my file.wasm"), "'my file.wasm'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
