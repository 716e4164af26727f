//! UTF8_LCASE columns in streaming tables: compared and de-duplicated case-insensitively,
//! written to Delta as plain strings.

use serde_json::json;

use crate::harness::{assert_ok, stderr, Env};
use crate::pipeline::sort;

const PIPELINE: &str = r#"
CREATE OR REFRESH STREAMING TABLE tagged AS
SELECT tag, upper(tag) AS shout, tag = 'CATS' AS is_cats, n
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'tag STRING COLLATE UTF8_LCASE, n INT');

CREATE OR REFRESH STREAMING TABLE tags AS
SELECT DISTINCT tag
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'tag STRING COLLATE UTF8_LCASE, n INT', maxFilesPerTrigger => 1);
"#;

#[test]
fn collated_columns_compare_and_deduplicate_case_insensitively() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"tag\":\"cats\",\"n\":1}\n{\"tag\":\"Dogs\",\"n\":2}\n",
    );
    env.land(
        "b.json",
        "{\"tag\":\"CATS\",\"n\":3}\n{\"tag\":\"dogs\",\"n\":4}\n{\"tag\":\"Birds\",\"n\":5}\n",
    );
    env.pipeline(PIPELINE);
    let out = env.run_available_now(&[]);
    assert_ok(&out);

    let back = env.read_delta("tagged");
    let mut rows = back["duckdb"].as_array().unwrap().clone();
    sort(&mut rows);
    let want = [
        json!({"tag": "Birds", "shout": "BIRDS", "is_cats": false, "n": 5}),
        json!({"tag": "CATS", "shout": "CATS", "is_cats": true, "n": 3}),
        json!({"tag": "Dogs", "shout": "DOGS", "is_cats": false, "n": 2}),
        json!({"tag": "cats", "shout": "CATS", "is_cats": true, "n": 1}),
        json!({"tag": "dogs", "shout": "DOGS", "is_cats": false, "n": 4}),
    ];
    let mut want = want.to_vec();
    sort(&mut want);
    assert_eq!(rows, want);
    // Delta has no collation here: the table holds plain strings.
    assert_eq!(back["schema"]["tag"], json!("string"));

    // The second file's CATS and dogs were seen in the first batch as cats and Dogs.
    let err = stderr(&out);
    assert!(err.contains("tags batch 1: 3 rows in, 1 out"), "{err}");
    let mut tags = env.read_delta("tags")["duckdb"].as_array().unwrap().clone();
    sort(&mut tags);
    assert_eq!(
        tags,
        vec![
            json!({"tag": "Birds"}),
            json!({"tag": "Dogs"}),
            json!({"tag": "cats"})
        ]
    );
}

#[test]
fn a_streaming_group_by_on_a_collated_column_is_refused() {
    let env = Env::new();
    env.land("a.json", "{\"tag\":\"cats\",\"n\":1}\n");
    env.pipeline(
        r#"CREATE OR REFRESH STREAMING TABLE counts AS
SELECT tag, count(*) AS k
FROM STREAM read_files('${landing}', format => 'json', schema => 'tag STRING COLLATE UTF8_LCASE, n INT')
GROUP BY tag;"#,
    );
    let out = env.run_available_now(&[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("STRING COLLATE UTF8_LCASE"), "{err}");
    assert!(err.contains("group by lower(col)"), "{err}");
}

#[test]
fn icu_collated_columns_compare_and_deduplicate_by_their_sort_keys() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"city\":\"Zürich\",\"n\":1}\n{\"city\":\"Malmö\",\"n\":2}\n",
    );
    env.land(
        "b.json",
        "{\"city\":\"ZURICH\",\"n\":3}\n{\"city\":\"malmo  \",\"n\":4}\n{\"city\":\"Genève\",\"n\":5}\n",
    );
    env.pipeline(
        r#"
CREATE OR REFRESH STREAMING TABLE flagged AS
SELECT city, city = 'zurich' AS is_zurich, n
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'city STRING COLLATE UNICODE_CI_AI_RTRIM, n INT');

CREATE OR REFRESH STREAMING TABLE cities AS
SELECT DISTINCT city
FROM STREAM read_files('${landing}', format => 'json',
  schema => 'city STRING COLLATE unicode_rtrim_ci_ai, n INT', maxFilesPerTrigger => 1);
"#,
    );
    let out = env.run_available_now(&[]);
    assert_ok(&out);

    let mut rows = env.read_delta("flagged")["duckdb"]
        .as_array()
        .unwrap()
        .clone();
    sort(&mut rows);
    let mut want = vec![
        json!({"city": "Genève", "is_zurich": false, "n": 5}),
        json!({"city": "Malmö", "is_zurich": false, "n": 2}),
        json!({"city": "ZURICH", "is_zurich": true, "n": 3}),
        json!({"city": "Zürich", "is_zurich": true, "n": 1}),
        json!({"city": "malmo  ", "is_zurich": false, "n": 4}),
    ];
    sort(&mut want);
    assert_eq!(rows, want);

    // Case, accents and trailing spaces aside, ZURICH and `malmo  ` were seen in batch 0.
    let err = stderr(&out);
    assert!(err.contains("cities batch 1: 3 rows in, 1 out"), "{err}");
    let back = env.read_delta("cities");
    let mut cities = back["deltalake"].as_array().unwrap().clone();
    sort(&mut cities);
    assert_eq!(
        cities,
        vec![
            json!({"city": "Genève"}),
            json!({"city": "Malmö"}),
            json!({"city": "Zürich"})
        ]
    );
}
