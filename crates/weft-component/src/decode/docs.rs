//! The `package-docs` custom section: the docs and stability a binary WIT package carries
//! beside its types, as JSON (wit-component's `PackageMetadata` schema, version byte 0 or 1).
//!
//! Shape: `{"docs": …, "worlds": {name: World}, "interfaces": {name: Interface}}`, where an
//! Interface is `{"docs", "stability", "funcs": {name: Func}, "types": {name: Type}}`, a Type
//! is `{"docs", "stability", "items": {field-or-case: docs}}`, a Func is a docs string (or
//! null) or `{"docs", "stability"}`, and a World adds `"interfaces"` (inline imports, or
//! exports), `"interface_exports"`, `"types"`, `"funcs"`, `"func_exports"` and the
//! `interface_{import,export}_{stability,docs}` maps for imports of named interfaces.
//! Stability is `{"stable": {"since", "deprecated"?}}` or `{"unstable": {"feature",
//! "deprecated"?}}`.

use serde_json::{Map, Value};
use weft_wit::{
    Docs, Function, InterfaceId, PackageId, Resolve, Stability, TypeDefKind, TypeId, Version,
    World, WorldId, WorldItem, WorldKey,
};

/// The custom section's name.
pub(crate) const SECTION_NAME: &str = "package-docs";

type R<T> = std::result::Result<T, String>;

/// A parsed `package-docs` section.
pub(crate) struct PackageMetadata(Value);

impl PackageMetadata {
    /// Parses the section's payload.
    pub(crate) fn parse(data: &[u8]) -> R<PackageMetadata> {
        match data.first() {
            Some(0 | 1) => {}
            Some(v) => {
                return Err(format!(
                    "unknown `package-docs` version {v} (expected 0 or 1)"
                ))
            }
            None => return Err("the `package-docs` section is empty".to_string()),
        }
        let value: Value = serde_json::from_slice(&data[1..])
            .map_err(|e| format!("the `package-docs` JSON is invalid: {e}"))?;
        if !value.is_object() {
            return Err("the `package-docs` JSON is not an object".to_string());
        }
        Ok(PackageMetadata(value))
    }

    /// Applies the docs and stability to the package's items.
    pub(crate) fn inject(&self, resolve: &mut Resolve, pkg: PackageId) -> R<()> {
        for (name, data) in map(&self.0, "worlds")? {
            let Some(&id) = resolve.packages[pkg].worlds.get(name) else {
                return Err(format!(
                    "docs for world `{name}`, which the package does not have"
                ));
            };
            inject_world(resolve, id, data)?;
        }
        for (name, data) in map(&self.0, "interfaces")? {
            let Some(&id) = resolve.packages[pkg].interfaces.get(name) else {
                return Err(format!(
                    "docs for interface `{name}`, which the package does not have"
                ));
            };
            inject_interface(resolve, id, data)?;
        }
        if let Some(d) = docs(&self.0)? {
            resolve.packages[pkg].docs.contents = Some(d);
        }
        Ok(())
    }
}

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

fn map<'a>(v: &'a Value, key: &str) -> R<&'a Map<String, Value>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(EMPTY.get_or_init(Map::new)),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(format!("`{key}` is not an object")),
    }
}

fn docs(v: &Value) -> R<Option<String>> {
    match v.get("docs") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("`docs` is not a string".to_string()),
    }
}

fn version(v: &Value, key: &str) -> R<Option<Version>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Version::parse(s)
            .map(Some)
            .map_err(|e| format!("`{key}` is not a version: {e}")),
        Some(_) => Err(format!("`{key}` is not a string")),
    }
}

fn parse_stability(v: Option<&Value>) -> R<Stability> {
    let Some(v) = v else {
        return Ok(Stability::Unknown);
    };
    if v.is_null() || v.as_str() == Some("unknown") {
        return Ok(Stability::Unknown);
    }
    if let Some(s) = v.get("stable") {
        let since = version(s, "since")?.ok_or("`stable` has no `since`")?;
        return Ok(Stability::Stable {
            since,
            deprecated: version(s, "deprecated")?,
        });
    }
    if let Some(u) = v.get("unstable") {
        let feature = u
            .get("feature")
            .and_then(Value::as_str)
            .ok_or("`unstable` has no `feature`")?
            .to_string();
        return Ok(Stability::Unstable {
            feature,
            deprecated: version(u, "deprecated")?,
        });
    }
    Err(format!("unknown stability `{v}`"))
}

fn stability(v: &Value) -> R<Stability> {
    parse_stability(v.get("stability"))
}

fn inject_interface(resolve: &mut Resolve, id: InterfaceId, data: &Value) -> R<()> {
    for (name, t) in map(data, "types")? {
        let Some(&tid) = resolve.interfaces[id].types.get(name) else {
            return Err(format!(
                "docs for type `{name}`, which the interface does not have"
            ));
        };
        inject_type(resolve, tid, t)?;
    }
    for (name, f) in map(data, "funcs")? {
        let Some(func) = resolve.interfaces[id].functions.get_mut(name) else {
            return Err(format!(
                "docs for function `{name}`, which the interface does not have"
            ));
        };
        inject_func(func, f)?;
    }
    let iface = &mut resolve.interfaces[id];
    if let Some(d) = docs(data)? {
        iface.docs.contents = Some(d);
    }
    iface.stability = stability(data)?;
    Ok(())
}

fn inject_func(func: &mut Function, data: &Value) -> R<()> {
    match data {
        Value::Null => func.docs = Docs::default(),
        Value::String(s) => func.docs.contents = Some(s.clone()),
        Value::Object(_) => {
            func.docs.contents = docs(data)?;
            func.stability = stability(data)?;
        }
        _ => return Err(format!("docs of function `{}` are malformed", func.name)),
    }
    Ok(())
}

fn inject_type(resolve: &mut Resolve, id: TypeId, data: &Value) -> R<()> {
    let items = map(data, "items")?;
    let ty = &mut resolve.types[id];
    if !items.is_empty() {
        let mut used = 0;
        let mut set = |name: &str, d: &mut Docs| -> R<()> {
            if let Some(v) = items.get(name) {
                let s = v
                    .as_str()
                    .ok_or_else(|| format!("docs of `{name}` are not a string"))?;
                d.contents = Some(s.to_string());
                used += 1;
            }
            Ok(())
        };
        match &mut ty.kind {
            TypeDefKind::Record(r) => {
                for f in &mut r.fields {
                    set(&f.name, &mut f.docs)?;
                }
            }
            TypeDefKind::Flags(f) => {
                for f in &mut f.flags {
                    set(&f.name, &mut f.docs)?;
                }
            }
            TypeDefKind::Variant(v) => {
                for c in &mut v.cases {
                    set(&c.name, &mut c.docs)?;
                }
            }
            TypeDefKind::Enum(e) => {
                for c in &mut e.cases {
                    set(&c.name, &mut c.docs)?;
                }
            }
            _ => {
                return Err(format!(
                    "docs for the members of `{}`, which has none",
                    ty.name.as_deref().unwrap_or("?")
                ))
            }
        }
        if used != items.len() {
            return Err(format!(
                "docs for members that `{}` does not have",
                ty.name.as_deref().unwrap_or("?")
            ));
        }
    }
    if let Some(d) = docs(data)? {
        ty.docs.contents = Some(d);
    }
    ty.stability = stability(data)?;
    Ok(())
}

/// The item a world has under the plain name `name`: its export when `only_export`, else its
/// import, or failing that its export.
fn plain_item<'w>(
    world: &'w mut World,
    name: &str,
    only_export: bool,
) -> Option<&'w mut WorldItem> {
    let key = WorldKey::Name(name.to_string());
    if only_export {
        world.exports.get_mut(&key)
    } else {
        match world.imports.get_mut(&key) {
            Some(i) => Some(i),
            None => world.exports.get_mut(&key),
        }
    }
}

fn inject_world(resolve: &mut Resolve, id: WorldId, data: &Value) -> R<()> {
    // Inline interfaces: `interfaces` are imports (or exports when not imported),
    // `interface_exports` only exports.
    for (names, only_export) in [
        (map(data, "interfaces")?, false),
        (map(data, "interface_exports")?, true),
    ] {
        for (name, idata) in names {
            let item = plain_item(&mut resolve.worlds[id], name, only_export);
            let Some(WorldItem::Interface {
                id: iface,
                stability: s,
                ..
            }) = item
            else {
                return Err(format!(
                    "docs for interface `{name}`, which the world does not have"
                ));
            };
            *s = stability(idata)?;
            let iface = *iface;
            inject_interface(resolve, iface, idata)?;
        }
    }
    for (name, tdata) in map(data, "types")? {
        let key = WorldKey::Name(name.clone());
        let Some(WorldItem::Type { id: tid, .. }) = resolve.worlds[id].imports.get(&key) else {
            return Err(format!(
                "docs for type `{name}`, which the world does not have"
            ));
        };
        let tid = *tid;
        inject_type(resolve, tid, tdata)?;
    }
    // Named interfaces are keyed by their full name (`ns:pkg/iface@version`).
    let keys: Vec<((String, bool), WorldKey)> = {
        let world = &resolve.worlds[id];
        world
            .imports
            .iter()
            .map(|i| (i, true))
            .chain(world.exports.iter().map(|e| (e, false)))
            .filter(|((_, item), _)| matches!(item, WorldItem::Interface { .. }))
            .map(|((key, _), import)| {
                let name = match key {
                    WorldKey::Name(n) => n.clone(),
                    WorldKey::Interface(i) => resolve.id_of(*i).unwrap_or_default(),
                };
                ((name, import), key.clone())
            })
            .collect()
    };
    let find = |name: &str, import: bool| {
        keys.iter()
            .find(|((n, i), _)| n == name && *i == import)
            .map(|(_, k)| k.clone())
    };
    for (field, import, is_docs) in [
        ("interface_import_stability", true, false),
        ("interface_export_stability", false, false),
        ("interface_import_docs", true, true),
        ("interface_export_docs", false, true),
    ] {
        for (name, v) in map(data, field)? {
            let key = find(name, import).ok_or_else(|| {
                format!("docs for interface `{name}`, which the world does not have")
            })?;
            let world = &mut resolve.worlds[id];
            let item = if import {
                world.imports.get_mut(&key)
            } else {
                world.exports.get_mut(&key)
            };
            let Some(WorldItem::Interface {
                stability: s,
                docs: d,
                ..
            }) = item
            else {
                return Err(format!("`{name}` is not an interface"));
            };
            if is_docs {
                d.contents = Some(
                    v.as_str()
                        .ok_or_else(|| format!("docs of `{name}` are not a string"))?
                        .to_string(),
                );
            } else {
                *s = parse_stability(Some(v))?;
            }
        }
    }
    for (names, only_export) in [
        (map(data, "funcs")?, false),
        (map(data, "func_exports")?, true),
    ] {
        for (name, fdata) in names {
            match plain_item(&mut resolve.worlds[id], name, only_export) {
                Some(WorldItem::Function(f)) => inject_func(f, fdata)?,
                _ => {
                    return Err(format!(
                        "docs for function `{name}`, which the world does not have"
                    ))
                }
            }
        }
    }
    let world = &mut resolve.worlds[id];
    if let Some(d) = docs(data)? {
        world.docs.contents = Some(d);
    }
    world.stability = stability(data)?;
    Ok(())
}
