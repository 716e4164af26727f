//! The pipeline-file parser: `SET`, `CREATE [OR REFRESH] STREAMING TABLE ... AS SELECT ...
//! FROM STREAM read_files(...)`, and plain batch queries (DESIGN.md "SQL files", spec §8.1-8.2).
//!
//! Steps: substitute `${name}` ([`vars`]), lex Spark-style ([`lexer`]), split at `;`
//! ([`split`]), then parse each statement. Positions in errors always refer to the original
//! file ([`position`]), even after substitution.

mod clauses;
mod columns;
mod cursor;
mod expectation;
mod lexer;
mod literal;
mod position;
mod set;
mod source_call;
mod split;
mod stateful;
mod streaming_table;
mod vars;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use lexer::Token;
use position::{Ctx, SourceMap};
use source_call::Mode;

/// One statement of a pipeline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineStatement {
    /// `SET key = value`: a session conf setting, value unquoted.
    Set { key: String, value: String },
    /// `CREATE [OR REFRESH] STREAMING TABLE ... AS query`.
    StreamingTable(StreamingTableDef),
    /// A plain batch query (`SELECT`, `WITH`, `VALUES`, `(`), text kept as written.
    Query { sql: String },
}

/// A parsed `CREATE STREAMING TABLE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamingTableDef {
    /// Table name, backticks removed, qualified parts joined with `.`.
    pub name: String,
    /// Whether `OR REFRESH` was written.
    pub or_refresh: bool,
    /// Declared columns of the column list (empty when there is none).
    pub columns: Vec<ColumnDef>,
    /// `CONSTRAINT ... EXPECT` entries, in file order.
    pub expectations: Vec<Expectation>,
    /// `PARTITIONED BY` column names.
    pub partitioned_by: Vec<String>,
    /// `LOCATION` (unquoted), when given.
    pub location: Option<String>,
    /// Table `COMMENT` (unquoted), when given.
    pub comment: Option<String>,
    /// `TBLPROPERTIES` in order, keys and values unquoted.
    pub tblproperties: Vec<(String, String)>,
    /// The AS query with each STREAM source call replaced by its placeholder table name.
    pub query: String,
    /// The STREAM source calls, in query order (placeholder `__spate_source_<index>`).
    pub sources: Vec<SourceCall>,
    /// 1-based line of `CREATE` in the original file.
    pub line: usize,
    /// The source's `WATERMARK col DELAY OF INTERVAL ...`, when declared.
    pub watermark: Option<crate::state::Watermark>,
    /// The query's de-duplication (`SELECT DISTINCT`, `QUALIFY row_number() ... = 1`), taken out
    /// of `query` and run by the stateful operator.
    pub dedup: Option<crate::state::DedupSpec>,
}

/// One declared column: `name type [NOT NULL] [COMMENT '...']`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// Column name, backticks removed.
    pub name: String,
    /// The type as written (raw DDL text, e.g. `STRUCT<a: INT, b: ARRAY<STRING>>`).
    pub data_type: String,
    /// Whether `NOT NULL` was written.
    pub not_null: bool,
    /// Column `COMMENT` (unquoted), when given.
    pub comment: Option<String>,
}

/// A `CONSTRAINT name EXPECT (expr) [ON VIOLATION ...]` data-quality expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Constraint name, backticks removed.
    pub name: String,
    /// The condition's SQL text, without the outer parentheses.
    pub expr: String,
    /// What to do with rows that fail it.
    pub on_violation: OnViolation,
}

/// What an expectation does with a violating row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnViolation {
    /// No `ON VIOLATION`: keep the row and count it.
    Keep,
    /// `ON VIOLATION DROP ROW`.
    DropRow,
    /// `ON VIOLATION FAIL UPDATE`.
    FailUpdate,
}

/// A `read_files(...)` / `read_kinesis(...)` call that was replaced by a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCall {
    /// Which table function.
    pub kind: SourceKind,
    /// The table name standing in for the call in the query (`__spate_source_0`, ...).
    pub placeholder: String,
    /// read_files' positional path (unquoted); None for read_kinesis.
    pub path: Option<String>,
    /// Named `key => value` arguments: keys as written, values as unquoted literal text.
    pub options: Vec<(String, String)>,
    /// 1-based line of the function name in the original file.
    pub line: usize,
    /// 1-based column (in characters) of the function name.
    pub column: usize,
}

/// The source table functions a pipeline can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `read_files(path, option => value, ...)`.
    ReadFiles,
    /// `read_kinesis(option => value, ...)`.
    ReadKinesis,
}

/// A parse error at a 1-based line/column of the original file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct PipelineError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a pipeline file after substituting `${name}` from `vars`.
pub fn parse_pipeline(
    text: &str,
    vars: &HashMap<String, String>,
) -> Result<Vec<PipelineStatement>, PipelineError> {
    let original = Ctx::identity(text);
    // Comments of the original are found first so `${x}` inside them is left alone; if the
    // raw text does not lex, the lex of the substituted text below reports it.
    let comments = lexer::lex(text).map(|l| l.comments).unwrap_or_default();
    let (substituted, segments) =
        vars::substitute(text, vars, &comments).map_err(|(at, msg)| original.error(at, msg))?;
    let ctx = Ctx {
        src: &substituted,
        map: SourceMap::new(text, segments),
    };
    let lexed = lexer::lex(&substituted).map_err(|(at, msg)| ctx.error(at, msg))?;
    split::statements(&lexed.tokens, substituted.len())
        .iter()
        .map(|stmt| statement(&ctx, stmt))
        .collect()
}

/// Replaces each batch `read_files(...)` table-function call in `sql` with a placeholder
/// table name (`__spate_source_0`, ...); positions in errors and calls are within `sql`.
pub fn extract_batch_read_files(sql: &str) -> Result<(String, Vec<SourceCall>), PipelineError> {
    let ctx = Ctx::identity(sql);
    let lexed = lexer::lex(sql).map_err(|(at, msg)| ctx.error(at, msg))?;
    let found = source_call::scan(&ctx, &lexed.tokens, Mode::Batch)?;
    let text = source_call::splice(&ctx, 0..sql.len(), &found);
    Ok((text, found.into_iter().map(|f| f.call).collect()))
}

/// Dispatches one statement on its first token.
fn statement(
    ctx: &Ctx<'_>,
    stmt: &split::Statement<'_, '_>,
) -> Result<PipelineStatement, PipelineError> {
    let (Some(first), Some(last)) = (stmt.tokens.first(), stmt.tokens.last()) else {
        return Err(ctx.error(stmt.end, "empty statement"));
    };
    if first.is_kw("SET") {
        set::parse(ctx, stmt)
    } else if first.is_kw("CREATE") {
        streaming_table::parse(ctx, stmt).map(PipelineStatement::StreamingTable)
    } else if starts_query(first) {
        // Validate the batch read_files calls now, so their errors point into the file;
        // the caller extracts them again from the kept text.
        source_call::scan(ctx, stmt.tokens, Mode::Batch)?;
        Ok(PipelineStatement::Query {
            sql: ctx.slice(first.start, last.end()).to_string(),
        })
    } else {
        let words: Vec<&str> = stmt.tokens.iter().take(2).map(|t| t.text).collect();
        Err(ctx.error(
            first.start,
            format!(
                "unsupported statement: {}; a pipeline file holds SET, CREATE STREAMING TABLE \
                 ... AS and queries",
                words.join(" ")
            ),
        ))
    }
}

/// True for a token that can start a query.
fn starts_query(t: &Token<'_>) -> bool {
    t.is_kw("SELECT") || t.is_kw("WITH") || t.is_kw("VALUES") || t.is_punct("(")
}
