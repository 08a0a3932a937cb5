//! `weft inspect --graph`: a component's instance graph as Graphviz DOT.
//!
//! Built from `weft_binary`'s model alone, so it works on any component, composed or not:
//! its top-level imports and exports, and the component and core instances it creates, with
//! an edge from whatever satisfies an instantiation argument to the instance that takes it,
//! labelled with the argument's (import's) name, and `import ← export` when the export that
//! satisfies it has another name. Instances made of other items' exports (`(instance (export
//! …))`, `(core instance (export …))`) are seen through: their items' sources get the edges.
//! Names come from `component-name` sections (the outer component's names for its instances,
//! components and modules, else a nested component's own name or a module's `name` section),
//! falling back to indices. The output depends only on the binary, so it is deterministic.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use weft_binary::{
    Alias, Canon, Component, ComponentKind, CoreInstance, CoreKind, Instance, Origin,
};

/// How many steps a chain of aliases, exports and lifts may take before it is given up on (a
/// valid binary's chains end much sooner; this bounds work on an invalid one).
const MAX_DEPTH: u32 = 64;

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Import(u32),
    CoreInstance(u32),
    Instance(u32),
    Export(u32),
}

impl Node {
    fn id(&self) -> String {
        match self {
            Node::Import(i) => format!("import{i}"),
            Node::CoreInstance(i) => format!("core{i}"),
            Node::Instance(i) => format!("instance{i}"),
            Node::Export(i) => format!("export{i}"),
        }
    }
}

/// What satisfies an argument: a node and, when it is an export of that node, the export name.
type Source = (Node, Option<String>);

/// Names from a `component-name` custom section.
#[derive(Default)]
struct Names {
    component: Option<String>,
    components: HashMap<u32, String>,
    modules: HashMap<u32, String>,
    instances: HashMap<u32, String>,
    core_instances: HashMap<u32, String>,
}

fn names(c: &Component, wasm: &[u8]) -> Names {
    use wasmparser::ComponentName;
    let mut out = Names::default();
    for section in c
        .custom_sections
        .iter()
        .filter(|s| s.name == "component-name")
    {
        let Some(data) = wasm.get(section.data.clone()) else {
            continue;
        };
        let reader = wasmparser::BinaryReader::new(data, section.data.start);
        // A malformed names section only costs the names.
        for sub in wasmparser::ComponentNameSectionReader::new(reader).flatten() {
            let map = match sub {
                ComponentName::Component { name, .. } => {
                    out.component = Some(name.to_string());
                    continue;
                }
                ComponentName::Components(m) => (&mut out.components, m),
                ComponentName::CoreModules(m) => (&mut out.modules, m),
                ComponentName::Instances(m) => (&mut out.instances, m),
                ComponentName::CoreInstances(m) => (&mut out.core_instances, m),
                _ => continue,
            };
            for naming in map.1.into_iter().flatten() {
                map.0.insert(naming.index, naming.name.to_string());
            }
        }
    }
    out
}

/// The instance graph of `c` (the outermost component of `wasm`) in DOT.
pub(super) fn dot(c: &Component, wasm: &[u8], title: &str) -> String {
    let g = Graph {
        c,
        wasm,
        names: names(c, wasm),
    };
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(title));
    out.push_str(
        "  rankdir=LR;\n  node [fontname=\"monospace\"];\n  edge [fontname=\"monospace\"];\n",
    );
    for (i, import) in c.imports.iter().enumerate() {
        let kind = match import.kind {
            ComponentKind::Instance => String::new(),
            k => format!(" ({})", k.as_str()),
        };
        node(
            &mut out,
            &Node::Import(i as u32),
            "box",
            &format!("import\n{}{kind}", import.name),
        );
    }
    let mut edges = BTreeSet::new();
    for (n, inst) in c.core_instances.iter().enumerate() {
        let CoreInstance::Instantiate { module, args } = inst else {
            continue;
        };
        let target = Node::CoreInstance(n as u32);
        node(
            &mut out,
            &target,
            "box3d",
            &g.core_instance_label(n as u32, *module),
        );
        for (arg, instance) in args {
            for (src, _) in g.core_instance_sources(*instance, MAX_DEPTH) {
                edges.insert((target.clone(), src, arg.clone()));
            }
        }
    }
    for (n, inst) in c.instances.iter().enumerate() {
        let Instance::Instantiate { component, args } = inst else {
            continue;
        };
        let target = Node::Instance(n as u32);
        node(
            &mut out,
            &target,
            "component",
            &g.instance_label(n as u32, *component),
        );
        for (arg, kind, index) in args {
            for (src, export) in g.sources(*kind, *index, MAX_DEPTH) {
                edges.insert((target.clone(), src, label(arg, export.as_deref())));
            }
        }
    }
    for (e, export) in c.exports.iter().enumerate() {
        let target = Node::Export(e as u32);
        let kind = match export.kind {
            ComponentKind::Instance => String::new(),
            k => format!(" ({})", k.as_str()),
        };
        node(
            &mut out,
            &target,
            "box",
            &format!("export\n{}{kind}", export.name),
        );
        for (src, inner) in g.sources(export.kind, export.index, MAX_DEPTH) {
            edges.insert((target.clone(), src, label(&export.name, inner.as_deref())));
        }
    }
    for (target, src, label) in &edges {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            src.id(),
            target.id(),
            quote(label)
        );
    }
    out.push_str("}\n");
    out
}

fn node(out: &mut String, n: &Node, shape: &str, label: &str) {
    let _ = writeln!(out, "  {} [shape={shape}, label={}];", n.id(), quote(label));
}

/// An edge's label: the argument's name, and the export's when it differs.
fn label(arg: &str, export: Option<&str>) -> String {
    match export {
        Some(e) if e != arg => format!("{arg} ← {e}"),
        _ => arg.to_string(),
    }
}

/// A DOT string: quoted, with `"` and `\` escaped and newlines as `\n`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Graph<'a> {
    c: &'a Component,
    wasm: &'a [u8],
    names: Names,
}

impl Graph<'_> {
    fn instance_label(&self, n: u32, component: u32) -> String {
        let own = self
            .names
            .instances
            .get(&n)
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        let of = self
            .names
            .components
            .get(&component)
            .cloned()
            .or_else(|| {
                let (_, origin) = self.item(ComponentKind::Component, component)?;
                let Origin::Defined(d) = origin else {
                    return None;
                };
                let nested = self.c.components.get(d as usize)?;
                names(nested, self.wasm).component
            })
            .unwrap_or_else(|| format!("#{component}"));
        format!("instance {n}{own}\nof component {of}")
    }

    fn core_instance_label(&self, n: u32, module: u32) -> String {
        let own = self
            .names
            .core_instances
            .get(&n)
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        let of = self
            .names
            .modules
            .get(&module)
            .cloned()
            .or_else(|| {
                let (_, origin) = self.item(ComponentKind::Module, module)?;
                let Origin::Defined(d) = origin else {
                    return None;
                };
                self.c.modules.get(d as usize)?.name.clone()
            })
            .unwrap_or_else(|| format!("#{module}"));
        format!("core instance {n}{own}\nof module {of}")
    }

    /// The `index`th item of `kind` and where it comes from.
    fn item(&self, kind: ComponentKind, index: u32) -> Option<(ComponentKind, Origin)> {
        self.c
            .items
            .iter()
            .filter(|(k, _)| *k == kind)
            .nth(index as usize)
            .copied()
    }

    /// What provides item `index` of `kind`: the nodes it comes from.
    fn sources(&self, kind: ComponentKind, index: u32, depth: u32) -> Vec<Source> {
        let Some(depth) = depth.checked_sub(1) else {
            return Vec::new();
        };
        let Some((_, origin)) = self.item(kind, index) else {
            return Vec::new();
        };
        match origin {
            Origin::Import(i) => vec![(Node::Import(i), None)],
            Origin::Export(e) => match self.c.exports.get(e as usize) {
                Some(e) => self.sources(e.kind, e.index, depth),
                None => Vec::new(),
            },
            Origin::Alias(a) => match self.c.aliases.get(a as usize) {
                Some(Alias::InstanceExport { instance, name, .. }) => {
                    self.instance_export(*instance, name, depth)
                }
                _ => Vec::new(),
            },
            Origin::Defined(d) => match kind {
                ComponentKind::Instance => match self.c.instances.get(d as usize) {
                    Some(Instance::Instantiate { .. }) => vec![(Node::Instance(d), None)],
                    Some(Instance::FromExports(items)) => items
                        .iter()
                        .flat_map(|(_, k, i)| self.sources(*k, *i, depth))
                        .collect(),
                    _ => Vec::new(),
                },
                ComponentKind::Func => match self.c.canons.get(d as usize) {
                    Some(Canon::Lift { core_func, .. }) => {
                        self.core_sources(CoreKind::Func, *core_func, depth)
                    }
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            },
        }
    }

    /// What provides export `name` of component instance `instance`.
    fn instance_export(&self, instance: u32, name: &str, depth: u32) -> Vec<Source> {
        let Some((_, origin)) = self.item(ComponentKind::Instance, instance) else {
            return Vec::new();
        };
        match origin {
            Origin::Import(i) => vec![(Node::Import(i), Some(name.to_string()))],
            Origin::Defined(d) => match self.c.instances.get(d as usize) {
                Some(Instance::Instantiate { .. }) => {
                    vec![(Node::Instance(d), Some(name.to_string()))]
                }
                Some(Instance::FromExports(items)) => items
                    .iter()
                    .filter(|(n, _, _)| n == name)
                    .flat_map(|(_, k, i)| self.sources(*k, *i, depth))
                    .collect(),
                _ => Vec::new(),
            },
            // An instance that is itself an export of another: where it comes from.
            _ => self
                .sources(ComponentKind::Instance, instance, depth)
                .into_iter()
                .map(|(n, _)| (n, Some(name.to_string())))
                .collect(),
        }
    }

    /// What provides core item `index` of `kind`.
    fn core_sources(&self, kind: CoreKind, index: u32, depth: u32) -> Vec<Source> {
        let Some(depth) = depth.checked_sub(1) else {
            return Vec::new();
        };
        let origin = self
            .c
            .core_items
            .iter()
            .filter(|(k, _)| *k == kind)
            .nth(index as usize)
            .map(|(_, o)| *o);
        match origin {
            Some(Origin::Alias(a)) => match self.c.aliases.get(a as usize) {
                Some(Alias::CoreInstanceExport { instance, name, .. }) => {
                    match self.c.core_instances.get(*instance as usize) {
                        Some(CoreInstance::Instantiate { .. }) => {
                            vec![(Node::CoreInstance(*instance), Some(name.clone()))]
                        }
                        Some(CoreInstance::FromExports(items)) => items
                            .iter()
                            .filter(|(n, _, _)| n == name)
                            .flat_map(|(_, k, i)| self.core_sources(*k, *i, depth))
                            .collect(),
                        None => Vec::new(),
                    }
                }
                _ => Vec::new(),
            },
            Some(Origin::Defined(d)) => match self.c.canons.get(d as usize) {
                Some(Canon::Lower { func, .. }) => self.sources(ComponentKind::Func, *func, depth),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// What provides core instance `instance`, as an instantiation argument.
    fn core_instance_sources(&self, instance: u32, depth: u32) -> Vec<Source> {
        match self.c.core_instances.get(instance as usize) {
            Some(CoreInstance::Instantiate { .. }) => vec![(Node::CoreInstance(instance), None)],
            Some(CoreInstance::FromExports(items)) => items
                .iter()
                .flat_map(|(_, k, i)| self.core_sources(*k, *i, depth))
                .collect(),
            None => Vec::new(),
        }
    }
}
