//! A [`Resolve`] as JSON, in exactly the schema of wit-parser's serialized `Resolve`
//! (`serde_json::to_string_pretty(&resolve)` in wit-parser 0.262).
//!
//! The schema is defined by the `#[serde(...)]` attributes of wit-parser's data model:
//!
//! * The top level is `{"worlds", "interfaces", "types", "packages"}`, each an array in arena
//!   order. Every reference to a package, interface, world or type is its arena index.
//! * A primitive [`Type`] is its WIT keyword (`"u32"`), a [`Type::Id`] is the index.
//! * Enums are externally tagged with kebab-case names: `{"record": {…}}`, `"resource"`,
//!   `{"handle": {"own": 3}}`, `{"method": 3}`, `"freestanding"`. A [`TypeOwner::None`] is `null`.
//! * A [`WorldKey::Interface`] key is written `interface-{index}`; a [`PackageName`] is the
//!   string `ns:name@version`.
//! * Empty [`Docs`], [`Stability::Unknown`], a `None` function result, an empty parameter name
//!   and an absent `deprecated` version are left out. Everything else is always present
//!   (`"params": []`, `"functions": {}`, `"ok": null`, a case's `"type": null`).
//!
//! wit-parser's `external_id`, `clone_of` and `includes` are never written for a resolved
//! package, and weft's model does not have them.
//!
//! [`PackageName`]: crate::PackageName

use std::fmt::{self, Write as _};
use std::io;

use serde_json::Value;

use crate::{
    Docs, Function, FunctionKind, Handle, Interface, Package, Resolve, Stability, Type, TypeDef,
    TypeDefKind, TypeOwner, Version, World, WorldId, WorldItem, WorldKey,
};

/// The whole resolve as a JSON value, shaped like wit-parser's serialized `Resolve`.
///
/// This parses the text of [`to_json_string`]; it is meant for tests and tools that compare
/// documents; the CLI writes the text directly.
pub fn to_json(resolve: &Resolve) -> Value {
    // The text is always valid JSON (see the tests), so this cannot fail.
    serde_json::from_str(&to_json_string(resolve)).unwrap_or(Value::Null)
}

/// The resolve as JSON text, pretty-printed with two-space indentation exactly like
/// `serde_json::to_string_pretty` (no trailing newline).
///
/// The text is written straight into one pre-sized `String`, without building a
/// [`serde_json::Value`] first: on a large package that tree, its pretty-printing and its
/// thousands of small allocations cost more than parsing and resolving the WIT.
pub fn to_json_string(resolve: &Resolve) -> String {
    to_json_string_with_world(resolve, None)
}

/// [`to_json_string`], plus a last top-level key `"world"` with the index of `world` when it
/// is given (`weft wit json --world`; wit-parser's schema has no such key).
pub fn to_json_string_with_world(resolve: &Resolve, world: Option<WorldId>) -> String {
    let mut w = Writer::with_capacity(estimated_len(resolve), None);
    write_document(&mut w, resolve, world);
    w.out
}

/// Writes [`to_json_string_with_world`]'s text to `out` in chunks of about 64 KiB, so a large
/// document is never held in memory whole (that costs a page fault per 4 KiB written).
pub fn write_json(
    resolve: &Resolve,
    world: Option<WorldId>,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut w = Writer::with_capacity(CHUNK + CHUNK / 4, Some(out));
    write_document(&mut w, resolve, world);
    w.flush();
    match w.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// How much text the streaming writer gathers before handing it on.
const CHUNK: usize = 64 * 1024;

fn write_document(w: &mut Writer<'_>, resolve: &Resolve, world: Option<WorldId>) {
    w.begin_object();
    w.field("worlds");
    w.begin_array();
    for (_, x) in resolve.worlds.iter() {
        w.element();
        write_world(w, x);
    }
    w.end_array();
    w.field("interfaces");
    w.begin_array();
    for (_, x) in resolve.interfaces.iter() {
        w.element();
        write_interface(w, x);
    }
    w.end_array();
    w.field("types");
    w.begin_array();
    for (_, x) in resolve.types.iter() {
        w.element();
        write_type_def(w, x);
    }
    w.end_array();
    w.field("packages");
    w.begin_array();
    for (_, x) in resolve.packages.iter() {
        w.element();
        write_package(w, x);
    }
    w.end_array();
    if let Some(world) = world {
        w.field("world");
        w.index(world.index());
    }
    w.end_object();
}

/// A rough size of the output, a little above the real one, so that the text is not
/// reallocated: measured on WASI and on the generated benchmark package, a type takes about
/// 220 bytes and a function about 350, plus their doc comments. Counting those docs twice
/// covers the docs of fields, cases and interfaces and the escaped line breaks without
/// walking them (WASI 0.2: 323 KB estimated for 298 KB; the benchmark: 6.6 MB for 6.0 MB).
fn estimated_len(resolve: &Resolve) -> usize {
    let docs = |d: &Docs| d.contents.as_ref().map_or(0, String::len);
    let types: usize = resolve
        .types
        .iter()
        .map(|(_, t)| 250 + 2 * docs(&t.docs))
        .sum();
    let functions: usize = resolve
        .interfaces
        .iter()
        .flat_map(|(_, i)| i.functions.values())
        .map(|f| 380 + 2 * docs(&f.docs))
        .sum();
    let worlds: usize = resolve
        .worlds
        .iter()
        .map(|(_, w)| 200 + 200 * (w.imports.len() + w.exports.len()))
        .sum();
    let packages: usize = resolve
        .packages
        .iter()
        .map(|(_, p)| 200 + 50 * (p.interfaces.len() + p.worlds.len()))
        .sum();
    256 + types + functions + worlds + packages + 200 * resolve.interfaces.len()
}

fn write_world(w: &mut Writer<'_>, x: &World) {
    w.begin_object();
    w.field("name");
    w.string(&x.name);
    w.field("imports");
    write_world_items(w, &x.imports);
    w.field("exports");
    write_world_items(w, &x.exports);
    w.field("package");
    w.optional_index(x.package.map(|p| p.index()));
    write_docs(w, &x.docs);
    write_stability(w, &x.stability);
    w.end_object();
}

fn write_world_items(w: &mut Writer<'_>, items: &indexmap::IndexMap<WorldKey, WorldItem>) {
    w.begin_object();
    for (key, item) in items {
        match key {
            WorldKey::Name(name) => w.key(name),
            WorldKey::Interface(id) => {
                w.element();
                w.out.push_str("\"interface-");
                w.index(id.index());
                w.out.push_str("\": ");
            }
        }
        write_world_item(w, item);
    }
    w.end_object();
}

fn write_world_item(w: &mut Writer<'_>, item: &WorldItem) {
    w.begin_object();
    match item {
        WorldItem::Interface {
            id,
            stability,
            docs,
            span: _,
        } => {
            w.field("interface");
            w.begin_object();
            w.field("id");
            w.index(id.index());
            write_stability(w, stability);
            write_docs(w, docs);
            w.end_object();
        }
        WorldItem::Function(f) => {
            w.field("function");
            write_function(w, f);
        }
        WorldItem::Type { id, span: _ } => {
            w.field("type");
            w.index(id.index());
        }
    }
    w.end_object();
}

fn write_interface(w: &mut Writer<'_>, i: &Interface) {
    w.begin_object();
    w.field("name");
    w.optional_string(i.name.as_deref());
    w.field("types");
    w.begin_object();
    for (name, id) in &i.types {
        w.key(name);
        w.index(id.index());
    }
    w.end_object();
    w.field("functions");
    w.begin_object();
    for (name, f) in &i.functions {
        w.key(name);
        write_function(w, f);
    }
    w.end_object();
    write_docs(w, &i.docs);
    write_stability(w, &i.stability);
    w.field("package");
    w.optional_index(i.package.map(|p| p.index()));
    w.end_object();
}

fn write_type_def(w: &mut Writer<'_>, t: &TypeDef) {
    w.begin_object();
    w.field("name");
    w.optional_string(t.name.as_deref());
    w.field("kind");
    write_type_def_kind(w, &t.kind);
    w.field("owner");
    write_type_owner(w, t.owner);
    write_docs(w, &t.docs);
    write_stability(w, &t.stability);
    w.end_object();
}

fn write_type_def_kind(w: &mut Writer<'_>, kind: &TypeDefKind) {
    // The kinds without data are bare strings; every other one is `{tag: …}`.
    let tag = match kind {
        TypeDefKind::Resource => return w.string("resource"),
        TypeDefKind::Unknown => return w.string("unknown"),
        TypeDefKind::Record(_) => "record",
        TypeDefKind::Handle(_) => "handle",
        TypeDefKind::Flags(_) => "flags",
        TypeDefKind::Tuple(_) => "tuple",
        TypeDefKind::Variant(_) => "variant",
        TypeDefKind::Enum(_) => "enum",
        TypeDefKind::Option(_) => "option",
        TypeDefKind::Result(_) => "result",
        TypeDefKind::List(_) => "list",
        TypeDefKind::Map(..) => "map",
        TypeDefKind::FixedLengthList(..) => "fixed-length-list",
        TypeDefKind::Future(_) => "future",
        TypeDefKind::Stream(_) => "stream",
        TypeDefKind::Type(_) => "type",
    };
    w.begin_object();
    w.field(tag);
    match kind {
        TypeDefKind::Resource | TypeDefKind::Unknown => {}
        TypeDefKind::Record(r) => {
            w.begin_object();
            w.field("fields");
            w.begin_array();
            for f in &r.fields {
                w.element();
                w.begin_object();
                w.field("name");
                w.string(&f.name);
                w.field("type");
                write_ty(w, f.ty);
                write_docs(w, &f.docs);
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        TypeDefKind::Handle(h) => {
            let (tag, id) = match h {
                Handle::Own(id) => ("own", id),
                Handle::Borrow(id) => ("borrow", id),
            };
            w.begin_object();
            w.field(tag);
            w.index(id.index());
            w.end_object();
        }
        TypeDefKind::Flags(f) => {
            w.begin_object();
            w.field("flags");
            w.begin_array();
            for flag in &f.flags {
                w.element();
                w.begin_object();
                w.field("name");
                w.string(&flag.name);
                write_docs(w, &flag.docs);
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        TypeDefKind::Tuple(t) => {
            w.begin_object();
            w.field("types");
            w.begin_array();
            for t in &t.types {
                w.element();
                write_ty(w, *t);
            }
            w.end_array();
            w.end_object();
        }
        TypeDefKind::Variant(v) => {
            w.begin_object();
            w.field("cases");
            w.begin_array();
            for c in &v.cases {
                w.element();
                w.begin_object();
                w.field("name");
                w.string(&c.name);
                w.field("type");
                write_optional_ty(w, c.ty);
                write_docs(w, &c.docs);
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        TypeDefKind::Enum(e) => {
            w.begin_object();
            w.field("cases");
            w.begin_array();
            for c in &e.cases {
                w.element();
                w.begin_object();
                w.field("name");
                w.string(&c.name);
                write_docs(w, &c.docs);
                w.end_object();
            }
            w.end_array();
            w.end_object();
        }
        TypeDefKind::Result(r) => {
            w.begin_object();
            w.field("ok");
            write_optional_ty(w, r.ok);
            w.field("err");
            write_optional_ty(w, r.err);
            w.end_object();
        }
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => write_ty(w, *t),
        TypeDefKind::Map(k, v) => {
            w.begin_array();
            w.element();
            write_ty(w, *k);
            w.element();
            write_ty(w, *v);
            w.end_array();
        }
        TypeDefKind::FixedLengthList(t, n) => {
            w.begin_array();
            w.element();
            write_ty(w, *t);
            w.element();
            w.index(*n as usize);
            w.end_array();
        }
        TypeDefKind::Future(t) | TypeDefKind::Stream(t) => write_optional_ty(w, *t),
    }
    w.end_object();
}

fn write_type_owner(w: &mut Writer<'_>, owner: TypeOwner) {
    let (tag, index) = match owner {
        TypeOwner::World(id) => ("world", id.index()),
        TypeOwner::Interface(id) => ("interface", id.index()),
        TypeOwner::None => return w.null(),
    };
    w.begin_object();
    w.field(tag);
    w.index(index);
    w.end_object();
}

fn write_function(w: &mut Writer<'_>, f: &Function) {
    w.begin_object();
    w.field("name");
    w.string(&f.name);
    w.field("kind");
    write_function_kind(w, f.kind);
    w.field("params");
    w.begin_array();
    for p in &f.params {
        w.element();
        w.begin_object();
        if !p.name.is_empty() {
            w.field("name");
            w.string(&p.name);
        }
        w.field("type");
        write_ty(w, p.ty);
        w.end_object();
    }
    w.end_array();
    if let Some(result) = f.result {
        w.field("result");
        write_ty(w, result);
    }
    write_docs(w, &f.docs);
    write_stability(w, &f.stability);
    w.end_object();
}

fn write_function_kind(w: &mut Writer<'_>, kind: FunctionKind) {
    let (tag, resource) = match kind {
        FunctionKind::Freestanding => return w.string("freestanding"),
        FunctionKind::AsyncFreestanding => return w.string("async-freestanding"),
        FunctionKind::Getter => return w.string("getter"),
        FunctionKind::Setter => return w.string("setter"),
        FunctionKind::Method(id) => ("method", id),
        FunctionKind::AsyncMethod(id) => ("async-method", id),
        FunctionKind::MethodGetter(id) => ("method-getter", id),
        FunctionKind::MethodSetter(id) => ("method-setter", id),
        FunctionKind::Static(id) => ("static", id),
        FunctionKind::AsyncStatic(id) => ("async-static", id),
        FunctionKind::StaticGetter(id) => ("static-getter", id),
        FunctionKind::StaticSetter(id) => ("static-setter", id),
        FunctionKind::Constructor(id) => ("constructor", id),
    };
    w.begin_object();
    w.field(tag);
    w.index(resource.index());
    w.end_object();
}

fn write_package(w: &mut Writer<'_>, p: &Package) {
    w.begin_object();
    w.field("name");
    w.display(&p.name);
    write_docs(w, &p.docs);
    w.field("interfaces");
    w.begin_object();
    for (name, id) in &p.interfaces {
        w.key(name);
        w.index(id.index());
    }
    w.end_object();
    w.field("worlds");
    w.begin_object();
    for (name, id) in &p.worlds {
        w.key(name);
        w.index(id.index());
    }
    w.end_object();
    w.end_object();
}

fn write_ty(w: &mut Writer<'_>, t: Type) {
    match t {
        Type::Id(id) => w.index(id.index()),
        // Every other type is a primitive with a keyword.
        _ => w.string(t.primitive_name().unwrap_or_default()),
    }
}

fn write_optional_ty(w: &mut Writer<'_>, t: Option<Type>) {
    match t {
        Some(t) => write_ty(w, t),
        None => w.null(),
    }
}

/// `"docs": {"contents": …}`, left out when there are no docs.
fn write_docs(w: &mut Writer<'_>, docs: &Docs) {
    if let Some(contents) = &docs.contents {
        w.field("docs");
        w.begin_object();
        w.field("contents");
        w.string(contents);
        w.end_object();
    }
}

/// `"stability": {"stable": {…}}` / `{"unstable": {…}}`, left out when unknown.
fn write_stability(w: &mut Writer<'_>, stability: &Stability) {
    let deprecated: &Option<Version> = match stability {
        Stability::Unknown => return,
        Stability::Stable { since, deprecated } => {
            w.field("stability");
            w.begin_object();
            w.field("stable");
            w.begin_object();
            w.field("since");
            w.display(since);
            deprecated
        }
        Stability::Unstable {
            feature,
            deprecated,
        } => {
            w.field("stability");
            w.begin_object();
            w.field("unstable");
            w.begin_object();
            w.field("feature");
            w.string(feature);
            deprecated
        }
    };
    if let Some(v) = deprecated {
        w.field("deprecated");
        w.display(v);
    }
    w.end_object();
    w.end_object();
}

/// The bytes [`Writer::string`] escapes: `"`, `\` and the control characters below 0x20.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// A JSON writer with `serde_json::to_string_pretty`'s layout: two-space indentation, one
/// member or element per line, `"key": value`, and `[]` / `{}` for empty containers.
///
/// The caller drives it like a serializer: `begin_object`, then `field`/`key` before each
/// value, then `end_object` (`element` before each value of an array). It keeps only the
/// depth and whether the innermost container is still empty; that is enough because a
/// container always ends before its parent continues.
struct Writer<'s> {
    out: String,
    /// Where full chunks of `out` go when streaming; `None` builds one `String`.
    sink: Option<&'s mut dyn io::Write>,
    /// The first error the sink returned; writing stops there.
    error: Option<io::Error>,
    depth: usize,
    /// Whether the innermost open container has no member or element yet.
    empty: bool,
    /// Reused buffer for values written with `Display` (package names, versions).
    scratch: String,
}

impl<'s> Writer<'s> {
    fn with_capacity(capacity: usize, sink: Option<&'s mut dyn io::Write>) -> Self {
        Writer {
            out: String::with_capacity(capacity),
            sink,
            error: None,
            depth: 0,
            empty: true,
            scratch: String::new(),
        }
    }

    fn begin_object(&mut self) {
        self.out.push('{');
        self.depth += 1;
        self.empty = true;
    }

    fn end_object(&mut self) {
        self.end('}');
    }

    fn begin_array(&mut self) {
        self.out.push('[');
        self.depth += 1;
        self.empty = true;
    }

    fn end_array(&mut self) {
        self.end(']');
    }

    fn end(&mut self, close: char) {
        self.depth -= 1;
        if !self.empty {
            self.newline();
        }
        self.out.push(close);
        // The parent holds at least this container.
        self.empty = false;
    }

    /// Hands the gathered text to the sink, if streaming.
    fn flush(&mut self) {
        if let Some(sink) = self.sink.as_mut() {
            if self.error.is_none() {
                if let Err(e) = sink.write_all(self.out.as_bytes()) {
                    self.error = Some(e);
                }
            }
            self.out.clear();
        }
    }

    /// Starts the next element of an array.
    fn element(&mut self) {
        if self.out.len() >= CHUNK && self.sink.is_some() {
            self.flush();
        }
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.newline();
    }

    /// Starts a member whose key is a fixed name of the schema (no escaping needed).
    fn field(&mut self, key: &'static str) {
        self.element();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
    }

    /// Starts a member whose key is arbitrary text.
    fn key(&mut self, key: &str) {
        self.element();
        self.string(key);
        self.out.push_str(": ");
    }

    fn newline(&mut self) {
        // A line break and the indentation of the first 31 levels in one copy.
        const LINE: &str = "\n                                                              ";
        let indent = self.depth * 2;
        if indent < LINE.len() {
            self.out.push_str(&LINE[..=indent]);
        } else {
            self.out.push_str(LINE);
            for _ in LINE.len() - 1..indent {
                self.out.push(' ');
            }
        }
    }

    fn null(&mut self) {
        self.out.push_str("null");
    }

    fn index(&mut self, n: usize) {
        // Digits from the right into a small buffer: no allocation, no formatter.
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &b in &buf[i..] {
            self.out.push(char::from(b));
        }
    }

    fn optional_index(&mut self, n: Option<usize>) {
        match n {
            Some(n) => self.index(n),
            None => self.null(),
        }
    }

    fn optional_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.null(),
        }
    }

    /// `value`'s `Display` text as a JSON string.
    fn display(&mut self, value: impl fmt::Display) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        // Writing into a `String` cannot fail.
        let _ = write!(scratch, "{value}");
        self.string(&scratch);
        self.scratch = scratch;
    }

    /// A JSON string, escaped like serde_json: `"` and `\` with a backslash, the control
    /// characters as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00XX` (lowercase hex); everything else,
    /// DEL and non-ASCII included, as is.
    fn string(&mut self, s: &str) {
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut start = 0;
        while let Some(i) = next_escape(bytes, start) {
            let b = bytes[i];
            // `i` is at an ASCII byte, so both slices end on character boundaries.
            self.out.push_str(&s[start..i]);
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\t' => "\\t",
                b'\r' => "\\r",
                0x08 => "\\b",
                0x0c => "\\f",
                _ => "",
            };
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(char::from(HEX[usize::from(b >> 4)]));
                self.out.push(char::from(HEX[usize::from(b & 0xf)]));
            } else {
                self.out.push_str(escape);
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }
}

/// The position of the first byte at or after `from` that [`Writer::string`] escapes.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    // Eight bytes at a time: only a word that may hold `"`, `\\` or a control byte is looked
    // at bytewise (no false negatives; a false positive just costs the bytewise look).
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let rest = &bytes[from..];
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let control = w.wrapping_sub(0x20 * ONES) & !w & HIGH;
        if control
            | has_zero(w ^ (u64::from(b'"') * ONES))
            | has_zero(w ^ (u64::from(b'\\') * ONES))
            != 0
        {
            if let Some(p) = chunk.iter().position(|&b| NEEDS_ESCAPE[usize::from(b)]) {
                return Some(at + p);
            }
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| NEEDS_ESCAPE[usize::from(b)])
        .map(|p| at + p)
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::{
        Case, Enum, EnumCase, Field, Flag, Flags, PackageName, Param, Record, ResultType, Span,
        Tuple, Variant, Version,
    };

    /// What `write` produces, checked to be `serde_json::to_string_pretty`'s layout of the
    /// same value, then printed compactly for short expectations.
    fn fragment(write: impl FnOnce(&mut Writer)) -> String {
        let mut w = Writer::with_capacity(0, None);
        write(&mut w);
        assert_eq!(w.depth, 0, "unbalanced containers in {:?}", w.out);
        compact(&w.out)
    }

    /// `text` parsed and printed compactly, after checking that it is exactly
    /// `serde_json::to_string_pretty` of what it parses to.
    fn compact(text: &str) -> String {
        let value: Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(serde_json::to_string_pretty(&value).unwrap(), text);
        value.to_string()
    }

    fn type_def(name: Option<&str>, kind: TypeDefKind, owner: TypeOwner) -> TypeDef {
        TypeDef {
            name: name.map(str::to_string),
            kind,
            owner,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        }
    }

    fn function(
        name: &str,
        kind: FunctionKind,
        params: Vec<Param>,
        result: Option<Type>,
    ) -> Function {
        Function {
            name: name.into(),
            kind,
            params,
            result,
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        }
    }

    #[test]
    fn empty_resolve() {
        assert_eq!(
            to_json_string(&Resolve::new()),
            "{\n  \"worlds\": [],\n  \"interfaces\": [],\n  \"types\": [],\n  \"packages\": []\n}"
        );
    }

    /// A package with an interface (a resource and its functions) and a world that imports
    /// it by path and exports a function.
    #[test]
    fn package_interface_and_world() {
        let mut r = Resolve::new();
        let pkg = r.packages.alloc(Package {
            name: PackageName {
                namespace: "a".into(),
                name: "b".into(),
                version: Some(Version::new(1, 2, 3)),
            },
            docs: Docs {
                contents: Some("The package.".into()),
            },
            interfaces: IndexMap::new(),
            worlds: IndexMap::new(),
        });
        let iface = r.interfaces.alloc(Interface {
            name: Some("i".into()),
            types: IndexMap::new(),
            functions: IndexMap::new(),
            docs: Docs::default(),
            stability: Stability::Stable {
                since: Version::new(1, 0, 0),
                deprecated: None,
            },
            package: Some(pkg),
            span: Span::UNKNOWN,
        });
        let res = r.types.alloc(type_def(
            Some("r"),
            TypeDefKind::Resource,
            TypeOwner::Interface(iface),
        ));
        let own = r.types.alloc(type_def(
            None,
            TypeDefKind::Handle(Handle::Own(res)),
            TypeOwner::None,
        ));
        let borrow = r.types.alloc(type_def(
            None,
            TypeDefKind::Handle(Handle::Borrow(res)),
            TypeOwner::None,
        ));
        let i = &mut r.interfaces[iface];
        i.types.insert("r".into(), res);
        let ctor = function(
            "[constructor]r",
            FunctionKind::Constructor(res),
            Vec::new(),
            Some(Type::Id(own)),
        );
        let mut method = function(
            "[method]r.m",
            FunctionKind::AsyncMethod(res),
            vec![
                Param {
                    name: "self".into(),
                    ty: Type::Id(borrow),
                },
                Param {
                    name: String::new(),
                    ty: Type::ErrorContext,
                },
            ],
            None,
        );
        method.docs = Docs {
            contents: Some("A method.".into()),
        };
        method.stability = Stability::Unstable {
            feature: "fancy".into(),
            deprecated: Some(Version::new(2, 0, 0)),
        };
        i.functions.insert(ctor.name.clone(), ctor);
        i.functions.insert(method.name.clone(), method);
        let world = r.worlds.alloc(World {
            name: "w".into(),
            imports: IndexMap::new(),
            exports: IndexMap::new(),
            package: Some(pkg),
            docs: Docs::default(),
            stability: Stability::Unknown,
            span: Span::UNKNOWN,
        });
        let w = &mut r.worlds[world];
        w.imports.insert(
            WorldKey::Interface(iface),
            WorldItem::Interface {
                id: iface,
                stability: Stability::Unknown,
                docs: Docs {
                    contents: Some("Imported.".into()),
                },
                span: Span::UNKNOWN,
            },
        );
        w.exports.insert(
            WorldKey::Name("run".into()),
            WorldItem::Function(function(
                "run",
                FunctionKind::Freestanding,
                Vec::new(),
                Some(Type::Bool),
            )),
        );
        r.packages[pkg].interfaces.insert("i".into(), iface);
        r.packages[pkg].worlds.insert("w".into(), world);

        let expected = r#"{
  "worlds": [
    {
      "name": "w",
      "imports": {
        "interface-0": {
          "interface": {
            "id": 0,
            "docs": {
              "contents": "Imported."
            }
          }
        }
      },
      "exports": {
        "run": {
          "function": {
            "name": "run",
            "kind": "freestanding",
            "params": [],
            "result": "bool"
          }
        }
      },
      "package": 0
    }
  ],
  "interfaces": [
    {
      "name": "i",
      "types": {
        "r": 0
      },
      "functions": {
        "[constructor]r": {
          "name": "[constructor]r",
          "kind": {
            "constructor": 0
          },
          "params": [],
          "result": 1
        },
        "[method]r.m": {
          "name": "[method]r.m",
          "kind": {
            "async-method": 0
          },
          "params": [
            {
              "name": "self",
              "type": 2
            },
            {
              "type": "error-context"
            }
          ],
          "docs": {
            "contents": "A method."
          },
          "stability": {
            "unstable": {
              "feature": "fancy",
              "deprecated": "2.0.0"
            }
          }
        }
      },
      "stability": {
        "stable": {
          "since": "1.0.0"
        }
      },
      "package": 0
    }
  ],
  "types": [
    {
      "name": "r",
      "kind": "resource",
      "owner": {
        "interface": 0
      }
    },
    {
      "name": null,
      "kind": {
        "handle": {
          "own": 0
        }
      },
      "owner": null
    },
    {
      "name": null,
      "kind": {
        "handle": {
          "borrow": 0
        }
      },
      "owner": null
    }
  ],
  "packages": [
    {
      "name": "a:b@1.2.3",
      "docs": {
        "contents": "The package."
      },
      "interfaces": {
        "i": 0
      },
      "worlds": {
        "w": 0
      }
    }
  ]
}"#;
        assert_eq!(to_json_string(&r), expected);
        assert_eq!(
            serde_json::to_string_pretty(&to_json(&r)).unwrap(),
            expected
        );

        let world = to_json_string_with_world(&r, Some(world));
        let expected = format!("{},\n  \"world\": 0\n}}", &expected[..expected.len() - 2]);
        assert_eq!(world, expected);
        compact(&world);
    }

    #[test]
    fn type_kinds() {
        let kinds = [
            TypeDefKind::Record(Record {
                fields: vec![Field {
                    name: "a".into(),
                    ty: Type::U8,
                    docs: Docs {
                        contents: Some("x".into()),
                    },
                }],
            }),
            TypeDefKind::Flags(Flags {
                flags: vec![Flag {
                    name: "f".into(),
                    docs: Docs::default(),
                }],
            }),
            TypeDefKind::Tuple(Tuple {
                types: vec![Type::S8, Type::F64],
            }),
            TypeDefKind::Variant(Variant {
                cases: vec![
                    Case {
                        name: "a".into(),
                        ty: None,
                        docs: Docs::default(),
                    },
                    Case {
                        name: "b".into(),
                        ty: Some(Type::Char),
                        docs: Docs::default(),
                    },
                ],
            }),
            TypeDefKind::Enum(Enum {
                cases: vec![EnumCase {
                    name: "e".into(),
                    docs: Docs::default(),
                }],
            }),
            TypeDefKind::Option(Type::String),
            TypeDefKind::Result(ResultType {
                ok: None,
                err: Some(Type::U32),
            }),
            TypeDefKind::List(Type::Id(crate::Id::from_index(0))),
            TypeDefKind::Map(Type::String, Type::U64),
            TypeDefKind::FixedLengthList(Type::F32, 4),
            TypeDefKind::Future(None),
            TypeDefKind::Stream(Some(Type::U8)),
            TypeDefKind::Type(Type::S64),
        ];
        let got: Vec<String> = kinds
            .iter()
            .map(|k| fragment(|w| write_type_def_kind(w, k)))
            .collect();
        assert_eq!(
            got,
            [
                r#"{"record":{"fields":[{"name":"a","type":"u8","docs":{"contents":"x"}}]}}"#,
                r#"{"flags":{"flags":[{"name":"f"}]}}"#,
                r#"{"tuple":{"types":["s8","f64"]}}"#,
                r#"{"variant":{"cases":[{"name":"a","type":null},{"name":"b","type":"char"}]}}"#,
                r#"{"enum":{"cases":[{"name":"e"}]}}"#,
                r#"{"option":"string"}"#,
                r#"{"result":{"ok":null,"err":"u32"}}"#,
                r#"{"list":0}"#,
                r#"{"map":["string","u64"]}"#,
                r#"{"fixed-length-list":["f32",4]}"#,
                r#"{"future":null}"#,
                r#"{"stream":"u8"}"#,
                r#"{"type":"s64"}"#,
            ]
        );
        let owners = [
            TypeOwner::World(crate::Id::from_index(3)),
            TypeOwner::Interface(crate::Id::from_index(1)),
            TypeOwner::None,
        ];
        let got: Vec<String> = owners
            .iter()
            .map(|o| fragment(|w| write_type_owner(w, *o)))
            .collect();
        assert_eq!(got, [r#"{"world":3}"#, r#"{"interface":1}"#, "null"]);
    }

    #[test]
    fn function_kinds() {
        let r = crate::Id::from_index(7);
        let kinds = [
            (FunctionKind::Freestanding, r#""freestanding""#),
            (FunctionKind::AsyncFreestanding, r#""async-freestanding""#),
            (FunctionKind::Getter, r#""getter""#),
            (FunctionKind::Setter, r#""setter""#),
            (FunctionKind::Method(r), r#"{"method":7}"#),
            (FunctionKind::AsyncMethod(r), r#"{"async-method":7}"#),
            (FunctionKind::MethodGetter(r), r#"{"method-getter":7}"#),
            (FunctionKind::MethodSetter(r), r#"{"method-setter":7}"#),
            (FunctionKind::Static(r), r#"{"static":7}"#),
            (FunctionKind::AsyncStatic(r), r#"{"async-static":7}"#),
            (FunctionKind::StaticGetter(r), r#"{"static-getter":7}"#),
            (FunctionKind::StaticSetter(r), r#"{"static-setter":7}"#),
            (FunctionKind::Constructor(r), r#"{"constructor":7}"#),
        ];
        for (kind, expected) in kinds {
            assert_eq!(fragment(|w| write_function_kind(w, kind)), expected);
        }
    }

    #[test]
    fn world_type_items() {
        let item = WorldItem::Type {
            id: crate::Id::from_index(5),
            span: Span::UNKNOWN,
        };
        assert_eq!(fragment(|w| write_world_item(w, &item)), r#"{"type":5}"#);
        let stable = Stability::Stable {
            since: Version::new(0, 2, 0),
            deprecated: Some(Version::new(0, 3, 0)),
        };
        let got = fragment(|w| {
            w.begin_object();
            write_stability(w, &stable);
            w.end_object();
        });
        assert_eq!(
            got,
            r#"{"stability":{"stable":{"since":"0.2.0","deprecated":"0.3.0"}}}"#
        );
    }

    /// Strings are escaped exactly like serde_json: quotes, backslashes and every control
    /// character; DEL and non-ASCII text are left as they are.
    #[test]
    fn string_escapes() {
        let mut all_ascii: String = (0u8..=0x7f).map(char::from).collect();
        all_ascii.push_str("é ü 日本 🦀 \u{2028}");
        for s in [
            "",
            "plain",
            "\"quoted\" and \\back\\slashed\\",
            "line\nbreak\r\n\ttab \u{8}\u{c}",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "trailing\n",
            "\nleading",
            &all_ascii,
        ] {
            let mut w = Writer::with_capacity(0, None);
            w.string(s);
            assert_eq!(w.out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    /// Every special character at every position of strings up to 24 characters long, among
    /// ASCII and multi-byte characters.
    #[test]
    fn string_escapes_at_every_position() {
        let specials = ['"', '\\', '\n', '\u{0}', '\u{1f}', '\u{8}'];
        let fillers = ["a", "~", "\u{7f}", "é", "日", " !#"];
        for filler in fillers {
            for len in 0..24 {
                let plain = filler.repeat(len);
                let mut w = Writer::with_capacity(0, None);
                w.string(&plain);
                assert_eq!(w.out, serde_json::to_string(&plain).unwrap());
                for special in specials {
                    for at in 0..=len {
                        let s: String = plain
                            .chars()
                            .take(at)
                            .chain([special])
                            .chain(plain.chars().skip(at))
                            .collect();
                        let mut w = Writer::with_capacity(0, None);
                        w.string(&s);
                        assert_eq!(w.out, serde_json::to_string(&s).unwrap(), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_and_nesting() {
        for n in [0, 7, 10, 99, 100, 4_294_967_295, usize::MAX] {
            let mut w = Writer::with_capacity(0, None);
            w.index(n);
            assert_eq!(w.out, n.to_string());
        }
        // Empty containers, nested ones and a depth beyond the indentation buffer.
        let mut w = Writer::with_capacity(0, None);
        w.begin_array();
        w.element();
        w.begin_object();
        w.end_object();
        w.element();
        w.begin_array();
        w.end_array();
        for _ in 0..40 {
            w.element();
            w.begin_array();
        }
        w.element();
        w.null();
        for _ in 0..40 {
            w.end_array();
        }
        w.element();
        w.begin_object();
        w.key("k\"ey");
        w.optional_index(None);
        w.field("x");
        w.optional_string(Some("y"));
        w.end_object();
        w.end_array();
        assert_eq!(w.depth, 0);
        compact(&w.out);
    }

    /// The word-at-a-time escape scan agrees with a bytewise one at every position.
    #[test]
    fn escape_scan_matches_bytewise() {
        let mut text: Vec<u8> =
            b"plain words, then more plain words; and a few more of them".to_vec();
        assert_eq!(next_escape(&text, 0), None);
        for bad in [b'"', b'\\', b'\n', 0u8, 0x1f] {
            for at in 0..text.len() {
                let saved = text[at];
                text[at] = bad;
                for from in [0, 1, 7, 8, 9] {
                    let expected = text[from.min(text.len())..]
                        .iter()
                        .position(|&b| NEEDS_ESCAPE[usize::from(b)])
                        .map(|p| p + from);
                    assert_eq!(
                        next_escape(&text, from),
                        expected,
                        "{bad:#x} at {at} from {from}"
                    );
                }
                text[at] = saved;
            }
        }
    }

    /// Streaming gives the same text as building one string, across many chunk boundaries,
    /// and a failing sink's error comes back.
    #[test]
    fn streamed_equals_string() {
        let mut wit = String::from("package a:big;\ninterface i {\n");
        for n in 0..2000 {
            wit.push_str(&format!("  /// doc {n} with \"quotes\"\n  record r{n} {{ a: list<u8>, b: option<string> }}\n"));
        }
        wit.push_str("}\nworld w { export i; }\n");
        let mut resolve = Resolve::new();
        resolve.push_str("big.wit", &wit).unwrap();
        let text = to_json_string(&resolve);
        assert!(
            text.len() > 4 * CHUNK,
            "the test must cross chunk boundaries"
        );
        let mut streamed = Vec::new();
        write_json(&resolve, None, &mut streamed).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), text);

        struct Full;
        impl io::Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let err = write_json(&resolve, None, &mut Full).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
    }
}
