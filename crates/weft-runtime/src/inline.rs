//! Stage two: the instantiation plan. Starting from the outermost body, every definition is
//! followed to where it comes from: nested components are inlined with the arguments they
//! are instantiated with, aliases and exports are resolved, and what remains is a flat list
//! of core instantiations, lowered and lifted functions and resource types, each naming
//! core items by the core instance that exports them. Instantiating a component only runs
//! this plan.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use weft_abi::{FuncType, ResourceType, StringEncoding, Type};

use crate::translate::{Body, CoreSort, ImportShape, Init, RawOptions, Sort, Translation};
use crate::{Error, Result};

/// A component's instantiation plan.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The top-level imports: name and what the component expects.
    pub(crate) imports: Vec<(String, ImportShape)>,
    /// Core instances, in instantiation order.
    pub(crate) instances: Vec<CoreInstance>,
    pub(crate) lowerings: Vec<Lowering>,
    pub(crate) lifts: Vec<Lift>,
    pub(crate) resources: Vec<PlanResource>,
    /// The top-level exports.
    pub(crate) exports: Vec<(String, Export)>,
    /// How many component instances the plan makes (the outermost and each inlined one):
    /// each has its own resource handle table.
    pub(crate) component_instances: u32,
}

/// A core instance: static module `module` instantiated with `args`, one per import of the
/// module, in order.
#[derive(Debug)]
pub(crate) struct CoreInstance {
    pub(crate) module: u32,
    pub(crate) args: Vec<CoreDef>,
}

/// Where a core item comes from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CoreDef {
    /// Export `name` of core instance `instance`.
    Export {
        instance: u32,
        name: Arc<str>,
    },
    /// Lowered function `0`.
    Lowered(u32),
    /// `resource.new`/`.rep`/`.drop` of a plan resource, in a component instance's table.
    ResourceNew {
        resource: u32,
        instance: u32,
    },
    ResourceRep {
        resource: u32,
        instance: u32,
    },
    ResourceDrop {
        resource: u32,
        instance: u32,
    },
}

/// Where a component function comes from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FuncDef {
    /// A function of top-level import `import`, at `path` inside it (empty for a function
    /// import).
    Import { import: u32, path: Arc<[String]> },
    /// Lifted function `0`.
    Lifted(u32),
}

/// The canonical options of a lift or lower, resolved.
#[derive(Clone, Debug, Default)]
pub(crate) struct Options {
    pub(crate) encoding: StringEncoding,
    pub(crate) memory: Option<CoreDef>,
    pub(crate) realloc: Option<CoreDef>,
    pub(crate) post_return: Option<CoreDef>,
}

/// A `canon lower`: a core function that calls `callee`.
#[derive(Debug)]
pub(crate) struct Lowering {
    pub(crate) callee: FuncDef,
    pub(crate) ty: FuncType,
    pub(crate) options: Options,
    /// The component instance doing the lowering (whose handle table it uses).
    pub(crate) instance: u32,
}

/// A `canon lift`: a component function implemented by core function `func`.
#[derive(Debug)]
pub(crate) struct Lift {
    pub(crate) func: CoreDef,
    pub(crate) ty: FuncType,
    pub(crate) options: Options,
    /// The component instance the function belongs to.
    pub(crate) instance: u32,
}

/// A resource type of the plan.
#[derive(Debug)]
pub(crate) enum PlanResource {
    /// Defined by component instance `instance`, with a destructor.
    Defined {
        instance: u32,
        dtor: Option<CoreDef>,
    },
    /// Imported: a type at `path` in top-level import `import`.
    #[allow(
        dead_code,
        reason = "host-defined resources (the WASI host) bind to these"
    )]
    Imported { import: u32, path: Arc<[String]> },
}

/// A top-level export.
#[derive(Clone, Debug)]
#[allow(
    dead_code,
    reason = "types and other items are exported for composition and inspection"
)]
pub(crate) enum Export {
    Func(FuncDef, Arc<FuncType>),
    Instance(Vec<(String, Export)>),
    Type(Option<u32>),
    /// A module, component or value: not callable.
    Other(Sort),
}

/// An item of a component index space while inlining.
#[derive(Clone, Debug)]
enum Item {
    Func(FuncDef, Arc<FuncType>),
    Instance(Rc<Vec<(String, Item)>>),
    Type(Option<u32>),
    Module(u32),
    Component { body: u32, parent: usize },
    Value,
}

/// The module index of a core module the outermost component imports (the host provides
/// none, so nothing can instantiate it).
const IMPORTED_MODULE: u32 = u32::MAX;

/// A core instance while inlining: instantiated, or a bag of items.
#[derive(Clone, Debug)]
enum CoreInstanceDef {
    Runtime(u32),
    Bag(Rc<HashMap<String, CoreDef>>),
}

/// One inlined component body's index spaces.
#[derive(Default)]
struct Frame {
    instance: u32,
    resources: Vec<Option<u32>>,
    core_funcs: Vec<CoreDef>,
    core_memories: Vec<CoreDef>,
    core_tables: Vec<CoreDef>,
    core_globals: Vec<CoreDef>,
    core_tags: Vec<CoreDef>,
    core_instances: Vec<CoreInstanceDef>,
    modules: Vec<u32>,
    components: Vec<(u32, usize)>,
    funcs: Vec<(FuncDef, Arc<FuncType>)>,
    instances: Vec<Rc<Vec<(String, Item)>>>,
    types: Vec<Option<u32>>,
    values: u32,
    exports: Vec<(String, Item)>,
}

struct Inliner<'a> {
    translation: &'a Translation,
    plan: Plan,
    frames: Vec<Frame>,
    /// For each frame, the frame its body was defined in.
    parents: Vec<Option<usize>>,
}

/// Builds the plan of a translated component.
pub(crate) fn inline(translation: &Translation) -> Result<Plan> {
    let root = translation
        .bodies
        .len()
        .checked_sub(1)
        .ok_or_else(|| Error::msg("no component"))?;
    let mut inliner = Inliner {
        translation,
        plan: Plan::default(),
        frames: Vec::new(),
        parents: Vec::new(),
    };
    let frame = inliner.body(root as u32, None, None)?;
    let exports = std::mem::take(&mut inliner.frames[frame].exports);
    inliner.plan.exports = exports
        .into_iter()
        .map(|(name, item)| (name, export(item)))
        .collect();
    Ok(inliner.plan)
}

fn export(item: Item) -> Export {
    match item {
        Item::Func(f, ty) => Export::Func(f, ty),
        Item::Instance(items) => Export::Instance(
            items
                .iter()
                .map(|(n, i)| (n.clone(), export(i.clone())))
                .collect(),
        ),
        Item::Type(r) => Export::Type(r),
        Item::Module(_) => Export::Other(Sort::Module),
        Item::Component { .. } => Export::Other(Sort::Component),
        Item::Value => Export::Other(Sort::Value),
    }
}

impl Inliner<'_> {
    /// Inlines body `body`, defined in frame `parent`, with `args` for its imports (`None` for
    /// the outermost body, whose imports are the component's). Returns the frame's index.
    fn body(
        &mut self,
        body: u32,
        parent: Option<usize>,
        args: Option<&HashMap<String, Item>>,
    ) -> Result<usize> {
        let translation = self.translation;
        let body: &Body = &translation.bodies[body as usize];
        let instance = self.plan.component_instances;
        self.plan.component_instances += 1;
        self.frames.push(Frame {
            instance,
            resources: vec![None; body.resources as usize],
            ..Frame::default()
        });
        self.parents.push(parent);
        let me = self.frames.len() - 1;
        for init in &body.inits {
            self.init(me, parent, args, init)?;
        }
        Ok(me)
    }

    fn frame(&mut self, f: usize) -> &mut Frame {
        &mut self.frames[f]
    }

    fn init(
        &mut self,
        me: usize,
        parent: Option<usize>,
        args: Option<&HashMap<String, Item>>,
        init: &Init,
    ) -> Result<()> {
        match init {
            Init::Import { name, shape } => {
                let item = match args {
                    None => {
                        let import = self.plan.imports.len() as u32;
                        self.plan.imports.push((name.clone(), shape.clone()));
                        self.import_item(me, import, &mut Vec::new(), shape)?
                    }
                    Some(args) => {
                        let arg = args.get(name).cloned().ok_or_else(|| {
                            Error::msg(format!("nested component import `{name}` has no argument"))
                        })?;
                        self.bind_resources(me, shape, &arg)?;
                        arg
                    }
                };
                self.push_item(me, item);
            }
            Init::Module(m) => self.frame(me).modules.push(*m),
            Init::Component(b) => self.frame(me).components.push((*b, me)),
            Init::CoreInstantiate { module, args } => {
                let f = &self.frames[me];
                let static_module = *f
                    .modules
                    .get(*module as usize)
                    .ok_or_else(|| bad("module"))?;
                if static_module == IMPORTED_MODULE {
                    return Err(Error::unsupported(
                        "instantiating a core module that the outermost component imports",
                    ));
                }
                let mut by_name: HashMap<&str, &CoreInstanceDef> = HashMap::new();
                for (name, i) in args {
                    by_name.insert(
                        name,
                        f.core_instances
                            .get(*i as usize)
                            .ok_or_else(|| bad("core instance"))?,
                    );
                }
                let mut defs = Vec::new();
                for (module_name, field) in
                    &self.translation.modules[static_module as usize].imports
                {
                    let instance = by_name.get(module_name.as_str()).ok_or_else(|| {
                        Error::msg(format!(
                            "core import module `{module_name}` has no argument"
                        ))
                    })?;
                    defs.push(core_export(instance, field)?);
                }
                let index = self.plan.instances.len() as u32;
                self.plan.instances.push(CoreInstance {
                    module: static_module,
                    args: defs,
                });
                self.frame(me)
                    .core_instances
                    .push(CoreInstanceDef::Runtime(index));
            }
            Init::CoreFromExports(exports) => {
                let f = &self.frames[me];
                let mut bag = HashMap::new();
                for (name, sort, index) in exports {
                    bag.insert(name.clone(), core_item(f, *sort, *index)?);
                }
                self.frame(me)
                    .core_instances
                    .push(CoreInstanceDef::Bag(Rc::new(bag)));
            }
            Init::CoreAlias {
                sort,
                instance,
                name,
            } => {
                let f = &self.frames[me];
                let instance = f
                    .core_instances
                    .get(*instance as usize)
                    .ok_or_else(|| bad("core instance"))?;
                let def = core_export(instance, name)?;
                let f = self.frame(me);
                match sort {
                    CoreSort::Func => f.core_funcs.push(def),
                    CoreSort::Memory => f.core_memories.push(def),
                    CoreSort::Table => f.core_tables.push(def),
                    CoreSort::Global => f.core_globals.push(def),
                    CoreSort::Tag => f.core_tags.push(def),
                }
            }
            Init::Lift {
                core_func,
                ty,
                options,
            } => {
                let f = &self.frames[me];
                let func = f
                    .core_funcs
                    .get(*core_func as usize)
                    .cloned()
                    .ok_or_else(|| bad("core function"))?;
                let options = resolve_options(f, options)?;
                let ty = Arc::new(subst_func(f, ty)?);
                let index = self.plan.lifts.len() as u32;
                self.plan.lifts.push(Lift {
                    func,
                    ty: (*ty).clone(),
                    options,
                    instance: f.instance,
                });
                self.frame(me).funcs.push((FuncDef::Lifted(index), ty));
            }
            Init::Lower { func, ty, options } => {
                let f = &self.frames[me];
                let (callee, _) = f
                    .funcs
                    .get(*func as usize)
                    .cloned()
                    .ok_or_else(|| bad("function"))?;
                let options = resolve_options(f, options)?;
                let ty = subst_func(f, ty)?;
                let index = self.plan.lowerings.len() as u32;
                self.plan.lowerings.push(Lowering {
                    callee,
                    ty,
                    options,
                    instance: f.instance,
                });
                self.frame(me).core_funcs.push(CoreDef::Lowered(index));
            }
            Init::ResourceNew { resource }
            | Init::ResourceRep { resource }
            | Init::ResourceDrop { resource } => {
                let f = &self.frames[me];
                let resource = bound(f, *resource)?;
                let instance = f.instance;
                let def = match init {
                    Init::ResourceNew { .. } => CoreDef::ResourceNew { resource, instance },
                    Init::ResourceRep { .. } => CoreDef::ResourceRep { resource, instance },
                    _ => CoreDef::ResourceDrop { resource, instance },
                };
                self.frame(me).core_funcs.push(def);
            }
            Init::Type(None) => self.frame(me).types.push(None),
            Init::Type(Some((local, dtor))) => {
                let f = &self.frames[me];
                let dtor = dtor
                    .map(|d| {
                        f.core_funcs
                            .get(d as usize)
                            .cloned()
                            .ok_or_else(|| bad("destructor"))
                    })
                    .transpose()?;
                let instance = f.instance;
                let index = self.plan.resources.len() as u32;
                self.plan
                    .resources
                    .push(PlanResource::Defined { instance, dtor });
                let f = self.frame(me);
                bind(f, *local, index)?;
                f.types.push(Some(index));
            }
            Init::TypeAliasOf(local) => {
                let f = self.frame(me);
                if let (Some(local), Some(Some(resource))) = (local, f.types.last().copied()) {
                    bind(f, *local, resource)?;
                }
            }
            Init::Instantiate { component, args } => {
                let f = &self.frames[me];
                let (body, defined_in) = *f
                    .components
                    .get(*component as usize)
                    .ok_or_else(|| bad("component"))?;
                let mut map = HashMap::new();
                for (name, sort, index) in args {
                    map.insert(name.clone(), item(f, *sort, *index)?);
                }
                let child = self.body(body, Some(defined_in), Some(&map))?;
                let exports = std::mem::take(&mut self.frames[child].exports);
                self.frame(me).instances.push(Rc::new(exports));
            }
            Init::InstanceFromExports(exports) => {
                let f = &self.frames[me];
                let mut items = Vec::new();
                for (name, sort, index) in exports {
                    items.push((name.clone(), item(f, *sort, *index)?));
                }
                self.frame(me).instances.push(Rc::new(items));
            }
            Init::Alias { instance, name } => {
                let f = &self.frames[me];
                let items = f
                    .instances
                    .get(*instance as usize)
                    .ok_or_else(|| bad("instance"))?;
                let found = items
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, i)| i.clone())
                    .ok_or_else(|| Error::msg(format!("instance has no export `{name}`")))?;
                self.push_item(me, found);
            }
            Init::AliasOuter { sort, count, index } => {
                // Count 0 is this body; each step out is the frame the body was defined in.
                let mut frame = me;
                let mut definer = parent;
                for _ in 0..*count {
                    frame = definer.ok_or_else(|| bad("outer alias"))?;
                    definer = self.definer_of(frame);
                }
                let f = &self.frames[frame];
                let found = item(f, *sort, *index)?;
                self.push_item(me, found);
            }
            Init::Export { name, sort, index } => {
                let f = &self.frames[me];
                let found = item(f, *sort, *index)?;
                self.frame(me).exports.push((name.clone(), found.clone()));
                self.push_item(me, found);
            }
        }
        Ok(())
    }

    /// The frame a frame's body was defined in (recorded when it was inlined).
    fn definer_of(&self, frame: usize) -> Option<usize> {
        self.parents.get(frame).copied().flatten()
    }

    /// Adds `item` to its index space in frame `me`.
    fn push_item(&mut self, me: usize, item: Item) {
        let f = self.frame(me);
        match item {
            Item::Func(d, t) => f.funcs.push((d, t)),
            Item::Instance(i) => f.instances.push(i),
            Item::Type(r) => f.types.push(r),
            Item::Module(m) => f.modules.push(m),
            Item::Component { body, parent } => f.components.push((body, parent)),
            Item::Value => f.values += 1,
        }
    }

    /// The item a top-level import of `shape` provides, at `path` in import `import`;
    /// resources in it become imported plan resources.
    fn import_item(
        &mut self,
        me: usize,
        import: u32,
        path: &mut Vec<String>,
        shape: &ImportShape,
    ) -> Result<Item> {
        Ok(match shape {
            ImportShape::Func(ty) => {
                let ty = Arc::new(subst_func(&self.frames[me], ty)?);
                Item::Func(
                    FuncDef::Import {
                        import,
                        path: path.clone().into(),
                    },
                    ty,
                )
            }
            ImportShape::Type(None) => Item::Type(None),
            ImportShape::Type(Some(local)) => {
                // A type equal to one an earlier import brought (`use wasi:io/streams.{…}` in
                // `wasi:cli/stdout`, say) is that resource, not a new one to link.
                if let Some(Some(existing)) = self.frames[me].resources.get(*local as usize) {
                    return Ok(Item::Type(Some(*existing)));
                }
                let index = self.plan.resources.len() as u32;
                self.plan.resources.push(PlanResource::Imported {
                    import,
                    path: path.clone().into(),
                });
                bind(self.frame(me), *local, index)?;
                Item::Type(Some(index))
            }
            ImportShape::Instance(exports) => {
                // Types first: functions name the resources their instance exports.
                let mut items = vec![None; exports.len()];
                for pass in [true, false] {
                    for (i, (name, shape)) in exports.iter().enumerate() {
                        if matches!(shape, ImportShape::Type(_)) != pass {
                            continue;
                        }
                        path.push(name.clone());
                        items[i] = Some((name.clone(), self.import_item(me, import, path, shape)?));
                        path.pop();
                    }
                }
                Item::Instance(Rc::new(items.into_iter().flatten().collect()))
            }
            ImportShape::Other(Sort::Value) => Item::Value,
            // The host provides no core modules: linking such a component fails, but it is a
            // valid component, and a module only passed on or exported needs no code.
            ImportShape::Other(Sort::Module) => Item::Module(IMPORTED_MODULE),
            ImportShape::Other(sort) => {
                return Err(Error::unsupported(format!(
                    "importing a {} into the outermost component",
                    sort.as_str()
                )))
            }
        })
    }

    /// Binds the body-local resources of an import of `shape` to those of `arg`.
    fn bind_resources(&mut self, me: usize, shape: &ImportShape, arg: &Item) -> Result<()> {
        match (shape, arg) {
            (ImportShape::Type(Some(local)), Item::Type(Some(resource))) => {
                bind(self.frame(me), *local, *resource)
            }
            (ImportShape::Instance(exports), Item::Instance(items)) => {
                for (name, shape) in exports {
                    if let Some((_, item)) = items.iter().find(|(n, _)| n == name) {
                        self.bind_resources(me, shape, item)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn bad(what: &str) -> Error {
    Error::msg(format!(
        "invalid {what} index (the validator should have caught this)"
    ))
}

/// Binds body-local resource `local` to plan resource `resource` (the first binding wins).
fn bind(f: &mut Frame, local: u32, resource: u32) -> Result<()> {
    let slot = f
        .resources
        .get_mut(local as usize)
        .ok_or_else(|| bad("resource"))?;
    if slot.is_none() {
        *slot = Some(resource);
    }
    Ok(())
}

fn bound(f: &Frame, local: u32) -> Result<u32> {
    f.resources
        .get(local as usize)
        .copied()
        .flatten()
        .ok_or_else(|| Error::msg("a resource type whose definition was not found"))
}

fn core_export(instance: &CoreInstanceDef, name: &str) -> Result<CoreDef> {
    match instance {
        CoreInstanceDef::Runtime(i) => Ok(CoreDef::Export {
            instance: *i,
            name: name.into(),
        }),
        CoreInstanceDef::Bag(items) => items
            .get(name)
            .cloned()
            .ok_or_else(|| Error::msg(format!("core instance has no export `{name}`"))),
    }
}

fn core_item(f: &Frame, sort: CoreSort, index: u32) -> Result<CoreDef> {
    let space = match sort {
        CoreSort::Func => &f.core_funcs,
        CoreSort::Memory => &f.core_memories,
        CoreSort::Table => &f.core_tables,
        CoreSort::Global => &f.core_globals,
        CoreSort::Tag => &f.core_tags,
    };
    space
        .get(index as usize)
        .cloned()
        .ok_or_else(|| bad("core item"))
}

fn item(f: &Frame, sort: Sort, index: u32) -> Result<Item> {
    let i = index as usize;
    Ok(match sort {
        Sort::Func => {
            let (d, t) = f.funcs.get(i).cloned().ok_or_else(|| bad("function"))?;
            Item::Func(d, t)
        }
        Sort::Instance => {
            Item::Instance(f.instances.get(i).cloned().ok_or_else(|| bad("instance"))?)
        }
        Sort::Type => Item::Type(*f.types.get(i).ok_or_else(|| bad("type"))?),
        Sort::Module => Item::Module(*f.modules.get(i).ok_or_else(|| bad("module"))?),
        Sort::Component => {
            let (body, parent) = *f.components.get(i).ok_or_else(|| bad("component"))?;
            Item::Component { body, parent }
        }
        Sort::Value => Item::Value,
    })
}

fn resolve_options(f: &Frame, options: &RawOptions) -> Result<Options> {
    Ok(Options {
        encoding: options.encoding,
        memory: options
            .memory
            .map(|m| core_item(f, CoreSort::Memory, m))
            .transpose()?,
        realloc: options
            .realloc
            .map(|r| core_item(f, CoreSort::Func, r))
            .transpose()?,
        post_return: options
            .post_return
            .map(|p| core_item(f, CoreSort::Func, p))
            .transpose()?,
    })
}

/// `ty` with body-local resources replaced by plan resources.
fn subst_func(f: &Frame, ty: &FuncType) -> Result<FuncType> {
    Ok(FuncType {
        params: ty
            .params
            .iter()
            .map(|(n, t)| Ok((n.clone(), subst(f, t)?)))
            .collect::<Result<_>>()?,
        result: ty.result.as_ref().map(|t| subst(f, t)).transpose()?,
    })
}

fn subst(f: &Frame, t: &Type) -> Result<Type> {
    use weft_abi::{RecordType, ResultType, VariantType};
    Ok(match t {
        Type::Own(r) => Type::Own(ResourceType(bound(f, r.0)?)),
        Type::Borrow(r) => Type::Borrow(ResourceType(bound(f, r.0)?)),
        Type::List(e) => Type::List(Arc::new(subst(f, e)?)),
        Type::FixedList(e, n) => Type::FixedList(Arc::new(subst(f, e)?), *n),
        Type::Map(kv) => Type::Map(Arc::new((subst(f, &kv.0)?, subst(f, &kv.1)?))),
        Type::Option(e) => Type::Option(Arc::new(subst(f, e)?)),
        Type::Tuple(ts) => Type::Tuple(
            ts.iter()
                .map(|t| subst(f, t))
                .collect::<Result<Vec<_>>>()?
                .into(),
        ),
        Type::Record(r) => Type::Record(Arc::new(RecordType {
            fields: r
                .fields
                .iter()
                .map(|(n, t)| Ok((n.clone(), subst(f, t)?)))
                .collect::<Result<_>>()?,
        })),
        Type::Variant(v) => Type::Variant(Arc::new(VariantType {
            cases: v
                .cases
                .iter()
                .map(|(n, t)| Ok((n.clone(), t.as_ref().map(|t| subst(f, t)).transpose()?)))
                .collect::<Result<_>>()?,
        })),
        Type::Result(r) => Type::Result(Arc::new(ResultType {
            ok: r.ok.as_ref().map(|t| subst(f, t)).transpose()?,
            err: r.err.as_ref().map(|t| subst(f, t)).transpose()?,
        })),
        other => other.clone(),
    })
}
