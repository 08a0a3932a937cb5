//! WIT tokenizer: text → [`Token`]s.
//!
//! Whitespace is dropped; comments are kept as [`TokenKind::Comment`] tokens because every
//! comment before an item becomes part of that item's docs. Identifiers are lexed loosely (any
//! run of letters, digits, `_` and `-`) and checked for kebab-case by [`check_id`] when the
//! parser uses one as a name, so that version suffixes such as `1.0.0-Rc1` still lex.
//!
//! Lexing never stops the parse early: an invalid character becomes a final
//! [`TokenKind::Error`] token, and its error is reported only if the parser gets that far, as
//! wit-parser does. Forbidden code points (control characters, bidirectional overrides) are
//! rejected up front for the whole file.

use std::fmt;

use crate::{Error, ErrorKind, Result, Span};

/// Defines [`Keyword`] and its two directions of text conversion from one list.
macro_rules! keywords {
    ($($variant:ident = $text:literal,)*) => {
        /// A reserved word. Keywords cannot be used as identifiers unless escaped with `%`.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[allow(missing_docs, reason = "each variant is the keyword of the same name")]
        pub enum Keyword {
            $($variant,)*
        }

        impl Keyword {
            /// The keyword for `text`, if it is one.
            ///
            /// A `match` compiles to a switch on the length and a compare: most words are not
            /// keywords, and this runs for every word of every file.
            pub fn from_text(text: &str) -> Option<Keyword> {
                Some(match text {
                    $($text => Keyword::$variant,)*
                    _ => return None,
                })
            }

            /// The keyword as written.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Keyword::$variant => $text,)*
                }
            }
        }
    };
}

keywords! {
    As = "as",
    Async = "async",
    Bool = "bool",
    Borrow = "borrow",
    Char = "char",
    Constructor = "constructor",
    Enum = "enum",
    ErrorContext = "error-context",
    Export = "export",
    F32 = "f32",
    F64 = "f64",
    Flags = "flags",
    From = "from",
    Func = "func",
    Future = "future",
    Import = "import",
    Include = "include",
    Interface = "interface",
    List = "list",
    Map = "map",
    Option = "option",
    Own = "own",
    Package = "package",
    Record = "record",
    Resource = "resource",
    Result = "result",
    S8 = "s8",
    S16 = "s16",
    S32 = "s32",
    S64 = "s64",
    Static = "static",
    Stream = "stream",
    String = "string",
    Tuple = "tuple",
    Type = "type",
    U8 = "u8",
    U16 = "u16",
    U32 = "u32",
    U64 = "u64",
    Underscore = "_",
    Use = "use",
    Variant = "variant",
    With = "with",
    World = "world",
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a token is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `// …` (without the line break) or `/* … */` (nesting).
    Comment,
    /// `=`
    Equals,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `.`
    Period,
    /// `;`
    Semicolon,
    /// `(`
    LeftParen,
    /// `)`
    RightParen,
    /// `{`
    LeftBrace,
    /// `}`
    RightBrace,
    /// `<`
    LessThan,
    /// `>`
    GreaterThan,
    /// `->`
    Arrow,
    /// `*`
    Star,
    /// `@`
    At,
    /// `/`
    Slash,
    /// `+`
    Plus,
    /// `-` (not followed by `>`)
    Minus,
    /// `[0-9]+`
    Integer,
    /// `"…"`
    String,
    /// A word that is not a keyword; not yet checked for kebab-case.
    Id,
    /// `%word`; the word may be empty or a keyword.
    ExplicitId,
    /// A reserved word.
    Keyword(Keyword),
    /// Where lexing failed; always the last token. See [`Lexed::error`].
    Error,
}

impl TokenKind {
    /// A generic name for the kind in messages (`` `;` ``, "an identifier", "a keyword").
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Comment => "a comment",
            TokenKind::Equals => "`=`",
            TokenKind::Comma => "`,`",
            TokenKind::Colon => "`:`",
            TokenKind::Period => "`.`",
            TokenKind::Semicolon => "`;`",
            TokenKind::LeftParen => "`(`",
            TokenKind::RightParen => "`)`",
            TokenKind::LeftBrace => "`{`",
            TokenKind::RightBrace => "`}`",
            TokenKind::LessThan => "`<`",
            TokenKind::GreaterThan => "`>`",
            TokenKind::Arrow => "`->`",
            TokenKind::Star => "`*`",
            TokenKind::At => "`@`",
            TokenKind::Slash => "`/`",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Integer => "an integer",
            TokenKind::String => "a string literal",
            TokenKind::Id | TokenKind::ExplicitId => "an identifier",
            TokenKind::Keyword(_) => "a keyword",
            TokenKind::Error => "an invalid token",
        }
    }
}

/// One token: its kind and byte range relative to the start of the file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    start: u32,
    end: u32,
}

impl Token {
    /// A token of `kind` at relative offsets `start..end` (files are smaller than 4 GiB: the
    /// global offset space of a `SourceMap` is 32 bits).
    pub fn new(kind: TokenKind, start: usize, end: usize) -> Token {
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Token {
            kind,
            start: at(start),
            end: at(end),
        }
    }

    /// Relative start offset.
    pub fn start(self) -> usize {
        self.start as usize
    }

    /// Relative end offset (exclusive).
    pub fn end(self) -> usize {
        self.end as usize
    }
}

/// The tokens of a file, and the error that stopped lexing early, if any.
#[derive(Debug)]
pub struct Lexed {
    /// Tokens in order, comments included. Ends with a [`TokenKind::Error`] token exactly when
    /// `error` is set.
    pub tokens: Vec<Token>,
    /// The lexing error at the final [`TokenKind::Error`] token.
    pub error: Option<Error>,
}

/// Global span of the relative byte range `start..end` of a file that starts at `offset`.
pub(crate) fn span(offset: u32, start: usize, end: usize) -> Span {
    let rel = |n: usize| offset.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    Span::new(rel(start), rel(end))
}

/// Splits `text` (a file whose first byte has global offset `offset`) into tokens.
///
/// Fails at once if the text contains a control character other than `\t`, `\n` and `\r`, a
/// bidirectional override or a code point Unicode deprecates. Other lexing errors are returned
/// in [`Lexed::error`] after the tokens before them.
pub fn tokenize(text: &str, offset: u32) -> Result<Lexed> {
    check_code_points(text, offset)?;
    let mut lexer = Lexer {
        text,
        pos: 0,
        offset,
    };
    if text.starts_with('\u{feff}') {
        lexer.pos = '\u{feff}'.len_utf8();
    }
    // WIT averages a little over three bytes a token; size once rather than regrow.
    let mut tokens = Vec::with_capacity(text.len() / 3 + 16);
    loop {
        match lexer.next_token() {
            Ok(Some(token)) => tokens.push(token),
            Ok(None) => {
                return Ok(Lexed {
                    tokens,
                    error: None,
                })
            }
            Err((at, err)) => {
                tokens.push(Token::new(TokenKind::Error, at, at));
                return Ok(Lexed {
                    tokens,
                    error: Some(err),
                });
            }
        }
    }
}

/// Why `ch` may not appear anywhere in WIT text, comments included, or `None` if it may.
pub(crate) fn forbidden(ch: char) -> Option<&'static str> {
    Some(match ch {
        '\n' | '\r' | '\t' => return None,
        // Bidirectional overrides can make text read differently from what it does
        // (CVE-2021-42574).
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => "bidirectional override",
        // Deprecated or discouraged by Unicode.
        '\u{149}' | '\u{673}' | '\u{f77}' | '\u{f79}' | '\u{17a3}' | '\u{17a4}' | '\u{17b4}'
        | '\u{17b5}' => "deprecated",
        ch if ch.is_control() => "control",
        _ => return None,
    })
}

fn check_code_points(text: &str, offset: u32) -> Result<()> {
    // Printable ASCII and `\t`, `\n`, `\r` are always fine; look closer only at the rest.
    let Some(first) = first_unclean_byte(text.as_bytes()) else {
        return Ok(());
    };
    // `first` is at a char boundary: every byte before it is ASCII.
    for (i, ch) in text[first..].char_indices().map(|(i, c)| (i + first, c)) {
        let Some(what) = forbidden(ch) else {
            continue;
        };
        let at = span(offset, i, i + ch.len_utf8());
        return Err(Error::new(
            ErrorKind::Lex,
            at,
            format!("{what} character `{}` is not allowed", ch.escape_unicode()),
        ));
    }
    Ok(())
}

/// The first byte that is not printable ASCII, `\t`, `\n` or `\r`.
///
/// Eight bytes at a time, with exact per-byte masks (no carries between bytes), so that a
/// word holding a line break or a tab is not looked at bytewise.
pub(crate) fn first_unclean_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` that is zero.
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let equal = |w: u64, b: u8| zero(w ^ (u64::from(b) * ONES));
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // Below 0x20 (the top three bits clear) but not a tab or line break; or 0x7f and up.
        let control =
            zero(w & (0xe0 * ONES)) & !(equal(w, b'\t') | equal(w, b'\n') | equal(w, b'\r'));
        let bad = control | (w & HIGH) | equal(w, 0x7f);
        if bad != 0 {
            return Some(at + (bad.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let clean = |b: u8| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r');
    chunks
        .remainder()
        .iter()
        .position(|&b| !clean(b))
        .map(|i| at + i)
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    offset: u32,
}

type LexResult<T> = std::result::Result<T, (usize, Error)>;

impl Lexer<'_> {
    fn peek_char(&self) -> Option<char> {
        match self.text.as_bytes().get(self.pos) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => self.text[self.pos..].chars().next(),
            None => None,
        }
    }

    fn eat_char(&mut self, ch: char) -> bool {
        if self.peek_char() == Some(ch) {
            self.pos += ch.len_utf8();
            true
        } else {
            false
        }
    }

    fn error(&self, start: usize, end: usize, message: String) -> (usize, Error) {
        (
            start,
            Error::new(ErrorKind::Lex, span(self.offset, start, end), message),
        )
    }

    fn next_token(&mut self) -> LexResult<Option<Token>> {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(ch) = self.peek_char() else {
            return Ok(None);
        };
        self.pos += ch.len_utf8();
        let kind = match ch {
            '/' if self.eat_char('/') => {
                let len = self.text.as_bytes()[self.pos..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(self.text.len() - self.pos);
                self.pos += len;
                let end = if self.text[..self.pos].ends_with('\r') {
                    self.pos - 1
                } else {
                    self.pos
                };
                return Ok(Some(Token::new(TokenKind::Comment, start, end)));
            }
            '/' if self.eat_char('*') => {
                self.block_comment(start)?;
                TokenKind::Comment
            }
            '/' => TokenKind::Slash,
            '=' => TokenKind::Equals,
            ',' => TokenKind::Comma,
            ':' => TokenKind::Colon,
            '.' => TokenKind::Period,
            ';' => TokenKind::Semicolon,
            '(' => TokenKind::LeftParen,
            ')' => TokenKind::RightParen,
            '{' => TokenKind::LeftBrace,
            '}' => TokenKind::RightBrace,
            '<' => TokenKind::LessThan,
            '>' => TokenKind::GreaterThan,
            '*' => TokenKind::Star,
            '@' => TokenKind::At,
            '+' => TokenKind::Plus,
            '-' if self.eat_char('>') => TokenKind::Arrow,
            '-' => TokenKind::Minus,
            '%' => {
                self.eat_word();
                TokenKind::ExplicitId
            }
            '"' => {
                self.string(start)?;
                TokenKind::String
            }
            ch if ch.is_ascii_digit() => {
                let len = self.text[self.pos..]
                    .bytes()
                    .take_while(u8::is_ascii_digit)
                    .count();
                self.pos += len;
                TokenKind::Integer
            }
            ch if is_word_start(ch) => {
                self.eat_word();
                match Keyword::from_text(&self.text[start..self.pos]) {
                    Some(k) => TokenKind::Keyword(k),
                    None => TokenKind::Id,
                }
            }
            ch => {
                let mut err = self.error(
                    start,
                    self.pos,
                    format!("unexpected character `{}`", ch.escape_debug()),
                );
                if ch == '\u{feff}' {
                    err.1 = err
                        .1
                        .with_help("a byte-order mark is only allowed at the start of a file");
                }
                return Err(err);
            }
        };
        Ok(Some(Token::new(kind, start, self.pos)))
    }

    fn eat_word(&mut self) {
        let rest = &self.text[self.pos..];
        let ascii = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count();
        // Only a non-ASCII letter can continue the word past the ASCII run.
        let len = match rest.as_bytes().get(ascii) {
            Some(b) if !b.is_ascii() => rest[ascii..]
                .find(|c: char| !is_word_continue(c))
                .map_or(rest.len(), |n| ascii + n),
            _ => ascii,
        };
        self.pos += len;
    }

    /// Skips the rest of a block comment whose `/*` started at `start`; block comments nest.
    fn block_comment(&mut self, start: usize) -> LexResult<()> {
        let mut depth = 1usize;
        let bytes = self.text.as_bytes();
        while depth > 0 {
            let Some(&b) = bytes.get(self.pos) else {
                let help = if depth > 1 {
                    format!(
                        "block comments nest: {depth} `/*` are still open at the end of the file"
                    )
                } else {
                    "end the comment with `*/`".to_string()
                };
                let (at, err) =
                    self.error(start, start + 2, "unterminated block comment".to_string());
                return Err((at, err.with_help(help)));
            };
            match (b, bytes.get(self.pos + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    /// Skips the rest of a string literal whose `"` started at `start`, checking escapes.
    fn string(&mut self, start: usize) -> LexResult<()> {
        loop {
            let at = self.pos;
            let Some(ch) = self.peek_char() else {
                return Err(self.error(
                    start,
                    start + 1,
                    "unterminated string literal".to_string(),
                ));
            };
            self.pos += ch.len_utf8();
            match ch {
                '"' => return Ok(()),
                '\\' => {
                    let Some(esc) = self.peek_char() else {
                        continue;
                    };
                    self.pos += esc.len_utf8();
                    match esc {
                        '"' | '\'' | 't' | 'n' | 'r' | '\\' => {}
                        'u' => {
                            let rest = &self.text[self.pos..];
                            let ok = rest
                                .strip_prefix('{')
                                .and_then(|r| r.find('}').map(|i| &r[..i]))
                                .and_then(|hex| {
                                    u32::from_str_radix(&hex.replace('_', ""), 16)
                                        .ok()
                                        .and_then(char::from_u32)
                                });
                            if ok.is_none() {
                                return Err(self.error(
                                    at,
                                    self.pos,
                                    "invalid unicode escape in string".to_string(),
                                ));
                            }
                            self.pos += rest.find('}').map_or(0, |i| i + 1);
                        }
                        c if c.is_ascii_hexdigit() => {
                            if !self.peek_char().is_some_and(|c| c.is_ascii_hexdigit()) {
                                return Err(self.error(
                                    at,
                                    self.pos,
                                    "invalid hex escape in string".to_string(),
                                ));
                            }
                            self.pos += 1;
                        }
                        c => {
                            return Err(self.error(
                                at,
                                self.pos,
                                format!("invalid string escape `\\{}`", c.escape_debug()),
                            ))
                        }
                    }
                }
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    return Err(self.error(
                        at,
                        self.pos,
                        format!("invalid character `{}` in string literal", c.escape_debug()),
                    ));
                }
                _ => {}
            }
        }
    }
}

/// The common case, checked in one pass over the bytes: `[a-z][a-z0-9]*` words joined by
/// single `-`s. Anything else goes through the full check in [`check_id`], which also names
/// what is wrong.
fn is_plain_lowercase_id(name: &str) -> bool {
    let bytes = name.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_lowercase) || bytes.last() == Some(&b'-') {
        return false;
    }
    let mut prev_dash = false;
    for &b in bytes {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => prev_dash = false,
            b'-' if !prev_dash => prev_dash = true,
            _ => return false,
        }
    }
    true
}

fn is_word_start(ch: char) -> bool {
    ch.is_alphabetic() || ch == '_'
}

fn is_word_continue(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_' || ch == '-'
}

/// Checks that `name` (without a leading `%`) is a kebab-case identifier: words joined by
/// single `-`s, each word all lower-case (`[a-z0-9]+`) or all upper-case (`[A-Z0-9]+`), the
/// first word starting with a letter. `span` is where `name` is, for the error.
pub fn check_id(name: &str, span: Span) -> Result<()> {
    if is_plain_lowercase_id(name) {
        return Ok(());
    }
    let err = |message: String| Error::new(ErrorKind::Lex, span, message);
    if name.is_empty() {
        return Err(err("expected an identifier after `%`".to_string()));
    }
    for (i, word) in name.split('-').enumerate() {
        let Some(first) = word.chars().next() else {
            return Err(err(format!(
                "identifier `{name}` has an empty word between `-`s"
            ))
            .with_help("identifiers are words joined by single `-`s, e.g. `foo-bar`"));
        };
        if i == 0 && !first.is_ascii_alphabetic() {
            let e = if first.is_ascii_digit() {
                err(format!("identifier `{name}` must start with a letter"))
            } else {
                err(format!(
                    "invalid character `{}` in identifier `{name}`",
                    first.escape_debug()
                ))
            };
            return Err(with_id_help(e, name));
        }
        if let Some(bad) = word.chars().find(|c| !c.is_ascii_alphanumeric()) {
            let e = err(format!(
                "invalid character `{}` in identifier `{name}`",
                bad.escape_debug()
            ));
            return Err(with_id_help(e, name));
        }
        let has_lower = word.bytes().any(|b| b.is_ascii_lowercase());
        let has_upper = word.bytes().any(|b| b.is_ascii_uppercase());
        if has_lower && has_upper {
            let e = err(format!(
                "identifier `{name}` mixes upper and lower case in the word `{word}`"
            ));
            return Err(with_id_help(e, name));
        }
    }
    Ok(())
}

/// Adds a hint to an invalid-identifier error: a primitive type it resembles, or its kebab-case
/// spelling.
fn with_id_help(err: Error, name: &str) -> Error {
    if let Some(help) = suggest_primitive(name) {
        return err.with_help(help);
    }
    let kebab: String = name
        .trim_matches(['_', '-'])
        .chars()
        .map(|c| {
            if c == '_' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let valid = !kebab.is_empty()
        && kebab.starts_with(|c: char| c.is_ascii_lowercase())
        && kebab.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if valid {
        err.with_help(format!(
            "identifiers are kebab-case (lower- or upper-case words joined by `-`): try `{kebab}`"
        ))
    } else {
        err.with_help("identifiers are kebab-case: words of ASCII letters and digits joined by `-`, each word all lower case or all upper case")
    }
}

/// A hint for a name that looks like another language's spelling of a WIT primitive type, e.g.
/// `did you mean \`u32\`?` for `uint32`, or a note that `float32` was renamed to `f32`.
pub fn suggest_primitive(name: &str) -> Option<String> {
    let key: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    let prim = match key.as_str() {
        "float32" => return Some("`float32` was renamed to `f32`".to_string()),
        "float64" => return Some("`float64` was renamed to `f64`".to_string()),
        "uint8" | "byte" => "u8",
        "uint16" | "ushort" => "u16",
        "uint32" | "uint" => "u32",
        "uint64" | "ulong" => "u64",
        "int8" | "i8" | "sbyte" => "s8",
        "int16" | "i16" | "short" => "s16",
        "int32" | "i32" | "int" => "s32",
        "int64" | "i64" | "long" => "s64",
        "float" => "f32",
        "double" => "f64",
        "boolean" => "bool",
        "str" | "string" => "string",
        "bool" | "char" | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64" | "f32"
        | "f64" => {
            return Keyword::from_text(&key).map(|k| format!("did you mean `{k}`?"));
        }
        "errorcontext" => "error-context",
        _ => return None,
    };
    (prim != name).then(|| format!("did you mean `{prim}`?"))
}

#[cfg(test)]
mod tests {
    use super::first_unclean_byte;

    /// The word-at-a-time scan finds exactly what a byte loop finds, at every position.
    #[test]
    fn unclean_byte_scan_matches_bytewise() {
        let clean = |b: u8| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r');
        let mut text: Vec<u8> = b"interface a {\n\ttype t = u32;\r\n}\n".repeat(3);
        assert_eq!(first_unclean_byte(&text), None);
        // Every byte value at every position, and with a second bad byte after it in the same
        // word or the next.
        for bad in 0u8..=255 {
            for at in 0..text.len() {
                let saved = text[at];
                text[at] = bad;
                let expected = text.iter().position(|&b| !clean(b));
                assert_eq!(first_unclean_byte(&text), expected, "byte {bad:#x} at {at}");
                for later in [at + 3, at + 9] {
                    if let Some(&kept) = text.get(later) {
                        text[later] = 0x01;
                        let expected = text.iter().position(|&b| !clean(b));
                        assert_eq!(
                            first_unclean_byte(&text),
                            expected,
                            "{bad:#x} at {at}, 0x01 at {later}"
                        );
                        text[later] = kept;
                    }
                }
                text[at] = saved;
            }
        }
    }
}
