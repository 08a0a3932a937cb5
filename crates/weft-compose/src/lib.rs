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
//! before it is returned. Nothing is executed.
#![deny(missing_docs)]

mod check;
mod encode;
mod names;
mod read;

use std::collections::HashMap;

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

/// Composes `root` with `definitions` (see the crate docs) into a new component binary.
pub fn compose(root: Input<'_>, definitions: &[Input<'_>], mode: Mode) -> Result<Vec<u8>> {
    let mut comps = vec![read::read(&root.label, root.bytes)?];
    for d in definitions {
        comps.push(read::read(&d.label, d.bytes)?);
    }
    let plan = plan(&comps, mode)?;
    let bytes = encode::Composer::new(&comps, &plan).run()?;
    weft_binary::validate(&bytes, weft_binary::Validation::Full).map_err(|e| {
        e.context("validating the composed component")
            .with_help("this is a bug in weft: please report it with the inputs")
    })?;
    Ok(bytes)
}

/// Which export plugs which import, and the order of instantiation.
pub(crate) struct Plan {
    /// `(importer, import index)` → `(definition, export index)`.
    pub(crate) plugs: HashMap<(NodeId, usize), (NodeId, usize)>,
    /// The nodes to instantiate, each after every node it imports from; the root is last.
    pub(crate) order: Vec<NodeId>,
}

fn plan(comps: &[read::Component<'_>], mode: Mode) -> Result<Plan> {
    let mut plugs = HashMap::new();
    let mut order = Vec::new();
    // 0: not visited, 1: being visited, 2: done.
    let mut state = vec![0u8; comps.len()];
    let mut stack = Vec::new();
    visit(
        comps, mode, 0, &mut plugs, &mut order, &mut state, &mut stack,
    )?;
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

fn visit(
    comps: &[read::Component<'_>],
    mode: Mode,
    node: NodeId,
    plugs: &mut HashMap<(NodeId, usize), (NodeId, usize)>,
    order: &mut Vec<NodeId>,
    state: &mut [u8],
    stack: &mut Vec<NodeId>,
) -> Result<()> {
    match state[node] {
        2 => return Ok(()),
        1 => {
            let from = stack.iter().position(|n| *n == node).unwrap_or(0);
            let cycle: Vec<&str> = stack[from..]
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
    state[node] = 1;
    stack.push(node);
    let plugs_imports = node == 0 || mode == Mode::Definitions;
    if plugs_imports {
        for (idx, (name, ty)) in comps[node].imports.iter().enumerate() {
            if let Some((dep, export)) = provider(comps, node, name, ty)? {
                plugs.insert((node, idx), (dep, export));
                visit(comps, mode, dep, plugs, order, state, stack)?;
            }
        }
    }
    stack.pop();
    state[node] = 2;
    order.push(node);
    Ok(())
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
                    "{what}: it is a {}, the import is a {}",
                    check::kind(ety),
                    check::kind(ty)
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
                    "pass only one definition that exports it (explicit wiring is not supported yet)",
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
