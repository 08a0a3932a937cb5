//! Composition: one component built from several, the imports of each plugged with the
//! exports of others.
//!
//! [`compose`] takes a root component and definitions (dependencies). Each import of the root
//! that an export of a definition satisfies — the same name, or the same interface at a
//! semver-compatible version — is plugged with that export; in [`Mode::Definitions`] the
//! definitions' own imports are plugged the same way, transitively, while in [`Mode::Plug`]
//! (`wac plug`) only the root's are. Each definition used is instantiated once and shared; one
//! nothing uses is left out. Imports nothing satisfies become imports of the result, merged by
//! name.
//!
//! Every plug is type-checked by the spec's subtyping rules (`check.rs`); a resource type is
//! compared by where it was defined. The result embeds the inputs as nested components,
//! instantiates them in dependency order and re-exports the root's exports; it is validated
//! before it is returned ([`compose_into`] lets the caller place it, in a file say, first).
//! Nothing is executed.
#![deny(missing_docs)]

mod check;
pub mod config;
mod encode;
mod names;
mod read;

use rustc_hash::FxHashMap as HashMap;

pub use weft_binary::{Error, Result};

use check::NodeId;
use names::Match;

/// One input component: a label for messages (usually its file name) and its binary.
pub struct Input<'a> {
    /// What messages call it.
    pub label: String,
    /// The component binary.
    pub bytes: &'a [u8],
}

/// Which imports the definitions plug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The root's imports and, transitively, the definitions' own (`--definitions`).
    Definitions,
    /// The root's imports only; every plug must plug at least one (`--plug`, as `wac plug`).
    Plug,
}

/// How [`compose_with`] composes.
#[derive(Clone, Debug)]
pub struct Options {
    /// Which imports the definitions plug.
    pub mode: Mode,
    /// Explicit plugs, which take the place of automatic matching for their imports.
    pub plugs: Vec<Plug>,
}

/// An explicit plug. Inputs are numbered as [`compose_with`] takes them: 0 is the root, 1, 2, …
/// the definitions in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plug {
    /// The input whose import this plugs.
    pub importer: usize,
    /// The import's name.
    pub import: String,
    /// The definition whose export plugs it (not 0: the root plugs nothing).
    pub definition: usize,
    /// The export's name, or `None` for the one export of `definition` whose name matches
    /// the import's (the same, or the same interface at a semver-compatible version).
    pub export: Option<String>,
}

/// Composes `root` with `definitions` (see the crate docs) into a new component binary.
pub fn compose(root: Input<'_>, definitions: &[Input<'_>], mode: Mode) -> Result<Vec<u8>> {
    let options = Options {
        mode,
        plugs: Vec::new(),
    };
    compose_with(root, definitions, &options)
}

/// [`compose`] with explicit plugs (a composition file, [`config::Config::options`]). An
/// explicit plug is type-checked like any other; one that names an import, definition or
/// export that does not exist, or that does not apply (its importer is not part of the
/// composition, or its imports are not plugged in [`Mode::Plug`]), is an error.
pub fn compose_with(
    root: Input<'_>,
    definitions: &[Input<'_>],
    options: &Options,
) -> Result<Vec<u8>> {
    compose_into(root, definitions, options, |c| Ok(c.to_vec())).unwrap_or_else(Err)
}

/// A composed component as the parts it is made of, in order: bytes weft encoded, and the
/// inputs' bytes, embedded unchanged (so never copied until they are placed).
pub struct Composed<'a> {
    parts: Vec<Part<'a>>,
    /// The inputs (numbered as [`compose_with`] takes them) that are not part of it: nothing
    /// uses them.
    left_out: Vec<usize>,
}

pub(crate) enum Part<'a> {
    Encoded(Vec<u8>),
    Input(&'a [u8]),
}

impl Composed<'_> {
    /// The definitions that are not part of the composition, because no import used them
    /// (numbered as [`compose_with`] takes its inputs: 1, 2, … for the definitions).
    pub fn left_out(&self) -> &[usize] {
        &self.left_out
    }

    fn slices(&self) -> impl Iterator<Item = &[u8]> {
        self.parts.iter().map(|p| match p {
            Part::Encoded(v) => v.as_slice(),
            Part::Input(b) => b,
        })
    }

    /// The component's size in bytes.
    pub fn len(&self) -> usize {
        self.slices().map(<[u8]>::len).sum()
    }

    /// Whether it has no bytes (never: a component has a header).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The component's bytes, in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for s in self.slices() {
            out.extend_from_slice(s);
        }
        out
    }

    /// Writes the component's bytes to `w` (a file, say), part by part.
    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        for s in self.slices() {
            w.write_all(s)?;
        }
        Ok(())
    }
}

/// [`compose_with`], with the composed component placed by `place` before it is validated as a
/// whole: `place` puts its bytes where the caller wants them (a file, mapped back, say, for a
/// large composition: the inputs' bytes then go to the file without passing through a buffer)
/// and returns them, in one piece. The outer error is `place`'s, the inner one
/// composition's: an invalid input, a plug that does not fit, or an output that does not
/// validate (a bug in weft; the caller must then not keep what `place` made).
pub fn compose_into<T: std::ops::Deref<Target = [u8]>, E>(
    root: Input<'_>,
    definitions: &[Input<'_>],
    options: &Options,
    place: impl FnOnce(&Composed<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<Result<T>, E> {
    let inputs: Vec<&Input<'_>> = std::iter::once(&root).chain(definitions).collect();
    let size = inputs.iter().map(|i| i.bytes.len()).sum();
    // The inputs' function bodies are validated on the other cores while they are read,
    // composed and placed. Keys order their errors by input, then by body.
    let key = |input: usize| (input as u64) << 40;
    let (placed, bodies) = weft_binary::BodyPool::run(weft_binary::body_threads(size), |pool| {
        let composed = (|| {
            let mut comps = Vec::with_capacity(inputs.len());
            for (i, input) in inputs.iter().enumerate() {
                comps.push(read::read(&input.label, input.bytes, pool, key(i))?);
            }
            let explicit = explicit(&comps, options)?;
            let plan = plan(&comps, options.mode, &explicit)?;
            encode::Composer::new(&comps, &plan).run()
        })();
        let composed = match composed {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let placed = place(&composed)?;
        // Structure only: the output's core code is the inputs', byte for byte, in nested
        // components that were valid on their own (a component at the top level has nothing
        // outside it to alias), and the pool validates every input's function bodies. So
        // this and the pool together validate the output fully.
        Ok(
            weft_binary::validate(&placed, weft_binary::Validation::Structure)
                .map(|()| placed)
                .map_err(|e| {
                    e.context("validating the composed component")
                        .with_help("this is a bug in weft: please report it with the inputs")
                }),
        )
    });
    // An invalid function body of an input is reported before anything else: reading stopped
    // at the first input with an invalid structure, after queueing the bodies before it.
    if let Err((k, e)) = bodies {
        let label = &inputs[(k >> 40) as usize].label;
        return Ok(Err(e
            .context("validating the component")
            .context(format!("reading `{label}`"))));
    }
    placed
}

/// Which export plugs which import, and the order of instantiation.
pub(crate) struct Plan {
    /// `(importer, import index)` → `(definition, export index)`.
    pub(crate) plugs: HashMap<(NodeId, usize), (NodeId, usize)>,
    /// The nodes to instantiate, each after every node it imports from; the root is last.
    pub(crate) order: Vec<NodeId>,
}

type Plugs = HashMap<(NodeId, usize), (NodeId, usize)>;

/// The explicit plugs, checked against the inputs: `(importer, import)` → `(definition,
/// export)`.
fn explicit(comps: &[read::Component<'_>], options: &Options) -> Result<Plugs> {
    let mut out = HashMap::default();
    for p in &options.plugs {
        let input = |n: usize| {
            comps
                .get(n)
                .ok_or_else(|| Error::msg(format!("plug of `{}`: there is no input {n}", p.import)))
        };
        let importer = input(p.importer)?;
        let def = input(p.definition)?;
        if p.definition == 0 {
            return Err(Error::msg(format!(
                "import `{}` of `{}` cannot be plugged by the root `{}`",
                p.import, importer.label, def.label
            )));
        }
        if p.definition == p.importer {
            return Err(Error::msg(format!(
                "import `{}` of `{}` cannot be plugged by `{}` itself",
                p.import, importer.label, def.label
            )));
        }
        if options.mode == Mode::Plug && p.importer != 0 {
            return Err(Error::msg(format!(
                "the plug of import `{}` of `{}` does not apply: only the root's imports are plugged",
                p.import, importer.label
            )));
        }
        let Some(idx) = importer.imports.iter().position(|(n, _)| *n == p.import) else {
            return Err(Error::msg(format!(
                "`{}` has no import `{}` to plug",
                importer.label, p.import
            ))
            .with_help(format!(
                "`{}` imports: {}",
                importer.label,
                list(importer.imports.iter().map(|i| &i.0))
            )));
        };
        let ty = &importer.imports[idx].1;
        let found = match &p.export {
            Some(e) => def.exports.iter().position(|(n, _)| n == e),
            None => {
                let by = |want: fn(&Match) -> bool| {
                    def.exports
                        .iter()
                        .position(|(n, _)| want(&names::matches(&p.import, n)))
                };
                by(|m| *m == Match::Exact).or_else(|| by(|m| *m == Match::Compatible))
            }
        };
        let Some(eidx) = found else {
            let what = match &p.export {
                Some(e) => format!("`{}` has no export `{e}`", def.label),
                None => format!(
                    "`{}` has no export that matches import `{}` of `{}`",
                    def.label, p.import, importer.label
                ),
            };
            return Err(Error::msg(what).with_help(format!(
                "`{}` exports: {}{}",
                def.label,
                list(def.exports.iter().map(|e| &e.0)),
                match p.export {
                    None => "; name the one to use with `export = \"…\"`",
                    Some(_) => "",
                }
            )));
        };
        let (ename, ety) = &def.exports[eidx];
        if check::kind(ety) != check::kind(ty) {
            return Err(Error::msg(format!(
                "import `{}` of `{}` cannot be plugged by export `{ename}` of `{}`: it is {}, \
                 the import is {}",
                p.import,
                importer.label,
                def.label,
                check::a_kind(ety),
                check::a_kind(ty)
            )));
        }
        if out
            .insert((p.importer, idx), (p.definition, eidx))
            .is_some()
        {
            return Err(Error::msg(format!(
                "import `{}` of `{}` is plugged twice",
                p.import, importer.label
            )));
        }
    }
    Ok(out)
}

fn plan(comps: &[read::Component<'_>], mode: Mode, explicit: &Plugs) -> Result<Plan> {
    let mut plugs = HashMap::default();
    let mut order = Vec::new();
    // 0: not visited, 1: being visited, 2: done.
    let mut state = vec![0u8; comps.len()];
    let mut stack = Vec::new();
    let mut cx = Visit {
        comps,
        mode,
        explicit,
        plugs: &mut plugs,
        order: &mut order,
        state: &mut state,
        stack: &mut stack,
    };
    cx.visit(0)?;
    let mut keys: Vec<&(NodeId, usize)> = explicit.keys().collect();
    keys.sort();
    for &&(importer, idx) in &keys {
        if state[importer] == 0 {
            return Err(Error::msg(format!(
                "the plug of import `{}` of `{}` does not apply: nothing uses `{}`",
                comps[importer].imports[idx].0, comps[importer].label, comps[importer].label
            ))
            .with_help("plug an import with one of its exports, or leave the plug out"));
        }
    }
    if mode == Mode::Plug {
        for (n, c) in comps.iter().enumerate().skip(1) {
            if state[n] == 0 {
                return Err(Error::msg(format!(
                    "plug `{}` plugs no import of `{}`",
                    c.label, comps[0].label
                ))
                .with_help(format!(
                    "`{}` imports: {}; `{}` exports: {}",
                    comps[0].label,
                    list(comps[0].imports.iter().map(|i| &i.0)),
                    c.label,
                    list(c.exports.iter().map(|e| &e.0)),
                )));
            }
        }
    }
    Ok(Plan { plugs, order })
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "nothing".to_string()
    } else {
        v.join(", ")
    }
}

struct Visit<'a, 'c> {
    comps: &'a [read::Component<'c>],
    mode: Mode,
    explicit: &'a Plugs,
    plugs: &'a mut Plugs,
    order: &'a mut Vec<NodeId>,
    state: &'a mut [u8],
    stack: &'a mut Vec<NodeId>,
}

impl Visit<'_, '_> {
    fn visit(&mut self, node: NodeId) -> Result<()> {
        let comps = self.comps;
        match self.state[node] {
            2 => return Ok(()),
            1 => {
                let from = self.stack.iter().position(|n| *n == node).unwrap_or(0);
                let cycle: Vec<&str> = self.stack[from..]
                    .iter()
                    .chain(std::iter::once(&node))
                    .map(|n| comps[*n].label.as_str())
                    .collect();
                return Err(Error::msg(format!(
                    "the components import from each other in a cycle: {}",
                    cycle.join(" → ")
                ))
                .with_help(
                    "a composition instantiates each component once, so it cannot have cycles",
                ));
            }
            _ => {}
        }
        self.state[node] = 1;
        self.stack.push(node);
        let plugs_imports = node == 0 || self.mode == Mode::Definitions;
        if plugs_imports {
            for (idx, (name, ty)) in comps[node].imports.iter().enumerate() {
                let found = match self.explicit.get(&(node, idx)) {
                    Some(&p) => Some(p),
                    None => provider(comps, node, name, ty)?,
                };
                if let Some((dep, export)) = found {
                    self.plugs.insert((node, idx), (dep, export));
                    self.visit(dep)?;
                }
            }
        }
        self.stack.pop();
        self.state[node] = 2;
        self.order.push(node);
        Ok(())
    }
}

/// The definition export that plugs import `name` of `node`: `None` when no definition
/// exports anything of that name (the import stays), an error when candidates exist but none
/// fits by name and kind, or several do.
fn provider(
    comps: &[read::Component<'_>],
    node: NodeId,
    name: &str,
    ty: &wasmparser::component_types::ComponentEntityType,
) -> Result<Option<(NodeId, usize)>> {
    let mut exact = Vec::new();
    let mut compatible = Vec::new();
    let mut rejected = Vec::new();
    for (dep, c) in comps.iter().enumerate().skip(1) {
        if dep == node {
            continue;
        }
        for (idx, (ename, ety)) in c.exports.iter().enumerate() {
            let m = names::matches(name, ename);
            if m == Match::None {
                continue;
            }
            let what = format!("`{ename}` exported by `{}`", c.label);
            if check::kind(ety) != check::kind(ty) {
                rejected.push(format!(
                    "{what}: it is {}, the import is {}",
                    check::a_kind(ety),
                    check::a_kind(ty)
                ));
                continue;
            }
            match m {
                Match::Exact => exact.push(((dep, idx), what)),
                Match::Compatible => compatible.push(((dep, idx), what)),
                Match::Incompatible(why) => rejected.push(format!("{what}: {why}")),
                Match::None => {}
            }
        }
    }
    let label = &comps[node].label;
    for found in [exact, compatible] {
        match found.len() {
            0 => {}
            1 => return Ok(Some(found[0].0)),
            _ => {
                let mut msg =
                    format!("import `{name}` of `{label}` is ambiguous: more than one export fits");
                for (_, what) in &found {
                    let _ = std::fmt::Write::write_fmt(&mut msg, format_args!("\n    {what}"));
                }
                return Err(Error::msg(msg).with_help(
                    "pass only one definition that exports it, or wire the import to one explicitly in a composition file (`[imports]`, or a dependency's `imports`; `weft compose --config`)",
                ));
            }
        }
    }
    if rejected.is_empty() {
        return Ok(None);
    }
    let mut msg =
        format!("import `{name}` of `{label}` could not be satisfied; candidates considered:");
    for why in &rejected {
        msg.push_str("\n    ");
        msg.push_str(why);
    }
    Err(Error::msg(msg).with_help(
        "pass a definition whose export fits, or leave out the one that does not to keep the import",
    ))
}
