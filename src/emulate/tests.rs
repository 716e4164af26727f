//! End-to-end tests of `emulate`: what lands on disk, read back as a consumer would.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;

use serde_json::Value;

use super::manifest::is_valid;
use super::*;

fn opts(out: &Path, posts: u64, files: u64) -> EmulateOptions {
    EmulateOptions {
        out: out.to_path_buf(),
        posts,
        files,
        rate: None,
        seed: 42,
        malformed_frac: 0.0,
        dup_frac: 0.02,
        dirty_frac: 0.1,
    }
}

fn run(o: &EmulateOptions) -> io::Result<Manifest> {
    emulate(o, &mut |_| {})
}

/// Every file under `dir` (recursively), by relative path.
fn tree(dir: &Path) -> io::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .map_err(io::Error::other)?
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, fs::read(&path)?);
            }
        }
    }
    Ok(out)
}

/// The lines of one feed, in file order.
fn lines(dir: &Path, feed: &str) -> io::Result<Vec<String>> {
    let mut names: Vec<_> = fs::read_dir(dir.join(feed))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    let mut out = Vec::new();
    for name in names {
        out.extend(
            fs::read_to_string(dir.join(feed).join(name))?
                .lines()
                .map(str::to_string),
        );
    }
    Ok(out)
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn same_options_give_byte_identical_files() -> io::Result<()> {
    let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let mut o = opts(a.path(), 3000, 4);
    o.malformed_frac = 0.05;
    run(&o)?;
    o.out = b.path().to_path_buf();
    run(&o)?;
    let (ta, tb) = (tree(a.path())?, tree(b.path())?);
    assert_eq!(ta.len(), 3 * 4 + 1);
    assert!(ta == tb, "the two runs differ");
    o.seed = 43;
    o.out = a.path().join("other");
    run(&o)?;
    assert_ne!(
        fs::read(a.path().join("pin/part-00000.json"))?,
        fs::read(a.path().join("other/pin/part-00000.json"))?
    );
    Ok(())
}

#[test]
fn one_post_is_one_row_number_on_all_three_feeds() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    run(&opts(dir.path(), 2000, 3))?;
    let (pin, geo, user) = (
        lines(dir.path(), "pin")?,
        lines(dir.path(), "geo")?,
        lines(dir.path(), "user")?,
    );
    assert_eq!((pin.len(), geo.len(), user.len()), (2000, 2000, 2000));
    for ((p, g), u) in pin.iter().zip(&geo).zip(&user) {
        let (p, g, u) = (parse(p), parse(g), parse(u));
        assert!(p["index"].is_u64());
        assert_eq!(p["index"], g["ind"]);
        assert_eq!(p["index"], u["ind"]);
    }
    Ok(())
}

#[test]
fn field_names_order_and_python_formatting() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    run(&opts(dir.path(), 300, 1))?;
    let pin = lines(dir.path(), "pin")?;
    assert!(
        pin[0].starts_with(r#"{"index": 0, "unique_id": ""#),
        "{}",
        pin[0]
    );
    assert_eq!(
        keys(&pin[0]),
        [
            "index",
            "unique_id",
            "title",
            "description",
            "poster_name",
            "follower_count",
            "tag_list",
            "is_image_or_video",
            "image_src",
            "downloaded",
            "save_location",
            "category"
        ]
    );
    assert_eq!(
        keys(&lines(dir.path(), "geo")?[0]),
        ["ind", "timestamp", "latitude", "longitude", "country"]
    );
    assert_eq!(
        keys(&lines(dir.path(), "user")?[0]),
        ["ind", "first_name", "last_name", "age", "date_joined"]
    );
    // ensure_ascii: every line is ASCII, and the non-ASCII text of descriptions arrives escaped.
    assert!(pin.iter().all(|l| l.is_ascii()));
    assert!(pin.iter().any(|l| l.contains(r"\u2026\u00a0")));
    Ok(())
}

/// Top-level keys in the order they appear (serde_json's own map sorts them).
fn keys(line: &str) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    serde_json::from_str::<Keys>(line)
        .map(|k| k.0)
        .unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn placeholders_follower_counts_and_poster_consistency() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    run(&opts(dir.path(), 5000, 2))?;
    let (pin, geo, user) = (
        lines(dir.path(), "pin")?,
        lines(dir.path(), "geo")?,
        lines(dir.path(), "user")?,
    );
    let mut per_poster: HashMap<String, (String, String)> = HashMap::new();
    let (mut scrape_errors, mut stories, mut categories) = (0, 0, HashSet::new());
    let mut ages = [0; 4];
    for ((p, g), u) in pin.iter().zip(&geo).zip(&user) {
        let (p, g, mut u) = (parse(p), parse(g), parse(u));
        assert_eq!(p["unique_id"].as_str().map(str::len), Some(36));
        let followers = p["follower_count"].as_str().unwrap_or_default();
        let shaped = followers.strip_suffix(['k', 'M']).unwrap_or(followers);
        assert!(
            followers.is_empty()
                || followers == "User Info Error"
                || (!shaped.is_empty() && shaped.bytes().all(|b| b.is_ascii_digit())),
            "{followers}"
        );
        let category = p["category"].as_str().unwrap_or_default().to_string();
        assert_eq!(
            p["save_location"],
            format!("Local save in /data/{category}")
        );
        categories.insert(category);
        if p["poster_name"] == "User Info Error" {
            scrape_errors += 1;
            assert_eq!(p["title"], "No Title Data Available");
            assert_eq!(p["tag_list"], "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e");
            assert_eq!(p["image_src"], "Image src error.");
            assert_eq!(p["downloaded"], 0);
        } else if p["description"] == "No description available Story format" {
            stories += 1;
            assert_eq!(p["is_image_or_video"], "multi-video(story page format)");
            assert!(p["image_src"]
                .as_str()
                .is_some_and(|s| s.contains("/videos/thumbnails/")));
        }
        let age = u["age"].as_i64().unwrap_or_default();
        ages[match age {
            ..=24 => 0,
            25..=35 => 1,
            36..=50 => 2,
            _ => 3,
        }] += 1;
        let ts = g["timestamp"].as_str().unwrap_or_default();
        assert!(
            ts.len() == 19 && ("2017-10"..="2022-10-31 23:59:59").contains(&ts),
            "{ts}"
        );
        // Spec §3.4: one poster, one user row and one home location.
        if let Some(map) = u.as_object_mut() {
            map.remove("ind");
        }
        let home = format!("{} {} {}", g["latitude"], g["longitude"], g["country"]);
        let name = p["poster_name"].as_str().unwrap_or_default().to_string();
        if !name.is_empty() {
            let seen = per_poster
                .entry(name)
                .or_insert_with(|| (u.to_string(), home.clone()));
            assert_eq!(seen, &(u.to_string(), home));
        }
    }
    // 10 % dirty: scrape-error 38 % and story-format 42 % of those (spec §8).
    assert!((120..260).contains(&scrape_errors), "{scrape_errors}");
    assert!((130..290).contains(&stories), "{stories}");
    assert_eq!(categories.len(), 13);
    assert!(ages.iter().all(|&n| n > 200), "{ages:?}");
    assert!(
        per_poster.len() < 4900,
        "posters should repeat: {}",
        per_poster.len()
    );
    Ok(())
}

#[test]
fn manifest_matches_the_files_on_disk() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut o = opts(dir.path(), 4000, 5);
    o.malformed_frac = 0.05;
    o.dup_frac = 0.1;
    let mut rounds = 0;
    let m = emulate(&o, &mut |_| rounds += 1)?;
    assert_eq!(rounds, 5);
    assert_eq!(Manifest::load(dir.path())?, Some(m.clone()));
    assert_eq!(m.posts, 4000);
    assert_eq!(m.distinct_posts + m.duplicates, m.posts);
    assert!((300..500).contains(&m.duplicates), "{}", m.duplicates);
    let (pin, geo, user) = (
        lines(dir.path(), "pin")?,
        lines(dir.path(), "geo")?,
        lines(dir.path(), "user")?,
    );
    assert_eq!(
        (m.pin_records, m.geo_records, m.user_records),
        (pin.len() as u64, geo.len() as u64, user.len() as u64)
    );
    assert_eq!(
        m.malformed,
        m.malformed_pin + m.malformed_geo + m.malformed_user
    );
    assert_eq!(m.pin_records, m.posts + m.malformed_pin);
    assert_eq!(m.geo_records, m.posts + m.malformed_geo);
    assert!((500..800).contains(&m.malformed), "{}", m.malformed);
    let valid = |feed, lines: &[String]| lines.iter().filter(|l| is_valid(feed, l)).count() as u64;
    assert_eq!(m.valid_pin_rows, valid(Feed::Pin, &pin));
    assert_eq!(m.valid_geo_rows, valid(Feed::Geo, &geo));
    assert_eq!(m.valid_user_rows, valid(Feed::User, &user));
    assert!(m.valid_pin_rows > m.posts && m.valid_pin_rows < m.pin_records);
    // Distinct row numbers among well-formed pin rows are the distinct posts.
    let indexes: HashSet<u64> = pin
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["index"].as_u64())
        .collect();
    assert_eq!(indexes.len() as u64, m.distinct_posts);
    Ok(())
}

#[test]
fn files_are_renamed_into_place_and_numbered_in_order() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let m = run(&opts(dir.path(), 100, 12))?;
    let names: Vec<String> = tree(dir.path())?.into_keys().collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
    let expected: Vec<String> = (0..12).map(|k| format!("pin/part-{k:05}.json")).collect();
    assert_eq!(
        m.files
            .iter()
            .filter(|f| f.starts_with("pin/"))
            .cloned()
            .collect::<Vec<_>>(),
        expected
    );
    assert_eq!(m.files.len(), 36);
    assert!(names.contains(&"_manifest.json".to_string()));
    Ok(())
}

#[test]
fn a_second_run_appends_with_new_parts_and_row_numbers() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut o = opts(dir.path(), 500, 2);
    o.dup_frac = 0.0;
    let first = run(&o)?;
    let before = fs::read(dir.path().join("pin/part-00001.json"))?;
    let second = run(&o)?;
    assert_eq!(fs::read(dir.path().join("pin/part-00001.json"))?, before);
    assert_eq!(second.posts, 1000);
    assert_eq!(second.distinct_posts, 1000);
    assert_eq!(second.files.len(), 12);
    assert_eq!(&second.files[..6], &first.files[..]);
    let appended = lines(dir.path(), "pin")?;
    assert_eq!(parse(&appended[500])["index"], 500);
    assert!(dir.path().join("user/part-00003.json").exists());
    Ok(())
}

#[test]
fn without_malformed_frac_every_line_is_valid_json() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let m = run(&opts(dir.path(), 3000, 3))?;
    for feed in ["pin", "geo", "user"] {
        for line in lines(dir.path(), feed)? {
            assert!(
                serde_json::from_str::<serde_json::Map<String, Value>>(&line).is_ok(),
                "{line}"
            );
        }
    }
    assert_eq!(
        (m.malformed, m.valid_pin_rows, m.valid_geo_rows),
        (0, 3000, 3000)
    );
    Ok(())
}

#[test]
fn live_mode_writes_a_file_per_tick_at_the_rate() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut o = opts(dir.path(), 1100, 99);
    o.rate = Some(500.0);
    let started = std::time::Instant::now();
    let mut seen = Vec::new();
    let m = emulate(&o, &mut |m| seen.push(m.posts))?;
    assert_eq!(seen, [500, 1000, 1100]);
    assert_eq!(m.files.len(), 9);
    assert!(started.elapsed() >= std::time::Duration::from_millis(1900));
    Ok(())
}

#[test]
fn impossible_options_are_refused() {
    let dir = std::env::temp_dir().join("spate-emulate-never-written");
    let bad = [
        EmulateOptions {
            files: 0,
            ..opts(&dir, 10, 1)
        },
        EmulateOptions {
            rate: Some(0.0),
            ..opts(&dir, 10, 1)
        },
        EmulateOptions {
            dup_frac: 1.0,
            ..opts(&dir, 10, 1)
        },
        EmulateOptions {
            malformed_frac: f64::NAN,
            ..opts(&dir, 10, 1)
        },
        EmulateOptions {
            dirty_frac: 1.5,
            ..opts(&dir, 10, 1)
        },
    ];
    for o in bad {
        assert_eq!(
            run(&o).map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::InvalidInput),
            "{o:?}"
        );
    }
    assert!(!dir.exists());
}
