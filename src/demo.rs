//! `spate demo`: the Pinterest showcase end to end on local folders, no cloud account.
//!
//! Emulates posts into `<dir>/landing`, runs `queries/pinterest/pipeline.sql` with
//! `--trigger available-now` into `<dir>/warehouse`, then runs every analytics query.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use crate::emulate::{emulate, EmulateOptions};
use crate::Format;

/// The pipeline and the analytics queries, built into the binary so the demo runs from anywhere.
const PIPELINE: &str = include_str!("../queries/pinterest/pipeline.sql");
const ANALYTICS: &[(&str, &str)] = &[
    (
        "01_top_category_per_country",
        include_str!("../queries/pinterest/analytics/01_top_category_per_country.sql"),
    ),
    (
        "02_top_category_per_year",
        include_str!("../queries/pinterest/analytics/02_top_category_per_year.sql"),
    ),
    (
        "03a_most_followed_user_per_country",
        include_str!("../queries/pinterest/analytics/03a_most_followed_user_per_country.sql"),
    ),
    (
        "03b_country_of_most_followed_user",
        include_str!("../queries/pinterest/analytics/03b_country_of_most_followed_user.sql"),
    ),
    (
        "04_top_category_per_age_group",
        include_str!("../queries/pinterest/analytics/04_top_category_per_age_group.sql"),
    ),
    (
        "05_median_followers_per_age_group",
        include_str!("../queries/pinterest/analytics/05_median_followers_per_age_group.sql"),
    ),
    (
        "06_users_joined_per_year",
        include_str!("../queries/pinterest/analytics/06_users_joined_per_year.sql"),
    ),
    (
        "07_median_followers_per_join_year",
        include_str!("../queries/pinterest/analytics/07_median_followers_per_join_year.sql"),
    ),
    (
        "08_median_followers_per_join_year_and_age_group",
        include_str!(
            "../queries/pinterest/analytics/08_median_followers_per_join_year_and_age_group.sql"
        ),
    ),
];

/// Marks a folder the demo made, so a re-run may clear it (and never clears anything else).
const MARKER: &str = ".spate-demo";

/// Runs the whole showcase in `dir`.
pub async fn run(dir: &Path, posts: u64, seed: u64) -> Result<(), String> {
    let started = Instant::now();
    prepare(dir)?;
    let landing = dir.join("landing");
    let warehouse = dir.join("warehouse");

    eprintln!(
        "[1/3] emulating {posts} Pinterest posts into {}",
        landing.display()
    );
    let opts = EmulateOptions {
        out: landing.clone(),
        posts,
        files: 20,
        rate: None,
        seed,
        malformed_frac: 0.01,
        dup_frac: 0.02,
        dirty_frac: 0.1,
    };
    let manifest = tokio::task::spawn_blocking(move || emulate(&opts, &mut |_| {}))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("emulator: {e}"))?;
    eprintln!(
        "      {} pin, {} geo, {} user records ({} re-sent duplicates, {} malformed lines)",
        manifest.pin_records,
        manifest.geo_records,
        manifest.user_records,
        manifest.duplicates,
        manifest.malformed
    );

    eprintln!("[2/3] running queries/pinterest/pipeline.sql --trigger available-now");
    let mut vars = HashMap::new();
    vars.insert("landing".to_string(), landing.display().to_string());
    let wh = warehouse.display().to_string();
    crate::run_cmd::run_text(
        PIPELINE,
        "queries/pinterest/pipeline.sql",
        &wh,
        "available-now",
        &vars,
        None,
    )
    .await?;

    eprintln!("[3/3] analytics (queries/pinterest/analytics/)");
    for (name, sql) in ANALYTICS {
        println!("\n== {name} ==");
        crate::sql_cmd::run(sql, name, &wh, Format::Table, &HashMap::new()).await?;
    }

    let abs = std::fs::canonicalize(&warehouse).unwrap_or(warehouse.clone());
    println!(
        "\nDone in {:.1} s. The Delta tables are in {}:",
        started.elapsed().as_secs_f64(),
        abs.display()
    );
    for t in ["pin_clean", "geo_clean", "user_clean"] {
        println!("  {}", abs.join(t).display());
    }
    println!(
        "Query them with spate:   spate sql --warehouse {} -e \"SELECT * FROM pin_clean LIMIT 10\"",
        abs.display()
    );
    println!("or with DuckDB:          INSTALL delta; LOAD delta; SELECT * FROM delta_scan('{}') LIMIT 10;", abs.join("pin_clean").display());
    Ok(())
}

/// Creates `dir`, clearing it first if an earlier demo made it.
fn prepare(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            let empty = std::fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !empty {
                return Err(format!(
                    "{} exists and was not made by `spate demo`; choose another --dir",
                    dir.display()
                ));
            }
        } else {
            std::fs::remove_dir_all(dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "made by spate demo; safe to delete\n")
        .map_err(|e| e.to_string())?;
    Ok(())
}
