//! `spate sql`: batch queries over the warehouse's tables and over read_files previews.

use crate::harness::{assert_ok, Env};
use crate::pipeline::{FILE_A, FILE_B, PINS_PIPELINE};

#[test]
fn sql_reads_warehouse_tables_in_every_format() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    env.land("b.json", FILE_B);
    env.pipeline(PINS_PIPELINE);
    assert_ok(&env.run_available_now(&[]));

    let run = |format: &str, sql: &str| {
        let out = env
            .spate()
            .args(["sql", "--warehouse"])
            .arg(&env.warehouse)
            .args(["--format", format, "-e", sql])
            .output()
            .unwrap();
        assert_ok(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        run(
            "csv",
            "SELECT count(*) AS n, sum(follower_count) AS f FROM pins"
        ),
        "n,f\n4,1005120\n"
    );
    assert_eq!(
        run(
            "json",
            "SELECT unique_id FROM pins WHERE ind IS NOT NULL ORDER BY ind"
        ),
        "{\"unique_id\":\"u1\"}\n{\"unique_id\":\"u2\"}\n{\"unique_id\":\"u4\"}\n"
    );
    let table = run(
        "table",
        "SELECT unique_id, title FROM pins ORDER BY unique_id LIMIT 2",
    );
    assert!(table.contains("| unique_id | title |"), "{table}");
    assert!(table.contains("| u1        | Cats  |"), "{table}");
}

#[test]
fn sql_previews_read_files_as_a_batch_read() {
    let env = Env::new();
    env.land("a.json", FILE_A);
    let sql = format!(
        "SELECT count(*) AS n, count(_corrupt_record) AS bad FROM read_files('{}', format => 'json', schema => 'index BIGINT, unique_id STRING, _corrupt_record STRING')",
        env.landing.display()
    );
    let out = env
        .spate()
        .args(["sql", "--format", "csv", "-e", &sql])
        .output()
        .unwrap();
    assert_ok(&out);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "n,bad\n3,1\n");
}
