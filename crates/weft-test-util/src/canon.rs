//! Canonical form of a serialized `Resolve`, so that two JSON documents can be compared
//! without depending on the order in which their arenas were allocated.
//!
//! wit-parser's JSON refers to packages, interfaces, worlds and types by arena index. Two
//! resolvers that agree on every item but allocate in a different order produce different
//! numbers. The canonical form replaces every index by a stable name:
//!
//! * a package by its name (`foo:bar@1.0.0`);
//! * an interface by `pkg/name`, or, when anonymous (`import x: interface { … }`), by the
//!   smallest `pkg/world import|export key` that refers to it;
//! * a world by `pkg/name`;
//! * a named type by `owner.name` (`foo:bar/i.t`);
//! * an anonymous type by its structure, written like WIT (`list<u8>`, `own<foo:bar/i.r>`).
//!
//! The four arrays become maps keyed by those names, sorted. Identical anonymous types collapse
//! into one entry (whether a resolver shares them is an allocation detail). Everything else,
//! including the order of fields, functions, world imports and type members, is kept and
//! compared as written: only allocation order is taken out.
//!
//! [`canonicalize`] keeps every type of the document. [`canonicalize_with`] can also drop
//! anonymous types that nothing reaches ([`Options::drop_unreferenced_anonymous_types`]):
//! wit-parser allocates the anonymous types of `@unstable` items whose feature is off before it
//! drops the items, and leaves those types in its arena, unreferenced.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// How [`canonicalize_with`] treats a document.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Leave out anonymous types (no `name`) that no interface, world or kept type refers to,
    /// directly or through other types. Named types are always kept.
    pub drop_unreferenced_anonymous_types: bool,
}

/// Canonicalizes a whole serialized `Resolve`, keeping every type ([`Options::default`]).
pub fn canonicalize(doc: &Value) -> Result<Value, String> {
    canonicalize_with(doc, &Options::default())
}

/// Canonicalizes a whole serialized `Resolve` as `options` say.
pub fn canonicalize_with(doc: &Value, options: &Options) -> Result<Value, String> {
    let array = |key: &str| -> Result<&[Value], String> {
        doc.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| format!("the document has no `{key}` array"))
    };
    let (packages, interfaces, worlds, types) = (
        array("packages")?,
        array("interfaces")?,
        array("worlds")?,
        array("types")?,
    );
    let mut cx = Canon {
        types,
        packages: packages
            .iter()
            .map(|p| str_field(p, "name").to_string())
            .collect(),
        interfaces: Vec::new(),
        worlds: Vec::new(),
        type_names: vec![None; types.len()],
        referenced: vec![false; types.len()],
    };
    cx.worlds = worlds
        .iter()
        .map(|w| {
            format!(
                "{}/{}",
                cx.package_ref(w.get("package")),
                str_field(w, "name")
            )
        })
        .collect();
    cx.interfaces = (0..interfaces.len())
        .map(|i| cx.interface_name(i, &interfaces[i], worlds))
        .collect();

    let mut out = Map::new();
    out.insert(
        "packages".to_string(),
        keyed(
            packages
                .iter()
                .enumerate()
                .map(|(i, p)| (cx.packages[i].clone(), cx.package(p))),
        ),
    );
    out.insert(
        "interfaces".to_string(),
        keyed(
            interfaces
                .iter()
                .enumerate()
                .map(|(i, v)| (cx.interfaces[i].clone(), cx.interface(v))),
        ),
    );
    out.insert(
        "worlds".to_string(),
        keyed(
            worlds
                .iter()
                .enumerate()
                .map(|(i, w)| (cx.worlds[i].clone(), cx.world(w))),
        ),
    );
    // Named types are always kept; an anonymous one only when something kept refers to it,
    // if unreferenced ones are dropped. Canonicalizing a kept type marks the types it refers
    // to, so this runs until no more types are reached.
    let mut canonical: Vec<Option<(String, Value)>> = vec![None; types.len()];
    loop {
        let mut reached_more = false;
        for (i, def) in types.iter().enumerate() {
            let keep = !options.drop_unreferenced_anonymous_types
                || cx.referenced[i]
                || def.get("name").is_some_and(Value::is_string);
            if keep && canonical[i].is_none() {
                canonical[i] = Some((cx.type_ref(i, 0), cx.typedef(def)));
                reached_more = true;
            }
        }
        if !reached_more {
            break;
        }
    }
    out.insert("types".to_string(), keyed(canonical.into_iter().flatten()));
    Ok(Value::Object(out))
}

struct Canon<'a> {
    types: &'a [Value],
    packages: Vec<String>,
    interfaces: Vec<String>,
    worlds: Vec<String>,
    /// Memoized names of types, by index.
    type_names: Vec<Option<String>>,
    /// Types that a package, interface, world or canonicalized type refers to, by index.
    referenced: Vec<bool>,
}

/// Anonymous types nest only through other anonymous types, so a depth this large means the
/// document has an index cycle (a resolver bug worth showing, not a stack overflow).
const MAX_DEPTH: usize = 200;

impl Canon<'_> {
    fn interface_name(&self, index: usize, iface: &Value, worlds: &[Value]) -> String {
        if let Some(name) = iface.get("name").and_then(Value::as_str) {
            return format!("{}/{name}", self.package_ref(iface.get("package")));
        }
        // Anonymous: named after the world keys that import or export it.
        let mut best: Option<String> = None;
        for (w, world) in worlds.iter().enumerate() {
            for dir in ["import", "export"] {
                let Some(items) = world
                    .get(format!("{dir}s").as_str())
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                for (key, item) in items {
                    let id = item
                        .get("interface")
                        .and_then(|i| i.get("id"))
                        .and_then(Value::as_u64);
                    if id == Some(index as u64) {
                        let name = format!("{} {dir} {key}", self.worlds[w]);
                        if best.as_ref().is_none_or(|b| name < *b) {
                            best = Some(name);
                        }
                    }
                }
            }
        }
        best.unwrap_or_else(|| format!("<unreferenced anonymous interface #{index}>"))
    }

    fn package_ref(&self, id: Option<&Value>) -> String {
        match id.and_then(Value::as_u64) {
            Some(i) => self
                .packages
                .get(i as usize)
                .cloned()
                .unwrap_or_else(|| format!("<bad package id {i}>")),
            None => "<no package>".to_string(),
        }
    }

    fn interface_ref(&self, id: &Value) -> Value {
        match id.as_u64() {
            Some(i) => Value::String(
                self.interfaces
                    .get(i as usize)
                    .cloned()
                    .unwrap_or_else(|| format!("<bad interface id {i}>")),
            ),
            None => id.clone(),
        }
    }

    fn world_ref(&self, id: &Value) -> Value {
        match id.as_u64() {
            Some(i) => Value::String(
                self.worlds
                    .get(i as usize)
                    .cloned()
                    .unwrap_or_else(|| format!("<bad world id {i}>")),
            ),
            None => id.clone(),
        }
    }

    /// A `Type` value: primitives are strings already, ids become names.
    fn ty(&mut self, ty: &Value) -> Value {
        match ty.as_u64() {
            Some(i) => {
                if let Some(r) = self.referenced.get_mut(i as usize) {
                    *r = true;
                }
                Value::String(self.type_ref(i as usize, 0))
            }
            None => ty.clone(),
        }
    }

    fn type_ref(&mut self, index: usize, depth: usize) -> String {
        if let Some(Some(name)) = self.type_names.get(index) {
            return name.clone();
        }
        let Some(def) = self.types.get(index) else {
            return format!("<bad type id {index}>");
        };
        if depth > MAX_DEPTH {
            return "<type index cycle>".to_string();
        }
        let name = match (def.get("name").and_then(Value::as_str), def.get("owner")) {
            (Some(name), Some(Value::Object(owner))) => match owner.iter().next() {
                Some((kind, id)) if kind == "interface" => {
                    format!("{}.{name}", self.interface_ref(id).as_str().unwrap_or("?"))
                }
                Some((kind, id)) if kind == "world" => {
                    format!("{}.{name}", self.world_ref(id).as_str().unwrap_or("?"))
                }
                _ => format!("<owner {}>.{name}", Value::Object(owner.clone())),
            },
            (Some(name), _) => format!(
                "<no owner>.{name}: {}",
                self.structure(def.get("kind"), depth + 1)
            ),
            (None, _) => self.structure(def.get("kind"), depth + 1),
        };
        self.type_names[index] = Some(name.clone());
        name
    }

    /// WIT-like text for a type's structure, used as the name of anonymous types.
    fn structure(&mut self, kind: Option<&Value>, depth: usize) -> String {
        let Some(kind) = kind else {
            return "<no kind>".to_string();
        };
        let Some((tag, body)) = kind.as_object().and_then(|o| o.iter().next()) else {
            return match kind.as_str() {
                Some(s) => s.to_string(),
                None => kind.to_string(),
            };
        };
        let t = |this: &mut Self, v: &Value| match v {
            Value::Null => "_".to_string(),
            v => match v.as_u64() {
                Some(i) => this.type_ref(i as usize, depth),
                None => v.as_str().map_or_else(|| v.to_string(), str::to_string),
            },
        };
        match tag.as_str() {
            "list" | "option" | "type" => format!("{tag}<{}>", t(self, body)),
            "future" | "stream" if body.is_null() => tag.clone(),
            "future" | "stream" => format!("{tag}<{}>", t(self, body)),
            "handle" => match body.as_object().and_then(|o| o.iter().next()) {
                Some((which, id)) => format!("{which}<{}>", t(self, id)),
                None => format!("handle<{body}>"),
            },
            "result" => format!(
                "result<{}, {}>",
                t(self, &body["ok"]),
                t(self, &body["err"])
            ),
            "map" => format!("map<{}, {}>", t(self, &body[0]), t(self, &body[1])),
            "fixed-length-list" => format!("list<{}, {}>", t(self, &body[0]), body[1]),
            "tuple" => {
                let elems = body["types"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let elems: Vec<String> = elems.iter().map(|e| t(self, e)).collect();
                format!("tuple<{}>", elems.join(", "))
            }
            // Records, variants and the like are never anonymous in a valid resolve; spell them
            // out in full so a difference still shows.
            _ => format!("{tag} {}", self.kind(kind)),
        }
    }

    fn typedef(&mut self, def: &Value) -> Value {
        let Some(obj) = def.as_object() else {
            return def.clone();
        };
        let mut out = Map::new();
        for (key, value) in obj {
            let value = match key.as_str() {
                "kind" => self.kind(value),
                "owner" => match value.as_object().and_then(|o| o.iter().next()) {
                    Some((k, id)) if k == "interface" => single(k, self.interface_ref(id)),
                    Some((k, id)) if k == "world" => single(k, self.world_ref(id)),
                    _ => value.clone(),
                },
                _ => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    fn kind(&mut self, kind: &Value) -> Value {
        let Some((tag, body)) = kind.as_object().and_then(|o| o.iter().next()) else {
            return kind.clone(); // "resource", "unknown"
        };
        let body = match tag.as_str() {
            "record" => self.members(body, "fields"),
            "variant" => self.members(body, "cases"),
            "tuple" => {
                let mut body = body.clone();
                if let Some(types) = body.get_mut("types").and_then(Value::as_array_mut) {
                    for t in types.iter_mut() {
                        *t = self.ty(t);
                    }
                }
                body
            }
            "handle" => match body.as_object().and_then(|o| o.iter().next()) {
                Some((which, id)) => single(which, self.ty(id)),
                None => body.clone(),
            },
            "option" | "list" | "type" | "future" | "stream" => self.ty(body),
            "result" => {
                let mut body = body.clone();
                for side in ["ok", "err"] {
                    if let Some(t) = body.get_mut(side) {
                        *t = self.ty(t);
                    }
                }
                body
            }
            "map" | "fixed-length-list" => {
                let mut body = body.clone();
                if let Some(items) = body.as_array_mut() {
                    let n = if tag == "map" {
                        items.len()
                    } else {
                        1.min(items.len())
                    };
                    for t in items.iter_mut().take(n) {
                        *t = self.ty(t);
                    }
                }
                body
            }
            _ => body.clone(), // flags, enum: no references
        };
        single(tag, body)
    }

    /// Record fields or variant cases: each member's `type` becomes a name.
    fn members(&mut self, body: &Value, list: &str) -> Value {
        let mut body = body.clone();
        if let Some(items) = body.get_mut(list).and_then(Value::as_array_mut) {
            for item in items.iter_mut() {
                if let Some(t) = item.get_mut("type") {
                    *t = self.ty(t);
                }
            }
        }
        body
    }

    fn function(&mut self, func: &Value) -> Value {
        let Some(obj) = func.as_object() else {
            return func.clone();
        };
        let mut out = Map::new();
        for (key, value) in obj {
            let value = match key.as_str() {
                "kind" => match value.as_object().and_then(|o| o.iter().next()) {
                    Some((k, id)) => single(k, self.ty(id)),
                    None => value.clone(),
                },
                "params" => {
                    let mut params = value.clone();
                    for p in params.as_array_mut().into_iter().flatten() {
                        if let Some(t) = p.get_mut("type") {
                            *t = self.ty(t);
                        }
                    }
                    params
                }
                "result" => self.ty(value),
                _ => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    fn interface(&mut self, iface: &Value) -> Value {
        let Some(obj) = iface.as_object() else {
            return iface.clone();
        };
        let mut out = Map::new();
        for (key, value) in obj {
            let value = match key.as_str() {
                "types" => self.map_values(value, |cx, v| cx.ty(v)),
                "functions" => self.map_values(value, |cx, v| cx.function(v)),
                "package" => Value::String(self.package_ref(Some(value))),
                "clone_of" => self.interface_ref(value),
                _ => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    fn world(&mut self, world: &Value) -> Value {
        let Some(obj) = world.as_object() else {
            return world.clone();
        };
        let mut out = Map::new();
        for (key, value) in obj {
            let value = match key.as_str() {
                "imports" | "exports" => {
                    let mut items = Map::new();
                    for (k, item) in value.as_object().into_iter().flatten() {
                        items.insert(self.world_key(k), self.world_item(item));
                    }
                    Value::Object(items)
                }
                "package" => Value::String(self.package_ref(Some(value))),
                _ => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    fn world_key(&self, key: &str) -> String {
        match key
            .strip_prefix("interface-")
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(i) => format!(
                "interface {}",
                self.interface_ref(&Value::from(i)).as_str().unwrap_or("?")
            ),
            None => key.to_string(),
        }
    }

    fn world_item(&mut self, item: &Value) -> Value {
        let Some((tag, body)) = item.as_object().and_then(|o| o.iter().next()) else {
            return item.clone();
        };
        let body = match tag.as_str() {
            "interface" => {
                let mut body = body.clone();
                if let Some(id) = body.get_mut("id") {
                    *id = self.interface_ref(id);
                }
                body
            }
            "function" => self.function(body),
            "type" => self.ty(body),
            _ => body.clone(),
        };
        single(tag, body)
    }

    fn package(&mut self, pkg: &Value) -> Value {
        let Some(obj) = pkg.as_object() else {
            return pkg.clone();
        };
        let mut out = Map::new();
        for (key, value) in obj {
            let value = match key.as_str() {
                // Sorted: wit-parser lists a package's interfaces in dependency order, which is
                // an artifact of how it allocates them.
                "interfaces" => sorted(self.map_values(value, |cx, v| cx.interface_ref(v))),
                "worlds" => sorted(self.map_values(value, |cx, v| cx.world_ref(v))),
                _ => value.clone(),
            };
            out.insert(key.clone(), value);
        }
        Value::Object(out)
    }

    fn map_values(&mut self, map: &Value, mut f: impl FnMut(&mut Self, &Value) -> Value) -> Value {
        match map.as_object() {
            Some(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), f(self, v))).collect()),
            None => map.clone(),
        }
    }
}

fn str_field<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("<unnamed>")
}

fn single(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), value);
    Value::Object(m)
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect(),
        ),
        v => v,
    }
}

/// A map from `(name, value)` pairs sorted by name. Equal pairs collapse; different values
/// under one name are kept apart as `name #2`, `name #3`, …, ordered by their text so the
/// result is still independent of input order.
fn keyed(items: impl Iterator<Item = (String, Value)>) -> Value {
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, value) in items {
        let group = groups.entry(name).or_default();
        if !group.contains(&value) {
            group.push(value);
        }
    }
    let mut out = Map::new();
    for (name, mut values) in groups {
        values.sort_by_cached_key(Value::to_string);
        for (i, value) in values.into_iter().enumerate() {
            let key = if i == 0 {
                name.clone()
            } else {
                format!("{name} #{}", i + 1)
            };
            out.insert(key, value);
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The same resolve allocated in two orders canonicalizes to the same value.
    #[test]
    fn allocation_order_does_not_matter() {
        let a = json!({
            "worlds": [],
            "interfaces": [
                {"name": "i", "types": {"r": 0, "t": 2}, "functions": {}, "package": 0},
            ],
            "types": [
                {"name": "r", "kind": "resource", "owner": {"interface": 0}},
                {"name": null, "kind": {"handle": {"own": 0}}, "owner": null},
                {"name": "t", "kind": {"list": 1}, "owner": {"interface": 0}},
            ],
            "packages": [{"name": "a:b", "interfaces": {"i": 0}, "worlds": {}}],
        });
        let b = json!({
            "worlds": [],
            "interfaces": [
                {"name": "i", "types": {"r": 2, "t": 0}, "functions": {}, "package": 0},
            ],
            "types": [
                {"name": "t", "kind": {"list": 1}, "owner": {"interface": 0}},
                {"name": null, "kind": {"handle": {"own": 2}}, "owner": null},
                {"name": "r", "kind": "resource", "owner": {"interface": 0}},
            ],
            "packages": [{"name": "a:b", "interfaces": {"i": 0}, "worlds": {}}],
        });
        let (ca, cb) = (canonicalize(&a).unwrap(), canonicalize(&b).unwrap());
        assert_eq!(ca, cb);
        assert_eq!(ca["types"]["a:b/i.t"]["kind"]["list"], "own<a:b/i.r>");
    }

    /// A changed field still shows up after canonicalization.
    #[test]
    fn field_differences_survive() {
        let doc = |ty: &str| {
            json!({
                "worlds": [], "interfaces": [{"name": "i", "types": {"t": 0}, "functions": {}, "package": 0}],
                "types": [{"name": "t", "kind": {"type": ty}, "owner": {"interface": 0}}],
                "packages": [{"name": "a:b", "interfaces": {"i": 0}, "worlds": {}}],
            })
        };
        assert_ne!(
            canonicalize(&doc("u32")).unwrap(),
            canonicalize(&doc("u64")).unwrap()
        );
    }

    /// Anonymous world interfaces and `interface-N` keys get stable names.
    #[test]
    fn world_keys_and_anonymous_interfaces() {
        let doc = json!({
            "worlds": [{"name": "w", "imports": {
                "interface-1": {"interface": {"id": 1}},
                "x": {"interface": {"id": 0}},
            }, "exports": {}, "package": 0}],
            "interfaces": [
                {"name": null, "types": {}, "functions": {}, "package": 0},
                {"name": "i", "types": {}, "functions": {}, "package": 0},
            ],
            "types": [],
            "packages": [{"name": "a:b", "interfaces": {"i": 1}, "worlds": {"w": 0}}],
        });
        let c = canonicalize(&doc).unwrap();
        let imports = &c["worlds"]["a:b/w"]["imports"];
        assert_eq!(imports["interface a:b/i"]["interface"]["id"], "a:b/i");
        assert_eq!(imports["x"]["interface"]["id"], "a:b/w import x");
        assert!(c["interfaces"].get("a:b/w import x").is_some());
    }

    #[test]
    fn bad_ids_are_reported_not_panicked_on() {
        let doc = json!({
            "worlds": [], "interfaces": [],
            "types": [{"name": null, "kind": {"list": 7}, "owner": null},
                      {"name": null, "kind": {"option": 1}, "owner": null}],
            "packages": [],
        });
        let c = canonicalize(&doc).unwrap();
        assert!(c["types"].get("list<<bad type id 7>>").is_some(), "{c}");
        assert!(
            c["types"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.contains("cycle")),
            "{c}"
        );
    }

    /// Unreferenced anonymous types go (with the anonymous types only they refer to) when
    /// asked; referenced and named ones stay.
    #[test]
    fn unreferenced_anonymous_types_can_be_dropped() {
        let doc = json!({
            "worlds": [{"name": "w", "imports": {"f": {"function": {
                "name": "f", "kind": "freestanding", "params": [{"name": "x", "type": 4}],
            }}}, "exports": {}, "package": 0}],
            "interfaces": [
                {"name": "i", "types": {"t": 0}, "functions": {}, "package": 0},
            ],
            "types": [
                {"name": "t", "kind": {"list": 1}, "owner": {"interface": 0}},
                {"name": null, "kind": {"option": "u8"}, "owner": null},
                // Junk: a list of a tuple, referenced by nothing.
                {"name": null, "kind": {"list": 3}, "owner": null},
                {"name": null, "kind": {"tuple": {"types": ["u32"]}}, "owner": null},
                // Reached from the world's function.
                {"name": null, "kind": {"result": {"ok": 5, "err": null}}, "owner": null},
                {"name": null, "kind": {"list": "string"}, "owner": null},
                // Named types stay even when nothing refers to them.
                {"name": "orphan", "kind": {"list": 7}, "owner": {"interface": 0}},
                {"name": null, "kind": {"future": null}, "owner": null},
            ],
            "packages": [{"name": "a:b", "interfaces": {"i": 0}, "worlds": {"w": 0}}],
        });
        let keys = |c: &Value| -> Vec<String> {
            c["types"].as_object().unwrap().keys().cloned().collect()
        };
        let all = canonicalize(&doc).unwrap();
        assert_eq!(keys(&all).len(), 8, "{all}");
        let options = Options {
            drop_unreferenced_anonymous_types: true,
        };
        let pruned = canonicalize_with(&doc, &options).unwrap();
        assert_eq!(
            keys(&pruned),
            [
                "a:b/i.orphan",
                "a:b/i.t",
                "future",
                "list<string>",
                "option<u8>",
                "result<list<string>, _>",
            ],
            "{pruned}"
        );
        // Without junk, pruning changes nothing.
        let mut clean = doc.clone();
        clean["types"][2] = json!({"name": null, "kind": {"list": 1}, "owner": null});
        clean["interfaces"][0]["types"]["u"] = json!(2);
        clean["interfaces"][0]["types"]["v"] = json!(3);
        assert_eq!(
            canonicalize(&clean).unwrap(),
            canonicalize_with(&clean, &options).unwrap()
        );
    }
}
