//! The file source's options end to end (spec §1, §8.2): `spate run` over a landing folder, read
//! back from Delta. Trigger-by-trigger edge cases, checked against PySpark 4.0.1, are unit tests in
//! `connectors/src/files/source_tests.rs`.

use serde_json::{json, Value};

use crate::harness::{assert_ok, stderr, Env};
use crate::pipeline::sort;

fn rows_sorted(env: &Env, table: &str) -> Vec<Value> {
    let mut rows = env.rows(table);
    sort(&mut rows);
    rows
}

fn landing_names(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(&env.landing)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn clean_source_archive_moves_each_batchs_files_when_the_next_batch_starts() {
    let env = Env::new();
    let archive = env.dir.path().join("archive");
    env.pipeline(&format!(
        "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${{landing}}', format => 'json', schema => 'id BIGINT',
           maxFilesPerTrigger => 1, cleanSource => 'archive', sourceArchiveDir => '{}');",
        archive.display()
    ));
    for i in 0..3 {
        env.land(&format!("f{i}.json"), &format!("{{\"id\": {i}}}\n"));
    }
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(
        rows_sorted(&env, "t"),
        vec![json!({"id": 0}), json!({"id": 1}), json!({"id": 2})]
    );
    // One batch late (spec §1.7): the last batch's file stays until a later batch starts.
    assert_eq!(landing_names(&env), ["f2.json"]);
    let archived = archive.join(env.landing.strip_prefix("/").unwrap());
    assert!(archived.join("f0.json").is_file() && archived.join("f1.json").is_file());

    env.land("f3.json", "{\"id\": 3}\n");
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(landing_names(&env), ["f3.json"]);
    assert!(archived.join("f2.json").is_file());
    assert_eq!(env.rows("t").len(), 4);
}

#[test]
fn clean_source_delete_removes_files_of_finished_batches() {
    let env = Env::new();
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${landing}', format => 'json', schema => 'id BIGINT',
           maxFilesPerTrigger => 1, cleanSource => 'DELETE');",
    );
    env.land("a.json", "{\"id\": 1}\n");
    env.land("b.json", "{\"id\": 2}\n");
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(landing_names(&env), ["b.json"]);
    assert_eq!(env.rows("t").len(), 2);
}

#[test]
fn clean_source_mistakes_are_refused_at_start_with_sparks_wording() {
    let env = Env::new();
    env.land("a.json", "{\"id\": 1}\n");
    let run = |options: &str| {
        env.pipeline(&format!(
            "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${{landing}}', format => 'json', schema => 'id BIGINT', {options});"
        ));
        let out = env.run_available_now(&[]);
        assert!(!out.status.success(), "{options} should fail");
        stderr(&out)
    };
    assert!(run("cleanSource => 'archive'")
        .contains("Archive mode must be used with 'sourceArchiveDir' option."));
    assert!(run("cleanSource => 'move'").contains(
        "Invalid mode for clean source option Some(move). Must be one of ARCHIVE,DELETE,OFF"
    ));
    let inside = format!(
        "cleanSource => 'archive', sourceArchiveDir => '{}/archive'",
        env.landing.display()
    );
    assert!(run(&inside).contains("Base archive path cannot be set to the path where archived path can possibly match with source pattern"));
    // Nothing was read or moved.
    assert_eq!(landing_names(&env), ["a.json"]);
}

#[test]
fn max_bytes_per_trigger_takes_the_first_file_even_when_it_is_too_big() {
    let env = Env::new();
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${landing}', format => 'json', schema => 'id BIGINT',
           maxBytesPerTrigger => 60);",
    );
    // Sizes 50, 10, 10, 100, 10: Spark 4.0.1 made batches [0, 1], [2], [3], [4].
    for (i, size) in [50usize, 10, 10, 100, 10].iter().enumerate() {
        let line = format!("{{\"id\":{i}}}");
        env.land(
            &format!("f{i}.json"),
            &format!("{line}{}\n", " ".repeat(size - line.len() - 1)),
        );
    }
    assert_ok(&env.run_available_now(&[]));
    let progress = std::fs::read_to_string(env.dir.path().join("progress.jsonl")).unwrap();
    let per_batch: Vec<u64> = progress
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["numInputRows"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(per_batch, [2, 1, 1, 1]);
}

// `{"id": 2}\n{"id": 3}\n` gzipped, `{"id": 4}\n` bzip2ed, `{"id": 5}\n` zstd-compressed (by the
// command-line tools; the root package has no compression crates to make them at test time).
const GZ: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\xca\x4c\x51\xb2\x52\x30\xaa\xe5\xaa\x86\xb0\x8c\x6b\xb9\x00\xcb\xe8\x11\x39\x14\x00\x00\x00";
const BZ2: &[u8] = b"\x42\x5a\x68\x39\x31\x41\x59\x26\x53\x59\x6f\x25\x39\x45\x00\x00\x04\x59\x80\x00\x10\x50\x00\x04\x10\x04\x20\x00\x0a\x20\x00\x22\x01\x93\xd4\x20\xc9\x88\x13\x13\x2b\x8f\x17\x72\x45\x38\x50\x90\x6f\x25\x39\x45";
const ZST: &[u8] = b"\x28\xb5\x2f\xfd\x00\x58\x51\x00\x00\x7b\x22\x69\x64\x22\x3a\x20\x35\x7d\x0a";

/// Lands binary content atomically (hidden temp name, then rename).
fn land_bytes(env: &Env, rel: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = env.landing.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = path.with_file_name(format!(
        ".tmp-{}",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

#[test]
fn partitions_metadata_and_compressed_files() {
    let env = Env::new();
    env.land(
        "dt=2024-01-01/h=1/a.json",
        "{\"id\": 1, \"dt\": \"from the file, ignored\"}\n",
    );
    let gz = land_bytes(&env, "dt=2024-01-02/h=2/b.json.gz", GZ);
    let bz = land_bytes(&env, "c.json.bz2", BZ2);
    let zst = land_bytes(&env, "d.json.zst", ZST);
    env.pipeline(
        "CREATE STREAMING TABLE t AS
         SELECT id, dt, h, _metadata.file_name AS file_name, _metadata.file_size AS file_size,
                _metadata.file_path LIKE 'file:/%' AS local_path
         FROM STREAM read_files('${landing}', format => 'json', schema => 'id BIGINT, dt DATE, h INT');",
    );
    assert_ok(&env.run_available_now(&[]));
    let size = |p: &std::path::Path| std::fs::metadata(p).unwrap().len();
    let a_size = size(&env.landing.join("dt=2024-01-01/h=1/a.json"));
    let mut want = vec![
        json!({"id": 1, "dt": "2024-01-01", "h": 1, "file_name": "a.json", "file_size": a_size, "local_path": true}),
        json!({"id": 2, "dt": "2024-01-02", "h": 2, "file_name": "b.json.gz", "file_size": size(&gz), "local_path": true}),
        json!({"id": 3, "dt": "2024-01-02", "h": 2, "file_name": "b.json.gz", "file_size": size(&gz), "local_path": true}),
        json!({"id": 4, "dt": null, "h": null, "file_name": "c.json.bz2", "file_size": size(&bz), "local_path": true}),
        json!({"id": 5, "dt": null, "h": null, "file_name": "d.json.zst", "file_size": size(&zst), "local_path": true}),
    ];
    sort(&mut want);
    assert_eq!(rows_sorted(&env, "t"), want);
}

#[test]
fn a_partition_value_that_does_not_cast_fails_like_spark() {
    let env = Env::new();
    env.land("h=x/a.json", "{\"id\": 1}\n");
    env.pipeline("CREATE STREAMING TABLE t AS SELECT id, h FROM STREAM read_files('${landing}', format => 'json', schema => 'id BIGINT, h INT');");
    let out = env.run_available_now(&[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("[INVALID_PARTITION_VALUE] Failed to cast value 'x' to data type \"INT\" for partition column `h`"), "{}", stderr(&out));
}

#[test]
fn a_glob_path_and_path_glob_filter_pick_the_files() {
    let env = Env::new();
    env.land("2024-01/a.json", "{\"id\": 1}\n");
    env.land("2024-01/a.txt", "{\"id\": 2}\n");
    env.land("2024-02/deep/b.json", "{\"id\": 3}\n");
    env.land("2023-12/c.json", "{\"id\": 4}\n");
    env.land("_2024-03/d.json", "{\"id\": 5}\n");
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${landing}/202[4-9]-*/', format => 'json', schema => 'id BIGINT',
           pathGlobFilter => '*.json');",
    );
    let out = env.run_available_now(&[]);
    assert_ok(&out);
    assert_eq!(
        rows_sorted(&env, "t"),
        vec![json!({"id": 1}), json!({"id": 3})]
    );
    let progress = std::fs::read_to_string(env.dir.path().join("progress.jsonl")).unwrap();
    let first: Value = serde_json::from_str(progress.lines().next().unwrap()).unwrap();
    let description = first["sources"][0]["description"].as_str().unwrap();
    assert!(
        description.ends_with("/landing/202[4-9]-*]"),
        "{description}"
    );
}

#[test]
fn include_existing_files_false_reads_only_what_lands_after_the_first_start() {
    let env = Env::new();
    env.land("before.json", "{\"id\": 1}\n");
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${landing}', format => 'json', schema => 'id BIGINT',
           includeExistingFiles => false);",
    );
    assert_ok(&env.run_available_now(&[]));
    assert!(
        !env.warehouse.join("t/_delta_log").exists(),
        "nothing to write yet"
    );
    env.land("after.json", "{\"id\": 2}\n");
    assert_ok(&env.run_available_now(&[]));
    env.land("later.json", "{\"id\": 3}\n");
    assert_ok(&env.run_available_now(&[]));
    assert_eq!(
        rows_sorted(&env, "t"),
        vec![json!({"id": 2}), json!({"id": 3})]
    );
}

#[test]
fn misused_or_misspelt_options_fail_loudly() {
    let env = Env::new();
    env.land("a.json", "{\"id\": 1}\n");
    for (option, message) in [
        (
            "schemaHints => 'id STRING'",
            "schemaHints applies on top of schema inference",
        ),
        (
            "maxFilesPerTriger => 1",
            "unknown or unsupported option 'maxFilesPerTriger'",
        ),
    ] {
        env.pipeline(&format!(
            "CREATE STREAMING TABLE t AS SELECT id FROM STREAM read_files('${{landing}}', format => 'json', schema => 'id BIGINT', {option});"
        ));
        let out = env.run_available_now(&[]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains(message), "{option}: {}", stderr(&out));
    }
}

#[test]
fn read_files_without_a_schema_infers_one_applies_hints_and_keeps_it_across_restarts() {
    let env = Env::new();
    env.land(
        "a.json",
        "{\"id\": 1, \"name\": \"x\", \"score\": 1.5, \"tags\": [\"a\"]}\n{\"id\": 2, \"name\": null, \"score\": 2}\n",
    );
    env.pipeline(
        "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('${landing}', format => 'json', schemaHints => 'id INT');",
    );
    assert_ok(&env.run_available_now(&[]));
    let table = env.read_delta("t");
    assert_eq!(
        table["columns"],
        json!(["id", "name", "score", "tags", "_rescued_data"]),
        "{table}"
    );
    assert_eq!(table["schema"]["id"], json!("int32"), "{table}");
    assert_eq!(table["schema"]["score"], json!("double"), "{table}");
    let stored =
        std::fs::read_to_string(env.dir.path().join("warehouse/_checkpoints/t/_schemas/0"))
            .unwrap();
    assert!(stored.starts_with("v1\n"), "{stored}");
    // A later file with a new column: the stored schema stays, and the new field is rescued.
    let b = env.land("b.json", "{\"id\": 3, \"extra\": true, \"score\": 3.25}\n");
    assert_ok(&env.run_available_now(&[]));
    let mut rows = env.rows("t");
    rows.sort_by_key(|r| r["id"].as_i64());
    let ids: Vec<Value> = rows.iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, vec![json!(1), json!(2), json!(3)]);
    let rescued: Value = serde_json::from_str(rows[2]["_rescued_data"].as_str().unwrap()).unwrap();
    assert_eq!(rescued["extra"], json!(true), "{rescued}");
    let name = b.file_name().unwrap().to_str().unwrap();
    assert!(
        rescued["_file_path"].as_str().unwrap().ends_with(name),
        "{rescued}"
    );
    assert!(rows[0]["_rescued_data"].is_null(), "{rows:?}");
}

#[test]
fn session_confs_reach_the_json_reader() {
    // Spark's JSON reader reads zone-less timestamps in spark.sql.session.timeZone and names the
    // corrupt-record column after spark.sql.columnNameOfCorruptRecord.
    let env = Env::new();
    env.land(
        "a.json",
        "{\"id\": 1, \"ts\": \"2024-01-01 00:00:00\"}\n{oops\n",
    );
    env.pipeline(
        "SET spark.sql.session.timeZone = America/New_York;\n\
         SET spark.sql.columnNameOfCorruptRecord = bad;\n\
         CREATE STREAMING TABLE t AS SELECT id, ts, bad FROM STREAM read_files('${landing}', format => 'json', schema => 'id BIGINT, ts TIMESTAMP, bad STRING');",
    );
    assert_ok(&env.run_available_now(&[]));
    let rows = rows_sorted(&env, "t");
    assert_eq!(rows.len(), 2, "{rows:?}");
    let good = rows.iter().find(|r| r["id"] == json!(1)).unwrap();
    assert_eq!(good["ts"], json!("2024-01-01 05:00:00+00:00"), "{rows:?}");
    assert!(rows.iter().any(|r| r["bad"] == json!("{oops")), "{rows:?}");
}
