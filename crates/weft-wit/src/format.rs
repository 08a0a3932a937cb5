//! Comment-preserving formatting of one WIT file's source text (`weft wit fmt`).
//!
//! The file is parsed but not resolved, so a file can be formatted on its own, before its
//! dependencies exist. The layout is the printer's ([`crate::print`]): both build the same
//! small syntax tree and render it with the same code, so `fmt` and `print` agree on indentation,
//! blank lines, escaping and how every kind of item is written.
//!
//! No comment is ever dropped. The parser attaches the comments before an item to it (they
//! are its docs, whether `//`, `///` or `/* */`); the formatter writes each of them on its own
//! line(s) before the item, re-indented, in its original form. Comments that the parser
//! ignores — those inside an item, such as between a function's parameters — are written on
//! their own lines just before the item's `;`, `,` or `{`, where the parser ignores them too.
//! So formatting never changes what the file means (docs included), and formatting twice
//! gives the same text as formatting once.
//!
//! The only things not kept are insignificant: whitespace, unneeded `%` escapes, the trailing
//! comma of a list, and the ignored `feature = …` argument of `@since`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::ast::lex::{self, Token, TokenKind as T};
use crate::ast::{self, Attribute};
use crate::print::layout::{
    self, Block, Comments, Extern, Gate, Item, ItemKind, Member, Path, Sig, SigKind, Ty, TypeBody,
};
use crate::{Error, Result};

/// Formats the WIT source `text` of the file `path` canonically, keeping every comment.
///
/// Parse errors are returned with spans relative to `text` (a [`crate::SourceMap`] holding
/// only this file renders them).
pub fn format_source(path: &str, text: &str) -> Result<String> {
    let file = ast::parse_file(text, 0)?;
    let lexed = lex::tokenize(text, 0)?;
    let mut cx = Cx::new(text, lexed.tokens, &file);
    let tree = cx.file(&file);
    let out = layout::render(&tree);
    check(path, text, &out)?;
    Ok(out)
}

/// Guards against formatter bugs: the output must parse and hold the same comments.
fn check(path: &str, before: &str, after: &str) -> Result<()> {
    let internal = |what: &str| {
        Error::io(format!(
            "internal error: formatting `{path}` {what}; the file was left unchanged"
        ))
        .with_help("please report this as a bug in `weft wit fmt`, with the file")
    };
    if let Err(e) = ast::parse_file(after, 0) {
        let mut map = crate::SourceMap::default();
        map.push(format!("{path} (formatted)"), after);
        return Err(internal(&format!(
            "produced text that does not parse:\n{}",
            e.render(&map)
        )));
    }
    if sorted_comments(before) != sorted_comments(after) {
        return Err(internal("would change or lose a comment"));
    }
    Ok(())
}

/// A comment with the whitespace the formatter may change removed: leading and trailing
/// whitespace of every line.
pub(crate) fn normalize_comment(c: &str) -> String {
    c.lines().map(str::trim).collect::<Vec<_>>().join("\n")
}

/// Conversion state: the source, its tokens, and the comments not yet placed.
struct Cx<'a> {
    text: &'a str,
    /// Significant tokens (no comments), in order.
    tokens: Vec<Token>,
    /// Comments the parser ignored, by start offset, until they are placed in an item.
    orphans: BTreeMap<usize, &'a str>,
}

impl<'a> Cx<'a> {
    fn new(text: &'a str, all: Vec<Token>, file: &ast::File<'a>) -> Self {
        let mut attached = HashSet::new();
        collect_file(file, &mut |d: &ast::Docs<'a>| {
            attached.extend(d.comments.iter().map(|c| offset_in(text, c)));
        });
        let orphans = all
            .iter()
            .filter(|t| t.kind == T::Comment && !attached.contains(&t.start()))
            .map(|t| (t.start(), &text[t.start()..t.end()]))
            .collect();
        let tokens = all
            .into_iter()
            .filter(|t| !matches!(t.kind, T::Comment | T::Error))
            .collect();
        Cx {
            text,
            tokens,
            orphans,
        }
    }

    // ---- positions -----------------------------------------------------------------------

    /// The first significant token that starts at or after `pos`.
    fn next_token(&self, pos: usize) -> Option<Token> {
        let i = self.tokens.partition_point(|t| t.start() < pos);
        self.tokens.get(i).copied()
    }

    /// The last significant token that starts before `pos`.
    fn prev_token(&self, pos: usize) -> Option<Token> {
        let i = self.tokens.partition_point(|t| t.start() < pos);
        i.checked_sub(1).and_then(|i| self.tokens.get(i)).copied()
    }

    /// The end of the token `kind` if it is the next one after `pos`; otherwise `pos`.
    fn through(&self, pos: usize, kind: T) -> usize {
        match self.next_token(pos) {
            Some(t) if t.kind == kind => t.end(),
            _ => pos,
        }
    }

    /// The end of the first `{` at or after `pos`.
    fn through_brace(&self, pos: usize) -> usize {
        let i = self.tokens.partition_point(|t| t.start() < pos);
        self.tokens[i..]
            .iter()
            .find(|t| t.kind == T::LeftBrace)
            .map_or(pos, |t| t.end())
    }

    /// Where an item starts: its first attribute, or else `first`.
    fn start(attrs: &[Attribute<'_>], first: usize) -> usize {
        attrs.first().map_or(first, |a| pos(a.span().start))
    }

    /// Takes the ignored comments in `start..end`.
    fn take(&mut self, start: usize, end: usize) -> Comments<'a> {
        if start >= end {
            return Comments::new();
        }
        let keys: Vec<usize> = self.orphans.range(start..end).map(|(k, _)| *k).collect();
        let taken: Vec<&'a str> = keys
            .into_iter()
            .filter_map(|k| self.orphans.remove(&k))
            .collect();
        taken.into_iter().map(|c| self.comment(c)).collect()
    }

    // ---- comments ------------------------------------------------------------------------

    fn docs(&self, docs: &ast::Docs<'a>) -> Comments<'a> {
        docs.comments.iter().map(|c| self.comment(c)).collect()
    }

    /// A comment with trailing whitespace removed and, for a block comment over several
    /// lines, its later lines re-indented relative to its first.
    fn comment(&self, c: &'a str) -> Cow<'a, str> {
        let c = c.trim_end();
        if !c.contains('\n') {
            return Cow::Borrowed(c);
        }
        let start = offset_in(self.text, c);
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = self.text[line_start..start]
            .chars()
            .take_while(|c| c.is_whitespace())
            .count();
        let mut out = String::new();
        for (i, line) in c.split('\n').enumerate() {
            let line = line.trim_end();
            if i > 0 {
                out.push('\n');
                let ws = line
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .count()
                    .min(indent);
                let cut = line.char_indices().nth(ws).map_or(line.len(), |(b, _)| b);
                out.push_str(&line[cut..]);
            } else {
                out.push_str(line);
            }
        }
        Cow::Owned(out)
    }

    // ---- items ---------------------------------------------------------------------------

    fn file(&mut self, f: &ast::File<'a>) -> layout::File<'a> {
        let header = f.package.as_ref().map(|d| layout::Header {
            docs: self.docs(&d.docs),
            name: package_path(&d.name),
            orphans: {
                let end = self.through(pos(d.span.end), T::Semicolon);
                self.take(pos(d.span.start), end)
            },
        });
        // Top-level items and `package … { }` blocks, back in source order.
        let mut order: Vec<(usize, Result<&ast::Item<'a>, &ast::NestedPackage<'a>>)> = f
            .items
            .iter()
            .map(|i| (pos(item_name_span(i).start), Ok(i)))
            .chain(f.nested.iter().map(|n| (pos(n.decl.span.start), Err(n))))
            .collect();
        order.sort_by_key(|(p, _)| *p);
        let mut items = Vec::new();
        for (_, item) in order {
            items.push(match item {
                Ok(item) => self.item(item),
                Err(nested) => self.nested(nested),
            });
        }
        let mut trailing = self.docs(&f.trailing);
        // Nothing should be left; if something is, keep it rather than lose it.
        let rest: Vec<&'a str> = std::mem::take(&mut self.orphans).into_values().collect();
        trailing.extend(rest.into_iter().map(|c| self.comment(c)));
        layout::File {
            header,
            items,
            trailing,
        }
    }

    fn nested(&mut self, n: &ast::NestedPackage<'a>) -> Item<'a> {
        let docs = self.docs(&n.decl.docs);
        let start = pos(n.decl.span.start);
        let orphans = self.take(start, self.through_brace(pos(n.decl.span.end)));
        let items = n.items.iter().map(|i| self.item(i)).collect();
        let body = Block {
            items,
            trailing: self.docs(&n.trailing),
        };
        Item {
            docs,
            gates: Vec::new(),
            kind: ItemKind::Package {
                name: package_path(&n.decl.name),
                body,
            },
            orphans,
        }
    }

    fn item(&mut self, item: &ast::Item<'a>) -> Item<'a> {
        match item {
            ast::Item::Interface(i) => {
                let docs = self.docs(&i.docs);
                let orphans = self.head(&i.attributes, i.name.span);
                let items = i.items.iter().map(|it| self.interface_item(it)).collect();
                let body = Block {
                    items,
                    trailing: self.docs(&i.trailing),
                };
                Item {
                    docs,
                    gates: gates(&i.attributes),
                    kind: ItemKind::Interface {
                        name: Cow::Borrowed(i.name.name),
                        body,
                    },
                    orphans,
                }
            }
            ast::Item::World(w) => {
                let docs = self.docs(&w.docs);
                let orphans = self.head(&w.attributes, w.name.span);
                let items = w.items.iter().map(|it| self.world_item(it)).collect();
                let body = Block {
                    items,
                    trailing: self.docs(&w.trailing),
                };
                Item {
                    docs,
                    gates: gates(&w.attributes),
                    kind: ItemKind::World {
                        name: Cow::Borrowed(w.name.name),
                        body,
                    },
                    orphans,
                }
            }
            ast::Item::Use(u) => {
                let docs = self.docs(&u.docs);
                let orphans = self.take(
                    Self::start(&u.attributes, pos(u.span.start)),
                    pos(u.span.end),
                );
                Item {
                    docs,
                    gates: gates(&u.attributes),
                    kind: ItemKind::ToplevelUse {
                        path: use_path(&u.item),
                        as_: u.as_.map(|a| Cow::Borrowed(a.name)),
                    },
                    orphans,
                }
            }
        }
    }

    /// Comments in `@gates keyword name {` of an interface or world.
    fn head(&mut self, attrs: &[Attribute<'_>], name: crate::Span) -> Comments<'a> {
        let keyword = self
            .prev_token(pos(name.start))
            .map_or(pos(name.start), |t| t.start());
        let start = Self::start(attrs, keyword);
        self.take(start, self.through_brace(pos(name.end)))
    }

    fn interface_item(&mut self, item: &ast::InterfaceItem<'a>) -> Item<'a> {
        match item {
            ast::InterfaceItem::TypeDef(t) => self.type_def(t),
            ast::InterfaceItem::Func(f) => self.named_func(f, false),
            ast::InterfaceItem::Use(u) => self.use_item(u),
        }
    }

    fn use_item(&mut self, u: &ast::Use<'a>) -> Item<'a> {
        let docs = self.docs(&u.docs);
        let orphans = self.take(
            Self::start(&u.attributes, pos(u.span.start)),
            pos(u.span.end),
        );
        let names = u
            .names
            .iter()
            .map(|n| {
                (
                    Cow::Borrowed(n.name.name),
                    n.as_.map(|a| Cow::Borrowed(a.name)),
                )
            })
            .collect();
        Item {
            docs,
            gates: gates(&u.attributes),
            kind: ItemKind::Use {
                path: use_path(&u.from),
                names,
            },
            orphans,
        }
    }

    /// `name: func(…);` in an interface, or a function in a resource.
    fn named_func(&mut self, f: &ast::NamedFunc<'a>, is_static: bool) -> Item<'a> {
        let docs = self.docs(&f.docs);
        let start = Self::start(&f.attributes, pos(f.name.span.start));
        let orphans = self.take(start, self.through(pos(f.func.span.end), T::Semicolon));
        Item {
            docs,
            gates: gates(&f.attributes),
            kind: ItemKind::Func {
                name: Cow::Borrowed(f.name.name),
                sig: sig(&f.func, is_static),
            },
            orphans,
        }
    }

    fn type_def(&mut self, t: &ast::TypeDef<'a>) -> Item<'a> {
        let docs = self.docs(&t.docs);
        let start = Self::start(&t.attributes, pos(t.span.start));
        let (orphans, body) = match &t.body {
            ast::TypeBody::Alias(ty) => (
                self.take(start, pos(t.span.end)),
                TypeBody::Alias(self::ty(ty)),
            ),
            ast::TypeBody::Resource { braces: false, .. } => {
                (self.take(start, pos(t.span.end)), TypeBody::Resource(None))
            }
            ast::TypeBody::Resource {
                funcs, trailing, ..
            } => {
                let orphans = self.take(start, self.through_brace(pos(t.name.span.end)));
                let items = funcs
                    .iter()
                    .map(|f| match f {
                        ast::ResourceFunc::Method(f) => self.named_func(f, false),
                        ast::ResourceFunc::Static(f) => self.named_func(f, true),
                        ast::ResourceFunc::Constructor(f) => {
                            let mut item = self.named_func(f, false);
                            if let ItemKind::Func { sig, .. } = &mut item.kind {
                                sig.kind = SigKind::Constructor;
                            }
                            item
                        }
                    })
                    .collect();
                let block = Block {
                    items,
                    trailing: self.docs(trailing),
                };
                (orphans, TypeBody::Resource(Some(block)))
            }
            ast::TypeBody::Record(fields, trailing) => {
                let orphans = self.take(start, self.through_brace(pos(t.name.span.end)));
                let members = fields
                    .iter()
                    .map(|f| self.member(&f.docs, f.name, Some(&f.ty), false))
                    .collect();
                (orphans, TypeBody::Record(members, self.docs(trailing)))
            }
            ast::TypeBody::Flags(flags, trailing) => {
                let orphans = self.take(start, self.through_brace(pos(t.name.span.end)));
                let members = flags
                    .iter()
                    .map(|f| self.member(&f.docs, f.name, None, false))
                    .collect();
                (orphans, TypeBody::Flags(members, self.docs(trailing)))
            }
            ast::TypeBody::Variant(cases, trailing) => {
                let orphans = self.take(start, self.through_brace(pos(t.name.span.end)));
                let members = cases
                    .iter()
                    .map(|c| self.member(&c.docs, c.name, c.ty.as_ref(), true))
                    .collect();
                (orphans, TypeBody::Variant(members, self.docs(trailing)))
            }
            ast::TypeBody::Enum(cases, trailing) => {
                let orphans = self.take(start, self.through_brace(pos(t.name.span.end)));
                let members = cases
                    .iter()
                    .map(|c| self.member(&c.docs, c.name, None, false))
                    .collect();
                (orphans, TypeBody::Enum(members, self.docs(trailing)))
            }
        };
        Item {
            docs,
            gates: gates(&t.attributes),
            kind: ItemKind::TypeDef {
                name: Cow::Borrowed(t.name.name),
                body,
            },
            orphans,
        }
    }

    /// A field, flag or case; `parens` when a payload is written `name(ty)`.
    fn member(
        &mut self,
        docs: &ast::Docs<'a>,
        name: ast::Ident<'a>,
        ty: Option<&ast::Type<'a>>,
        parens: bool,
    ) -> Member<'a> {
        let docs = self.docs(docs);
        let mut end = ty.map_or(pos(name.span.end), |t| pos(t.span().end));
        if parens && ty.is_some() {
            end = self.through(end, T::RightParen);
        }
        // Comments before the `,` are ignored by the parser; those before a closing `}` are
        // the list's trailing comments.
        let end = self.through(end, T::Comma);
        Member {
            docs,
            name: Cow::Borrowed(name.name),
            ty: ty.map(self::ty),
            orphans: self.take(pos(name.span.start), end),
        }
    }

    fn world_item(&mut self, item: &ast::WorldItem<'a>) -> Item<'a> {
        match item {
            ast::WorldItem::Import(e) => self.extern_(e, false),
            ast::WorldItem::Export(e) => self.extern_(e, true),
            ast::WorldItem::Use(u) => self.use_item(u),
            ast::WorldItem::Type(t) => self.type_def(t),
            ast::WorldItem::Include(inc) => {
                let docs = self.docs(&inc.docs);
                let orphans = self.take(
                    Self::start(&inc.attributes, pos(inc.span.start)),
                    pos(inc.span.end),
                );
                let names = inc
                    .names
                    .iter()
                    .map(|n| (Cow::Borrowed(n.name.name), Cow::Borrowed(n.as_.name)))
                    .collect();
                Item {
                    docs,
                    gates: gates(&inc.attributes),
                    kind: ItemKind::Include {
                        path: use_path(&inc.from),
                        names,
                    },
                    orphans,
                }
            }
        }
    }

    fn extern_(&mut self, e: &ast::Extern<'a>, export: bool) -> Item<'a> {
        let docs = self.docs(&e.docs);
        let start = Self::start(&e.attributes, pos(e.span.start));
        let (orphans, ext) = match &e.kind {
            ast::ExternKind::Interface {
                name,
                items,
                trailing,
            } => {
                let orphans = self.take(start, self.through_brace(pos(name.span.end)));
                let items = items.iter().map(|it| self.interface_item(it)).collect();
                let block = Block {
                    items,
                    trailing: self.docs(trailing),
                };
                (orphans, Extern::Interface(Cow::Borrowed(name.name), block))
            }
            ast::ExternKind::Path(p) => {
                (self.take(start, pos(e.span.end)), Extern::Path(use_path(p)))
            }
            ast::ExternKind::NamedPath { name, path } => (
                self.take(start, pos(e.span.end)),
                Extern::NamedPath(Cow::Borrowed(name.name), use_path(path)),
            ),
            ast::ExternKind::Func { name, func } => (
                self.take(start, pos(e.span.end)),
                Extern::Func(Cow::Borrowed(name.name), sig(func, false)),
            ),
        };
        Item {
            docs,
            gates: gates(&e.attributes),
            kind: ItemKind::Extern { export, ext },
            orphans,
        }
    }
}

/// A global offset of this file (which starts at 0) as an index into its text.
fn pos(offset: u32) -> usize {
    offset as usize
}

/// Where `part`, a slice of `text`, starts in it.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize)
}

fn item_name_span(item: &ast::Item<'_>) -> crate::Span {
    match item {
        ast::Item::Interface(i) => i.name.span,
        ast::Item::World(w) => w.name.span,
        ast::Item::Use(u) => u.span,
    }
}

fn gates<'a>(attrs: &[Attribute<'a>]) -> Vec<Gate<'a>> {
    attrs
        .iter()
        .map(|a| match a {
            Attribute::Since { version, .. } => Gate::Since(Cow::Owned(version.to_string())),
            Attribute::Unstable { feature, .. } => Gate::Unstable(Cow::Borrowed(feature.name)),
            Attribute::Deprecated { version, .. } => {
                Gate::Deprecated(Cow::Owned(version.to_string()))
            }
        })
        .collect()
}

fn package_path<'a>(name: &ast::PackageName<'a>) -> Path<'a> {
    Path::Package {
        namespace: Cow::Borrowed(name.namespace.name),
        package: Cow::Borrowed(name.name.name),
        version: name
            .version
            .as_ref()
            .map(|(_, v)| Cow::Owned(v.to_string())),
    }
}

fn use_path<'a>(path: &ast::UsePath<'a>) -> Path<'a> {
    match path {
        ast::UsePath::Id(id) => Path::Local(Cow::Borrowed(id.name)),
        ast::UsePath::Package { id, name } => Path::Foreign {
            namespace: Cow::Borrowed(id.namespace.name),
            package: Cow::Borrowed(id.name.name),
            name: Cow::Borrowed(name.name),
            version: id.version.as_ref().map(|(_, v)| Cow::Owned(v.to_string())),
        },
    }
}

fn sig<'a>(f: &ast::Func<'a>, is_static: bool) -> Sig<'a> {
    Sig {
        is_async: f.is_async,
        is_static,
        kind: match f.kind {
            ast::FuncKind::Func => SigKind::Func,
            ast::FuncKind::Getter => SigKind::Get,
            ast::FuncKind::Setter => SigKind::Set,
        },
        params: f
            .params
            .iter()
            .map(|(n, t)| (Cow::Borrowed(n.name), ty(t)))
            .collect(),
        result: f.result.as_ref().map(ty),
    }
}

fn ty<'a>(t: &ast::Type<'a>) -> Ty<'a> {
    let boxed = |t: &ast::Type<'a>| Box::new(ty(t));
    let opt = |t: &Option<Box<ast::Type<'a>>>| t.as_deref().map(boxed);
    match t {
        ast::Type::Bool(_) => Ty::Prim("bool"),
        ast::Type::U8(_) => Ty::Prim("u8"),
        ast::Type::U16(_) => Ty::Prim("u16"),
        ast::Type::U32(_) => Ty::Prim("u32"),
        ast::Type::U64(_) => Ty::Prim("u64"),
        ast::Type::S8(_) => Ty::Prim("s8"),
        ast::Type::S16(_) => Ty::Prim("s16"),
        ast::Type::S32(_) => Ty::Prim("s32"),
        ast::Type::S64(_) => Ty::Prim("s64"),
        ast::Type::F32(_) => Ty::Prim("f32"),
        ast::Type::F64(_) => Ty::Prim("f64"),
        ast::Type::Char(_) => Ty::Prim("char"),
        ast::Type::String(_) => Ty::Prim("string"),
        ast::Type::ErrorContext(_) => Ty::Prim("error-context"),
        ast::Type::Name(id) => Ty::Name(Cow::Borrowed(id.name)),
        ast::Type::List(t, _) => Ty::List(boxed(t)),
        ast::Type::FixedLengthList(t, n, _) => Ty::FixedLengthList(boxed(t), *n),
        ast::Type::Map(k, v, _) => Ty::Map(boxed(k), boxed(v)),
        ast::Type::Own(id, _) => Ty::Own(Cow::Borrowed(id.name)),
        ast::Type::Borrow(id, _) => Ty::Borrow(Cow::Borrowed(id.name)),
        ast::Type::Tuple(ts, _) => Ty::Tuple(ts.iter().map(ty).collect()),
        ast::Type::Option(t, _) => Ty::Option(boxed(t)),
        ast::Type::Result { ok, err, .. } => Ty::Result(opt(ok), opt(err)),
        ast::Type::Future(t, _) => Ty::Future(opt(t)),
        ast::Type::Stream(t, _) => Ty::Stream(opt(t)),
    }
}

// ---- every `Docs` of a file, for telling attached comments from ignored ones -------------

fn collect_file<'a>(f: &ast::File<'a>, see: &mut dyn FnMut(&ast::Docs<'a>)) {
    if let Some(p) = &f.package {
        see(&p.docs);
    }
    for item in &f.items {
        collect_item(item, see);
    }
    for n in &f.nested {
        see(&n.decl.docs);
        for item in &n.items {
            collect_item(item, see);
        }
        see(&n.trailing);
    }
    see(&f.trailing);
}

fn collect_item<'a>(item: &ast::Item<'a>, see: &mut dyn FnMut(&ast::Docs<'a>)) {
    match item {
        ast::Item::Interface(i) => {
            see(&i.docs);
            collect_interface_items(&i.items, see);
            see(&i.trailing);
        }
        ast::Item::World(w) => {
            see(&w.docs);
            for it in &w.items {
                match it {
                    ast::WorldItem::Import(e) | ast::WorldItem::Export(e) => {
                        see(&e.docs);
                        if let ast::ExternKind::Interface {
                            items, trailing, ..
                        } = &e.kind
                        {
                            collect_interface_items(items, see);
                            see(trailing);
                        }
                    }
                    ast::WorldItem::Use(u) => see(&u.docs),
                    ast::WorldItem::Type(t) => collect_type_def(t, see),
                    ast::WorldItem::Include(i) => see(&i.docs),
                }
            }
            see(&w.trailing);
        }
        ast::Item::Use(u) => see(&u.docs),
    }
}

fn collect_interface_items<'a>(
    items: &[ast::InterfaceItem<'a>],
    see: &mut dyn FnMut(&ast::Docs<'a>),
) {
    for it in items {
        match it {
            ast::InterfaceItem::TypeDef(t) => collect_type_def(t, see),
            ast::InterfaceItem::Func(f) => see(&f.docs),
            ast::InterfaceItem::Use(u) => see(&u.docs),
        }
    }
}

fn collect_type_def<'a>(t: &ast::TypeDef<'a>, see: &mut dyn FnMut(&ast::Docs<'a>)) {
    see(&t.docs);
    match &t.body {
        ast::TypeBody::Resource {
            funcs, trailing, ..
        } => {
            for f in funcs {
                see(&f.named_func().docs);
            }
            see(trailing);
        }
        ast::TypeBody::Record(fields, trailing) => {
            fields.iter().for_each(|f| see(&f.docs));
            see(trailing);
        }
        ast::TypeBody::Flags(flags, trailing) => {
            flags.iter().for_each(|f| see(&f.docs));
            see(trailing);
        }
        ast::TypeBody::Variant(cases, trailing) => {
            cases.iter().for_each(|c| see(&c.docs));
            see(trailing);
        }
        ast::TypeBody::Enum(cases, trailing) => {
            cases.iter().for_each(|c| see(&c.docs));
            see(trailing);
        }
        ast::TypeBody::Alias(_) => {}
    }
}

/// Every comment of `text`, normalized and sorted (what formatting must keep), or `None` when
/// the text does not lex.
pub(crate) fn sorted_comments(text: &str) -> Option<Vec<String>> {
    let tokens = lex::tokenize(text, 0).ok()?.tokens;
    let mut out: Vec<String> = tokens
        .iter()
        .filter(|t| t.kind == T::Comment)
        .map(|t| normalize_comment(&text[t.start()..t.end()]))
        .collect();
    out.sort();
    Some(out)
}

#[cfg(test)]
mod tests;
