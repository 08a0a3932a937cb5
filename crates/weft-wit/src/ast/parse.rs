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
        self.span(tok.start, tok.end)
    }

    fn text_of(&self, tok: Token) -> &'a str {
        &self.text[tok.start..tok.end]
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
        self.prev_end = tok.end;
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
        let mut end = first.end;
        let part = |t: Option<&Token>, end: usize| {
            t.filter(|t| t.start == end)
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
                end = t.end;
                continue;
            }
            match self.tokens.get(self.pos) {
                Some(dot) if dot.kind == T::Period && dot.start == end => {
                    match part(self.tokens.get(self.pos + 1), dot.end).filter(|t| t.kind != T::Plus)
                    {
                        Some(t) => {
                            self.pos += 2;
                            end = t.end;
                        }
                        None => break,
                    }
                }
                _ => break,
            }
        }
        self.prev_end = end;
        let span = self.span(first.start, end);
        let text = &self.text[first.start..end];
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
                        span: self.span(at.start, self.prev_end),
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
                        span: self.span(at.start, self.prev_end),
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
                        span: self.span(at.start, self.prev_end),
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
            let span = self.span(kw.start, self.prev_end);
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
            span: self.span(kw.start, self.prev_end),
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
            span: self.span(kw.start, self.prev_end),
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
            span: self.span(kw.start, self.prev_end),
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
        let start = self.peek().map_or(self.text.len(), |t| t.start);
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
            span: self.span(kw.start, self.prev_end),
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
                    span: self.span(kw.start, self.prev_end),
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
            span: self.span(kw.start, self.prev_end),
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
            span: self.span(kw.start, self.prev_end),
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
        let start = tok.start;
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
mod tests {
    use std::fmt::Write as _;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::SourceMap;

    // ---- a compact rendering of the tree, for table tests --------------------------------

    /// Parses `text` and renders the tree compactly, or the error as `error L:C: message`
    /// (plus `help: …`).
    fn render(text: &str) -> String {
        let mut map = SourceMap::default();
        let offset = map.push("t.wit", text);
        match parse_file(text, offset) {
            Ok(file) => {
                let mut out = String::new();
                Dump(&mut out).file(&file);
                out.trim_end().to_string()
            }
            Err(e) => {
                let loc = map.location(e.span());
                let loc = loc.strip_prefix("t.wit:").unwrap_or(&loc);
                let mut out = format!("error {loc}: {}", e.message());
                if let Some(help) = e.help() {
                    write!(out, " help: {help}").unwrap();
                }
                out
            }
        }
    }

    #[track_caller]
    fn check(text: &str, expected: &str) {
        let actual = render(text);
        assert_eq!(actual, expected.trim(), "input:\n{text}");
    }

    struct Dump<'o>(&'o mut String);

    impl Dump<'_> {
        fn w(&mut self, s: &str) {
            self.0.push_str(s);
        }

        fn file(&mut self, f: &File<'_>) {
            if let Some(p) = &f.package {
                self.docs(&p.docs);
                self.w("package ");
                self.pkg(&p.name);
                self.w(";\n");
            }
            for item in &f.items {
                self.item(item);
                self.w("\n");
            }
            for n in &f.nested {
                self.docs(&n.decl.docs);
                self.w("package ");
                self.pkg(&n.decl.name);
                self.w(" {");
                for item in &n.items {
                    self.w(" ");
                    self.item(item);
                }
                self.trailing(&n.trailing);
                self.w(" }\n");
            }
            if !f.trailing.comments.is_empty() {
                write!(self.0, "trailing{:?}", f.trailing.comments).unwrap();
            }
        }

        fn docs(&mut self, d: &Docs<'_>) {
            if !d.comments.is_empty() {
                write!(self.0, "docs{:?} ", d.comments).unwrap();
            }
        }

        fn trailing(&mut self, d: &Docs<'_>) {
            if !d.comments.is_empty() {
                write!(self.0, " trailing{:?}", d.comments).unwrap();
            }
        }

        fn attrs(&mut self, attrs: &[Attribute<'_>]) {
            for a in attrs {
                match a {
                    Attribute::Since { version, .. } => write!(self.0, "@since({version}) "),
                    Attribute::Unstable { feature, .. } => {
                        write!(self.0, "@unstable({}) ", feature.name)
                    }
                    Attribute::Deprecated { version, .. } => {
                        write!(self.0, "@deprecated({version}) ")
                    }
                }
                .unwrap();
            }
        }

        fn pkg(&mut self, p: &PackageName<'_>) {
            write!(self.0, "{}:{}", p.namespace.name, p.name.name).unwrap();
            if let Some((_, v)) = &p.version {
                write!(self.0, "@{v}").unwrap();
            }
        }

        fn path(&mut self, p: &UsePath<'_>) {
            match p {
                UsePath::Id(id) => self.w(id.name),
                UsePath::Package { id, name } => {
                    write!(
                        self.0,
                        "{}:{}/{}",
                        id.namespace.name, id.name.name, name.name
                    )
                    .unwrap();
                    if let Some((_, v)) = &id.version {
                        write!(self.0, "@{v}").unwrap();
                    }
                }
            }
        }

        fn item(&mut self, item: &Item<'_>) {
            match item {
                Item::Interface(i) => {
                    self.docs(&i.docs);
                    self.attrs(&i.attributes);
                    write!(self.0, "interface {} {{", i.name.name).unwrap();
                    self.iface_items(&i.items);
                    self.trailing(&i.trailing);
                    self.w(" }");
                }
                Item::World(w) => {
                    self.docs(&w.docs);
                    self.attrs(&w.attributes);
                    write!(self.0, "world {} {{", w.name.name).unwrap();
                    for item in &w.items {
                        self.w(" ");
                        self.world_item(item);
                    }
                    self.trailing(&w.trailing);
                    self.w(" }");
                }
                Item::Use(u) => {
                    self.docs(&u.docs);
                    self.attrs(&u.attributes);
                    self.w("use ");
                    self.path(&u.item);
                    if let Some(a) = &u.as_ {
                        write!(self.0, " as {}", a.name).unwrap();
                    }
                    self.w(";");
                }
            }
        }

        fn iface_items(&mut self, items: &[InterfaceItem<'_>]) {
            for item in items {
                self.w(" ");
                match item {
                    InterfaceItem::TypeDef(t) => self.typedef(t),
                    InterfaceItem::Func(f) => self.named_func(f, ""),
                    InterfaceItem::Use(u) => self.use_(u),
                }
            }
        }

        fn use_(&mut self, u: &Use<'_>) {
            self.docs(&u.docs);
            self.attrs(&u.attributes);
            self.w("use ");
            self.path(&u.from);
            self.w(".{");
            for (i, n) in u.names.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.w(n.name.name);
                if let Some(a) = &n.as_ {
                    write!(self.0, " as {}", a.name).unwrap();
                }
            }
            self.w("};");
        }

        fn world_item(&mut self, item: &WorldItem<'_>) {
            let (kw, e) = match item {
                WorldItem::Import(e) => ("import", e),
                WorldItem::Export(e) => ("export", e),
                WorldItem::Use(u) => return self.use_(u),
                WorldItem::Type(t) => return self.typedef(t),
                WorldItem::Include(i) => {
                    self.docs(&i.docs);
                    self.attrs(&i.attributes);
                    self.w("include ");
                    self.path(&i.from);
                    if !i.names.is_empty() {
                        self.w(" with {");
                        for (j, n) in i.names.iter().enumerate() {
                            self.w(if j > 0 { ", " } else { " " });
                            write!(self.0, "{} as {}", n.name.name, n.as_.name).unwrap();
                        }
                        self.w(" }");
                    }
                    return self.w(";");
                }
            };
            self.docs(&e.docs);
            self.attrs(&e.attributes);
            write!(self.0, "{kw} ").unwrap();
            match &e.kind {
                ExternKind::Interface {
                    name,
                    items,
                    trailing,
                } => {
                    write!(self.0, "{}: interface {{", name.name).unwrap();
                    self.iface_items(items);
                    self.trailing(trailing);
                    self.w(" }");
                }
                ExternKind::Path(p) => {
                    self.path(p);
                    self.w(";");
                }
                ExternKind::NamedPath { name, path } => {
                    write!(self.0, "{}: ", name.name).unwrap();
                    self.path(path);
                    self.w(";");
                }
                ExternKind::Func { name, func } => {
                    write!(self.0, "{}: ", name.name).unwrap();
                    self.func(func);
                    self.w(";");
                }
            }
        }

        fn named_func(&mut self, f: &NamedFunc<'_>, prefix: &str) {
            self.docs(&f.docs);
            self.attrs(&f.attributes);
            write!(self.0, "{}: {prefix}", f.name.name).unwrap();
            self.func(&f.func);
            self.w(";");
        }

        fn func(&mut self, f: &Func<'_>) {
            if f.is_async {
                self.w("async ");
            }
            self.w(match f.kind {
                FuncKind::Func => "func(",
                FuncKind::Getter => "get(",
                FuncKind::Setter => "set(",
            });
            self.params(&f.params);
            self.w(")");
            if let Some(r) = &f.result {
                self.w(" -> ");
                self.ty(r);
            }
        }

        fn params(&mut self, params: &[(Ident<'_>, Type<'_>)]) {
            for (i, (n, t)) in params.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                write!(self.0, "{}: ", n.name).unwrap();
                self.ty(t);
            }
        }

        fn typedef(&mut self, t: &TypeDef<'_>) {
            self.docs(&t.docs);
            self.attrs(&t.attributes);
            let name = t.name.name;
            match &t.body {
                TypeBody::Alias(ty) => {
                    write!(self.0, "type {name} = ").unwrap();
                    self.ty(ty);
                    self.w(";");
                }
                TypeBody::Record(fields, trailing) => {
                    write!(self.0, "record {name} {{").unwrap();
                    for f in fields {
                        self.w(" ");
                        self.docs(&f.docs);
                        write!(self.0, "{}: ", f.name.name).unwrap();
                        self.ty(&f.ty);
                        self.w(",");
                    }
                    self.trailing(trailing);
                    self.w(" }");
                }
                TypeBody::Flags(flags, trailing) => {
                    write!(self.0, "flags {name} {{").unwrap();
                    for f in flags {
                        self.w(" ");
                        self.docs(&f.docs);
                        write!(self.0, "{},", f.name.name).unwrap();
                    }
                    self.trailing(trailing);
                    self.w(" }");
                }
                TypeBody::Variant(cases, trailing) => {
                    write!(self.0, "variant {name} {{").unwrap();
                    for c in cases {
                        self.w(" ");
                        self.docs(&c.docs);
                        self.w(c.name.name);
                        if let Some(ty) = &c.ty {
                            self.w("(");
                            self.ty(ty);
                            self.w(")");
                        }
                        self.w(",");
                    }
                    self.trailing(trailing);
                    self.w(" }");
                }
                TypeBody::Enum(cases, trailing) => {
                    write!(self.0, "enum {name} {{").unwrap();
                    for c in cases {
                        self.w(" ");
                        self.docs(&c.docs);
                        write!(self.0, "{},", c.name.name).unwrap();
                    }
                    self.trailing(trailing);
                    self.w(" }");
                }
                TypeBody::Resource {
                    funcs,
                    braces,
                    trailing,
                } => {
                    write!(self.0, "resource {name}").unwrap();
                    if !braces {
                        return self.w(";");
                    }
                    self.w(" {");
                    for f in funcs {
                        self.w(" ");
                        match f {
                            ResourceFunc::Method(f) => self.named_func(f, ""),
                            ResourceFunc::Static(f) => self.named_func(f, "static "),
                            ResourceFunc::Constructor(f) => {
                                self.docs(&f.docs);
                                self.attrs(&f.attributes);
                                self.w("constructor(");
                                self.params(&f.func.params);
                                self.w(")");
                                if let Some(r) = &f.func.result {
                                    self.w(" -> ");
                                    self.ty(r);
                                }
                                self.w(";");
                            }
                        }
                    }
                    self.trailing(trailing);
                    self.w(" }");
                }
            }
        }

        fn ty(&mut self, t: &Type<'_>) {
            let simple = match t {
                Type::Bool(_) => "bool",
                Type::U8(_) => "u8",
                Type::U16(_) => "u16",
                Type::U32(_) => "u32",
                Type::U64(_) => "u64",
                Type::S8(_) => "s8",
                Type::S16(_) => "s16",
                Type::S32(_) => "s32",
                Type::S64(_) => "s64",
                Type::F32(_) => "f32",
                Type::F64(_) => "f64",
                Type::Char(_) => "char",
                Type::String(_) => "string",
                Type::ErrorContext(_) => "error-context",
                Type::Name(id) => id.name,
                _ => "",
            };
            self.w(simple);
            match t {
                Type::List(t, _) => self.generic("list", &[t]),
                Type::FixedLengthList(t, n, _) => {
                    self.w("list<");
                    self.ty(t);
                    write!(self.0, ", {n}>").unwrap();
                }
                Type::Map(k, v, _) => self.generic("map", &[k, v]),
                Type::Own(id, _) => write!(self.0, "own<{}>", id.name).unwrap(),
                Type::Borrow(id, _) => write!(self.0, "borrow<{}>", id.name).unwrap(),
                Type::Tuple(ts, _) => self.generic("tuple", &ts.iter().collect::<Vec<_>>()),
                Type::Option(t, _) => self.generic("option", &[t]),
                Type::Result { ok, err, .. } => {
                    self.w("result");
                    match (ok, err) {
                        (None, None) => {}
                        (Some(ok), None) => self.generic("", &[ok]),
                        (None, Some(err)) => {
                            self.w("<_, ");
                            self.ty(err);
                            self.w(">");
                        }
                        (Some(ok), Some(err)) => self.generic("", &[ok, err]),
                    }
                }
                Type::Future(p, _) | Type::Stream(p, _) => {
                    self.w(if matches!(t, Type::Future(..)) {
                        "future"
                    } else {
                        "stream"
                    });
                    if let Some(p) = p {
                        self.generic("", &[p]);
                    }
                }
                _ => {}
            }
        }

        fn generic(&mut self, name: &str, args: &[&Type<'_>]) {
            write!(self.0, "{name}<").unwrap();
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.ty(a);
            }
            self.w(">");
        }
    }

    // ---- valid syntax -------------------------------------------------------------------

    #[test]
    fn packages() {
        check("", "");
        check("package a:b;", "package a:b;");
        check("package a:b@1.2.3;", "package a:b@1.2.3;");
        check(
            "package a:b@1.0.0-rc.1+build.5;",
            "package a:b@1.0.0-rc.1+build.5;",
        );
        check("package a:b@1.0.0-alpha-2;", "package a:b@1.0.0-alpha-2;");
        check("package a:b@1.0.0-Rc1;", "package a:b@1.0.0-Rc1;");
        check("package %interface:%world;", "package interface:world;");
        check("package a-b:c-d { }", "package a-b:c-d { }");
        check(
            "package a:b; package c:d { interface i {} } package e:f@2.0.0 { world w {} }",
            "package a:b;\npackage c:d { interface i { } }\npackage e:f@2.0.0 { world w { } }",
        );
        check(
            "interface i {} package c:d {}",
            "interface i { }\npackage c:d { }",
        );
        check("\u{feff}package a:b;", "package a:b;");
    }

    #[test]
    fn toplevel_use() {
        check("use foo;", "use foo;");
        check("use foo as bar;", "use foo as bar;");
        check("use a:b/c;", "use a:b/c;");
        check("use a:b/c@1.0.0 as d;", "use a:b/c@1.0.0 as d;");
        check(
            "package x:y { use a:b/c@0.2.0-rc-2023-11-10; }",
            "package x:y { use a:b/c@0.2.0-rc-2023-11-10; }",
        );
    }

    #[test]
    fn interface_types() {
        check(
            "interface i { type a = u32; type b = list<a>; type c = option<tuple<s8, s16, s32, s64>>; }",
            "interface i { type a = u32; type b = list<a>; type c = option<tuple<s8, s16, s32, s64>>; }",
        );
        check(
            "interface i { type t = tuple<u8, u16, u32, u64, f32, f64, char, bool, string, error-context>; }",
            "interface i { type t = tuple<u8, u16, u32, u64, f32, f64, char, bool, string, error-context>; }",
        );
        check(
            "interface i { type a = result; type b = result<u8>; type c = result<_, u8>; type d = result<u8, string>; }",
            "interface i { type a = result; type b = result<u8>; type c = result<_, u8>; type d = result<u8, string>; }",
        );
        check(
            "interface i { type a = future; type b = future<u8>; type c = stream; type d = stream<list<u8>>; }",
            "interface i { type a = future; type b = future<u8>; type c = stream; type d = stream<list<u8>>; }",
        );
        check(
            "interface i { type a = list<u8, 4>; type b = map<string, list<u8>>; type c = own<r>; type d = borrow<r>; }",
            "interface i { type a = list<u8, 4>; type b = map<string, list<u8>>; type c = own<r>; type d = borrow<r>; }",
        );
        check(
            "interface i { type t = tuple<>; type u = tuple<u8,>; }",
            "interface i { type t = tuple<>; type u = tuple<u8>; }",
        );
        check(
            "interface i { type t = list<list<list<u8>>>; }",
            "interface i { type t = list<list<list<u8>>>; }",
        );
        check(
            "interface i { type %type = %list; }",
            "interface i { type type = list; }",
        );
        check(
            "interface i { type get = set; }",
            "interface i { type get = set; }",
        );
    }

    #[test]
    fn interface_defs() {
        check(
            "interface i { record r { a: u32, b: string, } flags f { x, y } variant v { a, b(u8), } enum e { one, two } }",
            "interface i { record r { a: u32, b: string, } flags f { x, y, } variant v { a, b(u8), } enum e { one, two, } }",
        );
        check(
            "interface i { record r {} flags f {} enum e {} variant v {} }",
            "interface i { record r { } flags f { } enum e { } variant v { } }",
        );
        check(
            "interface i { variant v { a(tuple<u8, u8>) } }",
            "interface i { variant v { a(tuple<u8, u8>), } }",
        );
    }

    #[test]
    fn functions() {
        check("interface i { f: func(); }", "interface i { f: func(); }");
        check(
            "interface i { f: func(a: u32, b: list<string>,) -> result<_, e>; }",
            "interface i { f: func(a: u32, b: list<string>) -> result<_, e>; }",
        );
        check(
            "interface i { f: async func() -> stream<u8>; }",
            "interface i { f: async func() -> stream<u8>; }",
        );
        check(
            "interface i { p: get() -> u32; p: set(value: u32); }",
            "interface i { p: get() -> u32; p: set(value: u32); }",
        );
        check(
            "interface i { p: set(v: u32) -> result<_, e>; }",
            "interface i { p: set(v: u32) -> result<_, e>; }",
        );
        check(
            "interface i { %func: func(%type: u32); }",
            "interface i { func: func(type: u32); }",
        );
        check(
            "interface i { get: func(); set: func(get: get); }",
            "interface i { get: func(); set: func(get: get); }",
        );
    }

    #[test]
    fn resources() {
        check("interface i { resource r; }", "interface i { resource r; }");
        check(
            "interface i { resource r {} }",
            "interface i { resource r { } }",
        );
        check(
            "interface i { resource r { constructor(a: u32); m: func(); s: static func() -> r; m2: async func(); s2: static async func(); } }",
            "interface i { resource r { constructor(a: u32); m: func(); s: static func() -> r; m2: async func(); s2: static async func(); } }",
        );
        check(
            "interface i { resource r { constructor() -> result<r, e>; p: get() -> u32; p: set(v: u32); q: static get() -> u32; q: static set(v: u32); } }",
            "interface i { resource r { constructor() -> result<r, e>; p: get() -> u32; p: set(v: u32); q: static get() -> u32; q: static set(v: u32); } }",
        );
    }

    #[test]
    fn uses() {
        check(
            "interface i { use j.{a, b as c}; }",
            "interface i { use j.{a, b as c}; }",
        );
        check(
            "interface i { use j.{a,}; use j.{}; }",
            "interface i { use j.{a}; use j.{}; }",
        );
        check(
            "interface i { use a:b/c@1.0.0.{x}; }",
            "interface i { use a:b/c@1.0.0.{x}; }",
        );
        check(
            "interface i { use a:b/c@1.0.0-pre.{x}; }",
            "interface i { use a:b/c@1.0.0-pre.{x}; }",
        );
        check(
            "world w { use a:b/c.{x as y}; }",
            "world w { use a:b/c.{x as y}; }",
        );
    }

    #[test]
    fn worlds() {
        check(
            "world w { import a; export a:b/c; import a:b/c@1.0.0; export d: func(); import e: async func(x: u8) -> u8; }",
            "world w { import a; export a:b/c; import a:b/c@1.0.0; export d: func(); import e: async func(x: u8) -> u8; }",
        );
        check(
            "world w { import p: get() -> u32; export p: set(v: u32); }",
            "world w { import p: get() -> u32; export p: set(v: u32); }",
        );
        check(
            "world w { import x: interface { f: func(); type t = u8; use i.{t}; } export y: interface {} }",
            "world w { import x: interface { f: func(); type t = u8; use i.{t}; } export y: interface { } }",
        );
        check(
            "world w { import label: local-iface; export other: a:b/c@1.0.0; import %func: i; }",
            "world w { import label: local-iface; export other: a:b/c@1.0.0; import func: i; }",
        );
        check(
            "world w { type t = u8; record r { a: u8 } flags f { a } variant v { a } enum e { a } resource x; }",
            "world w { type t = u8; record r { a: u8, } flags f { a, } variant v { a, } enum e { a, } resource x; }",
        );
        check(
            "world w { include a; include a:b/c@1.0.0 with { a as b, c as d } include e with { f as g }; include h with {} }",
            "world w { include a; include a:b/c@1.0.0 with { a as b, c as d }; include e with { f as g }; include h; }",
        );
    }

    #[test]
    fn attributes() {
        check(
            "@since(version = 1.0.0) interface i { @unstable(feature = fancy) f: func(); @deprecated(version = 2.0.0) @since(version = 1.0.0) type t = u8; }",
            "@since(1.0.0) interface i { @unstable(fancy) f: func(); @deprecated(2.0.0) @since(1.0.0) type t = u8; }",
        );
        check(
            "@since(version = 1.2.3, feature = x) world w {}",
            "@since(1.2.3) world w { }",
        );
        check(
            "@since(version = 1.2.3,) world w {}",
            "@since(1.2.3) world w { }",
        );
        check(
            "world w { @since(version = 0.2.0) import a; @unstable(feature = f) include b; @since(version = 1.0.0) use i.{x}; }",
            "world w { @since(0.2.0) import a; @unstable(f) include b; @since(1.0.0) use i.{x}; }",
        );
        check(
            "@unstable(feature = x) use a:b/c;",
            "@unstable(x) use a:b/c;",
        );
        check(
            "interface i { resource r { @since(version = 1.0.0) constructor(); @unstable(feature = f) m: func(); } }",
            "interface i { resource r { @since(1.0.0) constructor(); @unstable(f) m: func(); } }",
        );
        check(
            "@since ( version = 1.0.0 ) interface i {}",
            "@since(1.0.0) interface i { }",
        );
    }

    #[test]
    fn docs() {
        check(
            "/// a\n/// b\npackage a:b;",
            r#"docs["/// a", "/// b"] package a:b;"#,
        );
        check("// a\r\npackage a:b;\r\n", r#"docs["// a"] package a:b;"#);
        check(
            "/** x */ /* y */ // z\ninterface i {}",
            r#"docs["/** x */", "/* y */", "// z"] interface i { }"#,
        );
        check(
            "/* a /* b */ c */ world w {}",
            r#"docs["/* a /* b */ c */"] world w { }"#,
        );
        check(
            "/// pkg\npackage a:b;\n/// iface\ninterface i {}",
            "docs[\"/// pkg\"] package a:b;\ndocs[\"/// iface\"] interface i { }",
        );
        // Docs go before attributes; comments between attributes and the item are dropped.
        check(
            "interface i {\n  /// d\n  @since(version = 1.0.0)\n  // dropped\n  f: func(); // next\n}",
            r#"interface i { docs["/// d"] @since(1.0.0) f: func(); trailing["// next"] }"#,
        );
        check(
            "interface i { record r { /// a\n a: u32, // b\n b: u32 // t\n } }",
            r#"interface i { record r { docs["/// a"] a: u32, docs["// b"] b: u32, trailing["// t"] } }"#,
        );
        check(
            "interface i { enum e { // x\n a, /* y */ } flags f { /// z\n a } variant v { /// w\n a(u8) } }",
            r#"interface i { enum e { docs["// x"] a, trailing["/* y */"] } flags f { docs["/// z"] a, } variant v { docs["/// w"] a(u8), } }"#,
        );
        check(
            "interface i { resource r { /// c\n constructor(); /// m\n m: func(); // end\n } }",
            r#"interface i { resource r { docs["/// c"] constructor(); docs["/// m"] m: func(); trailing["// end"] } }"#,
        );
        check(
            "world w { /// imp\n import a; /// exp\n export b: interface { /// f\n f: func(); // t\n } // w\n}",
            r#"world w { docs["/// imp"] import a; docs["/// exp"] export b: interface { docs["/// f"] f: func(); trailing["// t"] } trailing["// w"] }"#,
        );
        check(
            "world w { /// inc\n include a; /// use\n use i.{x}; /// ty\n type t = u8; }",
            r#"world w { docs["/// inc"] include a; docs["/// use"] use i.{x}; docs["/// ty"] type t = u8; }"#,
        );
        // Comments inside a signature or a type are dropped.
        check(
            "interface i { f: func(/* a */ a: u32 /* b */) -> /* c */ u32; }",
            "interface i { f: func(a: u32) -> u32; }",
        );
        check(
            "package a:b { /// n\n interface i {} // t\n } // end\n",
            "package a:b { docs[\"/// n\"] interface i { } trailing[\"// t\"] }\ntrailing[\"// end\"]",
        );
        check("/// p\npackage x:y {}", r#"docs["/// p"] package x:y { }"#);
        check("// only a comment", r#"trailing["// only a comment"]"#);
        check("package a:b; // end", "package a:b;\ntrailing[\"// end\"]");
        check(
            "/// d\n/* */ use a:b/c;",
            r#"docs["/// d", "/* */"] use a:b/c;"#,
        );
    }

    #[test]
    fn whitespace_and_unicode() {
        check(
            "package a:b;\r\ninterface i {\r\n\ttype t = u8;\r\n}\r\n",
            "package a:b;\ninterface i { type t = u8; }",
        );
        check(
            "// héllo wörld ☃\ninterface i {}",
            r#"docs["// héllo wörld ☃"] interface i { }"#,
        );
        check(
            "/* ☃ /* 東京 */ */ world w {}",
            r#"docs["/* ☃ /* 東京 */ */"] world w { }"#,
        );
        check(
            "interface i { type t = u8; }   \n\n",
            "interface i { type t = u8; }",
        );
    }

    #[test]
    fn identifiers() {
        check("interface a0-b1-C2 {}", "interface a0-b1-C2 { }");
        check("interface apple-0 {}", "interface apple-0 { }");
        check("interface ENOENT-X {}", "interface ENOENT-X { }");
        check("interface is-XML {}", "interface is-XML { }");
    }

    // ---- errors ----------------------------------------------------------------------------

    #[test]
    fn identifier_errors() {
        check("interface Foo {}", "error 1:11: identifier `Foo` mixes upper and lower case in the word `Foo` help: identifiers are kebab-case (lower- or upper-case words joined by `-`): try `foo`");
        check("interface foo_bar {}", "error 1:11: invalid character `_` in identifier `foo_bar` help: identifiers are kebab-case (lower- or upper-case words joined by `-`): try `foo-bar`");
        check("interface foo- {}", "error 1:11: identifier `foo-` has an empty word between `-`s help: identifiers are words joined by single `-`s, e.g. `foo-bar`");
        check("interface a--b {}", "error 1:11: identifier `a--b` has an empty word between `-`s help: identifiers are words joined by single `-`s, e.g. `foo-bar`");
        check("interface %0a {}", "error 1:11: identifier `0a` must start with a letter help: identifiers are kebab-case: words of ASCII letters and digits joined by `-`, each word all lower case or all upper case");
        check(
            "interface % {}",
            "error 1:11: expected an identifier after `%`",
        );
        check("interface garçon {}", "error 1:11: invalid character `ç` in identifier `garçon` help: identifiers are kebab-case: words of ASCII letters and digits joined by `-`, each word all lower case or all upper case");
        check("interface i { type t = String; }", "error 1:24: identifier `String` mixes upper and lower case in the word `String` help: did you mean `string`?");
        check(
            "interface i { type t = u_int32; }",
            "error 1:24: invalid character `_` in identifier `u_int32` help: did you mean `u32`?",
        );
        check("interface i { type t = Float32; }", "error 1:24: identifier `Float32` mixes upper and lower case in the word `Float32` help: `float32` was renamed to `f32`");
        check("interface type {}", "error 1:11: expected an identifier, found keyword `type` help: `type` is a keyword; write `%type` to use it as a name");
        check("interface i { type option = u32; }", "error 1:20: expected an identifier, found keyword `option` help: `option` is a keyword; write `%option` to use it as a name");
    }

    #[test]
    fn lex_errors() {
        check("interface i { $ }", "error 1:15: unexpected character `$`");
        check("interface i {} /* a /* b", "error 1:16: unterminated block comment help: block comments nest: 2 `/*` are still open at the end of the file");
        check(
            "interface i {} /* a /* b */",
            "error 1:16: unterminated block comment help: end the comment with `*/`",
        );
        check(
            "/* a",
            "error 1:1: unterminated block comment help: end the comment with `*/`",
        );
        check(
            "interface i {}\n\u{202e}",
            "error 2:1: bidirectional override character `\\u{202e}` is not allowed",
        );
        check(
            "interface i {\u{0}}",
            "error 1:14: control character `\\u{0}` is not allowed",
        );
        check(
            "// \u{7}\ninterface i {}",
            "error 1:4: control character `\\u{7}` is not allowed",
        );
        check("interface i { \u{feff} }", "error 1:15: unexpected character `\\u{feff}` help: a byte-order mark is only allowed at the start of a file");
        check("interface \"x", "error 1:11: unterminated string literal");
        check(
            "interface i { \"a\\qb\" }",
            "error 1:17: invalid string escape `\\q`",
        );
        check("interface i { \"a\" }", "error 1:15: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found a string literal");
        // A syntax error before a bad character is reported first, as wit-parser does.
        check(
            "interface { $",
            "error 1:11: expected an identifier, found `{`",
        );
    }

    #[test]
    fn syntax_errors() {
        check(
            "interface i { type t = u32 }",
            "error 1:28: expected `;`, found `}` help: add `;` at the end of the previous item",
        );
        check(
            "interface i { abcd }",
            "error 1:20: expected `:`, found `}`",
        );
        check(
            "interface i { f func(); }",
            "error 1:17: expected `:`, found keyword `func` help: write `name: func(…)`",
        );
        check(
            "interface i { f: fun(); }",
            "error 1:18: expected `func`, found identifier `fun`",
        );
        check("interface i { f: func() -> (a: u32); }", "error 1:28: expected a type, found `(` help: functions return at most one type; return a `tuple<…>` or a `record` for several values");
        check(
            "interface i { f: func(a); }",
            "error 1:24: expected `:`, found `)` help: parameters are `name: type`, e.g. `a: u32`",
        );
        check(
            "interface i { f: func(a: u32 b: u32); }",
            "error 1:30: expected `,` or `)`, found identifier `b`",
        );
        check(
            "interface i { p: async get() -> u32; }",
            "error 1:24: expected `func`, found identifier `get` help: accessors cannot be `async`",
        );
        check("interface i { f: static func(); }", "error 1:18: expected `func`, found keyword `static` help: `static` functions are only allowed in a `resource`");
        check("interface i { func f(); }", "error 1:15: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found keyword `func` help: functions are declared as `name: func(params) -> result;`");
        check("interface i { import a; }", "error 1:15: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found keyword `import` help: imports, exports and includes belong in a `world`");
        check("interface i { type t = u8;; }", "error 1:27: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found `;` help: remove this `;`");
        check("interface i {", "error 1:14: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found end of file");
        check("interface i { type t = u8; ", "error 1:28: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found end of file");
        check("interface i { type t { a: u8 } }", "error 1:22: expected `=`, found `{` help: `type` defines an alias (`type x = u32;`); use `record`, `variant`, `enum` or `flags` for new types");
        check(
            "interface i { record r = { } }",
            "error 1:24: expected `{`, found `=` help: write `record name { … }` without `=`",
        );
        check(
            "interface i { record r { a: u32 b: u32 } }",
            "error 1:33: expected `,` or `}`, found identifier `b`",
        );
        check(
            "interface i { record r { @since(version = 1.0.0) a: u32 } }",
            "error 1:26: expected an identifier, found `@`",
        );
        check(
            "interface i { variant v { a(u8, u8) } }",
            "error 1:31: expected `)`, found `,`",
        );
        check("interface i { use j; }", "error 1:20: expected `.`, found `;` help: inside an interface or world, `use` names types: `use iface.{a, b as c};`");
        check(
            "interface i { use j.{a b}; }",
            "error 1:24: expected `,` or `}`, found identifier `b`",
        );
        check("interface i { use a:b:c/d.{x}; }", "error 1:22: expected `/`, found `:` help: nested package namespaces (`a:b:c`) are not supported");
        check("interface i { use a:b/c/d.{x}; }", "error 1:24: nested interface paths are not supported help: a path names one item: `namespace:package/name`");
        check("interface i { use a:b.{x}; }", "error 1:22: expected `/`, found `.` help: a path to another package's item is `a:b/name`");
        check("world w { f: func(); }", "error 1:11: expected `import`, `export`, `include`, `use` or a type definition, found identifier `f` help: functions in a world are imported or exported: `import name: func(…);`");
        check(
            "world w { import a }",
            "error 1:20: expected `;`, found `}` help: add `;` at the end of the previous item",
        );
        check("world w { import x: interface { }; }", "error 1:34: expected `import`, `export`, `include`, `use` or a type definition, found `;` help: remove this `;`");
        check("world w { import x: static func(); }", "error 1:21: expected `func`, `interface` or an interface name, found keyword `static` help: `static` functions are only allowed in a `resource`");
        check(
            "world w { include a with { b } }",
            "error 1:30: expected `as`, found `}` help: write `b as new-name`",
        );
        check("world w { include a with { a:b/c as d } }", "error 1:29: expected `as`, found `:` help: `with` renames plain names of the included world, not interfaces");
        check("world w { interface i {} }", "error 1:11: expected `import`, `export`, `include`, `use` or a type definition, found keyword `interface` help: interfaces and worlds cannot be nested; close this one with `}` first");
        check("type t = u8;", "error 1:1: expected `interface`, `world`, `use` or `package`, found keyword `type` help: types and functions must be inside an `interface` or `world`");
        check("f: func();", "error 1:1: expected `interface`, `world`, `use` or `package`, found identifier `f` help: functions and types must be inside an `interface` or `world`");
        check("import a;", "error 1:1: expected `interface`, `world`, `use` or `package`, found keyword `import` help: imports, exports and includes must be inside a `world`");
        check("use a.{b};", "error 1:6: expected `;`, found `.` help: `use path.{names};` is only allowed inside an interface or world");
        check("use a", "error 1:6: expected `;`, found end of file help: add `;` at the end of the previous item");
    }

    #[test]
    fn type_errors() {
        check(
            "interface i { type t = list<u32; }",
            "error 1:32: expected `>`, found `;`",
        );
        check("interface i { type t = list<u32,>; }", "error 1:33: expected a list length, found `>` help: a fixed-length list is written `list<T, N>` with `N` an integer");
        check("interface i { type t = list<u32, u32>; }", "error 1:34: expected a list length, found keyword `u32` help: a fixed-length list is written `list<T, N>` with `N` an integer");
        check(
            "interface i { type t = list<u8, 99999999999>; }",
            "error 1:33: invalid list length `99999999999`: it must fit in a `u32`",
        );
        check(
            "interface i { type t = list; }",
            "error 1:28: expected `<`, found `;` help: write `list<T>`",
        );
        check(
            "interface i { type t = option<u8, u8>; }",
            "error 1:33: expected `>`, found `,` help: too many type arguments",
        );
        check("interface i { type t = map<u8>; }", "error 1:30: expected `,`, found `>` help: a map has a key and a value type: `map<K, V>`");
        check("interface i { type t = result<_>; }", "error 1:32: expected `,`, found `>` help: a result with no payloads is written `result`");
        check(
            "interface i { type t = result<u8, u8, u8>; }",
            "error 1:37: expected `>`, found `,` help: too many type arguments",
        );
        check("interface i { type t = borrow<u32>; }", "error 1:31: expected an identifier, found keyword `u32` help: `u32` is a keyword; write `%u32` to use it as a name");
        check(
            "interface i { type t = own; }",
            "error 1:27: expected `<`, found `;` help: write `own<resource>`",
        );
        check("interface i { type t = func; }", "error 1:24: expected a type, found keyword `func` help: function types cannot be named; declare `name: func(…);` instead");
        check("interface i { type t = _; }", "error 1:24: expected a type, found keyword `_` help: `_` is only allowed as the first argument of `result<_, E>`");
        check(
            "interface i { type t = ; }",
            "error 1:24: expected a type, found `;`",
        );
        check(
            "interface i { type t = 5; }",
            "error 1:24: expected a type, found integer `5`",
        );
        check(
            "interface i { type t = ",
            "error 1:24: expected a type, found end of file",
        );
    }

    #[test]
    fn resource_errors() {
        check("interface i { resource r }", "error 1:26: expected `;` or `{`, found `}` help: write `resource name;` or `resource name { … }`");
        check("interface i { resource r { async constructor(); } }", "error 1:28: expected `constructor` or a method name, found keyword `async` help: constructors cannot be `async`");
        check("interface i { resource r { m: async static func(); } }", "error 1:37: expected `func`, found keyword `static` help: write `static async func(…)`");
        check("interface i { resource r { static m: func(); } }", "error 1:28: expected `constructor` or a method name, found keyword `static` help: methods are declared as `name: func(…);` or `name: static func(…);`");
        check(
            "interface i { resource r { interface } }",
            "error 1:28: expected `constructor` or a method name, found keyword `interface`",
        );
        check(
            "interface i { resource r { constructor() } }",
            "error 1:42: expected `;`, found `}` help: add `;` at the end of the previous item",
        );
    }

    #[test]
    fn attribute_errors() {
        check(
            "@since interface i {}",
            "error 1:8: expected `(`, found keyword `interface`",
        );
        check(
            "@since(feature = foo, version = 1.0.0) interface i {}",
            "error 1:8: expected `version`, found `feature`",
        );
        check(
            "@deprecated() interface i {}",
            "error 1:13: expected an identifier, found `)`",
        );
        check("@since(version = 1.0) interface i {}", "error 1:18: invalid version `1.0`: unexpected end of input while parsing minor version number help: versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`");
        check("@since(version = x) interface i {}", "error 1:18: expected a version, found identifier `x` help: versions are semver, e.g. `1.0.0`");
        check(
            "@unstable(feature = 1) interface i {}",
            "error 1:21: expected an identifier, found integer `1`",
        );
        check("@foo interface i {}", "error 1:2: unknown attribute `@foo` help: known attributes are `@since`, `@unstable` and `@deprecated`");
        check(
            "@external-id(\"x\") interface i {}",
            "error 1:2: the `@external-id` attribute is not supported yet",
        );
        check("interface i { @since(version = 1.0.0) }", "error 1:39: expected `type`, `record`, `variant`, `enum`, `flags`, `resource`, `use` or a function name, found `}`");
    }

    #[test]
    fn package_errors() {
        check("package a;", "error 1:10: expected `:`, found `;` help: package names have a namespace: `namespace:a`");
        check("package a:b:c;", "error 1:12: nested package namespaces are not supported help: a package name has exactly one `:`, as in `namespace:name`");
        check("package a:b@1.0;", "error 1:13: invalid version `1.0`: unexpected end of input while parsing minor version number help: versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`");
        check("package a:b@01.0.0;", "error 1:13: invalid version `01.0.0`: invalid leading zero in major version number help: versions are semver: `major.minor.patch`, optionally with `-pre` and `+build`");
        check(
            "package a:b@;",
            "error 1:13: expected a version, found `;` help: versions are semver, e.g. `1.0.0`",
        );
        check("package a:b", "error 1:12: expected `{`, found end of file");
        check(
            "package a:b;\ninterface i {}\npackage c:d;",
            "error 3:12: expected `{`, found `;` help: `package a:b;` is only allowed once, before any item; declare further packages as `package a:b { … }`",
        );
        check(
            "package a:b { interface i {}",
            "error 1:29: expected `}`, found end of file",
        );
        check("package a:b { type t = u8; }", "error 1:15: expected `interface`, `world`, `use` or `}`, found keyword `type` help: types and functions must be inside an `interface` or `world`");
        check(
            "@since(version = 1.0.0) package a:b {}",
            "error 1:25: cannot place attributes on nested packages",
        );
        check(
            "@since(version = 1.0.0) package a:b;",
            "error 1:25: cannot place attributes on nested packages",
        );
        check(
            "package a:b {\n  package c:d {\n    package e:f {}\n  }\n  package g:h {}\n}",
            "error 2:11: nested packages must be placed at the top-level help: `package a:b { … }` blocks cannot contain other packages",
        );
        // A syntax error anywhere wins over the nesting error.
        check(
            "package a:b { package c:d {} }\ninterface {",
            "error 2:11: expected an identifier, found `{`",
        );
    }

    #[test]
    fn nesting_limits() {
        let deep = |n: usize| {
            format!(
                "interface i {{ type t = {}u8{}; }}",
                "list<".repeat(n),
                ">".repeat(n)
            )
        };
        assert!(render(&deep(99)).starts_with("interface i"));
        check(
            &deep(100),
            "error 1:524: type nesting too deep help: types may nest at most 100 deep",
        );
        check(
            &deep(101),
            "error 1:524: type nesting too deep help: types may nest at most 100 deep",
        );
        assert!(render(&deep(100_000)).starts_with("error 1:524: type nesting too deep"));
        let tuple = format!(
            "interface i {{ type t = {}u8{}; }}",
            "tuple<".repeat(5000),
            ">".repeat(5000)
        );
        assert!(render(&tuple).contains("type nesting too deep"));

        let pkgs = |n: usize| format!("{}{}", "package a:b {\n".repeat(n), "}\n".repeat(n));
        assert!(render(&pkgs(100))
            .starts_with("error 2:9: nested packages must be placed at the top-level"));
        check(&pkgs(101), "error 101:1: package nesting too deep help: `package` blocks may nest at most 100 deep");
        assert!(render(&pkgs(100_000)).starts_with("error 101:1: package nesting too deep"));

        let comments = format!("{}{}", "/*".repeat(50_000), "*/".repeat(50_000));
        check(
            &format!("{comments} world w {{}}"),
            &format!("docs[{comments:?}] world w {{ }}"),
        );
        assert!(render(&"/*".repeat(50_000)).starts_with("error 1:1: unterminated block comment"));
    }

    #[test]
    fn long_lines_and_odd_input() {
        let long = format!("interface i {{ type t{} = u8; }}", "-a".repeat(200_000));
        assert!(render(&long).starts_with("interface i { type t-a-a"));
        let long_err = format!("interface i {{ type t = u8; {} }}", "x".repeat(300_000));
        assert!(render(&long_err).starts_with("error 1:"));
        // Every prefix and a sample of single-byte edits of a real file: errors, never panics.
        let text = "package a:b@1.0.0;\n/// d\ninterface i {\n  use x:y/z@1.0.0-rc.{t as u};\n  record r { a: list<u8, 4>, b: result<_, t> }\n  resource r2 { constructor(); m: static async func(a: borrow<r2>) -> future<u8>; p: get() -> u8; }\n}\nworld w { @since(version = 1.0.0) import f: func(); include a with { b as c } export n: i; }\n";
        for (i, _) in text.char_indices() {
            let _ = render(&text[..i]);
            for replacement in ["", "%", "\"", "/*", "<", "{", "}", "é", "\r", ">", "@"] {
                let edited = format!("{}{replacement}{}", &text[..i], &text[i + 1..]);
                let _ = render(&edited);
            }
        }
    }

    #[test]
    fn spans() {
        let text = "package a:b@1.0.0;\ninterface %i {\n  type t = list<u8>;\n  f: async func(x: u8) -> u8;\n}\nworld w { import n: a:b/c@2.0.0; include w2 with { a as b } }";
        let base = 1000;
        let file = parse_file(text, base).unwrap();
        let at = |s: Span| &text[(s.start - base) as usize..(s.end - base) as usize];
        let pkg = file.package.as_ref().unwrap();
        assert_eq!(at(pkg.span), "package a:b@1.0.0");
        assert_eq!(at(pkg.name.span), "a:b@1.0.0");
        assert_eq!(at(pkg.name.version.as_ref().unwrap().0), "1.0.0");
        let Item::Interface(i) = &file.items[0] else {
            panic!()
        };
        assert_eq!((i.name.name, at(i.name.span)), ("i", "%i"));
        let InterfaceItem::TypeDef(t) = &i.items[0] else {
            panic!()
        };
        assert_eq!(at(t.span), "type t = list<u8>;");
        assert_eq!(at(t.name.span), "t");
        let TypeBody::Alias(ty) = &t.body else {
            panic!()
        };
        assert_eq!(at(ty.span()), "list<u8>");
        let InterfaceItem::Func(f) = &i.items[1] else {
            panic!()
        };
        assert_eq!(at(f.func.span), "async func(x: u8) -> u8");
        assert_eq!(at(f.func.params[0].1.span()), "u8");
        let Item::World(w) = &file.items[1] else {
            panic!()
        };
        let WorldItem::Import(e) = &w.items[0] else {
            panic!()
        };
        assert_eq!(at(e.span), "import n: a:b/c@2.0.0;");
        let ExternKind::NamedPath { path, .. } = &e.kind else {
            panic!()
        };
        assert_eq!(at(path.span()), "a:b/c@2.0.0");
        let WorldItem::Include(inc) = &w.items[1] else {
            panic!()
        };
        assert_eq!(at(inc.span), "include w2 with { a as b }");

        let file = parse_file(
            "/// a\n// b\ninterface i { resource r { constructor(); } }",
            7,
        )
        .unwrap();
        let Item::Interface(i) = &file.items[0] else {
            panic!()
        };
        assert_eq!(i.docs.span, Span::new(7, 7 + 10));
        let InterfaceItem::TypeDef(t) = &i.items[0] else {
            panic!()
        };
        let TypeBody::Resource { funcs, .. } = &t.body else {
            panic!()
        };
        let ctor = funcs[0].named_func();
        assert_eq!(
            (ctor.name.name, ctor.name.span),
            ("constructor", Span::new(7 + 38, 7 + 49))
        );
        assert!(!file.trailing.span.is_known());

        let err = parse_file("world w {\n  import a\n}", 50).unwrap_err();
        assert_eq!(err.span(), Span::new(50 + 21, 50 + 22));
        assert_eq!(err.kind(), crate::ErrorKind::Parse);
        assert_eq!(
            parse_file("interface %", 0).unwrap_err().kind(),
            crate::ErrorKind::Lex
        );
    }

    // ---- wit-parser's golden corpus -----------------------------------------------------

    /// wit-parser 0.262's `tests/ui`, from `$WIT_PARSER_UI` or the cargo registry.
    fn corpus_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("WIT_PARSER_UI") {
            return Some(dir.into());
        }
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
        let mut registries: Vec<_> = std::fs::read_dir(cargo_home.join("registry/src"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        registries.sort();
        registries
            .into_iter()
            .map(|r| r.join("wit-parser-0.262.0/tests/ui"))
            .find(|d| d.is_dir())
    }

    /// Every `*.wit` file under `dir`, recursively, sorted.
    fn wit_files(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                out.extend(wit_files(&path));
            } else if path.extension().is_some_and(|e| e == "wit") {
                out.push(path);
            }
        }
        out
    }

    /// Parses `files` (display path, text) into one source map; the first error's path and line.
    fn parse_all(files: &[(String, String)]) -> Option<((String, usize, usize), String)> {
        let mut map = SourceMap::default();
        let offsets: Vec<u32> = files
            .iter()
            .map(|(p, t)| map.push(p.clone(), t.clone()))
            .collect();
        for ((_, text), offset) in files.iter().zip(offsets) {
            if let Err(e) = parse_file(text, offset) {
                let loc = parse_location(&map.location(e.span())).unwrap_or_default();
                return Some((loc, e.render(&map)));
            }
        }
        None
    }

    /// `(path, line, column)` of the first location in a `.wit.result` file.
    fn expected_location(result: &str) -> Option<(String, usize, usize)> {
        let loc = match result
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
        {
            Some(loc) => loc.to_string(),
            None => result.lines().next()?.split(": ").next()?.to_string(),
        };
        parse_location(&loc)
    }

    /// Splits `path:line:col`.
    fn parse_location(loc: &str) -> Option<(String, usize, usize)> {
        let mut parts = loc.rsplitn(3, ':');
        let col = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some((parts.next()?.to_string(), line, col))
    }

    fn display_path(root: &Path, path: &Path) -> String {
        format!("tests/ui/{}", path.strip_prefix(root).unwrap().display())
    }

    #[test]
    fn wit_parser_corpus() {
        let Some(root) = corpus_dir() else {
            println!("note: wit-parser 0.262 corpus not found; skipping (set WIT_PARSER_UI to its tests/ui)");
            return;
        };
        let read = |p: &Path| (display_path(&root, p), std::fs::read_to_string(p).unwrap());

        // Everything outside `parse-fail` must parse.
        let mut ok_files = 0;
        let mut failures = String::new();
        let mut top: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        top.sort();
        for path in &top {
            let files = if path.is_dir() {
                if path.ends_with("parse-fail") {
                    continue;
                }
                wit_files(path)
            } else if path.extension().is_some_and(|e| e == "wit") {
                vec![path.clone()]
            } else {
                continue;
            };
            for file in files {
                ok_files += 1;
                if let Some((_, rendered)) = parse_all(&[read(&file)]) {
                    writeln!(failures, "{}: {rendered}\n", file.display()).unwrap();
                }
            }
        }

        // Each `parse-fail` case either parses (a resolver-level error) or fails on the line
        // its `.wit.result` names.
        let fail_dir = root.join("parse-fail");
        let mut cases: Vec<_> = std::fs::read_dir(&fail_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        let (mut matched, mut resolver_level, mut mismatched) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut other_column = Vec::new();
        for case in cases {
            let files = if case.is_dir() {
                wit_files(&case)
            } else if case.extension().is_some_and(|e| e == "wit") {
                vec![case.clone()]
            } else {
                continue;
            };
            let name = case
                .file_name()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches(".wit")
                .to_string();
            let result = std::fs::read_to_string(fail_dir.join(format!("{name}.wit.result")))
                .unwrap_or_default();
            let files: Vec<_> = files.iter().map(|f| read(f)).collect();
            let expected = expected_location(&result);
            match (parse_all(&files), expected) {
                (None, _) => {
                    resolver_level.push(format!("{name}: {}", result.lines().next().unwrap_or("")))
                }
                (Some((ours, _)), Some(theirs)) if (&ours.0, ours.1) == (&theirs.0, theirs.1) => {
                    if ours.2 != theirs.2 {
                        other_column.push(format!("{name} (col {} vs {})", ours.2, theirs.2));
                    }
                    matched.push(name)
                }
                (Some((ours, rendered)), expected) => mismatched.push(format!(
                    "{name}: ours at {ours:?}, expected {expected:?}\n{rendered}\n"
                )),
            }
        }

        println!("corpus: {ok_files} valid files parsed");
        println!(
            "parse-fail: {} fail on the expected line, {} parse (resolver-level), {} fail elsewhere",
            matched.len(),
            resolver_level.len(),
            mismatched.len()
        );
        println!("  parse-level: {}", matched.join(", "));
        println!("  same line, other column: {}", other_column.join(", "));
        for r in &resolver_level {
            println!("  resolver-level: {r}");
        }
        for m in &mismatched {
            println!("  MISMATCH {m}");
        }
        assert!(
            failures.is_empty(),
            "valid corpus files failed to parse:\n{failures}"
        );
        assert!(
            mismatched.is_empty(),
            "{} parse-fail cases failed on a different line",
            mismatched.len()
        );
    }
}
