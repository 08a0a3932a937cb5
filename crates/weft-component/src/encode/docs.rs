//! The `package-docs` custom section: the docs and `@since`/`@unstable`/`@deprecated` gates of
//! a package, which the binary format has no place for.
//!
//! The payload is one version byte (`1`) followed by JSON, in the schema of wit-parser's
//! `PackageMetadata` (wit-parser 0.262, `metadata.rs`): objects whose keys appear in a fixed
//! order and are left out when empty, so that the bytes match wit-component's.
//!
//! ```text
//! package   {docs?, worlds?: {name: world}, interfaces?: {name: interface}}
//! world     {docs?, stability?, interfaces?, types?, funcs?, interface_exports?, func_exports?,
//!            interface_import_stability?, interface_export_stability?,
//!            interface_import_docs?, interface_export_docs?}
//! interface {docs?, stability?, funcs?: {name: func}, types?: {name: type}}
//! func      {docs?, stability?}
//! type      {docs?, stability?, items?: {field/case/flag name: docs}}
//! stability {"stable": {since, deprecated?}} | {"unstable": {feature, deprecated?}}
//! ```

use serde_json::{Map, Value};
use weft_wit::{
    Docs, Function, InterfaceId, PackageId, Resolve, Stability, TypeDefKind, TypeId, WorldId,
    WorldItem, WorldKey,
};

use super::{interface_of, world_of};
use crate::{Error, Result};

/// The name of the custom section.
pub(crate) const SECTION_NAME: &str = "package-docs";

/// The version byte that starts the payload.
const VERSION: u8 = 1;

/// The payload of the `package-docs` section of package `pkg`.
pub(crate) fn package_docs(resolve: &Resolve, pkg: PackageId) -> Result<Vec<u8>> {
    let package = resolve
        .packages
        .get(pkg)
        .ok_or_else(|| Error::msg(format!("package id {pkg:?} is not in the `Resolve`")))?;
    let mut obj = Map::new();
    docs_field(&mut obj, &package.docs);
    let mut worlds = Map::new();
    for (name, &id) in &package.worlds {
        let w = world(resolve, id)?;
        if !w.is_empty() {
            worlds.insert(name.clone(), Value::Object(w));
        }
    }
    map_field(&mut obj, "worlds", worlds);
    let mut interfaces = Map::new();
    for (name, id) in super::wit::package_interfaces(resolve, pkg) {
        let i = interface(resolve, id)?;
        if !i.is_empty() {
            interfaces.insert(name.to_string(), Value::Object(i));
        }
    }
    map_field(&mut obj, "interfaces", interfaces);
    let mut out = vec![VERSION];
    serde_json::to_writer(&mut out, &Value::Object(obj))
        .map_err(|e| Error::msg(format!("failed to write package docs: {e}")))?;
    Ok(out)
}

fn world(resolve: &Resolve, id: WorldId) -> Result<Map<String, Value>> {
    let w = world_of(resolve, id)?;
    let mut interfaces = Map::new();
    let mut types = Map::new();
    let mut funcs = Map::new();
    let mut interface_exports = Map::new();
    let mut func_exports = Map::new();
    let mut import_stability = Map::new();
    let mut export_stability = Map::new();
    let mut import_docs = Map::new();
    let mut export_docs = Map::new();

    let items = w
        .imports
        .iter()
        .map(|i| (i, true))
        .chain(w.exports.iter().map(|e| (e, false)));
    for ((key, item), import) in items {
        // An interface by reference (by path, or a plain name for a named interface): only
        // the statement's own gate and docs.
        let by_reference = match (key, item) {
            (WorldKey::Interface(_), _) => true,
            (WorldKey::Name(_), WorldItem::Interface { id, .. }) => {
                interface_of(resolve, *id)?.name.is_some()
            }
            _ => false,
        };
        if by_reference {
            if let WorldItem::Interface {
                stability, docs, ..
            } = item
            {
                let name = match key {
                    WorldKey::Name(n) => n.clone(),
                    WorldKey::Interface(i) => resolve.id_of(*i).unwrap_or_default(),
                };
                if let Some(s) = stability_value(stability) {
                    let map = if import {
                        &mut import_stability
                    } else {
                        &mut export_stability
                    };
                    map.insert(name.clone(), s);
                }
                if let Some(d) = &docs.contents {
                    let map = if import {
                        &mut import_docs
                    } else {
                        &mut export_docs
                    };
                    map.insert(name, Value::String(d.clone()));
                }
            }
            continue;
        }
        let WorldKey::Name(name) = key else { continue };
        match item {
            WorldItem::Interface { id, .. } => {
                let data = interface(resolve, *id)?;
                if data.is_empty() {
                    continue;
                }
                let map = if import {
                    &mut interfaces
                } else {
                    &mut interface_exports
                };
                map.insert(name.clone(), Value::Object(data));
            }
            WorldItem::Type { id, .. } => {
                let data = type_meta(resolve, *id);
                if !data.is_empty() {
                    types.insert(name.clone(), Value::Object(data));
                }
            }
            WorldItem::Function(f) => {
                let data = func(f);
                if data.is_empty() {
                    continue;
                }
                let map = if import {
                    &mut funcs
                } else {
                    &mut func_exports
                };
                map.insert(name.clone(), Value::Object(data));
            }
        }
    }

    let mut obj = Map::new();
    docs_field(&mut obj, &w.docs);
    stability_field(&mut obj, &w.stability);
    map_field(&mut obj, "interfaces", interfaces);
    map_field(&mut obj, "types", types);
    map_field(&mut obj, "funcs", funcs);
    map_field(&mut obj, "interface_exports", interface_exports);
    map_field(&mut obj, "func_exports", func_exports);
    map_field(&mut obj, "interface_import_stability", import_stability);
    map_field(&mut obj, "interface_export_stability", export_stability);
    map_field(&mut obj, "interface_import_docs", import_docs);
    map_field(&mut obj, "interface_export_docs", export_docs);
    Ok(obj)
}

fn interface(resolve: &Resolve, id: InterfaceId) -> Result<Map<String, Value>> {
    let i = interface_of(resolve, id)?;
    let mut funcs = Map::new();
    for (name, f) in super::wit::interface_functions(i) {
        let data = func(f);
        if !data.is_empty() {
            funcs.insert(name.clone(), Value::Object(data));
        }
    }
    let mut types = Map::new();
    for (name, &ty) in &i.types {
        let data = type_meta(resolve, ty);
        if !data.is_empty() {
            types.insert(name.clone(), Value::Object(data));
        }
    }
    let mut obj = Map::new();
    docs_field(&mut obj, &i.docs);
    stability_field(&mut obj, &i.stability);
    map_field(&mut obj, "funcs", funcs);
    map_field(&mut obj, "types", types);
    Ok(obj)
}

fn func(f: &Function) -> Map<String, Value> {
    let mut obj = Map::new();
    docs_field(&mut obj, &f.docs);
    stability_field(&mut obj, &f.stability);
    obj
}

fn type_meta(resolve: &Resolve, id: TypeId) -> Map<String, Value> {
    let mut obj = Map::new();
    let Some(ty) = resolve.types.get(id) else {
        return obj;
    };
    let mut items = Map::new();
    let mut item = |name: &str, docs: &Docs| {
        if let Some(d) = &docs.contents {
            items.insert(name.to_string(), Value::String(d.clone()));
        }
    };
    match &ty.kind {
        TypeDefKind::Record(r) => r.fields.iter().for_each(|f| item(&f.name, &f.docs)),
        TypeDefKind::Flags(f) => f.flags.iter().for_each(|f| item(&f.name, &f.docs)),
        TypeDefKind::Variant(v) => v.cases.iter().for_each(|c| item(&c.name, &c.docs)),
        TypeDefKind::Enum(e) => e.cases.iter().for_each(|c| item(&c.name, &c.docs)),
        _ => {}
    }
    docs_field(&mut obj, &ty.docs);
    stability_field(&mut obj, &ty.stability);
    map_field(&mut obj, "items", items);
    obj
}

fn docs_field(obj: &mut Map<String, Value>, docs: &Docs) {
    if let Some(d) = &docs.contents {
        obj.insert("docs".to_string(), Value::String(d.clone()));
    }
}

fn stability_field(obj: &mut Map<String, Value>, stability: &Stability) {
    if let Some(s) = stability_value(stability) {
        obj.insert("stability".to_string(), s);
    }
}

fn map_field(obj: &mut Map<String, Value>, name: &str, map: Map<String, Value>) {
    if !map.is_empty() {
        obj.insert(name.to_string(), Value::Object(map));
    }
}

/// `{"stable": {"since": …, "deprecated"?: …}}` or `{"unstable": {"feature": …,
/// "deprecated"?: …}}`; `None` for no gate.
fn stability_value(stability: &Stability) -> Option<Value> {
    let (tag, mut inner, deprecated) = match stability {
        Stability::Unknown => return None,
        Stability::Stable { since, deprecated } => {
            let mut m = Map::new();
            m.insert("since".to_string(), Value::String(since.to_string()));
            ("stable", m, deprecated)
        }
        Stability::Unstable {
            feature,
            deprecated,
        } => {
            let mut m = Map::new();
            m.insert("feature".to_string(), Value::String(feature.clone()));
            ("unstable", m, deprecated)
        }
    };
    if let Some(d) = deprecated {
        inner.insert("deprecated".to_string(), Value::String(d.to_string()));
    }
    let mut outer = Map::new();
    outer.insert(tag.to_string(), Value::Object(inner));
    Some(Value::Object(outer))
}
