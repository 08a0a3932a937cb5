//! WIT parser: tokens → [`super::File`].
//!
//! A recursive-descent parser over the tokens of [`super::lex`], following the grammar of
//! `WIT.md` and what wit-parser accepts. Errors point where wit-parser's do (the unexpected
//! token, or the offending name), so diagnostics land on the same line.
//!
//! Docs: every run of comments directly before an item (after the previous token) becomes
//! that item's [`Docs`]; comments before a closing `}` go to the enclosing `trailing` field.
//! Comments anywhere else (inside a signature, between attributes and the item) are dropped,
//! exactly as wit-parser drops them.

use semver::Version;

use super::lex::{self, Keyword as Kw, Token, TokenKind as T};
use super::{
    Attribute, Case, Docs, EnumCase, Extern, ExternKind, Field, File, Flag, Func, FuncKind, Ident,
    Include, IncludeName, Interface, InterfaceItem, Item, NamedFunc, NestedPackage, PackageDecl,
    PackageName, ResourceFunc, ToplevelUse, Type, TypeBody, TypeDef, Use, UseName, UsePath, World,
    WorldItem,
};
use crate::{Error, Result, Span};

/// How deeply types may nest (`list<list<…>>`), as in wit-parser.
const MAX_TYPE_DEPTH: usize = 100;

/// How deeply `package a:b { … }` blocks may nest before we stop parsing them.
const MAX_PACKAGE_DEPTH: usize = 100;

/// Parses one WIT file whose first byte is at global offset `offset`.
pub fn parse_file(text: &str, offset: u32) -> Result<File<'_>> {
    let lexed = lex::tokenize(text, offset)?;
    let mut p = Parser {
        text,
        offset,
        tokens: lexed.tokens,
        lex_error: lexed.error,
        pos: 0,
        prev_end: 0,
        deferred: None,
    };
    let file = p.file()?;
    match p.deferred.take() {
        Some(err) => Err(err),
        None => Ok(file),
    }
}

struct Parser<'a> {
    text: &'a str,
    offset: u32,
    /// All tokens, comments included.
    tokens: Vec<Token>,
    /// The error of the final `Error` token, if lexing failed.
    lex_error: Option<Error>,
    /// Index of the next unconsumed token (possibly a comment).
    pos: usize,
    /// End of the last consumed token, for statement spans.
    prev_end: usize,
    /// An error found while parsing that wit-parser reports only after the whole file parsed.
    deferred: Option<Error>,
}

/// Where a list of items is being parsed, for error messages.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Scope {
    /// The top level of a file.
    File,
    /// Inside `package a:b { … }`.
    Package,
}

impl<'a> Parser<'a> {
    // ---- token access -------------------------------------------------------------------

    fn span(&self, start: usize, end: usize) -> Span {
        lex::span(self.offset, start, end)
    }

    fn tok_span(&self, tok: Token) -> Span {
        self.span(tok.start(), tok.end())
    }

    fn text_of(&self, tok: Token) -> &'a str {
        &self.text[tok.start()..tok.end()]
    }

    /// The `n`th significant (non-comment) token from the current position.
    fn peek_at(&self, n: usize) -> Option<Token> {
        self.tokens[self.pos..]
            .iter()
            .filter(|t| t.kind != T::Comment)
            .nth(n)
            .copied()
    }

    fn peek(&self) -> Option<Token> {
        self.peek_at(0)
    }

    fn peek_kind(&self) -> Option<T> {
        self.peek().map(|t| t.kind)
    }

    fn peek_kind_at(&self, n: usize) -> Option<T> {
        self.peek_at(n).map(|t| t.kind)
    }

    fn at(&self, kind: T) -> bool {
        self.peek_kind() == Some(kind)
    }

    /// Consumes comments and the next significant token, which must exist.
    fn bump(&mut self) -> Token {
        while self.tokens[self.pos].kind == T::Comment {
            self.pos += 1;
        }
        let tok = self.tokens[self.pos];
        self.pos += 1;
        self.prev_end = tok.end();
        tok
    }

    fn eat(&mut self, kind: T) -> Option<Token> {
        if self.at(kind) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn expect(&mut self, kind: T) -> Result<Token> {
        match self.eat(kind) {
            Some(tok) => Ok(tok),
            None => Err(self.unexpected(&expected_name(kind))),
        }
    }

    fn expect_semicolon(&mut self) -> Result<Token> {
        match self.eat(T::Semicolon) {
            Some(tok) => Ok(tok),
            None => {
                let err = self.unexpected("`;`");
                Err(match self.peek_kind() {
                    Some(T::Error) => err,
                    _ => err.with_help("add `;` at the end of the previous item"),
                })
            }
        }
    }

    /// "expected {expected}, found …" at the next token, or the lexer's error if lexing
    /// stopped there.
    fn unexpected(&mut self, expected: &str) -> Error {
        let tok = self.peek();
        if let Some(Token { kind: T::Error, .. }) = tok {
            if let Some(err) = self.lex_error.take() {
                return err;
            }
        }
        let (span, found) = match tok {
            Some(tok) => (self.tok_span(tok), self.describe(tok)),
            None => (
                self.span(self.text.len(), self.text.len()),
                "end of file".to_string(),
            ),
        };
        Error::parse(span, format!("expected {expected}, found {found}"))
    }

    /// How a found token is named in errors: `keyword \`type\``, `identifier \`foo\``, …
    fn describe(&self, tok: Token) -> String {
        let text = self.text_of(tok);
        let short = |s: &str| match s.char_indices().nth(40) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s.to_string(),
        };
        match tok.kind {
            T::Keyword(k) => format!("keyword `{k}`"),
            T::Id | T::ExplicitId => format!("identifier `{}`", short(text)),
            T::Integer => format!("integer `{}`", short(text)),
            kind => kind.describe().to_string(),
        }
    }

    /// The comments at the current position.
    fn docs(&mut self) -> Docs<'a> {
        let mut docs = no_docs();
        while let Some(tok) = self.tokens.get(self.pos).filter(|t| t.kind == T::Comment) {
            let tok = *tok;
            docs.comments.push(self.text_of(tok));
            let span = self.tok_span(tok);
            docs.span = if docs.span.is_known() {
                docs.span.to(span)
            } else {
                span
            };
            self.pos += 1;
        }
        docs
    }

    // ---- names, paths, versions ---------------------------------------------------------

    fn ident(&mut self) -> Result<Ident<'a>> {
        let Some(tok) = self.peek() else {
            return Err(self.unexpected("an identifier"));
        };
        let name = match tok.kind {
            T::Id => self.text_of(tok),
            T::ExplicitId => &self.text_of(tok)[1..],
            T::Keyword(k) => {
                return Err(Error::parse(
                    self.tok_span(tok),
                    format!("expected an identifier, found keyword `{k}`"),
                )
                .with_help(format!(
                    "`{k}` is a keyword; write `%{k}` to use it as a name"
                )));
            }
            _ => return Err(self.unexpected("an identifier")),
        };
        self.bump();
        let span = self.tok_span(tok);
        lex::check_id(name, span)?;
        Ok(Ident { name, span })
    }

    /// An identifier that must be exactly `word` (attribute argument names).
    fn expect_word(&mut self, word: &str) -> Result<Ident<'a>> {
        let id = self.ident()?;
        if id.name != word {
            return Err(Error::parse(
                id.span,
                format!("expected `{word}`, found `{}`", id.name),
            ));
        }
        Ok(id)
    }

    /// `ns:name@version` after `package`.
    fn package_name(&mut self) -> Result<PackageName<'a>> {
        let namespace = self.ident()?;
        if !self.at(T::Colon) {
            let err = self.unexpected("`:`");
            return Err(if self.at(T::Error) {
                err
            } else {
                err.with_help(format!(
                    "package names have a namespace: `namespace:{}`",
                    namespace.name
                ))
            });
        }
        self.bump();
        let name = self.ident()?;
        if let Some(tok) = self.peek().filter(|t| t.kind == T::Colon) {
            return Err(Error::parse(
                self.tok_span(tok),
                "nested package namespaces are not supported",
            )
            .with_help("a package name has exactly one `:`, as in `namespace:name`"));
        }
        let version = self.opt_version()?;
        let end = version.as_ref().map_or(name.span, |(s, _)| *s);
        Ok(PackageName {
            span: namespace.span.to(end),
            namespace,
            name,
            version,
        })
    }

    fn opt_version(&mut self) -> Result<Option<(Span, Version)>> {
        match self.eat(T::At) {
            Some(_) => self.version().map(Some),
            None => Ok(None),
        }
    }

    /// A semver version: the longest run of adjacent integers, words, `.`, `-` and `+` that
    /// starts with an integer, not counting a final `.` (as in `use a:b/c@1.0.0.{x}`).
    fn version(&mut self) -> Result<(Span, Version)> {
        let Some(first) = self.eat(T::Integer) else {
            let err = self.unexpected("a version");
            return Err(if self.at(T::Error) {
                err
            } else {
                err.with_help("versions are semver, e.g. `1.0.0`")
            });
        };
        let mut end = first.end();
        let part = |t: Option<&Token>, end: usize| {
            t.filter(|t| t.start() == end)
                .filter(|t| {
                    matches!(
                        t.kind,
                        T::Integer | T::Id | T::Keyword(_) | T::Minus | T::Plus
                    )
                })
                .copied()
        };
        loop {
            if let Some(t) = part(self.tokens.get(self.pos), end) {
                self.pos += 1;
                end = t.end();
                continue;
            }
            match self.tokens.get(self.pos) {
                Some(dot) if dot.kind == T::Period && dot.start() == end => {
                    match part(self.tokens.get(self.pos + 1), dot.end())
                        .filter(|t| t.kind != T::Plus)
                    {
                        Some(t) => {
                            self.pos += 2;
                            end = t.end();
                        }
                        None => break,
                    }
                }
                _ => break,
            }
        }
        self.prev_end = end;
        let span = self.span(first.start(), end);
        let text = &self.text[first.start()..end];
        match Version::parse(text) {
            Ok(v) => Ok((span, v)),
            Err(e) => Err(
                Error::parse(span, format!("invalid version `{text}`: {e}")).with_help(
                    "versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`",
                ),
            ),
        }
    }

    /// `name` or `ns:pkg/name@version`.
    fn use_path(&mut self) -> Result<UsePath<'a>> {
        let first = self.ident()?;
        if self.eat(T::Colon).is_none() {
            return Ok(UsePath::Id(first));
        }
        let pkg = self.ident()?;
        if !self.at(T::Slash) {
            let err = self.unexpected("`/`");
            return Err(match self.peek_kind() {
                Some(T::Colon) => {
                    err.with_help("nested package namespaces (`a:b:c`) are not supported")
                }
                Some(T::Error) => err,
                _ => err.with_help(format!(
                    "a path to another package's item is `{}:{}/name`",
                    first.name, pkg.name
                )),
            });
        }
        self.bump();
        let name = self.ident()?;
        if let Some(tok) = self.peek().filter(|t| t.kind == T::Slash) {
            return Err(Error::parse(
                self.tok_span(tok),
                "nested interface paths are not supported",
            )
            .with_help("a path names one item: `namespace:package/name`"));
        }
        let version = self.opt_version()?;
        let span = first
            .span
            .to(version.as_ref().map_or(name.span, |(s, _)| *s));
        Ok(UsePath::Package {
            id: PackageName {
                namespace: first,
                name: pkg,
                version,
                span,
            },
            name,
        })
    }

    // ---- attributes ---------------------------------------------------------------------

    fn attributes(&mut self) -> Result<Vec<Attribute<'a>>> {
        let mut attrs = Vec::new();
        while let Some(at) = self.eat(T::At) {
            let name = self.ident()?;
            let attr = match name.name {
                "since" => {
                    self.expect(T::LeftParen)?;
                    self.expect_word("version")?;
                    self.expect(T::Equals)?;
                    let (_, version) = self.version()?;
                    // Older WIT allowed `@since(version = x, feature = y)`; accept and ignore.
                    if self.eat(T::Comma).is_some() && !self.at(T::RightParen) {
                        self.expect_word("feature")?;
                        self.expect(T::Equals)?;
                        self.ident()?;
                    }
                    self.expect(T::RightParen)?;
                    Attribute::Since {
                        version,
                        span: self.span(at.start(), self.prev_end),
                    }
                }
                "unstable" => {
                    self.expect(T::LeftParen)?;
                    self.expect_word("feature")?;
                    self.expect(T::Equals)?;
                    let feature = self.ident()?;
                    self.expect(T::RightParen)?;
                    Attribute::Unstable {
                        feature,
                        span: self.span(at.start(), self.prev_end),
                    }
                }
                "deprecated" => {
                    self.expect(T::LeftParen)?;
                    self.expect_word("version")?;
                    self.expect(T::Equals)?;
                    let (_, version) = self.version()?;
                    self.expect(T::RightParen)?;
                    Attribute::Deprecated {
                        version,
                        span: self.span(at.start(), self.prev_end),
                    }
                }
                "external-id" => {
                    return Err(Error::parse(
                        name.span,
                        "the `@external-id` attribute is not supported yet",
                    ));
                }
                other => {
                    return Err(
                        Error::parse(name.span, format!("unknown attribute `@{other}`")).with_help(
                            "known attributes are `@since`, `@unstable` and `@deprecated`",
                        ),
                    );
                }
            };
            attrs.push(attr);
        }
        Ok(attrs)
    }

    // ---- files and packages -------------------------------------------------------------

    fn file(&mut self) -> Result<File<'a>> {
        // `package a:b;` at the top; if it turns out to be `package a:b { … }`, rewind and
        // parse it as an item.
        let start = self.pos;
        let docs = self.docs();
        let mut package = None;
        if let Some(kw) = self.eat(T::Keyword(Kw::Package)) {
            let name = self.package_name()?;
            let span = self.span(kw.start(), self.prev_end);
            if self.eat(T::Semicolon).is_some() {
                package = Some(PackageDecl { docs, name, span });
            }
        }
        if package.is_none() {
            self.pos = start;
        }

        let mut items = Vec::new();
        let mut nested = Vec::new();
        let trailing = loop {
            let docs = self.docs();
            if self.peek().is_none() {
                break docs;
            }
            let attrs = self.attributes()?;
            if self.at(T::Keyword(Kw::Package)) {
                nested.push(self.nested_package(
                    docs,
                    attrs,
                    0,
                    package.is_some() || !items.is_empty(),
                )?);
            } else {
                items.push(self.item(docs, attrs, Scope::File)?);
            }
        };
        Ok(File {
            package,
            items,
            nested,
            trailing,
        })
    }

    /// `package a:b { items }`; `depth` counts the enclosing package blocks.
    fn nested_package(
        &mut self,
        docs: Docs<'a>,
        attrs: Vec<Attribute<'a>>,
        depth: usize,
        after_items: bool,
    ) -> Result<NestedPackage<'a>> {
        let kw = self.bump();
        if !attrs.is_empty() {
            return Err(Error::parse(
                self.tok_span(kw),
                "cannot place attributes on nested packages",
            ));
        }
        if depth >= MAX_PACKAGE_DEPTH {
            return Err(
                Error::parse(self.tok_span(kw), "package nesting too deep").with_help(format!(
                    "`package` blocks may nest at most {MAX_PACKAGE_DEPTH} deep"
                )),
            );
        }
        let name = self.package_name()?;
        let decl = PackageDecl {
            docs,
            span: self.span(kw.start(), self.prev_end),
            name,
        };
        if !self.at(T::LeftBrace) {
            let err = self.unexpected("`{`");
            return Err(match self.peek_kind() {
                Some(T::Semicolon) if after_items => err.with_help(
                    "`package a:b;` is only allowed once, before any item; \
                     declare further packages as `package a:b { … }`",
                ),
                _ => err,
            });
        }
        self.bump();
        let mut items = Vec::new();
        let trailing = loop {
            let docs = self.docs();
            if self.eat(T::RightBrace).is_some() {
                break docs;
            }
            if self.peek().is_none() {
                return Err(self.unexpected("`}`"));
            }
            let attrs = self.attributes()?;
            if self.at(T::Keyword(Kw::Package)) {
                // wit-parser parses these and rejects them afterwards.
                // The outermost (first) offending block is reported, as wit-parser does.
                let inner = self.nested_package(docs, attrs, depth + 1, false)?;
                let span = inner.decl.name.span;
                if self
                    .deferred
                    .as_ref()
                    .is_none_or(|e| span.start < e.span().start)
                {
                    self.deferred = Some(
                        Error::parse(span, "nested packages must be placed at the top-level")
                            .with_help("`package a:b { … }` blocks cannot contain other packages"),
                    );
                }
            } else {
                items.push(self.item(docs, attrs, Scope::Package)?);
            }
        };
        Ok(NestedPackage {
            decl,
            items,
            trailing,
        })
    }

    fn item(
        &mut self,
        docs: Docs<'a>,
        attrs: Vec<Attribute<'a>>,
        scope: Scope,
    ) -> Result<Item<'a>> {
        match self.peek_kind() {
            Some(T::Keyword(Kw::Interface)) => self.interface(docs, attrs).map(Item::Interface),
            Some(T::Keyword(Kw::World)) => self.world(docs, attrs).map(Item::World),
            Some(T::Keyword(Kw::Use)) => self.toplevel_use(docs, attrs).map(Item::Use),
            kind => {
                let expected = match scope {
                    Scope::File => "`interface`, `world`, `use` or `package`",
                    Scope::Package => "`interface`, `world`, `use` or `}`",
                };
                let err = self.unexpected(expected);
                Err(match kind {
                    Some(T::Id | T::ExplicitId) if self.peek_kind_at(1) == Some(T::Colon) => err
                        .with_help("functions and types must be inside an `interface` or `world`"),
                    Some(T::Keyword(
                        Kw::Type
                        | Kw::Record
                        | Kw::Variant
                        | Kw::Enum
                        | Kw::Flags
                        | Kw::Resource
                        | Kw::Func,
                    )) => err
                        .with_help("types and functions must be inside an `interface` or `world`"),
                    Some(T::Keyword(Kw::Import | Kw::Export | Kw::Include)) => {
                        err.with_help("imports, exports and includes must be inside a `world`")
                    }
                    Some(T::Semicolon) => err.with_help("remove this `;`"),
                    _ => err,
                })
            }
        }
    }

    fn toplevel_use(
        &mut self,
        docs: Docs<'a>,
        attributes: Vec<Attribute<'a>>,
    ) -> Result<ToplevelUse<'a>> {
        let kw = self.bump();
        let item = self.use_path()?;
        let as_ = match self.eat(T::Keyword(Kw::As)) {
            Some(_) => Some(self.ident()?),
            None => None,
        };
        if self.at(T::Period) {
            let err = self.unexpected("`;`");
            return Err(
                err.with_help("`use path.{names};` is only allowed inside an interface or world")
            );
        }
        self.expect_semicolon()?;
        Ok(ToplevelUse {
            docs,
            attributes,
            item,
            as_,
            span: self.span(kw.start(), self.prev_end),
        })
    }

    // ---- interfaces ---------------------------------------------------------------------

    fn interface(
        &mut self,
        docs: Docs<'a>,
        attributes: Vec<Attribute<'a>>,
    ) -> Result<Interface<'a>> {
        self.bump();
        let name = self.ident()?;
        let (items, trailing) = self.interface_body()?;
        Ok(Interface {
            docs,
            attributes,
            name,
            items,
            trailing,
        })
    }

    /// `{ items }` of an interface or an inline `import x: interface { … }`.
    fn interface_body(&mut self) -> Result<(Vec<InterfaceItem<'a>>, Docs<'a>)> {
        self.expect(T::LeftBrace)?;
        let mut items = Vec::new();
        loop {
            let docs = self.docs();
            if self.eat(T::RightBrace).is_some() {
                return Ok((items, docs));
            }
            let attrs = self.attributes()?;
            items.push(self.interface_item(docs, attrs)?);
        }
    }

    fn interface_item(
        &mut self,
        docs: Docs<'a>,
        attrs: Vec<Attribute<'a>>,
    ) -> Result<InterfaceItem<'a>> {
        match self.peek_kind() {
            Some(T::Keyword(Kw::Use)) => self.use_item(docs, attrs).map(InterfaceItem::Use),
            Some(T::Id | T::ExplicitId) => self.named_func(docs, attrs).map(InterfaceItem::Func),
            Some(T::Keyword(k)) if is_typedef_keyword(k) => {
                self.typedef(docs, attrs).map(InterfaceItem::TypeDef)
            }
            kind => {
                let err = self.unexpected(
                    "`type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name",
                );
                Err(match kind {
                    Some(T::Keyword(Kw::Func | Kw::Async)) => {
                        err.with_help("functions are declared as `name: func(params) -> result;`")
                    }
                    Some(T::Keyword(Kw::Import | Kw::Export | Kw::Include)) => {
                        err.with_help("imports, exports and includes belong in a `world`")
                    }
                    Some(T::Keyword(Kw::Interface | Kw::World)) => err.with_help(
                        "interfaces and worlds cannot be nested; close this one with `}` first",
                    ),
                    Some(T::Semicolon) => err.with_help("remove this `;`"),
                    _ => err,
                })
            }
        }
    }

    /// `use path.{a, b as c};` inside an interface or world.
    fn use_item(&mut self, docs: Docs<'a>, attributes: Vec<Attribute<'a>>) -> Result<Use<'a>> {
        let kw = self.bump();
        let from = self.use_path()?;
        if !self.at(T::Period) {
            let err = self.unexpected("`.`");
            return Err(match self.peek_kind() {
                Some(T::Semicolon | T::Keyword(Kw::As)) => err.with_help(
                    "inside an interface or world, `use` names types: `use iface.{a, b as c};`",
                ),
                _ => err,
            });
        }
        self.bump();
        self.expect(T::LeftBrace)?;
        let (names, _) = self.list(T::RightBrace, |p, _| {
            let name = p.ident()?;
            let as_ = match p.eat(T::Keyword(Kw::As)) {
                Some(_) => Some(p.ident()?),
                None => None,
            };
            Ok(UseName { name, as_ })
        })?;
        self.expect_semicolon()?;
        Ok(Use {
            docs,
            attributes,
            from,
            names,
            span: self.span(kw.start(), self.prev_end),
        })
    }

    fn named_func(
        &mut self,
        docs: Docs<'a>,
        attributes: Vec<Attribute<'a>>,
    ) -> Result<NamedFunc<'a>> {
        let name = self.ident()?;
        self.expect_colon_after_name()?;
        let func = self.func()?;
        self.expect_semicolon()?;
        Ok(NamedFunc {
            docs,
            attributes,
            name,
            func,
        })
    }

    fn expect_colon_after_name(&mut self) -> Result<()> {
        if self.eat(T::Colon).is_some() {
            return Ok(());
        }
        let err = self.unexpected("`:`");
        Err(match self.peek_kind() {
            Some(T::Keyword(Kw::Func | Kw::Async | Kw::Static)) | Some(T::LeftParen) => {
                err.with_help("write `name: func(…)`")
            }
            _ => err,
        })
    }

    /// Whether the next tokens are `get(` or `set(`.
    fn at_accessor(&self) -> bool {
        matches!(self.peek(), Some(t) if t.kind == T::Id && matches!(self.text_of(t), "get" | "set"))
            && self.peek_kind_at(1) == Some(T::LeftParen)
    }

    /// `async? func(params) -> T`, `get() -> T` or `set(v: T)`.
    fn func(&mut self) -> Result<Func<'a>> {
        let start = self.peek().map_or(self.text.len(), |t| t.start());
        let is_async = self.eat(T::Keyword(Kw::Async)).is_some();
        let kind = if !is_async && self.at_accessor() {
            let tok = self.bump();
            match self.text_of(tok) {
                "get" => FuncKind::Getter,
                _ => FuncKind::Setter,
            }
        } else if self.eat(T::Keyword(Kw::Func)).is_some() {
            FuncKind::Func
        } else {
            let err = self.unexpected("`func`");
            return Err(match self.peek_kind() {
                Some(T::Id) if is_async && self.at_accessor() => {
                    err.with_help("accessors cannot be `async`")
                }
                Some(T::Keyword(Kw::Static)) if is_async => {
                    err.with_help("write `static async func(…)`")
                }
                Some(T::Keyword(Kw::Static)) => {
                    err.with_help("`static` functions are only allowed in a `resource`")
                }
                Some(T::LeftParen) => err.with_help("write `func(…)`"),
                _ => err,
            });
        };
        let (params, result) = self.signature()?;
        Ok(Func {
            is_async,
            kind,
            params,
            result,
            span: self.span(start, self.prev_end),
        })
    }

    /// `(params) -> result` after `func`, `get`, `set` or `constructor`.
    #[allow(
        clippy::type_complexity,
        reason = "a private helper returning the two parts of a signature"
    )]
    fn signature(&mut self) -> Result<(Vec<(Ident<'a>, Type<'a>)>, Option<Type<'a>>)> {
        self.expect(T::LeftParen)?;
        let (params, _) = self.list(T::RightParen, |p, _| {
            let name = p.ident()?;
            if !p.at(T::Colon) {
                let err = p.unexpected("`:`");
                return Err(match p.peek_kind() {
                    Some(T::Comma | T::RightParen) => err.with_help(format!(
                        "parameters are `name: type`, e.g. `{}: u32`",
                        name.name
                    )),
                    _ => err,
                });
            }
            p.bump();
            let ty = p.ty(0)?;
            Ok((name, ty))
        })?;
        let result = match self.eat(T::Arrow) {
            Some(_) if self.at(T::LeftParen) => {
                let err = self.unexpected("a type");
                return Err(err.with_help(
                    "functions return at most one type; return a `tuple<…>` or a `record` for several values",
                ));
            }
            Some(_) => Some(self.ty(0)?),
            None => None,
        };
        Ok((params, result))
    }

    // ---- type definitions ---------------------------------------------------------------

    fn typedef(&mut self, docs: Docs<'a>, attributes: Vec<Attribute<'a>>) -> Result<TypeDef<'a>> {
        let kw = self.bump();
        let name = self.ident()?;
        let body = match kw.kind {
            T::Keyword(Kw::Type) => {
                if !self.at(T::Equals) {
                    let err = self.unexpected("`=`");
                    return Err(match self.peek_kind() {
                        Some(T::LeftBrace) => err.with_help(
                            "`type` defines an alias (`type x = u32;`); use `record`, `variant`, `enum` or `flags` for new types",
                        ),
                        _ => err,
                    });
                }
                self.bump();
                let ty = self.ty(0)?;
                self.expect_semicolon()?;
                TypeBody::Alias(ty)
            }
            T::Keyword(Kw::Record) => {
                self.expect_body_brace("record")?;
                let (fields, trailing) = self.list(T::RightBrace, |p, docs| {
                    let name = p.ident()?;
                    p.expect(T::Colon)?;
                    let ty = p.ty(0)?;
                    Ok(Field { docs, name, ty })
                })?;
                TypeBody::Record(fields, trailing)
            }
            T::Keyword(Kw::Flags) => {
                self.expect_body_brace("flags")?;
                let (flags, trailing) = self.list(T::RightBrace, |p, docs| {
                    Ok(Flag {
                        docs,
                        name: p.ident()?,
                    })
                })?;
                TypeBody::Flags(flags, trailing)
            }
            T::Keyword(Kw::Variant) => {
                self.expect_body_brace("variant")?;
                let (cases, trailing) = self.list(T::RightBrace, |p, docs| {
                    let name = p.ident()?;
                    let ty = match p.eat(T::LeftParen) {
                        Some(_) => {
                            let ty = p.ty(0)?;
                            p.expect(T::RightParen)?;
                            Some(ty)
                        }
                        None => None,
                    };
                    Ok(Case { docs, name, ty })
                })?;
                TypeBody::Variant(cases, trailing)
            }
            T::Keyword(Kw::Enum) => {
                self.expect_body_brace("enum")?;
                let (cases, trailing) = self.list(T::RightBrace, |p, docs| {
                    Ok(EnumCase {
                        docs,
                        name: p.ident()?,
                    })
                })?;
                TypeBody::Enum(cases, trailing)
            }
            _ => self.resource_body()?,
        };
        Ok(TypeDef {
            docs,
            attributes,
            name,
            body,
            span: self.span(kw.start(), self.prev_end),
        })
    }

    fn expect_body_brace(&mut self, what: &str) -> Result<()> {
        if self.eat(T::LeftBrace).is_some() {
            return Ok(());
        }
        let err = self.unexpected("`{`");
        Err(match self.peek_kind() {
            Some(T::Equals) => err.with_help(format!("write `{what} name {{ … }}` without `=`")),
            _ => err,
        })
    }

    /// `;` or `{ funcs }` after `resource name`.
    fn resource_body(&mut self) -> Result<TypeBody<'a>> {
        if self.eat(T::Semicolon).is_some() {
            return Ok(TypeBody::Resource {
                funcs: Vec::new(),
                braces: false,
                trailing: no_docs(),
            });
        }
        if self.eat(T::LeftBrace).is_none() {
            let err = self.unexpected("`;` or `{`");
            return Err(match self.peek_kind() {
                Some(T::Error) => err,
                _ => err.with_help("write `resource name;` or `resource name { … }`"),
            });
        }
        let mut funcs = Vec::new();
        let trailing = loop {
            let docs = self.docs();
            if self.eat(T::RightBrace).is_some() {
                break docs;
            }
            let attrs = self.attributes()?;
            funcs.push(self.resource_func(docs, attrs)?);
        };
        Ok(TypeBody::Resource {
            funcs,
            braces: true,
            trailing,
        })
    }

    fn resource_func(
        &mut self,
        docs: Docs<'a>,
        attributes: Vec<Attribute<'a>>,
    ) -> Result<ResourceFunc<'a>> {
        match self.peek_kind() {
            Some(T::Keyword(Kw::Constructor)) => {
                let kw = self.bump();
                let name = Ident {
                    name: "constructor",
                    span: self.tok_span(kw),
                };
                let (params, result) = self.signature()?;
                let func = Func {
                    is_async: false,
                    kind: FuncKind::Func,
                    params,
                    result,
                    span: self.span(kw.start(), self.prev_end),
                };
                self.expect_semicolon()?;
                Ok(ResourceFunc::Constructor(NamedFunc {
                    docs,
                    attributes,
                    name,
                    func,
                }))
            }
            Some(T::Id | T::ExplicitId) => {
                let name = self.ident()?;
                self.expect_colon_after_name()?;
                let is_static = self.eat(T::Keyword(Kw::Static)).is_some();
                let func = self.func()?;
                self.expect_semicolon()?;
                let f = NamedFunc {
                    docs,
                    attributes,
                    name,
                    func,
                };
                Ok(if is_static {
                    ResourceFunc::Static(f)
                } else {
                    ResourceFunc::Method(f)
                })
            }
            kind => {
                let err = self.unexpected("`constructor` or a method name");
                Err(match kind {
                    Some(T::Keyword(Kw::Async))
                        if self.peek_kind_at(1) == Some(T::Keyword(Kw::Constructor)) =>
                    {
                        err.with_help("constructors cannot be `async`")
                    }
                    Some(T::Keyword(Kw::Func | Kw::Async | Kw::Static)) => err.with_help(
                        "methods are declared as `name: func(…);` or `name: static func(…);`",
                    ),
                    _ => err,
                })
            }
        }
    }

    /// Items separated by `,` (a trailing one allowed) up to `close`; the `{`/`(`/`<` has
    /// been consumed. Each item gets the comments before it; comments before `close` are
    /// returned as trailing docs.
    fn list<I>(
        &mut self,
        close: T,
        mut item: impl FnMut(&mut Self, Docs<'a>) -> Result<I>,
    ) -> Result<(Vec<I>, Docs<'a>)> {
        let mut items = Vec::new();
        loop {
            let docs = self.docs();
            if self.eat(close).is_some() {
                return Ok((items, docs));
            }
            items.push(item(self, docs)?);
            if self.eat(T::Comma).is_none() {
                let trailing = self.docs();
                if self.eat(close).is_none() {
                    return Err(self.unexpected(&format!("`,` or {}", expected_name(close))));
                }
                return Ok((items, trailing));
            }
        }
    }

    // ---- worlds -------------------------------------------------------------------------

    fn world(&mut self, docs: Docs<'a>, attributes: Vec<Attribute<'a>>) -> Result<World<'a>> {
        self.bump();
        let name = self.ident()?;
        self.expect(T::LeftBrace)?;
        let mut items = Vec::new();
        let trailing = loop {
            let docs = self.docs();
            if self.eat(T::RightBrace).is_some() {
                break docs;
            }
            let attrs = self.attributes()?;
            items.push(self.world_item(docs, attrs)?);
        };
        Ok(World {
            docs,
            attributes,
            name,
            items,
            trailing,
        })
    }

    fn world_item(&mut self, docs: Docs<'a>, attrs: Vec<Attribute<'a>>) -> Result<WorldItem<'a>> {
        match self.peek_kind() {
            Some(T::Keyword(Kw::Import)) => self.extern_(docs, attrs).map(WorldItem::Import),
            Some(T::Keyword(Kw::Export)) => self.extern_(docs, attrs).map(WorldItem::Export),
            Some(T::Keyword(Kw::Use)) => self.use_item(docs, attrs).map(WorldItem::Use),
            Some(T::Keyword(Kw::Include)) => self.include(docs, attrs).map(WorldItem::Include),
            Some(T::Keyword(k)) if is_typedef_keyword(k) => {
                self.typedef(docs, attrs).map(WorldItem::Type)
            }
            kind => {
                let err =
                    self.unexpected("`import`, `export`, `include`, `use` or a type definition");
                Err(match kind {
                    Some(T::Id | T::ExplicitId) if self.peek_kind_at(1) == Some(T::Colon) => err
                        .with_help(
                        "functions in a world are imported or exported: `import name: func(…);`",
                    ),
                    Some(T::Keyword(Kw::Interface | Kw::World)) => err.with_help(
                        "interfaces and worlds cannot be nested; close this one with `}` first",
                    ),
                    Some(T::Semicolon) => err.with_help("remove this `;`"),
                    _ => err,
                })
            }
        }
    }

    /// The rest of `import …` / `export …`.
    fn extern_(&mut self, docs: Docs<'a>, attributes: Vec<Attribute<'a>>) -> Result<Extern<'a>> {
        let kw = self.bump();
        let named = matches!(self.peek_kind(), Some(T::Id | T::ExplicitId))
            && self.peek_kind_at(1) == Some(T::Colon);
        let kind = if named {
            let third = self.peek_at(2);
            let is_func = match third.map(|t| t.kind) {
                Some(T::Keyword(Kw::Func | Kw::Async)) => true,
                Some(T::Id) => {
                    matches!(third.map(|t| self.text_of(t)), Some("get" | "set"))
                        && self.peek_kind_at(3) == Some(T::LeftParen)
                }
                _ => false,
            };
            let is_interface = third.map(|t| t.kind) == Some(T::Keyword(Kw::Interface));
            // `import a:b/c;` — the `:` belongs to a package path, not a label.
            let is_package_path = matches!(third.map(|t| t.kind), Some(T::Id | T::ExplicitId))
                && self.peek_kind_at(3) == Some(T::Slash);
            if is_func {
                let name = self.ident()?;
                self.bump();
                let func = self.func()?;
                self.expect_semicolon()?;
                ExternKind::Func { name, func }
            } else if is_interface {
                let name = self.ident()?;
                self.bump();
                self.bump();
                let (items, trailing) = self.interface_body()?;
                ExternKind::Interface {
                    name,
                    items,
                    trailing,
                }
            } else if is_package_path {
                let path = self.use_path()?;
                self.expect_semicolon()?;
                ExternKind::Path(path)
            } else {
                let name = self.ident()?;
                self.bump();
                let path = match self.peek_kind() {
                    Some(T::Keyword(Kw::Static)) => {
                        let err = self.unexpected("`func`, `interface` or an interface name");
                        return Err(
                            err.with_help("`static` functions are only allowed in a `resource`")
                        );
                    }
                    Some(T::Keyword(k)) if k != Kw::Interface => {
                        return Err(self.unexpected("`func`, `interface` or an interface name"));
                    }
                    _ => self.use_path()?,
                };
                self.expect_semicolon()?;
                ExternKind::NamedPath { name, path }
            }
        } else {
            let path = self.use_path()?;
            self.expect_semicolon()?;
            ExternKind::Path(path)
        };
        Ok(Extern {
            docs,
            attributes,
            kind,
            span: self.span(kw.start(), self.prev_end),
        })
    }

    fn include(&mut self, docs: Docs<'a>, attributes: Vec<Attribute<'a>>) -> Result<Include<'a>> {
        let kw = self.bump();
        let from = self.use_path()?;
        let mut names = Vec::new();
        if self.eat(T::Keyword(Kw::With)).is_some() {
            self.expect(T::LeftBrace)?;
            (names, _) = self.list(T::RightBrace, |p, _| {
                let name = p.ident()?;
                if !p.at(T::Keyword(Kw::As)) {
                    let err = p.unexpected("`as`");
                    return Err(match p.peek_kind() {
                        Some(T::Colon | T::Slash) => err.with_help(
                            "`with` renames plain names of the included world, not interfaces",
                        ),
                        _ => err.with_help(format!("write `{} as new-name`", name.name)),
                    });
                }
                p.bump();
                let as_ = p.ident()?;
                Ok(IncludeName { name, as_ })
            })?;
            // The grammar has no `;` after `with { … }`, but WIT.md's own example writes one.
            self.eat(T::Semicolon);
        } else {
            self.expect_semicolon()?;
        }
        Ok(Include {
            docs,
            attributes,
            from,
            names,
            span: self.span(kw.start(), self.prev_end),
        })
    }

    // ---- types --------------------------------------------------------------------------

    fn ty(&mut self, depth: usize) -> Result<Type<'a>> {
        let Some(tok) = self.peek() else {
            return Err(self.unexpected("a type"));
        };
        if depth >= MAX_TYPE_DEPTH && tok.kind != T::Error {
            return Err(Error::parse(self.tok_span(tok), "type nesting too deep")
                .with_help(format!("types may nest at most {MAX_TYPE_DEPTH} deep")));
        }
        let span = self.tok_span(tok);
        let kw = match tok.kind {
            T::Id | T::ExplicitId => return Ok(Type::Name(self.ident()?)),
            T::Keyword(k) => k,
            _ => {
                let err = self.unexpected("a type");
                return Err(match tok.kind {
                    T::LeftParen => err.with_help("for several values use `tuple<…>`"),
                    _ => err,
                });
            }
        };
        let simple = match kw {
            Kw::Bool => Some(Type::Bool(span)),
            Kw::U8 => Some(Type::U8(span)),
            Kw::U16 => Some(Type::U16(span)),
            Kw::U32 => Some(Type::U32(span)),
            Kw::U64 => Some(Type::U64(span)),
            Kw::S8 => Some(Type::S8(span)),
            Kw::S16 => Some(Type::S16(span)),
            Kw::S32 => Some(Type::S32(span)),
            Kw::S64 => Some(Type::S64(span)),
            Kw::F32 => Some(Type::F32(span)),
            Kw::F64 => Some(Type::F64(span)),
            Kw::Char => Some(Type::Char(span)),
            Kw::String => Some(Type::String(span)),
            Kw::ErrorContext => Some(Type::ErrorContext(span)),
            Kw::List
            | Kw::Map
            | Kw::Option
            | Kw::Result
            | Kw::Tuple
            | Kw::Own
            | Kw::Borrow
            | Kw::Future
            | Kw::Stream => None,
            _ => {
                let err = self.unexpected("a type");
                return Err(match kw {
                    Kw::Func => err.with_help(
                        "function types cannot be named; declare `name: func(…);` instead",
                    ),
                    Kw::Underscore => {
                        err.with_help("`_` is only allowed as the first argument of `result<_, E>`")
                    }
                    _ => err,
                });
            }
        };
        self.bump();
        if let Some(ty) = simple {
            return Ok(ty);
        }
        let start = tok.start();
        let inner = depth + 1;
        let ty = match kw {
            Kw::List => {
                self.expect_open_angle("list<T>")?;
                let elem = Box::new(self.ty(inner)?);
                if self.eat(T::Comma).is_some() {
                    let len = self.list_length()?;
                    self.expect(T::GreaterThan)?;
                    Type::FixedLengthList(elem, len, self.span(start, self.prev_end))
                } else {
                    self.expect_close_angle()?;
                    Type::List(elem, self.span(start, self.prev_end))
                }
            }
            Kw::Map => {
                self.expect_open_angle("map<K, V>")?;
                let key = Box::new(self.ty(inner)?);
                if !self.at(T::Comma) {
                    let err = self.unexpected("`,`");
                    return Err(match self.peek_kind() {
                        Some(T::GreaterThan) => {
                            err.with_help("a map has a key and a value type: `map<K, V>`")
                        }
                        _ => err,
                    });
                }
                self.bump();
                let value = Box::new(self.ty(inner)?);
                self.expect_close_angle()?;
                Type::Map(key, value, self.span(start, self.prev_end))
            }
            Kw::Option => {
                self.expect_open_angle("option<T>")?;
                let t = Box::new(self.ty(inner)?);
                self.expect_close_angle()?;
                Type::Option(t, self.span(start, self.prev_end))
            }
            Kw::Result => {
                let (mut ok, mut err) = (None, None);
                if self.eat(T::LessThan).is_some() {
                    if self.eat(T::Keyword(Kw::Underscore)).is_some() {
                        if !self.at(T::Comma) {
                            let e = self.unexpected("`,`");
                            return Err(match self.peek_kind() {
                                Some(T::GreaterThan) => {
                                    e.with_help("a result with no payloads is written `result`")
                                }
                                _ => e,
                            });
                        }
                        self.bump();
                        err = Some(Box::new(self.ty(inner)?));
                    } else {
                        ok = Some(Box::new(self.ty(inner)?));
                        if self.eat(T::Comma).is_some() {
                            err = Some(Box::new(self.ty(inner)?));
                        }
                    }
                    self.expect_close_angle()?;
                }
                Type::Result {
                    ok,
                    err,
                    span: self.span(start, self.prev_end),
                }
            }
            Kw::Tuple => {
                self.expect_open_angle("tuple<T, …>")?;
                let (types, _) = self.list(T::GreaterThan, |p, _| p.ty(inner))?;
                Type::Tuple(types, self.span(start, self.prev_end))
            }
            Kw::Own | Kw::Borrow => {
                self.expect_open_angle(if kw == Kw::Own {
                    "own<resource>"
                } else {
                    "borrow<resource>"
                })?;
                let resource = self.ident()?;
                self.expect_close_angle()?;
                let span = self.span(start, self.prev_end);
                if kw == Kw::Own {
                    Type::Own(resource, span)
                } else {
                    Type::Borrow(resource, span)
                }
            }
            _ => {
                // `future`, `stream`, optionally with `<T>`.
                let payload = match self.eat(T::LessThan) {
                    Some(_) => {
                        let t = Box::new(self.ty(inner)?);
                        self.expect_close_angle()?;
                        Some(t)
                    }
                    None => None,
                };
                let span = self.span(start, self.prev_end);
                if kw == Kw::Future {
                    Type::Future(payload, span)
                } else {
                    Type::Stream(payload, span)
                }
            }
        };
        Ok(ty)
    }

    fn expect_open_angle(&mut self, form: &str) -> Result<()> {
        if self.eat(T::LessThan).is_some() {
            return Ok(());
        }
        let err = self.unexpected("`<`");
        Err(match self.peek_kind() {
            Some(T::Error) => err,
            _ => err.with_help(format!("write `{form}`")),
        })
    }

    fn expect_close_angle(&mut self) -> Result<()> {
        if self.eat(T::GreaterThan).is_some() {
            return Ok(());
        }
        let err = self.unexpected("`>`");
        Err(match self.peek_kind() {
            Some(T::Comma) => err.with_help("too many type arguments"),
            _ => err,
        })
    }

    /// The `N` of `list<T, N>`.
    fn list_length(&mut self) -> Result<u32> {
        let Some(tok) = self.eat(T::Integer) else {
            let err = self.unexpected("a list length");
            return Err(match self.peek_kind() {
                Some(T::Error) => err,
                _ => {
                    err.with_help("a fixed-length list is written `list<T, N>` with `N` an integer")
                }
            });
        };
        let text = self.text_of(tok);
        text.parse::<u32>().map_err(|_| {
            Error::parse(
                self.tok_span(tok),
                format!("invalid list length `{text}`: it must fit in a `u32`"),
            )
        })
    }
}

fn no_docs<'a>() -> Docs<'a> {
    Docs {
        comments: Vec::new(),
        span: Span::UNKNOWN,
    }
}

fn is_typedef_keyword(k: Kw) -> bool {
    matches!(
        k,
        Kw::Type | Kw::Record | Kw::Flags | Kw::Variant | Kw::Enum | Kw::Resource
    )
}

/// How an expected token kind is named: `` `;` ``, `` `func` ``.
fn expected_name(kind: T) -> String {
    match kind {
        T::Keyword(k) => format!("`{k}`"),
        kind => kind.describe().to_string(),
    }
}

#[cfg(test)]
mod tests;
