//! Unit tests for the pipeline-file parser.

use std::collections::HashMap;

use super::*;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse(text: &str) -> Vec<PipelineStatement> {
    parse_pipeline(text, &vars(&[("landing", "/data/landing")])).expect("parses")
}

fn table(stmt: &PipelineStatement) -> &StreamingTableDef {
    match stmt {
        PipelineStatement::StreamingTable(def) => def,
        other => panic!("not a streaming table: {other:?}"),
    }
}

fn err(text: &str) -> PipelineError {
    parse_pipeline(text, &vars(&[("landing", "/data/landing")])).expect_err("fails")
}

fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_err(text: &str, line: usize, column: usize, needle: &str) {
    let e = err(text);
    assert_eq!((e.line, e.column), (line, column), "{e}");
    assert!(e.message.contains(needle), "{e}");
}

const DESIGN_EXAMPLE: &str = r#"SET spark.sql.ansi.enabled = false;

CREATE OR REFRESH STREAMING TABLE pin_clean
  CONSTRAINT valid_id EXPECT (length(unique_id) = 36) ON VIOLATION DROP ROW
AS SELECT CAST(`index` AS INT) AS ind, unique_id
FROM STREAM read_files('${landing}/pin', format => 'json',
                       schema => 'index BIGINT, unique_id STRING',
                       maxFilesPerTrigger => 1);
"#;

#[test]
fn design_example() {
    let stmts = parse(DESIGN_EXAMPLE);
    assert_eq!(stmts.len(), 2);
    assert_eq!(
        stmts[0],
        PipelineStatement::Set {
            key: "spark.sql.ansi.enabled".into(),
            value: "false".into()
        }
    );
    let def = table(&stmts[1]);
    assert_eq!(def.name, "pin_clean");
    assert!(def.or_refresh);
    assert_eq!(def.line, 3);
    assert!(def.columns.is_empty());
    assert_eq!(
        def.expectations,
        vec![Expectation {
            name: "valid_id".into(),
            expr: "length(unique_id) = 36".into(),
            on_violation: OnViolation::DropRow,
        }]
    );
    assert_eq!(
        def.query,
        "SELECT CAST(`index` AS INT) AS ind, unique_id\nFROM __spate_source_0"
    );
    assert_eq!(
        def.sources,
        vec![SourceCall {
            kind: SourceKind::ReadFiles,
            placeholder: "__spate_source_0".into(),
            path: Some("/data/landing/pin".into()),
            options: opts(&[
                ("format", "json"),
                ("schema", "index BIGINT, unique_id STRING"),
                ("maxFilesPerTrigger", "1"),
            ]),
            line: 6,
            column: 13,
        }]
    );
}

#[test]
fn multiple_tables_and_source_forms() {
    let text = r#"
CREATE STREAMING TABLE a AS SELECT * FROM STREAM read_files('/a', `cloudFiles.maxFileAge` => '7 days');
create or refresh streaming table `b` as
  select x.*, y.v from stream(READ_FILES('/b', multiLine => TRUE)) x
  join STREAM read_kinesis(streamName => 's', region => 'us-east-1', maxRecordsPerFetch => -10) AS y
  on x.k = y.k;
CREATE STREAMING TABLE IF NOT EXISTS c AS WITH s AS (SELECT * FROM STREAM read_files('/c')) SELECT * FROM s
"#;
    let stmts = parse(text);
    assert_eq!(stmts.len(), 3);
    let a = table(&stmts[0]);
    assert_eq!((a.name.as_str(), a.or_refresh, a.line), ("a", false, 2));
    assert_eq!(a.query, "SELECT * FROM __spate_source_0");
    assert_eq!(
        a.sources[0].options,
        opts(&[("cloudFiles.maxFileAge", "7 days")])
    );

    let b = table(&stmts[1]);
    assert_eq!((b.name.as_str(), b.or_refresh, b.line), ("b", true, 3));
    assert_eq!(
        b.query,
        "select x.*, y.v from __spate_source_0 x\n  join __spate_source_1 AS y\n  on x.k = y.k"
    );
    assert_eq!(b.sources.len(), 2);
    assert_eq!(b.sources[0].kind, SourceKind::ReadFiles);
    assert_eq!(b.sources[0].path.as_deref(), Some("/b"));
    assert_eq!(b.sources[0].options, opts(&[("multiLine", "true")]));
    assert_eq!((b.sources[0].line, b.sources[0].column), (4, 31));
    assert_eq!(b.sources[1].kind, SourceKind::ReadKinesis);
    assert_eq!(b.sources[1].placeholder, "__spate_source_1");
    assert_eq!(b.sources[1].path, None);
    assert_eq!(
        b.sources[1].options,
        opts(&[
            ("streamName", "s"),
            ("region", "us-east-1"),
            ("maxRecordsPerFetch", "-10")
        ])
    );

    let c = table(&stmts[2]);
    assert_eq!(
        c.query,
        "WITH s AS (SELECT * FROM __spate_source_0) SELECT * FROM s"
    );
}

#[test]
fn comments_and_semicolons_inside_strings() {
    let text = r#"-- a comment; with a semicolon and ${not_passed}
SET a.b = 'x;y';  /* block; /* nested; */ comment */
SET spark.sql.session.timeZone=America/Los_Angeles;
CREATE STREAMING TABLE t AS SELECT 'a;b' AS s, "c\"; d" AS d, `we;ird` -- trailing; comment
FROM STREAM read_files('/p', format => 'json', sep => 'it\'s;' ';x');
;;
SELECT 1 AS one -- ok;
"#;
    let stmts = parse(text);
    assert_eq!(stmts.len(), 4);
    assert_eq!(
        stmts[0],
        PipelineStatement::Set {
            key: "a.b".into(),
            value: "x;y".into()
        }
    );
    assert_eq!(
        stmts[1],
        PipelineStatement::Set {
            key: "spark.sql.session.timeZone".into(),
            value: "America/Los_Angeles".into()
        }
    );
    let t = table(&stmts[2]);
    assert_eq!(
        t.query,
        "SELECT 'a;b' AS s, \"c\\\"; d\" AS d, `we;ird` -- trailing; comment\nFROM __spate_source_0"
    );
    assert_eq!(
        t.sources[0].options,
        opts(&[("format", "json"), ("sep", "it's;;x")])
    );
    assert_eq!(
        stmts[3],
        PipelineStatement::Query {
            sql: "SELECT 1 AS one".into()
        }
    );
}

#[test]
fn column_list_with_nested_types_and_constraints() {
    let text = r#"CREATE STREAMING TABLE events (
  id BIGINT NOT NULL COMMENT 'the id',
  payload STRUCT<a: INT, b: ARRAY<STRUCT<c: STRING, d: DECIMAL(10, 2)>>>,
  tags MAP<STRING, ARRAY<STRING>> COMMENT 'k, v',
  `odd name` STRING,
  CONSTRAINT positive EXPECT (id > 0 AND size(tags) < 10),
  CONSTRAINT has_payload EXPECT (payload IS NOT NULL) ON VIOLATION FAIL UPDATE,
  amount DECIMAL(10,2)
) AS SELECT * FROM STREAM read_files('/in')"#;
    let def = parse(text)
        .into_iter()
        .next()
        .map(|s| table(&s).clone())
        .expect("one table");
    let cols: Vec<(&str, &str, bool, Option<&str>)> = def
        .columns
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.data_type.as_str(),
                c.not_null,
                c.comment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        cols,
        vec![
            ("id", "BIGINT", true, Some("the id")),
            (
                "payload",
                "STRUCT<a: INT, b: ARRAY<STRUCT<c: STRING, d: DECIMAL(10, 2)>>>",
                false,
                None
            ),
            ("tags", "MAP<STRING, ARRAY<STRING>>", false, Some("k, v")),
            ("odd name", "STRING", false, None),
            ("amount", "DECIMAL(10,2)", false, None),
        ]
    );
    assert_eq!(
        def.expectations,
        vec![
            Expectation {
                name: "positive".into(),
                expr: "id > 0 AND size(tags) < 10".into(),
                on_violation: OnViolation::Keep,
            },
            Expectation {
                name: "has_payload".into(),
                expr: "payload IS NOT NULL".into(),
                on_violation: OnViolation::FailUpdate,
            },
        ]
    );
}

#[test]
fn all_three_on_violation_forms() {
    let text = r#"CREATE STREAMING TABLE t
  CONSTRAINT kept EXPECT (a IS NOT NULL)
  CONSTRAINT dropped EXPECT (b > 0) ON VIOLATION DROP ROW
  CONSTRAINT failed EXPECT (c <> 'x') on violation fail update
AS SELECT * FROM STREAM read_files('/in')"#;
    let stmts = parse(text);
    let got: Vec<(&str, &str, OnViolation)> = table(&stmts[0])
        .expectations
        .iter()
        .map(|e| (e.name.as_str(), e.expr.as_str(), e.on_violation))
        .collect();
    assert_eq!(
        got,
        vec![
            ("kept", "a IS NOT NULL", OnViolation::Keep),
            ("dropped", "b > 0", OnViolation::DropRow),
            ("failed", "c <> 'x'", OnViolation::FailUpdate),
        ]
    );
}

#[test]
fn table_clauses_in_any_order() {
    let first = r#"CREATE OR REFRESH STREAMING TABLE t (a INT, b STRING)
  PARTITIONED BY (b, `a`)
  LOCATION 's3://bucket/${landing}/t'
  COMMENT 'the \'t\' table'
  TBLPROPERTIES ('delta.appendOnly' = 'true', delta.logRetentionDuration = "interval 7 days", x = 3)
  USING DELTA
AS SELECT * FROM STREAM read_files('/in')"#;
    let second = r#"CREATE OR REFRESH STREAMING TABLE t (a INT, b STRING)
  USING delta
  TBLPROPERTIES ('delta.appendOnly' = 'true', delta.logRetentionDuration = "interval 7 days", x = 3)
  COMMENT 'the \'t\' table' LOCATION 's3://bucket/${landing}/t' PARTITIONED BY (b, `a`) AS
SELECT * FROM STREAM read_files('/in')"#;
    let a = table(&parse(first)[0]).clone();
    let mut b = table(&parse(second)[0]).clone();
    assert_eq!(a.partitioned_by, vec!["b".to_string(), "a".to_string()]);
    assert_eq!(a.location.as_deref(), Some("s3://bucket//data/landing/t"));
    assert_eq!(a.comment.as_deref(), Some("the 't' table"));
    assert_eq!(
        a.tblproperties,
        opts(&[
            ("delta.appendOnly", "true"),
            ("delta.logRetentionDuration", "interval 7 days"),
            ("x", "3"),
        ])
    );
    // Only the source position differs between the two spellings.
    assert_eq!((b.sources[0].line, b.sources[0].column), (5, 22));
    b.sources[0].line = a.sources[0].line;
    b.sources[0].column = a.sources[0].column;
    assert_eq!(a, b);
}

#[test]
fn undefined_variable_points_at_the_reference() {
    assert_err(
        "SET a = 1;\nCREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('${nope}/x')",
        2,
        62,
        "undefined variable ${nope}",
    );
    assert_err("SET a = ${landing;", 1, 9, "unterminated ${");
}

#[test]
fn positions_after_a_substitution_refer_to_the_file() {
    // The value is longer than `${landing}`; the error is later on the same line.
    let e = err("SET p = '${landing}'; CREATE TABLE t AS SELECT 1");
    assert_eq!((e.line, e.column), (1, 30), "{e}");
    // Columns count characters, not bytes.
    let e = err("SET p = 'héllo'; INSERT INTO t SELECT 1");
    assert_eq!((e.line, e.column), (1, 18), "{e}");
    assert!(
        e.message.contains("unsupported statement: INSERT INTO"),
        "{e}"
    );
    assert_eq!(e.to_string(), format!("line 1, column 18: {}", e.message));
}

#[test]
fn unsupported_clauses_and_statements() {
    let base = "CREATE OR REFRESH STREAMING TABLE t\n  PARTITIONED BY (a)\n  ";
    let tail = "\nAS SELECT * FROM STREAM read_files('/in')";
    for (clause, needle) in [
        ("CLUSTER BY (a)", "unsupported: CLUSTER BY"),
        ("SCHEDULE EVERY 1 HOUR", "unsupported: SCHEDULE"),
        ("USING parquet", "unsupported: USING parquet"),
        ("WITH ROW FILTER f ON (a)", "unsupported: WITH ROW FILTER"),
        ("OPTIONS (a = 1)", "unsupported: OPTIONS"),
        ("PARTITIONED BY (b)", "duplicate PARTITIONED clause"),
    ] {
        assert_err(&format!("{base}{clause}{tail}"), 3, 3, needle);
    }
    assert_err(
        "SET x = 1;\n  CREATE TABLE t AS SELECT 1",
        2,
        10,
        "unsupported: CREATE TABLE",
    );
    assert_err(
        "CREATE OR REFRESH MATERIALIZED VIEW v AS SELECT 1",
        1,
        19,
        "unsupported: CREATE MATERIALIZED VIEW",
    );
    assert_err(
        "CREATE OR REFRESH PRIVATE STREAMING TABLE t AS SELECT 1",
        1,
        19,
        "unsupported: PRIVATE",
    );
    assert_err(
        "\n\nCREATE VIEW v AS SELECT 1",
        3,
        1,
        "unsupported statement: CREATE VIEW",
    );
    assert_err("DROP TABLE t", 1, 1, "unsupported statement: DROP TABLE");
    assert_err(
        "CREATE STREAMING TABLE t (a INT DEFAULT 1) AS SELECT * FROM STREAM read_files('/x')",
        1,
        33,
        "unsupported: column option DEFAULT",
    );
    assert_err(
        "CREATE STREAMING TABLE t (CONSTRAINT pk PRIMARY KEY (a)) AS SELECT * FROM STREAM read_files('/x')",
        1,
        41,
        "unsupported: CONSTRAINT ... PRIMARY",
    );
    assert_err(
        "CREATE STREAMING TABLE t CONSTRAINT c EXPECT (a > 0) ON VIOLATION IGNORE AS SELECT 1",
        1,
        67,
        "expected DROP ROW or FAIL UPDATE",
    );
}

#[test]
fn read_files_without_stream_is_an_error_in_a_streaming_table() {
    assert_err(
        "CREATE STREAMING TABLE t AS\nSELECT * FROM read_files('/in', format => 'json')",
        2,
        15,
        "read_files without STREAM in a streaming table is a batch read; write FROM STREAM read_files(...)",
    );
    // One STREAM source does not excuse a batch read next to it.
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('/a') JOIN read_files('/b') USING (k)",
        1,
        72,
        "read_files without STREAM",
    );
}

#[test]
fn streaming_table_needs_a_stream_source() {
    assert_err(
        "CREATE STREAMING TABLE t AS\n  SELECT 1 AS stream",
        2,
        3,
        "reads no STREAM source",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM bronze",
        1,
        43,
        "not supported yet",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM(bronze)",
        1,
        43,
        "not supported yet",
    );
}

#[test]
fn missing_as_and_other_syntax_errors() {
    assert_err(
        "CREATE STREAMING TABLE t (a INT)\n  COMMENT 'x';\nSELECT 1",
        2,
        14,
        "expected AS query after CREATE STREAMING TABLE t, found end of statement",
    );
    assert_err(
        "CREATE STREAMING TABLE t SELECT * FROM STREAM read_files('/x')",
        1,
        26,
        "expected AS before the query",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS",
        1,
        28,
        "expected a query after AS",
    );
    assert_err("SELECT 'abc\nFROM x", 1, 8, "unterminated string literal");
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('/x', format => upper('j'))",
        1,
        77,
        "must be a string, number or boolean literal",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_kinesis('s')",
        1,
        63,
        "read_kinesis takes named arguments",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files(format => 'json')",
        1,
        50,
        "read_files needs a path",
    );
}

#[test]
fn queries_keep_their_text_and_batch_read_files_are_extracted() {
    let text = "SELECT a FROM read_files('/x/*.json', format => 'json') AS r\n  JOIN READ_FILES(\"/y\", `cloudFiles.format` => 'csv', header => TRUE) s ON r.id = s.id";
    let stmts = parse(&format!("{text};"));
    assert_eq!(
        stmts,
        vec![PipelineStatement::Query {
            sql: text.to_string()
        }]
    );

    let (sql, calls) = extract_batch_read_files(text).expect("extracts");
    assert_eq!(
        sql,
        "SELECT a FROM __spate_source_0 AS r\n  JOIN __spate_source_1 s ON r.id = s.id"
    );
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].path.as_deref(), Some("/x/*.json"));
    assert_eq!(calls[0].options, opts(&[("format", "json")]));
    assert_eq!((calls[0].line, calls[0].column), (1, 15));
    assert_eq!(calls[1].path.as_deref(), Some("/y"));
    assert_eq!(
        calls[1].options,
        opts(&[("cloudFiles.format", "csv"), ("header", "true")])
    );
    assert_eq!((calls[1].line, calls[1].column), (2, 8));

    // No calls: the text comes back unchanged.
    let plain = "SELECT stream, t.read_files FROM t -- read_files('/x')";
    assert_eq!(
        extract_batch_read_files(plain).expect("plain"),
        (plain.to_string(), vec![])
    );

    let e = extract_batch_read_files("SELECT *\nFROM STREAM read_files('/x')").expect_err("stream");
    assert_eq!((e.line, e.column), (2, 6), "{e}");
    let e = extract_batch_read_files("SELECT * FROM read_kinesis(streamName => 's')")
        .expect_err("kinesis");
    assert_eq!((e.line, e.column), (1, 15), "{e}");
    // parse_pipeline reports a bad batch call at its position in the file.
    assert_err(
        "SET a = 1;\nSELECT * FROM read_files('/x', a => 1, A => 2)",
        2,
        40,
        "option A given twice",
    );
}

#[test]
fn set_forms_literals_and_variables() {
    let text = "SET TIME ZONE 'UTC';\r\nSET `my.key`='v';\r\nSET empty =;\r\nSET k = ${empty};\r\n\
                CREATE STREAMING TABLE `${landing}x` AS SELECT * FROM STREAM read_files(r'C:\\in\\${empty}', \
                pathGlobFilter => '\\u0041*.json', maxBytesPerTrigger => 1.5e3)";
    let stmts = parse_pipeline(text, &vars(&[("landing", "l"), ("empty", "")])).expect("parses");
    let set = |k: &str, v: &str| PipelineStatement::Set {
        key: k.into(),
        value: v.into(),
    };
    assert_eq!(stmts[0], set("spark.sql.session.timeZone", "UTC"));
    assert_eq!(stmts[1], set("my.key", "v"));
    assert_eq!(stmts[2], set("empty", ""));
    assert_eq!(stmts[3], set("k", ""));
    let t = table(&stmts[4]);
    assert_eq!(t.name, "lx");
    assert_eq!(t.sources[0].path.as_deref(), Some("C:\\in\\"));
    assert_eq!(
        t.sources[0].options,
        opts(&[
            ("pathGlobFilter", "A*.json"),
            ("maxBytesPerTrigger", "1.5e3")
        ])
    );
    // CRLF line ends still count lines, and an empty `${empty}` value maps back correctly.
    let e = parse_pipeline(
        "SET a = 1;\r\nSET b = ${empty};\r\nDELETE FROM t",
        &vars(&[("empty", "")]),
    )
    .expect_err("fails");
    assert_eq!((e.line, e.column), (3, 1), "{e}");
}

#[test]
fn watermark_and_select_distinct_become_stateful_operators() {
    let s = parse(
        "CREATE STREAMING TABLE t AS SELECT DISTINCT id, ts FROM STREAM read_files('/in', schema => 'id INT, ts TIMESTAMP') WATERMARK ts DELAY OF INTERVAL 10 MINUTES AS s WHERE id > 0",
    );
    let t = table(&s[0]);
    assert_eq!(
        t.query,
        "SELECT  id, ts FROM __spate_source_0 AS s WHERE id > 0"
    );
    assert_eq!(
        t.watermark,
        Some(crate::state::Watermark {
            column: "ts".into(),
            delay_ms: 600_000
        })
    );
    assert_eq!(t.dedup, Some(crate::state::DedupSpec { columns: None }));
    for (interval, ms) in [
        ("INTERVAL '10' SECONDS", 10_000),
        ("INTERVAL '2 hours'", 7_200_000),
        ("INTERVAL 1 HOUR 30 MINUTES", 5_400_000),
    ] {
        let s = parse(&format!(
            "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('/in') WATERMARK ts DELAY OF {interval}"
        ));
        assert_eq!(
            table(&s[0]).watermark.as_ref().unwrap().delay_ms,
            ms,
            "{interval}"
        );
    }
}

#[test]
fn qualify_row_number_is_a_dedup_on_columns() {
    let s = parse(
        "CREATE STREAMING TABLE t AS SELECT a, `b c` FROM STREAM read_files('/in') QUALIFY row_number() OVER (PARTITION BY a, `b c`) = 1",
    );
    let t = table(&s[0]);
    assert_eq!(t.query, "SELECT a, `b c` FROM __spate_source_0 ");
    assert_eq!(
        t.dedup,
        Some(crate::state::DedupSpec {
            columns: Some(vec!["a".into(), "b c".into()])
        })
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('/in') QUALIFY row_number() OVER (PARTITION BY a ORDER BY a) = 1",
        1,
        110,
        "ORDER BY in a streaming de-duplication",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('/in') QUALIFY rank() OVER (PARTITION BY a) = 1",
        1,
        76,
        "QUALIFY row_number() OVER (PARTITION BY col, ...) = 1",
    );
    assert_err(
        "CREATE STREAMING TABLE t AS SELECT a FROM STREAM read_files('/in') WATERMARK ts DELAY OF INTERVAL 5 parsecs",
        1,
        101,
        "expected an interval unit",
    );
}
