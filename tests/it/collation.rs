//! Collated columns in streaming tables: compared by their collation, written to Delta as plain
//! strings; streaming state keyed on them is refused, as Spark 4.0.1 refuses it.

use serde_json::json;

use crate::harness::{assert_ok, stderr, Env};
use crate::pipeline::sort;

#[test]
fn collated_columns_compare_case_insensitively() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"tag\":\"cats\",\"n\":1}\n{\"tag\":\"Dogs\",\"n\":2}\n",
    );
    env.land(
        "b.json",
        "{\"tag\":\"CATS\",\"n\":3}\n{\"tag\":\"dogs\",\"n\":4}\n{\"tag\":\"Birds\",\"n\":5}\n",
    );
    env.pipeline(
        r#"
CREATE OR REFRESH STREAMING TABLE tagged AS
SELECT tag, upper(tag) AS shout, tag = 'CATS' AS is_cats, n
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'tag STRING COLLATE UTF8_LCASE, n INT');

-- A byte-comparable key is what streaming state needs (as in Spark).
CREATE OR REFRESH STREAMING TABLE tags AS
SELECT DISTINCT lower(CAST(tag AS STRING)) AS tag
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'tag STRING COLLATE UTF8_LCASE, n INT', maxFilesPerTrigger => 1);
"#,
    );
    let out = env.run_available_now(&[]);
    assert_ok(&out);

    let back = env.read_delta("tagged");
    let mut rows = back["duckdb"].as_array().unwrap().clone();
    sort(&mut rows);
    let mut want = vec![
        json!({"tag": "Birds", "shout": "BIRDS", "is_cats": false, "n": 5}),
        json!({"tag": "CATS", "shout": "CATS", "is_cats": true, "n": 3}),
        json!({"tag": "Dogs", "shout": "DOGS", "is_cats": false, "n": 2}),
        json!({"tag": "cats", "shout": "CATS", "is_cats": true, "n": 1}),
        json!({"tag": "dogs", "shout": "DOGS", "is_cats": false, "n": 4}),
    ];
    sort(&mut want);
    assert_eq!(rows, want);
    // Delta has no collation here: the table holds plain strings.
    assert_eq!(back["schema"]["tag"], json!("string"));

    let err = stderr(&out);
    assert!(err.contains("tags batch 1: 3 rows in, 1 out"), "{err}");
    let mut tags = env.read_delta("tags")["duckdb"].as_array().unwrap().clone();
    sort(&mut tags);
    assert_eq!(
        tags,
        vec![
            json!({"tag": "birds"}),
            json!({"tag": "cats"}),
            json!({"tag": "dogs"})
        ]
    );
}

#[test]
fn icu_collated_columns_compare_by_their_sort_keys() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"city\":\"Zürich\",\"n\":1}\n{\"city\":\"Malmö\",\"n\":2}\n{\"city\":\"ZURICH \",\"n\":3}\n",
    );
    env.pipeline(
        r#"
CREATE OR REFRESH STREAMING TABLE flagged AS
SELECT city, city = 'zurich' AS is_zurich, city COLLATE UNICODE = 'zürich' AS exact, n
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'city STRING COLLATE unicode_rtrim_ci_ai, n INT');
"#,
    );
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    let back = env.read_delta("flagged");
    let mut rows = back["deltalake"].as_array().unwrap().clone();
    sort(&mut rows);
    let mut want = vec![
        json!({"city": "Malmö", "is_zurich": false, "exact": false, "n": 2}),
        json!({"city": "ZURICH ", "is_zurich": true, "exact": false, "n": 3}),
        json!({"city": "Zürich", "is_zurich": true, "exact": false, "n": 1}),
    ];
    sort(&mut want);
    assert_eq!(rows, want);
}

#[test]
fn streaming_state_keyed_on_a_collated_column_is_refused_as_in_spark() {
    // PySpark 4.0.1 fails both queries with STATE_STORE_UNSUPPORTED_OPERATION_BINARY_INEQUALITY
    // (dropDuplicates and groupBy().count() on a UTF8_LCASE or UNICODE_CI column).
    for (schema, select) in [
        (
            "tag STRING COLLATE UTF8_LCASE, n INT",
            "SELECT DISTINCT tag",
        ),
        (
            "tag STRING COLLATE UNICODE_CI, n INT",
            "SELECT tag, count(*) AS k",
        ),
    ] {
        let env = Env::new();
        env.land("a.json", "{\"tag\":\"cats\",\"n\":1}\n");
        let group_by = if select.contains("count") {
            "GROUP BY tag"
        } else {
            ""
        };
        env.pipeline(&format!(
            "CREATE OR REFRESH STREAMING TABLE t AS {select} \
             FROM STREAM read_files('${{landing}}', format => 'json', schema => '{schema}') \
             {group_by};"
        ));
        let out = env.run_available_now(&[]);
        assert!(!out.status.success(), "{select}");
        let err = stderr(&out);
        assert!(
            err.contains("STATE_STORE_UNSUPPORTED_OPERATION_BINARY_INEQUALITY"),
            "{select}: {err}"
        );
        assert!(err.contains("CAST(tag AS STRING)"), "{err}");
    }
}
