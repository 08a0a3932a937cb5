//! The layout of WIT text, shared by the printer and the formatter: a small syntax tree whose
//! names are unescaped and whose comments are already in their final form, and the one
//! renderer that turns it into text.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::ast::lex::Keyword;

/// Comments on their own lines, in order. Each entry is one comment as written (`/// x`,
/// `// x`, `/* … */`); a block comment's later lines are already relative to its first.
pub(crate) type Comments<'a> = Vec<Cow<'a, str>>;

/// A whole file.
pub(crate) struct File<'a> {
    /// `package ns:name@version;`
    pub(crate) header: Option<Header<'a>>,
    /// Top-level items, including nested `package … { }` blocks.
    pub(crate) items: Vec<Item<'a>>,
    /// Comments at the end of the file.
    pub(crate) trailing: Comments<'a>,
}

/// `package ns:name@version;` with its docs.
pub(crate) struct Header<'a> {
    /// Comments before it.
    pub(crate) docs: Comments<'a>,
    /// Always [`Path::Package`].
    pub(crate) name: Path<'a>,
    /// Comments inside the declaration.
    pub(crate) orphans: Comments<'a>,
}

/// Items between braces, and the comments before the closing brace.
pub(crate) struct Block<'a> {
    /// The items.
    pub(crate) items: Vec<Item<'a>>,
    /// Comments after the last item.
    pub(crate) trailing: Comments<'a>,
}

impl<'a> Block<'a> {
    pub(crate) fn new(items: Vec<Item<'a>>) -> Self {
        Block {
            items,
            trailing: Comments::new(),
        }
    }
}

/// One statement or definition.
pub(crate) struct Item<'a> {
    /// Comments (docs) before it.
    pub(crate) docs: Comments<'a>,
    /// `@since` / `@unstable` / `@deprecated`, in order.
    pub(crate) gates: Vec<Gate<'a>>,
    /// What it is.
    pub(crate) kind: ItemKind<'a>,
    /// Comments written inside the item (where the parser drops them). They are kept in
    /// a spot the parser also drops them from: just before the item's `;`, `,` or `{`.
    pub(crate) orphans: Comments<'a>,
}

/// A gate attribute.
pub(crate) enum Gate<'a> {
    /// `@since(version = v)`
    Since(Cow<'a, str>),
    /// `@unstable(feature = f)`
    Unstable(Cow<'a, str>),
    /// `@deprecated(version = v)`
    Deprecated(Cow<'a, str>),
}

/// The kinds of items.
pub(crate) enum ItemKind<'a> {
    /// `package ns:name@version { … }`
    Package { name: Path<'a>, body: Block<'a> },
    /// `interface name { … }`
    Interface { name: Cow<'a, str>, body: Block<'a> },
    /// `world name { … }`
    World { name: Cow<'a, str>, body: Block<'a> },
    /// `use ns:pkg/iface@v as name;` at the top level.
    ToplevelUse {
        path: Path<'a>,
        as_: Option<Cow<'a, str>>,
    },
    /// `use path.{a, b as c};`
    Use {
        path: Path<'a>,
        names: Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
    },
    /// A named type.
    TypeDef {
        name: Cow<'a, str>,
        body: TypeBody<'a>,
    },
    /// `name: func(…)`, or `constructor(…)` in a resource.
    Func { name: Cow<'a, str>, sig: Sig<'a> },
    /// `import …` / `export …`
    Extern { export: bool, ext: Extern<'a> },
    /// `include path;` / `include path with { a as b }`
    Include {
        path: Path<'a>,
        names: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    },
}

/// What an `import`/`export` names.
pub(crate) enum Extern<'a> {
    /// `import path;`
    Path(Path<'a>),
    /// `import name: path;`
    NamedPath(Cow<'a, str>, Path<'a>),
    /// `import name: func(…);`
    Func(Cow<'a, str>, Sig<'a>),
    /// `import name: interface { … }`
    Interface(Cow<'a, str>, Block<'a>),
}

/// The right-hand side of a type definition.
pub(crate) enum TypeBody<'a> {
    /// `type name = ty;`
    Alias(Ty<'a>),
    /// `record name { a: T, … }`
    Record(Vec<Member<'a>>, Comments<'a>),
    /// `flags name { a, … }`
    Flags(Vec<Member<'a>>, Comments<'a>),
    /// `variant name { a(T), b, … }`
    Variant(Vec<Member<'a>>, Comments<'a>),
    /// `enum name { a, … }`
    Enum(Vec<Member<'a>>, Comments<'a>),
    /// `resource name;` (`None`) or `resource name { funcs }`.
    Resource(Option<Block<'a>>),
}

/// A record field, flag, variant case or enum case.
pub(crate) struct Member<'a> {
    /// Comments before it.
    pub(crate) docs: Comments<'a>,
    /// Its name.
    pub(crate) name: Cow<'a, str>,
    /// A field's type or a case's payload.
    pub(crate) ty: Option<Ty<'a>>,
    /// Comments inside it, kept before its `,`.
    pub(crate) orphans: Comments<'a>,
}

/// A function signature.
pub(crate) struct Sig<'a> {
    /// `async`
    pub(crate) is_async: bool,
    /// `static` (resource functions)
    pub(crate) is_static: bool,
    /// `func`, `get`, `set` or `constructor`.
    pub(crate) kind: SigKind,
    /// Parameters (for methods, without `self`).
    pub(crate) params: Vec<(Cow<'a, str>, Ty<'a>)>,
    /// `-> T`
    pub(crate) result: Option<Ty<'a>>,
}

/// The keyword that starts a signature.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum SigKind {
    /// `func(…)`
    Func,
    /// `get()`
    Get,
    /// `set(…)`
    Set,
    /// `constructor(…)`, printed without a name.
    Constructor,
}

/// A type as written.
pub(crate) enum Ty<'a> {
    /// A primitive keyword: `u32`, `string`, …
    Prim(&'static str),
    /// A named type.
    Name(Cow<'a, str>),
    /// `own<r>`
    Own(Cow<'a, str>),
    /// `borrow<r>`
    Borrow(Cow<'a, str>),
    /// `list<T>`
    List(Box<Ty<'a>>),
    /// `list<T, N>`
    FixedLengthList(Box<Ty<'a>>, u32),
    /// `map<K, V>`
    Map(Box<Ty<'a>>, Box<Ty<'a>>),
    /// `tuple<…>`
    Tuple(Vec<Ty<'a>>),
    /// `option<T>`
    Option(Box<Ty<'a>>),
    /// `result`, `result<T>`, `result<_, E>`, `result<T, E>`
    Result(Option<Box<Ty<'a>>>, Option<Box<Ty<'a>>>),
    /// `future` / `future<T>`
    Future(Option<Box<Ty<'a>>>),
    /// `stream` / `stream<T>`
    Stream(Option<Box<Ty<'a>>>),
}

/// A path to an interface, world or package.
pub(crate) enum Path<'a> {
    /// `name`
    Local(Cow<'a, str>),
    /// `ns:pkg/name@version`
    Foreign {
        namespace: Cow<'a, str>,
        package: Cow<'a, str>,
        name: Cow<'a, str>,
        version: Option<Cow<'a, str>>,
    },
    /// `ns:pkg@version` (a package's own name).
    Package {
        namespace: Cow<'a, str>,
        package: Cow<'a, str>,
        version: Option<Cow<'a, str>>,
    },
}

/// `name`, or `%name` when `name` is a keyword.
pub(crate) fn escape(name: &str) -> Cow<'_, str> {
    // `float32`/`float64` are old keywords wit-parser still reserves.
    if Keyword::from_text(name).is_some() || matches!(name, "float32" | "float64") {
        Cow::Owned(format!("%{name}"))
    } else {
        Cow::Borrowed(name)
    }
}

/// Renders a file.
pub(crate) fn render(file: &File<'_>) -> String {
    let mut w = Writer {
        out: String::new(),
        indent: 0,
    };
    if let Some(header) = &file.header {
        w.comments(&header.docs);
        w.statement(&format!("package {}", path(&header.name)), &header.orphans);
    }
    if file.header.is_some() && !file.items.is_empty() {
        w.blank();
    }
    w.items(&file.items, false);
    if !file.trailing.is_empty() {
        if !w.out.is_empty() {
            w.blank();
        }
        w.comments(&file.trailing);
    }
    w.out
}

/// A path as written.
pub(crate) fn path(p: &Path<'_>) -> String {
    let version = |v: &Option<Cow<'_, str>>| v.as_ref().map_or(String::new(), |v| format!("@{v}"));
    match p {
        Path::Local(name) => escape(name).into_owned(),
        Path::Foreign {
            namespace,
            package,
            name,
            version: v,
        } => format!(
            "{}:{}/{}{}",
            escape(namespace),
            escape(package),
            escape(name),
            version(v)
        ),
        Path::Package {
            namespace,
            package,
            version: v,
        } => {
            format!("{}:{}{}", escape(namespace), escape(package), version(v))
        }
    }
}

/// A type as written.
pub(crate) fn ty(t: &Ty<'_>) -> String {
    let mut s = String::new();
    write_ty(&mut s, t);
    s
}

fn write_ty(s: &mut String, t: &Ty<'_>) {
    let generic = |s: &mut String, name: &str, args: &[&Ty<'_>]| {
        s.push_str(name);
        s.push('<');
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            write_ty(s, a);
        }
        s.push('>');
    };
    match t {
        Ty::Prim(p) => s.push_str(p),
        Ty::Name(n) => s.push_str(&escape(n)),
        Ty::Own(n) => {
            let _ = write!(s, "own<{}>", escape(n));
        }
        Ty::Borrow(n) => {
            let _ = write!(s, "borrow<{}>", escape(n));
        }
        Ty::List(t) => generic(s, "list", &[t]),
        Ty::FixedLengthList(t, n) => {
            generic(s, "list", &[t]);
            s.pop();
            let _ = write!(s, ", {n}>");
        }
        Ty::Map(k, v) => generic(s, "map", &[k, v]),
        Ty::Tuple(ts) => generic(s, "tuple", &ts.iter().collect::<Vec<_>>()),
        Ty::Option(t) => generic(s, "option", &[t]),
        Ty::Result(None, None) => s.push_str("result"),
        Ty::Result(Some(ok), None) => generic(s, "result", &[ok]),
        Ty::Result(ok, Some(err)) => {
            s.push_str("result<");
            match ok {
                Some(ok) => write_ty(s, ok),
                None => s.push('_'),
            }
            s.push_str(", ");
            write_ty(s, err);
            s.push('>');
        }
        Ty::Future(None) => s.push_str("future"),
        Ty::Future(Some(t)) => generic(s, "future", &[t]),
        Ty::Stream(None) => s.push_str("stream"),
        Ty::Stream(Some(t)) => generic(s, "stream", &[t]),
    }
}

/// A signature as written after `name: ` (or alone, for a constructor).
pub(crate) fn sig(sig: &Sig<'_>) -> String {
    let mut s = String::new();
    if sig.is_static {
        s.push_str("static ");
    }
    if sig.is_async {
        s.push_str("async ");
    }
    s.push_str(match sig.kind {
        SigKind::Func => "func(",
        SigKind::Get => "get(",
        SigKind::Set => "set(",
        SigKind::Constructor => "constructor(",
    });
    for (i, (name, t)) in sig.params.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&escape(name));
        s.push_str(": ");
        write_ty(&mut s, t);
    }
    s.push(')');
    if let Some(result) = &sig.result {
        s.push_str(" -> ");
        write_ty(&mut s, result);
    }
    s
}

/// How items group: consecutive `use`s, imports, exports or includes are not separated
/// by blank lines; everything else is.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Group {
    Use,
    Import,
    Export,
    Include,
    Alone,
}

fn group(item: &Item<'_>) -> Group {
    match &item.kind {
        ItemKind::ToplevelUse { .. } | ItemKind::Use { .. } => Group::Use,
        ItemKind::Extern { export: false, .. } => Group::Import,
        ItemKind::Extern { export: true, .. } => Group::Export,
        ItemKind::Include { .. } => Group::Include,
        _ => Group::Alone,
    }
}

struct Writer {
    out: String,
    indent: usize,
}

impl Writer {
    /// One line at the current indentation (an empty line has no indentation).
    fn line(&mut self, text: &str) {
        if !text.is_empty() {
            for _ in 0..self.indent {
                self.out.push_str("  ");
            }
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    /// An empty line, unless the output is empty or already ends with one.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn comments(&mut self, comments: &[Cow<'_, str>]) {
        for c in comments {
            for line in c.split('\n') {
                self.line(line.trim_end());
            }
        }
    }

    /// `text;`, with orphan comments on their own lines before the `;`.
    fn statement(&mut self, text: &str, orphans: &[Cow<'_, str>]) {
        self.terminated(text, ";", orphans);
    }

    fn terminated(&mut self, text: &str, end: &str, orphans: &[Cow<'_, str>]) {
        if orphans.is_empty() {
            self.line(&format!("{text}{end}"));
            return;
        }
        self.line(text);
        self.indent += 1;
        self.comments(orphans);
        self.line(end);
        self.indent -= 1;
    }

    /// `head {`, with orphan comments before the `{`. Returns with the indentation
    /// increased.
    fn open(&mut self, head: &str, orphans: &[Cow<'_, str>]) {
        if orphans.is_empty() {
            self.line(&format!("{head} {{"));
        } else {
            self.line(head);
            self.indent += 1;
            self.comments(orphans);
            self.indent -= 1;
            self.line("{");
        }
        self.indent += 1;
    }

    fn close(&mut self) {
        self.indent = self.indent.saturating_sub(1);
        self.line("}");
    }

    /// `head { items }`, or `head {}` when there is nothing inside.
    fn block(
        &mut self,
        head: &str,
        orphans: &[Cow<'_, str>],
        block: &Block<'_>,
        blank_lines: bool,
    ) {
        if block.items.is_empty() && block.trailing.is_empty() {
            if orphans.is_empty() {
                self.line(&format!("{head} {{}}"));
            } else {
                self.line(head);
                self.indent += 1;
                self.comments(orphans);
                self.indent -= 1;
                self.line("{}");
            }
            return;
        }
        self.open(head, orphans);
        self.items(&block.items, !blank_lines);
        self.comments(&block.trailing);
        self.close();
    }

    fn items(&mut self, items: &[Item<'_>], tight: bool) {
        let mut prev: Option<Group> = None;
        for item in items {
            let g = group(item);
            if let Some(p) = prev {
                if !tight && (p != g || g == Group::Alone) {
                    self.blank();
                }
            }
            self.item(item);
            prev = Some(g);
        }
    }

    fn item(&mut self, item: &Item<'_>) {
        self.comments(&item.docs);
        for gate in &item.gates {
            self.line(&match gate {
                Gate::Since(v) => format!("@since(version = {v})"),
                Gate::Unstable(f) => format!("@unstable(feature = {})", escape(f)),
                Gate::Deprecated(v) => format!("@deprecated(version = {v})"),
            });
        }
        let orphans = &item.orphans;
        match &item.kind {
            ItemKind::Package { name, body } => {
                self.block(&format!("package {}", path(name)), orphans, body, true);
            }
            ItemKind::Interface { name, body } => {
                self.block(&format!("interface {}", escape(name)), orphans, body, true);
            }
            ItemKind::World { name, body } => {
                self.block(&format!("world {}", escape(name)), orphans, body, true);
            }
            ItemKind::ToplevelUse { path: p, as_ } => {
                let mut s = format!("use {}", path(p));
                if let Some(a) = as_ {
                    let _ = write!(s, " as {}", escape(a));
                }
                self.statement(&s, orphans);
            }
            ItemKind::Use { path: p, names } => {
                let list: Vec<String> = names
                    .iter()
                    .map(|(n, a)| match a {
                        Some(a) => format!("{} as {}", escape(n), escape(a)),
                        None => escape(n).into_owned(),
                    })
                    .collect();
                self.statement(&format!("use {}.{{{}}}", path(p), list.join(", ")), orphans);
            }
            ItemKind::TypeDef { name, body } => self.type_def(name, body, orphans),
            ItemKind::Func { name, sig: s } => {
                let text = match s.kind {
                    SigKind::Constructor => sig(s),
                    _ => format!("{}: {}", escape(name), sig(s)),
                };
                self.statement(&text, orphans);
            }
            ItemKind::Extern { export, ext } => {
                let kw = if *export { "export" } else { "import" };
                match ext {
                    Extern::Path(p) => self.statement(&format!("{kw} {}", path(p)), orphans),
                    Extern::NamedPath(name, p) => {
                        self.statement(&format!("{kw} {}: {}", escape(name), path(p)), orphans)
                    }
                    Extern::Func(name, s) => {
                        self.statement(&format!("{kw} {}: {}", escape(name), sig(s)), orphans)
                    }
                    Extern::Interface(name, body) => self.block(
                        &format!("{kw} {}: interface", escape(name)),
                        orphans,
                        body,
                        true,
                    ),
                }
            }
            ItemKind::Include { path: p, names } => {
                let head = format!("include {}", path(p));
                if names.is_empty() {
                    self.statement(&head, orphans);
                    return;
                }
                let list: Vec<String> = names
                    .iter()
                    .map(|(n, a)| format!("{} as {}", escape(n), escape(a)))
                    .collect();
                if orphans.is_empty() {
                    self.line(&format!("{head} with {{ {} }}", list.join(", ")));
                } else {
                    // Comments before a name in the list are dropped by the parser too.
                    self.open(&format!("{head} with"), &[]);
                    self.comments(orphans);
                    self.line(&list.join(", "));
                    self.close();
                }
            }
        }
    }

    fn type_def(&mut self, name: &str, body: &TypeBody<'_>, orphans: &[Cow<'_, str>]) {
        let name = escape(name);
        let (kw, members, trailing) = match body {
            TypeBody::Alias(t) => {
                self.statement(&format!("type {name} = {}", ty(t)), orphans);
                return;
            }
            TypeBody::Resource(None) => {
                self.statement(&format!("resource {name}"), orphans);
                return;
            }
            TypeBody::Resource(Some(block)) => {
                self.block(&format!("resource {name}"), orphans, block, false);
                return;
            }
            TypeBody::Record(m, t) => ("record", m, t),
            TypeBody::Flags(m, t) => ("flags", m, t),
            TypeBody::Variant(m, t) => ("variant", m, t),
            TypeBody::Enum(m, t) => ("enum", m, t),
        };
        let head = format!("{kw} {name}");
        if members.is_empty() && trailing.is_empty() && orphans.is_empty() {
            self.line(&format!("{head} {{}}"));
            return;
        }
        self.open(&head, orphans);
        for m in members {
            self.comments(&m.docs);
            let text = match (&m.ty, kw) {
                (Some(t), "record") => format!("{}: {}", escape(&m.name), ty(t)),
                (Some(t), _) => format!("{}({})", escape(&m.name), ty(t)),
                (None, _) => escape(&m.name).into_owned(),
            };
            self.terminated(&text, ",", &m.orphans);
        }
        self.comments(trailing);
        self.close();
    }
}
