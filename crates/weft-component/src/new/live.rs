//! Which imports, functions and types the component must carry.

use weft_wit::fxhash::HashSet;

use indexmap::IndexSet;

use weft_wit::{
    Function, FunctionKind, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner, WorldItem,
};

use super::bind::{key_name, ImportUse};
use super::Unit;

/// Types and interfaces the component must carry: everything used, transitively, by the
/// imported functions the module calls and by every export.
///
/// A type owned by an exported interface belongs to that export; reaching one does not make
/// its interface an import, even when the world imports the same interface too.
#[derive(Default)]
pub(crate) struct Live {
    /// Exported interfaces.
    pub(crate) exported: HashSet<InterfaceId>,
    /// Types the imports must provide.
    pub(crate) types: IndexSet<TypeId>,
    /// Types of exported interfaces already walked.
    pub(crate) export_types: HashSet<TypeId>,
    /// Imported interfaces whose types are used.
    pub(crate) interfaces: HashSet<InterfaceId>,
    /// Import keys (by name) that the module calls into.
    pub(crate) keys: HashSet<String>,
    /// Functions the module calls: (import key name, function name).
    pub(crate) funcs: HashSet<(String, String)>,
}

impl Live {
    /// Visits `ty` and everything it refers to, recording types in post-order (what a type
    /// refers to comes before it), the order wit-component defines imported types in.
    fn ty(&mut self, resolve: &Resolve, ty: Type) {
        let Type::Id(id) = ty else { return };
        let def = &resolve.types[id];
        let exported = matches!(def.owner, TypeOwner::Interface(i) if self.exported.contains(&i));
        if (exported && self.export_types.contains(&id)) || (!exported && self.types.contains(&id))
        {
            return;
        }
        match &def.kind {
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| self.ty(resolve, f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(|t| self.ty(resolve, *t)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.ty)
                .for_each(|t| self.ty(resolve, t)),
            TypeDefKind::Option(t)
            | TypeDefKind::List(t)
            | TypeDefKind::FixedLengthList(t, _)
            | TypeDefKind::Type(t) => self.ty(resolve, *t),
            TypeDefKind::Map(k, v) => {
                self.ty(resolve, *k);
                self.ty(resolve, *v);
            }
            TypeDefKind::Result(r) => {
                if let Some(t) = r.ok {
                    self.ty(resolve, t);
                }
                if let Some(t) = r.err {
                    self.ty(resolve, t);
                }
            }
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => {
                if let Some(t) = t {
                    self.ty(resolve, *t);
                }
            }
            TypeDefKind::Handle(weft_wit::Handle::Own(r) | weft_wit::Handle::Borrow(r)) => {
                self.ty(resolve, Type::Id(*r))
            }
            TypeDefKind::Flags(_)
            | TypeDefKind::Enum(_)
            | TypeDefKind::Resource
            | TypeDefKind::Unknown => {}
        }
        if exported {
            self.export_types.insert(id);
        } else {
            self.types.insert(id);
            if let TypeOwner::Interface(i) = def.owner {
                self.interfaces.insert(i);
            }
        }
    }

    fn func(&mut self, resolve: &Resolve, func: &Function) {
        // A static function's resource need not appear in its signature; a method's and a
        // constructor's does.
        if let FunctionKind::Static(r)
        | FunctionKind::AsyncStatic(r)
        | FunctionKind::StaticGetter(r)
        | FunctionKind::StaticSetter(r) = func.kind
        {
            self.ty(resolve, Type::Id(r));
        }
        for p in &func.params {
            self.ty(resolve, p.ty);
        }
        if let Some(t) = func.result {
            self.ty(resolve, t);
        }
    }
}

/// Everything the units use: the functions their imports call, the types those and every
/// export need, and the interfaces that provide them.
pub(crate) fn compute(resolve: &Resolve, units: &[Unit<'_>]) -> Live {
    let mut live = Live::default();
    // World-level types are always part of the world; then the modules' imports, walked
    // with no interface counted as exported: what they use comes from the imports.
    if let Some(main) = units.first() {
        for item in resolve.worlds[main.world].imports.values() {
            if let WorldItem::Type { id, .. } = item {
                live.ty(resolve, Type::Id(*id));
            }
        }
    }
    for unit in units {
        for item in resolve.worlds[unit.world].imports.values() {
            if let WorldItem::Type { id, .. } = item {
                live.ty(resolve, Type::Id(*id));
            }
        }
        for uses in unit.bindings.imports.values() {
            for (_, u) in uses {
                match u {
                    ImportUse::Lower { key, func, .. } => {
                        live.func(resolve, func);
                        let key = key_name(resolve, key);
                        live.funcs.insert((key.clone(), func.name.clone()));
                        live.keys.insert(key);
                    }
                    ImportUse::ImportedDrop(r) => live.ty(resolve, Type::Id(*r)),
                    // A future or stream of an imported function needs its payload's types.
                    ImportUse::Builtin(super::bind::Builtin::Payload {
                        ty: Some((None, id)),
                        ..
                    }) => live.ty(resolve, Type::Id(*id)),
                    ImportUse::Exported(..) | ImportUse::Builtin(_) => {}
                }
            }
        }
    }
    for unit in units {
        live.exported.extend(
            resolve.worlds[unit.world]
                .exports
                .values()
                .filter_map(|item| match item {
                    WorldItem::Interface { id, .. } => Some(*id),
                    _ => None,
                }),
        );
    }
    for unit in units {
        let world = &resolve.worlds[unit.world];
        for (key, funcs) in &unit.bindings.exports {
            if let Some(WorldItem::Interface { id, .. }) = world.exports.get(*key) {
                for ty in resolve.interfaces[*id].types.values() {
                    live.ty(resolve, Type::Id(*ty));
                }
            }
            for f in funcs {
                live.func(resolve, f.func);
            }
        }
    }
    live
}
