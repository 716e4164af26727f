//! The Pinterest showcase end to end: emulator -> pipeline.sql -> Delta -> analytics, checked with DuckDB.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::harness::{assert_ok, python, Env};

const PLACEHOLDERS: &[&str] = &[
    "User Info Error",
    "No description available Story format",
    "No Title Data Available",
    "Image src error.",
    "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
    "",
];

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Non-blank lines written per feed (blank lines give no row in Spark's JSON reader).
fn lines_written(landing: &Path, feed: &str) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(landing.join(feed)).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        n += std::fs::read_to_string(e.path())
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count() as u64;
    }
    n
}

/// Rows dropped per table, summed over the progress JSON lines: by expectations, and as
/// duplicates by the de-duplication (SELECT DISTINCT), which runs before the expectations.
fn dropped_per_table(progress: &str) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for l in progress.lines() {
        let p: Value = serde_json::from_str(l).unwrap();
        let name = p["name"].as_str().unwrap().to_string();
        let expectations = p["observedMetrics"]["expectations"]["droppedRows"]
            .as_u64()
            .unwrap_or(0);
        let duplicates = p["stateOperators"][0]["customMetrics"]["numDroppedDuplicateRows"]
            .as_u64()
            .unwrap_or(0);
        *out.entry(name.clone()).or_insert(0) += expectations;
        *out.entry(format!("{name}/duplicates")).or_insert(0) += duplicates;
    }
    out
}

fn emulate_and_run(env: &Env, posts: u64, malformed: f64) {
    let out = env
        .spate()
        .args(["emulate", "pinterest", "--out"])
        .arg(&env.landing)
        .args([
            "--posts",
            &posts.to_string(),
            "--files",
            "5",
            "--seed",
            "7",
            "--malformed-frac",
            &malformed.to_string(),
        ])
        .output()
        .unwrap();
    assert_ok(&out);
    let manifest: Value = serde_json::from_slice(&out.stdout).expect("manifest JSON on stdout");
    assert_eq!(manifest["posts"], json!(posts));
    let run = env
        .spate()
        .arg("run")
        .arg(repo("queries/pinterest/pipeline.sql"))
        .args(["--trigger", "available-now", "--warehouse"])
        .arg(&env.warehouse)
        .arg("--var")
        .arg(format!("landing={}", env.landing.display()))
        .arg("--progress-json")
        .arg(env.dir.path().join("progress.jsonl"))
        .output()
        .unwrap();
    assert_ok(&run);
}

#[test]
fn every_cleaning_rule_holds_on_every_row() {
    let env = Env::new();
    emulate_and_run(&env, 800, 0.02);
    let progress = std::fs::read_to_string(env.dir.path().join("progress.jsonl")).unwrap();
    let dropped = dropped_per_table(&progress);

    let pin = env.read_delta("pin_clean");
    assert_eq!(
        pin["columns"],
        json!([
            "ind",
            "unique_id",
            "title",
            "description",
            "follower_count",
            "poster_name",
            "tag_list",
            "is_image_or_video",
            "image_src",
            "save_location",
            "category"
        ])
    );
    assert_eq!(pin["schema"]["follower_count"], json!("int32"));
    let pins = pin["duckdb"].as_array().unwrap();
    assert!(pins.len() > 700, "{} pin rows", pins.len());
    assert!(
        dropped["pin_clean"] > 0,
        "the malformed lines must be dropped and counted"
    );
    // Re-sent posts reach the table once (SELECT DISTINCT in the pipeline).
    assert!(dropped["pin_clean/duplicates"] > 0, "{dropped:?}");
    assert_eq!(
        pins.len() as u64,
        lines_written(&env.landing, "pin") - dropped["pin_clean"] - dropped["pin_clean/duplicates"]
    );
    // Distinct on every column: a malformed copy of a post (a wrong type, a missing field) is
    // another row, as with Spark's dropDuplicates().
    let distinct: std::collections::HashSet<String> = pins.iter().map(|r| r.to_string()).collect();
    assert_eq!(distinct.len(), pins.len(), "no row twice");
    for r in pins {
        for (col, v) in r.as_object().unwrap() {
            if let Some(s) = v.as_str() {
                assert!(
                    !PLACEHOLDERS.contains(&s),
                    "placeholder {s:?} left in {col}: {r}"
                );
            }
        }
        assert_eq!(r["unique_id"].as_str().unwrap().chars().count(), 36, "{r}");
        assert!(
            r["follower_count"].is_null() || r["follower_count"].as_i64().unwrap() >= 0,
            "{r}"
        );
        if let Some(loc) = r["save_location"].as_str() {
            assert!(loc.starts_with("/data/"), "{r}");
        }
        // A malformed line with "index": "12" keeps its row with ind NULL (Spark's PERMISSIVE mode).
        assert!(r["ind"].is_i64() || r["ind"].is_null(), "{r}");
    }
    assert!(
        pins.iter().any(|r| r["follower_count"]
            .as_i64()
            .is_some_and(|f| f >= 1000 && f % 1000 == 0)),
        "k values converted"
    );
    assert!(
        pins.iter().any(|r| r["title"].is_null()),
        "placeholder titles became NULL"
    );
    assert!(pins.iter().filter(|r| r["ind"].is_null()).count() < 20);

    let geo = env.read_delta("geo_clean");
    assert_eq!(
        geo["columns"],
        json!(["ind", "country", "coordinates", "timestamp"])
    );
    assert_eq!(geo["schema"]["timestamp"], json!("timestamp[us, tz=UTC]"));
    assert!(
        geo["schema"]["coordinates"]
            .as_str()
            .unwrap()
            .starts_with("list<"),
        "{}",
        geo["schema"]
    );
    let geos = geo["duckdb"].as_array().unwrap();
    assert_eq!(
        geos.len() as u64,
        lines_written(&env.landing, "geo")
            - dropped.get("geo_clean").copied().unwrap_or(0)
            - dropped["geo_clean/duplicates"]
    );
    for r in geos {
        let c = r["coordinates"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(c.len(), 2, "{r}");
        assert!(
            c[0].as_f64().is_none_or(|lat| lat.abs() <= 90.0)
                && c[1].as_f64().is_none_or(|lon| lon.abs() <= 180.0),
            "{r}"
        );
        // A malformed line with a missing or null field keeps its row (Spark's PERMISSIVE mode).
        assert!(
            r["timestamp"].is_string() || r["timestamp"].is_null(),
            "{r}"
        );
    }
    assert!(geos.iter().filter(|r| r["timestamp"].is_string()).count() > geos.len() * 9 / 10);

    let user = env.read_delta("user_clean");
    assert_eq!(
        user["columns"],
        json!(["ind", "user_name", "age", "date_joined"])
    );
    assert_eq!(
        user["schema"]["date_joined"],
        json!("timestamp[us, tz=UTC]")
    );
    let users = user["duckdb"].as_array().unwrap();
    assert_eq!(
        users.len() as u64,
        lines_written(&env.landing, "user")
            - dropped.get("user_clean").copied().unwrap_or(0)
            - dropped["user_clean/duplicates"]
    );
    for r in users {
        if let Some(name) = r["user_name"].as_str() {
            assert!(name.split(' ').count() <= 2, "{r}");
        }
        assert!(
            r["date_joined"].is_string() || r["date_joined"].is_null(),
            "{r}"
        );
    }
    let full_names = users
        .iter()
        .filter(|r| {
            r["user_name"]
                .as_str()
                .is_some_and(|n| n.split(' ').count() == 2)
        })
        .count();
    assert!(
        full_names > users.len() * 9 / 10,
        "first and last names joined by a space"
    );
    assert!(
        users
            .iter()
            .filter(|r| r["date_joined"].is_string())
            .count()
            > users.len() * 9 / 10
    );
}

#[test]
fn analytics_match_duckdb_answers() {
    let env = Env::new();
    emulate_and_run(&env, 1500, 0.0);
    let answers = Command::new(python())
        .arg(repo("tests/py/pinterest_answers.py"))
        .arg(&env.warehouse)
        .output()
        .unwrap();
    assert!(
        answers.status.success(),
        "{}",
        String::from_utf8_lossy(&answers.stderr)
    );
    let answers: Value = serde_json::from_slice(&answers.stdout).unwrap();
    let mut dir: Vec<_> = std::fs::read_dir(repo("queries/pinterest/analytics"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dir.sort();
    assert_eq!(dir.len(), 9);
    for file in dir {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let out = env
            .spate()
            .args(["sql", "--format", "json", "--warehouse"])
            .arg(&env.warehouse)
            .arg(&file)
            .output()
            .unwrap();
        assert_ok(&out);
        let got: Vec<Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let want = answers[&name]
            .as_array()
            .unwrap_or_else(|| panic!("no DuckDB answer for {name}"));
        assert!(!want.is_empty(), "{name}: the fixture should give rows");
        assert_eq!(&got, want, "{name}");
    }
}
