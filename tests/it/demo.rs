//! `spate demo` runs the whole showcase from nothing but the binary.

use crate::harness::{assert_ok, Env};

#[test]
fn demo_runs_the_showcase_end_to_end() {
    let env = Env::new();
    let dir = env.dir.path().join("demo");
    let out = env
        .spate()
        .args(["demo", "--posts", "400", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for q in [
        "01_top_category_per_country",
        "02_top_category_per_year",
        "03a_most_followed_user_per_country",
        "03b_country_of_most_followed_user",
        "04_top_category_per_age_group",
        "05_median_followers_per_age_group",
        "06_users_joined_per_year",
        "07_median_followers_per_join_year",
        "08_median_followers_per_join_year_and_age_group",
    ] {
        assert!(
            stdout.contains(&format!("== {q} ==")),
            "{q} missing:\n{stdout}"
        );
    }
    assert!(stdout.contains("delta_scan("), "{stdout}");
    for t in ["pin_clean", "geo_clean", "user_clean"] {
        assert!(
            dir.join("warehouse").join(t).join("_delta_log").is_dir(),
            "{t}"
        );
    }
    // A second run clears its own folder and starts over.
    assert_ok(
        &env.spate()
            .args(["demo", "--posts", "100", "--dir"])
            .arg(&dir)
            .output()
            .unwrap(),
    );
    // It never clears a folder it did not make.
    let foreign = env.dir.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "x").unwrap();
    let out = env
        .spate()
        .args(["demo", "--dir"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(foreign.join("keep.txt").exists());
}
