//! Spark DDL schema strings (`StructType.fromDDL`, spec §7.1) -> Arrow schema.
//!
//! A small lexer turns the text into tokens that remember their byte span, then a recursive
//! descent parser follows Spark's `colTypeList` / `complexColType` grammar. Every error names
//! the character offset of the token it stopped at, so a user can find the mistake in a long
//! one-line schema.

use arrow::datatypes::{DataType, Field, Fields, Schema};

use super::collation::{has_collation, mark_part, with_collation, Collation, NestedString};
use super::types::{
    ansi_interval, char_varchar_message, decimal, duplicate_name_index, field_with_comment,
    list_of, map_of, timestamp_ltz, timestamp_ntz, IntervalError, DEFAULT_DECIMAL_PRECISION,
};
use super::{SchemaError, SchemaOptions};

/// Deepest nesting of ARRAY/MAP/STRUCT accepted, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 64;

/// Spark types spate recognises but cannot represent; named so the error can say so.
const KNOWN_UNSUPPORTED: &[&str] = &["NULL", "TIME", "OBJECT", "GEOMETRY", "GEOGRAPHY"];

/// Parses a Spark DDL schema string such as `id BIGINT NOT NULL, tags ARRAY<STRING>`.
///
/// This is the read-schema form (`DataStreamReader.schema`, `StructType.fromDDL`): a column
/// list only. A whole `STRUCT<...>` type is a syntax error at its `<`, as in Spark; see
/// [`parse_ddl_or_struct_type`] for `from_json`'s form.
///
/// Field names that differ only by case are refused as duplicates, as Spark does by default;
/// [`parse_ddl_with`] follows `spark.sql.caseSensitive` instead.
pub fn parse_ddl(ddl: &str) -> Result<Schema, SchemaError> {
    parse_ddl_with(ddl, &SchemaOptions::default())
}

/// [`parse_ddl`] with the session's schema-related confs applied.
pub fn parse_ddl_with(ddl: &str, opts: &SchemaOptions) -> Result<Schema, SchemaError> {
    let tokens = lex(ddl)?;
    let mut parser = Parser::new(ddl, tokens, *opts);
    if parser.starts_with_struct_type() {
        // Spark's table-schema grammar reads `STRUCT` as a column name and fails at `<`
        // (PARSE_SYNTAX_ERROR at or near '<'); say what to write instead.
        parser.pos += 1;
        return Err(parser.syntax_error(
            "a data type (a read schema is a column list such as 'a INT, b STRING'; \
             a whole STRUCT<...> type is accepted by from_json only)",
        ));
    }
    Ok(Schema::new(parser.column_list()?))
}

/// Parses DDL the way Spark's `DataType.fromDDL` does (`from_json`'s schema argument): a
/// column list, or a whole `STRUCT<...>` type whose fields become the columns.
pub fn parse_ddl_or_struct_type(ddl: &str, opts: &SchemaOptions) -> Result<Schema, SchemaError> {
    let tokens = lex(ddl)?;
    let mut parser = Parser::new(ddl, tokens, *opts);
    let fields = if parser.starts_with_struct_type() {
        parser.struct_as_columns()?
    } else {
        parser.column_list()?
    };
    // These columns become the fields of a STRUCT value, where no collation is honoured.
    if let Some(f) = fields.iter().find(|f| has_collation(f)) {
        return Err(SchemaError::DdlInvalid {
            message: format!(
                "a collation on `{}` is not supported in a from_json schema (spate honours \
                 collations on a read schema's columns only)",
                f.name()
            ),
            offset: 0,
        });
    }
    Ok(Schema::new(fields))
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

/// What a token is; words cover identifiers, keywords and unsigned integers alike, because
/// Spark's keywords are not reserved in schema strings and only position decides the meaning.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A run of letters, digits and `_`.
    Word(String),
    /// A back-quoted identifier, with doubled backticks already collapsed.
    Quoted(String),
    /// A string literal, with escapes already applied.
    Str(String),
    /// Any other single character: `,` `<` `>` `(` `)` `:` or something invalid.
    Punct(char),
}

/// A token and its byte span in the source.
#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Character cursor over the source text.
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

/// Splits `src` into tokens, skipping whitespace and SQL comments.
fn lex(src: &str) -> Result<Vec<Token>, SchemaError> {
    let mut lx = Lexer { src, pos: 0 };
    let mut tokens = Vec::new();
    loop {
        lx.skip_trivia()?;
        let start = lx.pos;
        let Some(c) = lx.peek(0) else {
            return Ok(tokens);
        };
        let kind = match c {
            '`' => Kind::Quoted(lx.quoted_identifier()?),
            '\'' | '"' => Kind::Str(lx.string_literal()?),
            // Spark's raw strings: R'...' / R"..." keep backslashes as written.
            'r' | 'R' if matches!(lx.peek(1), Some('\'' | '"')) => Kind::Str(lx.raw_string()?),
            c if is_word_char(c) => Kind::Word(lx.word()),
            c => {
                lx.bump();
                Kind::Punct(c)
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: lx.pos,
        });
    }
}

/// Characters of an unquoted identifier, keyword or number.
///
/// Spark only takes ASCII letters here; other letters lex into the word so that a name like
/// `é` gets Spark's INVALID_IDENTIFIER error rather than a confusing syntax error.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Lexer<'_> {
    /// The `n`-th character from the cursor.
    fn peek(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    /// Consumes one character.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// An error for an unclosed construct that opened at byte `start`.
    fn unclosed(&self, start: usize, closer: &str) -> SchemaError {
        SchemaError::DdlSyntax {
            expected: closer.to_string(),
            offset: char_offset(self.src, start),
            near: near_text(&self.src[start..]),
        }
    }

    /// Skips whitespace, `-- line` comments and (nested) `/* block */` comments.
    fn skip_trivia(&mut self) -> Result<(), SchemaError> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('-'), Some('-')) => self.line_comment(),
                (Some('/'), Some('*')) => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// Skips a `--` comment up to and including the end of the line.
    fn line_comment(&mut self) {
        while !matches!(self.bump(), None | Some('\n')) {}
    }

    /// Skips a block comment; Spark lets them nest.
    fn block_comment(&mut self) -> Result<(), SchemaError> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some('/'), Some('*')) => {
                    self.pos += 2;
                    depth += 1;
                }
                (Some('*'), Some('/')) => {
                    self.pos += 2;
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                (Some(_), _) => {
                    self.bump();
                }
                (None, _) => return Err(self.unclosed(start, "'*/' closing the comment")),
            }
        }
    }

    /// A word: letters, digits and `_`.
    fn word(&mut self) -> String {
        let start = self.pos;
        while self.peek(0).is_some_and(is_word_char) {
            self.bump();
        }
        self.src[start..self.pos].to_string()
    }

    /// A back-quoted identifier; two backticks inside stand for one.
    fn quoted_identifier(&mut self) -> Result<String, SchemaError> {
        let start = self.pos;
        self.bump();
        let mut name = String::new();
        loop {
            match self.bump() {
                Some('`') if self.peek(0) == Some('`') => {
                    self.bump();
                    name.push('`');
                }
                Some('`') => return Ok(name),
                Some(c) => name.push(c),
                None => return Err(self.unclosed(start, "a closing backtick")),
            }
        }
    }

    /// A `'...'` or `"..."` literal with Spark's backslash escapes (`unescapeSQLString`).
    fn string_literal(&mut self) -> Result<String, SchemaError> {
        let start = self.pos;
        let Some(quote) = self.bump() else {
            return Err(self.unclosed(start, "a quote"));
        };
        let mut text = String::new();
        loop {
            match self.bump() {
                Some(c) if c == quote => return Ok(text),
                Some('\\') => match self.bump() {
                    Some(escaped) => self.escape(escaped, &mut text),
                    None => break,
                },
                Some(c) => text.push(c),
                None => break,
            }
        }
        Err(self.unclosed(start, "a closing quote"))
    }

    /// A raw literal `R'...'`: no escapes, ends at the first matching quote.
    fn raw_string(&mut self) -> Result<String, SchemaError> {
        let start = self.pos;
        self.bump();
        let Some(quote) = self.bump() else {
            return Err(self.unclosed(start, "a quote"));
        };
        let mut text = String::new();
        loop {
            match self.bump() {
                Some(c) if c == quote => return Ok(text),
                Some(c) => text.push(c),
                None => return Err(self.unclosed(start, "a closing quote")),
            }
        }
    }

    /// Appends the meaning of `\<c>` (the backslash is already consumed).
    fn escape(&mut self, c: char, out: &mut String) {
        match c {
            'u' => {
                if let Some(ch) = self.unicode_escape(4) {
                    out.push(ch);
                } else {
                    // Spark keeps a malformed \u as a plain `u`.
                    out.push('u');
                }
            }
            'U' => {
                if let Some(ch) = self.unicode_escape(8) {
                    out.push(ch);
                } else {
                    out.push('U');
                }
            }
            '0'..='3' if self.octal_tail() => {
                // `\ddd`: three octal digits, the first at most 3 so the value fits a byte.
                let digits = &self.src[self.pos..self.pos + 2];
                let high = c.to_digit(8).unwrap_or_default();
                let value = high * 64 + u32::from_str_radix(digits, 8).unwrap_or_default();
                self.pos += 2;
                out.push(char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            '0' => out.push('\0'),
            'b' => out.push('\u{8}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'Z' => out.push('\u{1a}'),
            // Spark keeps these two escaped, for LIKE patterns.
            '%' => out.push_str("\\%"),
            '_' => out.push_str("\\_"),
            other => out.push(other),
        }
    }

    /// Whether the next two characters are octal digits (after a `\0`..`\3`).
    fn octal_tail(&self) -> bool {
        matches!(
            (self.peek(0), self.peek(1)),
            (Some('0'..='7'), Some('0'..='7'))
        )
    }

    /// Reads `digits` hex digits (after `\u` / `\U`); a surrogate pair of `\u` escapes combines.
    fn unicode_escape(&mut self, digits: usize) -> Option<char> {
        let code = self.hex_at(self.pos, digits)?;
        self.pos += digits;
        if let Some(ch) = char::from_u32(code) {
            return Some(ch);
        }
        // A high surrogate needs a following `\uDC00`-`\uDFFF` to mean anything.
        if (0xD800..0xDC00).contains(&code) && self.src[self.pos..].starts_with("\\u") {
            if let Some(low) = self.hex_at(self.pos + 2, 4) {
                if (0xDC00..0xE000).contains(&low) {
                    self.pos += 6;
                    let combined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    return char::from_u32(combined);
                }
            }
        }
        Some(char::REPLACEMENT_CHARACTER)
    }

    /// The value of `digits` hex digits starting at byte `at`, if they are all there.
    fn hex_at(&self, at: usize, digits: usize) -> Option<u32> {
        let text = self.src.get(at..at + digits)?;
        if !text.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }
}

/// Character (not byte) offset of byte position `byte`, as users count.
fn char_offset(src: &str, byte: usize) -> usize {
    src.get(..byte).map_or(byte, |s| s.chars().count())
}

/// A short quoted excerpt of `text` for error messages.
fn near_text(text: &str) -> String {
    const MAX_CHARS: usize = 24;
    let mut excerpt: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        excerpt.push_str("...");
    }
    format!("'{excerpt}'")
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// Recursive descent over the token list.
struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// Byte end of the last consumed token, to quote a type as written (`VARCHAR(10)`).
    prev_end: usize,
    /// Conf-dependent parsing rules.
    opts: SchemaOptions,
    /// A `COLLATE name` just read, until the column, element, key or value it belongs to takes
    /// it.
    collation: Option<Collation>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, tokens: Vec<Token>, opts: SchemaOptions) -> Self {
        Self {
            src,
            tokens,
            pos: 0,
            prev_end: 0,
            opts,
            collation: None,
        }
    }

    // --- token access -------------------------------------------------------------------------

    /// The current token, or `None` at the end of input.
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    /// Consumes the current token.
    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned()?;
        self.pos += 1;
        self.prev_end = token.end;
        Some(token)
    }

    /// Whether the current token is the keyword `kw` (case-insensitive).
    fn at_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: Kind::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    /// Consumes the keyword `kw` if it is next.
    fn eat_keyword(&mut self, kw: &str) -> bool {
        let found = self.at_keyword(kw);
        if found {
            self.advance();
        }
        found
    }

    /// Consumes the punctuation `c` if it is next.
    fn eat_punct(&mut self, c: char) -> bool {
        let found = matches!(self.peek(), Some(Token { kind: Kind::Punct(p), .. }) if *p == c);
        if found {
            self.advance();
        }
        found
    }

    /// Consumes the punctuation `c` or fails naming it.
    fn expect_punct(&mut self, c: char) -> Result<(), SchemaError> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.syntax_error(&format!("'{c}'")))
        }
    }

    /// Byte offset of the current token (end of text at the end).
    fn here(&self) -> usize {
        self.peek().map_or(self.src.len(), |t| t.start)
    }

    // --- errors -------------------------------------------------------------------------------

    /// "expected `expected`" at the current token.
    fn syntax_error(&self, expected: &str) -> SchemaError {
        let near = match self.peek() {
            Some(t) => near_text(&self.src[t.start..t.end]),
            None => "end of input".to_string(),
        };
        SchemaError::DdlSyntax {
            expected: expected.to_string(),
            offset: char_offset(self.src, self.here()),
            near,
        }
    }

    /// A refused construct starting at byte `at`.
    fn invalid(&self, message: String, at: usize) -> SchemaError {
        SchemaError::DdlInvalid {
            message,
            offset: char_offset(self.src, at),
        }
    }

    /// The error for an unexpected token after a complete column or field.
    ///
    /// `DEFAULT`/`GENERATED` get their own message: they are valid in `CREATE TABLE`, so a
    /// user copying a column list from one needs to know why it fails here.
    fn after_field_error(&self, expected: &str) -> SchemaError {
        for clause in ["DEFAULT", "GENERATED"] {
            if self.at_keyword(clause) {
                return self.invalid(
                    format!(
                        "{clause} column clauses belong to CREATE TABLE and are not accepted \
                         in a schema string"
                    ),
                    self.here(),
                );
            }
        }
        self.syntax_error(expected)
    }

    /// Fails when two of `fields` share a name (case-insensitively unless `case_sensitive`);
    /// `starts` are their offsets.
    fn check_duplicates(
        &self,
        fields: &[Field],
        starts: &[usize],
        what: &str,
    ) -> Result<(), SchemaError> {
        match duplicate_name_index(fields, self.opts.case_sensitive) {
            Some(i) => Err(self.invalid(
                format!(
                    "duplicate {what} name '{}'{}",
                    fields[i].name(),
                    if self.opts.case_sensitive {
                        ""
                    } else {
                        " (names compare case-insensitively)"
                    }
                ),
                starts.get(i).copied().unwrap_or_default(),
            )),
            None => Ok(()),
        }
    }

    // --- grammar ------------------------------------------------------------------------------

    /// Whether the text is a single `STRUCT<...>` type rather than a column list.
    ///
    /// A column named `struct` is followed by its type, never by `<`, so this is unambiguous.
    fn starts_with_struct_type(&self) -> bool {
        self.at_keyword("STRUCT")
            && matches!(
                self.tokens.get(self.pos + 1),
                Some(Token {
                    kind: Kind::Punct('<'),
                    ..
                })
            )
    }

    /// `STRUCT<...>` EOF, returning the struct's fields as columns.
    fn struct_as_columns(&mut self) -> Result<Vec<Field>, SchemaError> {
        let data_type = self.data_type(0)?;
        if self.peek().is_some() {
            return Err(self.syntax_error("end of input"));
        }
        match data_type {
            DataType::Struct(fields) => Ok(fields.iter().map(|f| f.as_ref().clone()).collect()),
            // starts_with_struct_type guarantees a struct; keep a clean error regardless.
            _ => Err(self.invalid("expected a STRUCT type".into(), 0)),
        }
    }

    /// `col_def (',' col_def)*` EOF.
    fn column_list(&mut self) -> Result<Vec<Field>, SchemaError> {
        let mut fields = Vec::new();
        let mut starts = Vec::new();
        loop {
            starts.push(self.here());
            fields.push(self.field(false, 0)?);
            if self.eat_punct(',') {
                continue;
            }
            if self.peek().is_none() {
                break;
            }
            return Err(self.after_field_error("',' or end of input"));
        }
        self.check_duplicates(&fields, &starts, "column")?;
        Ok(fields)
    }

    /// `name [':'] data_type [NOT NULL] [COMMENT 'text']`; the colon only inside STRUCT<>.
    fn field(&mut self, in_struct: bool, depth: usize) -> Result<Field, SchemaError> {
        let name = self.name(if in_struct {
            "a field name"
        } else {
            "a column name"
        })?;
        if in_struct {
            self.eat_punct(':');
        }
        let data_type = self.data_type(depth)?;
        let nullable = !self.not_null()?;
        let comment = if self.eat_keyword("COMMENT") {
            Some(self.string()?)
        } else {
            None
        };
        let field = field_with_comment(name, data_type, nullable, comment);
        // The collation of a STRING read by `data_type` (nested ones were taken there).
        Ok(match self.collation.take() {
            Some(c) => with_collation(field, c),
            None => field,
        })
    }

    /// An identifier or back-quoted name; `expected` describes it in errors.
    fn name(&mut self, expected: &str) -> Result<String, SchemaError> {
        let name = match self.peek().map(|t| &t.kind) {
            // Spark's unquoted identifiers are ASCII letters, digits and `_` only.
            Some(Kind::Word(w)) if !w.is_ascii() => {
                let start = self.peek().map_or(0, |t| t.start);
                return Err(self.invalid(
                    format!(
                        "INVALID_IDENTIFIER: the unquoted identifier {w} is invalid and must be back quoted as: `{w}`"
                    ),
                    start,
                ));
            }
            // A bare number lexes as an integer in Spark, not as a name.
            Some(Kind::Word(w)) if !w.chars().all(|c| c.is_ascii_digit()) => w.clone(),
            Some(Kind::Quoted(q)) => q.clone(),
            _ => return Err(self.syntax_error(expected)),
        };
        self.advance();
        Ok(name)
    }

    /// `[NOT NULL]`, true when present.
    fn not_null(&mut self) -> Result<bool, SchemaError> {
        if !self.eat_keyword("NOT") {
            return Ok(false);
        }
        if self.eat_keyword("NULL") {
            Ok(true)
        } else {
            Err(self.syntax_error("NULL after NOT"))
        }
    }

    /// A string literal (the text of a COMMENT).
    fn string(&mut self) -> Result<String, SchemaError> {
        match self.peek().map(|t| &t.kind) {
            Some(Kind::Str(s)) => {
                let s = s.clone();
                self.advance();
                Ok(s)
            }
            _ => Err(self.syntax_error("a string literal")),
        }
    }

    /// Any data type, nested or primitive.
    fn data_type(&mut self, depth: usize) -> Result<DataType, SchemaError> {
        let Some(Token {
            kind: Kind::Word(word),
            start,
            ..
        }) = self.peek().cloned()
        else {
            return Err(self.syntax_error("a data type"));
        };
        let upper = word.to_ascii_uppercase();
        if matches!(upper.as_str(), "ARRAY" | "MAP" | "STRUCT") && depth >= MAX_DEPTH {
            return Err(self.invalid(
                format!("data types nest deeper than {MAX_DEPTH} levels"),
                start,
            ));
        }
        self.advance();
        match upper.as_str() {
            "ARRAY" => {
                self.expect_punct('<')?;
                let element = self.data_type(depth + 1)?;
                let collation = self.collation.take();
                self.expect_punct('>')?;
                Ok(mark_part(
                    list_of(element, true),
                    collation,
                    NestedString::Element,
                ))
            }
            "MAP" => {
                self.expect_punct('<')?;
                let key = self.data_type(depth + 1)?;
                let key_collation = self.collation.take();
                self.expect_punct(',')?;
                let value = self.data_type(depth + 1)?;
                let value_collation = self.collation.take();
                self.expect_punct('>')?;
                let map = mark_part(map_of(key, value, true), key_collation, NestedString::Key);
                Ok(mark_part(map, value_collation, NestedString::Value))
            }
            "STRUCT" => self.struct_body(depth + 1),
            _ => self.primitive(&upper, start),
        }
    }

    /// `'<' [field (',' field)*] '>'` after STRUCT.
    fn struct_body(&mut self, depth: usize) -> Result<DataType, SchemaError> {
        self.expect_punct('<')?;
        let mut fields = Vec::new();
        let mut starts = Vec::new();
        if !self.eat_punct('>') {
            loop {
                starts.push(self.here());
                fields.push(self.field(true, depth)?);
                if self.eat_punct(',') {
                    continue;
                }
                if self.eat_punct('>') {
                    break;
                }
                return Err(self.after_field_error("',' or '>'"));
            }
        }
        self.check_duplicates(&fields, &starts, "field")?;
        Ok(DataType::Struct(Fields::from(fields)))
    }

    /// A primitive type keyword `upper` (already consumed, at byte `start`) and its `(args)`.
    fn primitive(&mut self, upper: &str, start: usize) -> Result<DataType, SchemaError> {
        let args = self.type_args()?;
        let written = self.src[start..self.prev_end].to_string();
        let data_type = match (upper, args.as_slice()) {
            ("BOOLEAN", []) => DataType::Boolean,
            ("TINYINT" | "BYTE", []) => DataType::Int8,
            ("SMALLINT" | "SHORT", []) => DataType::Int16,
            ("INT" | "INTEGER", []) => DataType::Int32,
            ("BIGINT" | "LONG", []) => DataType::Int64,
            ("FLOAT" | "REAL", []) => DataType::Float32,
            ("DOUBLE", []) => DataType::Float64,
            ("DECIMAL" | "DEC" | "NUMERIC", []) => {
                self.decimal_at(u64::from(DEFAULT_DECIMAL_PRECISION), 0, start)?
            }
            ("DECIMAL" | "DEC" | "NUMERIC", [p]) => self.decimal_at(*p, 0, start)?,
            ("DECIMAL" | "DEC" | "NUMERIC", [p, s]) => self.decimal_at(*p, *s, start)?,
            ("STRING", []) => {
                self.collation()?;
                DataType::Utf8
            }
            // Spark needs the length even when the legacy conf makes the type a STRING.
            ("CHAR" | "CHARACTER" | "VARCHAR", [_]) if self.opts.char_varchar_as_string => {
                DataType::Utf8
            }
            ("CHAR" | "CHARACTER" | "VARCHAR", _) => {
                return Err(self.invalid(char_varchar_message(&written), start));
            }
            ("INTERVAL", []) => self.interval(start)?,
            ("BINARY", []) => DataType::Binary,
            ("DATE", []) => DataType::Date32,
            ("TIMESTAMP", []) => {
                self.reject_time_zone_clause()?;
                timestamp_ltz()
            }
            ("TIMESTAMP_LTZ", []) => timestamp_ltz(),
            ("TIMESTAMP_NTZ", []) => timestamp_ntz(),
            // Spark's NullType; the JSON reader gives null whatever the value.
            ("VOID", []) => DataType::Null,
            ("VARIANT", []) => crate::variant::variant_type(),
            _ => {
                let hint = if KNOWN_UNSUPPORTED.contains(&upper) {
                    "; spate does not support this Spark type".to_string()
                } else {
                    String::new()
                };
                return Err(SchemaError::DdlUnsupportedType {
                    name: written,
                    offset: char_offset(self.src, start),
                    hint,
                });
            }
        };
        Ok(data_type)
    }

    /// `DECIMAL(p,s)` checked against Spark's bounds, errors pointing at the type at `start`.
    fn decimal_at(
        &self,
        precision: u64,
        scale: u64,
        start: usize,
    ) -> Result<DataType, SchemaError> {
        decimal(precision, scale).map_err(|message| self.invalid(message, start))
    }

    /// Optional `'(' int (',' int)* ')'` after a type keyword.
    fn type_args(&mut self) -> Result<Vec<u64>, SchemaError> {
        let mut args = Vec::new();
        if !self.eat_punct('(') {
            return Ok(args);
        }
        loop {
            let number = match self.peek() {
                Some(Token {
                    kind: Kind::Word(w),
                    start,
                    ..
                }) if w.chars().all(|c| c.is_ascii_digit()) => w
                    .parse::<u64>()
                    .map_err(|_| self.invalid(format!("number {w} is too large"), *start))?,
                _ => return Err(self.syntax_error("an integer")),
            };
            self.advance();
            args.push(number);
            if self.eat_punct(')') {
                return Ok(args);
            }
            if !self.eat_punct(',') {
                return Err(self.syntax_error("',' or ')'"));
            }
        }
    }

    /// The fields after `INTERVAL` (at byte `start`): `YEAR TO MONTH`, `DAY TO SECOND`, ...
    fn interval(&mut self, start: usize) -> Result<DataType, SchemaError> {
        const FIELDS: [&str; 6] = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];
        let field = |p: &Self| FIELDS.into_iter().find(|f| p.at_keyword(f));
        let Some(first) = field(self) else {
            // A bare INTERVAL is Spark's CalendarIntervalType, which no file format stores.
            return Err(SchemaError::DdlUnsupportedType {
                name: "INTERVAL".into(),
                offset: char_offset(self.src, start),
                hint: "; spate does not support Spark's calendar interval type, use \
                       INTERVAL DAY TO SECOND or INTERVAL YEAR TO MONTH"
                    .into(),
            });
        };
        self.advance();
        let last = if self.eat_keyword("TO") {
            let Some(last) = field(self) else {
                return Err(self.syntax_error("an interval field after TO"));
            };
            self.advance();
            Some(last)
        } else {
            None
        };
        ansi_interval(first, last).map_err(|e| match e {
            IntervalError::Invalid(m) | IntervalError::Unsupported(m) => self.invalid(m, start),
        })
    }

    /// Optional `COLLATE name` after STRING: UTF8_BINARY is the default, any other is kept for
    /// the column that `field` is reading.
    fn collation(&mut self) -> Result<(), SchemaError> {
        if !self.eat_keyword("COLLATE") {
            return Ok(());
        }
        let at = self.here();
        let name = self.name("a collation name")?;
        match Collation::from_name(&name) {
            Ok(Collation::Utf8Binary) => Ok(()),
            Ok(c) => {
                self.collation = Some(c);
                Ok(())
            }
            Err(message) => Err(self.invalid(message, at)),
        }
    }

    /// Refuses `TIMESTAMP WITH[OUT] ...`, which Spark 4 rejects in schema strings (errata).
    fn reject_time_zone_clause(&self) -> Result<(), SchemaError> {
        let suggestion = if self.at_keyword("WITHOUT") {
            "TIMESTAMP WITHOUT TIME ZONE is not accepted in a schema string; use TIMESTAMP_NTZ"
        } else if self.at_keyword("WITH") {
            "TIMESTAMP WITH ... TIME ZONE is not accepted in a schema string; use TIMESTAMP"
        } else {
            return Ok(());
        };
        Err(self.invalid(suggestion.to_string(), self.here()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::TimeUnit;
    use std::sync::Arc;

    /// The single column of `ddl`.
    fn one(ddl: &str) -> Field {
        let schema = parse_ddl(ddl).unwrap_or_else(|e| panic!("{ddl}: {e}"));
        assert_eq!(schema.fields().len(), 1, "{ddl}");
        schema.field(0).clone()
    }

    /// The type of the single column `x <type_text>`.
    fn ty(type_text: &str) -> DataType {
        one(&format!("x {type_text}")).data_type().clone()
    }

    fn err(ddl: &str) -> String {
        match parse_ddl(ddl) {
            Ok(schema) => panic!("{ddl} parsed as {schema:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn comment(field: &Field) -> Option<&str> {
        field.metadata().get("comment").map(String::as_str)
    }

    #[test]
    fn primitives_and_synonyms() {
        let cases: &[(&[&str], DataType)] = &[
            (&["BOOLEAN", "boolean"], DataType::Boolean),
            (&["TINYINT", "BYTE", "tinyint"], DataType::Int8),
            (&["SMALLINT", "SHORT"], DataType::Int16),
            (&["INT", "INTEGER", "Int"], DataType::Int32),
            (&["BIGINT", "LONG", "bigint"], DataType::Int64),
            (&["FLOAT", "REAL"], DataType::Float32),
            (&["DOUBLE", "double"], DataType::Float64),
            (
                &["STRING", "string", "STRING COLLATE UTF8_BINARY"],
                DataType::Utf8,
            ),
            (&["BINARY"], DataType::Binary),
            (&["DATE"], DataType::Date32),
            (
                &["TIMESTAMP", "timestamp", "TIMESTAMP_LTZ"],
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            ),
            (
                &["TIMESTAMP_NTZ", "timestamp_ntz"],
                DataType::Timestamp(TimeUnit::Microsecond, None),
            ),
        ];
        for (spellings, expected) in cases {
            for spelling in *spellings {
                assert_eq!(&ty(spelling), expected, "{spelling}");
            }
        }
    }

    #[test]
    fn decimals() {
        for spelling in ["DECIMAL", "DEC", "NUMERIC", "decimal"] {
            assert_eq!(ty(spelling), DataType::Decimal128(10, 0), "{spelling}");
            assert_eq!(ty(&format!("{spelling}(5)")), DataType::Decimal128(5, 0));
            assert_eq!(
                ty(&format!("{spelling}(12,2)")),
                DataType::Decimal128(12, 2)
            );
        }
        assert_eq!(ty("DECIMAL ( 38 , 38 )"), DataType::Decimal128(38, 38));
        assert_eq!(
            err("x DECIMAL(39,2)"),
            "schema DDL: decimal precision 39 is out of range (0 to 38) at offset 2"
        );
        assert!(err("x DECIMAL(5,6)").contains("scale 6 cannot be greater than precision 5"));
        assert_eq!(ty("DECIMAL(0)"), DataType::Decimal128(0, 0));
        assert!(err("x DECIMAL(99999999999999999999999)").contains("too large"));
        assert_eq!(
            err("x DECIMAL()"),
            "schema DDL: expected an integer at offset 10 near ')'"
        );
        assert_eq!(
            err("x DECIMAL(10 2)"),
            "schema DDL: expected ',' or ')' at offset 13 near '2'"
        );
        assert!(err("x DECIMAL(10,-2)").contains("expected an integer at offset 13 near '-'"));
        assert!(err("x DECIMAL(1,2,3)").contains("unsupported data type 'DECIMAL(1,2,3)'"));
    }

    #[test]
    fn spec_example() {
        let schema = parse_ddl(
            "time TIMESTAMP, action STRING, tags ARRAY<STRING>, attrs MAP<STRING, BIGINT>, \
             geo STRUCT<lat: DOUBLE, lon: DOUBLE>, amount DECIMAL(12,2) COMMENT 'EUR', \
             `my col` INT NOT NULL",
        )
        .unwrap();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            ["time", "action", "tags", "attrs", "geo", "amount", "my col"]
        );
        assert_eq!(
            schema.field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
        assert_eq!(
            schema.field(2).data_type(),
            &DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)))
        );
        let entries = Field::new(
            "key_value",
            DataType::Struct(Fields::from(vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("value", DataType::Int64, true),
            ])),
            false,
        );
        assert_eq!(
            schema.field(3).data_type(),
            &DataType::Map(Arc::new(entries), false)
        );
        assert_eq!(
            schema.field(4).data_type(),
            &DataType::Struct(Fields::from(vec![
                Field::new("lat", DataType::Float64, true),
                Field::new("lon", DataType::Float64, true),
            ]))
        );
        assert_eq!(schema.field(5).data_type(), &DataType::Decimal128(12, 2));
        assert_eq!(comment(schema.field(5)), Some("EUR"));
        assert_eq!(schema.field(6).data_type(), &DataType::Int32);
        assert!(!schema.field(6).is_nullable());
        for f in &schema.fields()[..6] {
            assert!(f.is_nullable(), "{}", f.name());
        }
        for f in &schema.fields()[..5] {
            assert!(f.metadata().is_empty(), "{}", f.name());
        }
    }

    #[test]
    fn nested_types() {
        assert_eq!(
            ty("ARRAY<ARRAY<INT>>"),
            list_of(list_of(DataType::Int32, true), true)
        );
        assert_eq!(
            ty("map<string, array<struct<a:int>>>"),
            map_of(
                DataType::Utf8,
                list_of(
                    DataType::Struct(Fields::from(vec![Field::new("a", DataType::Int32, true)])),
                    true
                ),
                true
            )
        );
        assert_eq!(ty("STRUCT<>"), DataType::Struct(Fields::empty()));
        assert_eq!(ty("STRUCT< >"), DataType::Struct(Fields::empty()));
        // The colon is optional, NOT NULL and COMMENT work on struct fields.
        let DataType::Struct(fields) =
            ty("STRUCT<a INT NOT NULL, b: STRING COMMENT 'bee', `c d`:MAP<INT,STRUCT<e DATE>>>")
        else {
            panic!("not a struct")
        };
        assert_eq!(fields.len(), 3);
        assert!(!fields[0].is_nullable());
        assert_eq!(comment(&fields[1]), Some("bee"));
        assert_eq!(fields[2].name(), "c d");
        assert_eq!(
            fields[2].data_type(),
            &map_of(
                DataType::Int32,
                DataType::Struct(Fields::from(vec![Field::new("e", DataType::Date32, true)])),
                true
            )
        );
    }

    #[test]
    fn names() {
        assert_eq!(one("`my col` INT").name(), "my col");
        assert_eq!(one("`a``b` INT").name(), "a`b");
        assert_eq!(one("```` INT").name(), "`");
        assert_eq!(one("`` INT").name(), "");
        assert_eq!(one("`a,b<c>` INT").name(), "a,b<c>");
        assert_eq!(one("MixedCase INT").name(), "MixedCase");
        assert_eq!(one("_1 INT").name(), "_1");
        assert_eq!(one("1a INT").name(), "1a");
        // Keywords are not reserved in column position.
        assert_eq!(one("comment STRING COMMENT 'c'").name(), "comment");
        assert_eq!(one("not INT NOT NULL").name(), "not");
        assert_eq!(one("struct STRUCT<a INT>").name(), "struct");
        // Spark 4.0.1: INVALID_IDENTIFIER, must be back-quoted (golden schema/ddl_unquoted_unicode_name).
        assert!(err("prénom STRING")
            .contains("INVALID_IDENTIFIER: the unquoted identifier prénom is invalid"));
        assert_eq!(one("`prénom` STRING").name(), "prénom");
        assert_eq!(
            err("123 INT"),
            "schema DDL: expected a column name at offset 0 near '123'"
        );
        assert_eq!(
            err("`abc INT"),
            "schema DDL: expected a closing backtick at offset 0 near '`abc INT'"
        );
    }

    #[test]
    fn comments() {
        assert_eq!(comment(&one("x INT COMMENT 'hi'")), Some("hi"));
        assert_eq!(comment(&one("x INT COMMENT \"hi\"")), Some("hi"));
        assert_eq!(comment(&one(r"x INT COMMENT 'it\'s'")), Some("it's"));
        assert_eq!(
            comment(&one(r#"x INT COMMENT "say \"hi\"""#)),
            Some("say \"hi\"")
        );
        assert_eq!(
            comment(&one(r"x INT COMMENT 'a\nb\tc\\d'")),
            Some("a\nb\tc\\d")
        );
        assert_eq!(
            comment(&one(r"x INT COMMENT '\u00e9\U0001F600'")),
            Some("é😀")
        );
        assert_eq!(comment(&one(r"x INT COMMENT '\uD83D\uDE00'")), Some("😀"));
        assert_eq!(comment(&one(r"x INT COMMENT '\101\0'")), Some("A\0"));
        assert_eq!(comment(&one(r"x INT COMMENT '\q\%'")), Some("q\\%"));
        assert_eq!(comment(&one(r"x INT COMMENT R'a\nb'")), Some("a\\nb"));
        assert_eq!(comment(&one("x INT COMMENT ''")), Some(""));
        assert_eq!(comment(&one("x INT NOT NULL COMMENT 'both'")), Some("both"));
        assert!(!one("x INT NOT NULL COMMENT 'both'").is_nullable());
        assert_eq!(
            err("x INT COMMENT 'a"),
            "schema DDL: expected a closing quote at offset 14 near ''a'"
        );
        assert_eq!(
            err("x INT COMMENT 42"),
            "schema DDL: expected a string literal at offset 14 near '42'"
        );
        // Adjacent literals are not concatenated in a COMMENT (errata: 'a''b' is two literals).
        assert!(err("x INT COMMENT 'a''b'").contains("expected ',' or end of input at offset 17"));
        // Fixed order: NOT NULL before COMMENT.
        assert!(err("x INT COMMENT 'c' NOT NULL").contains("near 'NOT'"));
    }

    #[test]
    fn not_null() {
        assert!(!one("x INT NOT NULL").is_nullable());
        assert!(!one("x INT not null").is_nullable());
        assert!(one("x INT").is_nullable());
        assert_eq!(
            err("x INT NOT"),
            "schema DDL: expected NULL after NOT at offset 9 near end of input"
        );
        assert!(err("x INT NULL").contains("expected ',' or end of input at offset 6 near 'NULL'"));
    }

    #[test]
    fn whitespace_and_sql_comments() {
        let schema =
            parse_ddl("\n\t a INT , -- the id\n b /* block /* nested */ */ STRING\r\n  ").unwrap();
        assert_eq!(schema.fields().len(), 2);
        assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
        assert!(err("a INT /* open").contains("expected '*/' closing the comment at offset 6"));
    }

    #[test]
    fn struct_type_as_whole_schema() {
        let opts = SchemaOptions::default();
        let schema = parse_ddl_or_struct_type("struct<a:int, b:string>", &opts).unwrap();
        assert_eq!(schema, parse_ddl("a INT, b STRING").unwrap());
        let e = parse_ddl_or_struct_type("STRUCT<a:int> x", &opts).unwrap_err();
        assert!(e
            .to_string()
            .contains("expected end of input at offset 14 near 'x'"));
        // A read schema is a column list: Spark fails at the `<` (PARSE_SYNTAX_ERROR, pos 6).
        assert!(err("STRUCT<a: INT, b: STRING>").contains("at offset 6 near '<'"));
        assert!(err("struct <a:int>").contains("at offset 7 near '<'"));
        // A column named `struct` is still a column.
        assert_eq!(one("struct INT").name(), "struct");
    }

    #[test]
    fn syntax_errors_name_the_position() {
        assert_eq!(
            err(""),
            "schema DDL: expected a column name at offset 0 near end of input"
        );
        assert_eq!(
            err("   "),
            "schema DDL: expected a column name at offset 3 near end of input"
        );
        assert_eq!(
            err("a INT,"),
            "schema DDL: expected a column name at offset 6 near end of input"
        );
        assert_eq!(
            err("a INT b STRING"),
            "schema DDL: expected ',' or end of input at offset 6 near 'b'"
        );
        assert_eq!(
            err("a INT, b"),
            "schema DDL: expected a data type at offset 8 near end of input"
        );
        assert_eq!(
            err("a ARRAY<INT"),
            "schema DDL: expected '>' at offset 11 near end of input"
        );
        assert_eq!(
            err("a ARRAY INT"),
            "schema DDL: expected '<' at offset 8 near 'INT'"
        );
        assert_eq!(
            err("a MAP<INT>"),
            "schema DDL: expected ',' at offset 9 near '>'"
        );
        assert_eq!(
            err("a STRUCT<b INT c INT>"),
            "schema DDL: expected ',' or '>' at offset 15 near 'c'"
        );
        assert_eq!(
            err("a STRUCT<b INT,>"),
            "schema DDL: expected a field name at offset 15 near '>'"
        );
        assert_eq!(
            err("a INT; DROP TABLE x"),
            "schema DDL: expected ',' or end of input at offset 5 near ';'"
        );
        assert_eq!(
            err("a:INT"),
            "schema DDL: expected a data type at offset 1 near ':'"
        );
        // Offsets count characters, not bytes.
        assert_eq!(
            err("`é` INT x"),
            "schema DDL: expected ',' or end of input at offset 8 near 'x'"
        );
        // Long tokens are shortened in the message.
        assert!(err(&format!("a INT {}", "z".repeat(100)))
            .contains("near 'zzzzzzzzzzzzzzzzzzzzzzzz...'"));
    }

    #[test]
    fn unsupported_types() {
        assert_eq!(
            err("id INT, x FOO"),
            "schema DDL: unsupported data type 'FOO' at offset 10"
        );
        assert!(crate::variant::is_variant(&ty("variant")));
        for name in ["GEOMETRY", "geometry"] {
            assert_eq!(
                err(&format!("x {name}")),
                format!(
                    "schema DDL: unsupported data type '{name}' at offset 2; \
                     spate does not support this Spark type"
                )
            );
        }
        assert!(err("x INTERVAL").contains("calendar interval"));
        assert!(err("x INT(5)").contains("unsupported data type 'INT(5)' at offset 2"));
        assert!(err("x TIMESTAMP(3)").contains("unsupported data type 'TIMESTAMP(3)'"));
        assert!(matches!(
            parse_ddl("x FOO").unwrap_err(),
            SchemaError::DdlUnsupportedType { ref name, offset: 2, .. } if name == "FOO"
        ));
    }

    #[test]
    fn refused_constructs() {
        for text in [
            "CHAR(10)",
            "CHARACTER(3)",
            "VARCHAR(255)",
            "varchar(1)",
            "CHAR",
        ] {
            let message = err(&format!("x {text}"));
            assert!(
                message.contains(&format!("{text} is not supported")),
                "{message}"
            );
            assert!(message.contains("use STRING"), "{message}");
            assert!(message.ends_with("at offset 2"), "{message}");
        }
        assert_eq!(
            err("t TIMESTAMP WITHOUT TIME ZONE"),
            "schema DDL: TIMESTAMP WITHOUT TIME ZONE is not accepted in a schema string; \
             use TIMESTAMP_NTZ at offset 12"
        );
        assert!(err("t TIMESTAMP WITH LOCAL TIME ZONE").contains("use TIMESTAMP at offset 12"));
        assert_eq!(
            err("a INT DEFAULT 1"),
            "schema DDL: DEFAULT column clauses belong to CREATE TABLE and are not accepted \
             in a schema string at offset 6"
        );
        assert!(err("s STRUCT<a INT NOT NULL DEFAULT 1>").contains("DEFAULT column clauses"));
        assert!(err("a INT GENERATED ALWAYS AS (1)").contains("GENERATED column clauses"));
        assert!(err("s STRING COLLATE UNICODE_XY")
            .contains("[COLLATION_INVALID_NAME] The value UNICODE_XY"));
        assert!(err("s STRING COLLATE UNICODE_XY").contains("at offset 17"));
        assert!(err("s INT COLLATE UTF8_BINARY").contains("near 'COLLATE'"));
    }

    #[test]
    fn utf8_lcase_columns_are_marked() {
        use crate::schema::collation::is_lcase;
        use crate::schema::spark_field_type_name;
        let f = one("s STRING COLLATE UTF8_LCASE");
        assert_eq!(f.data_type(), &DataType::Utf8);
        assert!(is_lcase(&f));
        let f = one("s string collate utf8_lcase NOT NULL COMMENT 'k'");
        assert!(is_lcase(&f) && !f.is_nullable());
        assert_eq!(comment(&f), Some("k"));
        assert!(!is_lcase(&one("s STRING COLLATE UTF8_BINARY")));
        let icu = one("s STRING COLLATE unicode_ai_ci");
        assert_eq!(spark_field_type_name(&icu), "string collate UNICODE_CI_AI");
        let nested = one("m MAP<STRING COLLATE de, ARRAY<STRING COLLATE sv_CI>>");
        assert_eq!(
            spark_field_type_name(&nested),
            "map<string collate de,array<string collate sv_CI>>"
        );
        assert!(err("s STRING COLLATE en_US").contains("Suggested valid collation names: [en_USA]"));
        let from_json =
            parse_ddl_or_struct_type("s STRING COLLATE UTF8_LCASE", &Default::default());
        assert!(from_json.unwrap_err().to_string().contains("from_json"));
    }

    #[test]
    fn intervals() {
        use arrow::datatypes::IntervalUnit;
        assert_eq!(
            ty("INTERVAL DAY TO SECOND"),
            DataType::Duration(TimeUnit::Microsecond)
        );
        assert_eq!(
            ty("interval year to month"),
            DataType::Interval(IntervalUnit::YearMonth)
        );
        assert!(err("x INTERVAL HOUR").contains(
            "INTERVAL HOUR is not supported: spate stores intervals as Arrow types that keep no \
             field range; use INTERVAL DAY TO SECOND at offset 2"
        ));
        assert!(err("x INTERVAL YEAR").contains("use INTERVAL YEAR TO MONTH"));
        assert!(err("x INTERVAL MONTH TO YEAR").contains("the end field must be finer"));
        assert!(err("x INTERVAL DAY TO MONTH").contains("the end field must be finer"));
        assert!(err("x INTERVAL DAY TO").contains("an interval field after TO"));
        // The field names are keywords only after INTERVAL.
        assert_eq!(one("day INTERVAL DAY TO SECOND").name(), "day");
    }

    #[test]
    fn legacy_char_varchar_as_string() {
        let opts = SchemaOptions {
            char_varchar_as_string: true,
            ..SchemaOptions::default()
        };
        let schema = parse_ddl_with("a CHAR(3), b VARCHAR(10), c CHARACTER(1)", &opts).unwrap();
        for f in schema.fields() {
            assert_eq!(f.data_type(), &DataType::Utf8, "{}", f.name());
        }
        // The length is still required, as in Spark.
        assert!(parse_ddl_with("a VARCHAR", &opts).is_err());
    }

    #[test]
    fn duplicate_names() {
        assert_eq!(
            err("a INT, b INT, A STRING"),
            "schema DDL: duplicate column name 'A' (names compare case-insensitively) at offset 14"
        );
        assert!(err("`x` INT, x INT").contains("duplicate column name 'x'"));
        assert!(err("s STRUCT<a INT, a INT>").contains("duplicate field name 'a'"));
        assert!(err("s ARRAY<STRUCT<a INT, A INT>>").contains("at offset 22"));
        // Same name at different levels is fine.
        assert!(parse_ddl("a INT, s STRUCT<a INT>").is_ok());
    }

    #[test]
    fn depth_limit() {
        let deep = format!(
            "x {}INT{}",
            "ARRAY<".repeat(MAX_DEPTH),
            ">".repeat(MAX_DEPTH)
        );
        assert!(parse_ddl(&deep).is_ok());
        let too_deep = format!(
            "x {}INT{}",
            "ARRAY<".repeat(MAX_DEPTH + 1),
            ">".repeat(MAX_DEPTH + 1)
        );
        assert!(err(&too_deep).contains("nest deeper than 64 levels"));
        // Far deeper input fails cleanly instead of overflowing the stack.
        let hostile = format!("x {}", "STRUCT<a ".repeat(100_000));
        assert!(err(&hostile).contains("nest deeper"));
    }

    #[test]
    fn round_trips_through_spark_type_name() {
        use super::super::types::spark_type_name;
        for text in [
            "INT",
            "DECIMAL(12,2)",
            "ARRAY<MAP<STRING,BIGINT>>",
            "STRUCT<`my col`:INT,`a``b`:ARRAY<TIMESTAMP_NTZ>>",
            "STRUCT<>",
        ] {
            let dt = ty(text);
            assert_eq!(ty(&spark_type_name(&dt)), dt, "{text}");
        }
    }
}
