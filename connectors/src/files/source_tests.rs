//! The file source driven trigger by trigger, as the query loop drives it, against what PySpark
//! 4.0.1 did with the same files, options and modification times (each test names the Spark run).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use arrow::array::{AsArray, RecordBatch};
use arrow::datatypes::Int64Type;
use spate_engine::source::{Offset, ReadLimit, Source};
use spate_engine::storage::Location;

use super::options::FileSourceOptions;
use super::source::FileSource;

/// 2025-01-01T00:00:00Z, the base mtime of the Spark runs.
const BASE: u64 = 1_735_689_600;

/// A landing folder, a checkpoint folder, and a source over them driven like the query loop.
struct Drive {
    _dir: tempfile::TempDir,
    landing: PathBuf,
    log: PathBuf,
    options: Vec<(String, String)>,
    path: String,
    source: FileSource,
    committed: Option<Offset>,
}

fn write(path: &Path, content: &str, mtime_s: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(mtime_s);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

impl Drive {
    fn new(opts: &[(&str, &str)]) -> Drive {
        let opts: Vec<(String, String)> = opts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Drive::new_in(|_| opts)
    }

    /// Options that name folders of the test's temp dir (given as the argument).
    fn new_in(opts: impl FnOnce(&Path) -> Vec<(String, String)>) -> Drive {
        let dir = tempfile::tempdir().unwrap();
        let landing = dir.path().join("landing");
        std::fs::create_dir_all(&landing).unwrap();
        let log = dir.path().join("checkpoint/sources/0");
        let options = opts(dir.path());
        let path = landing.to_str().unwrap().to_string();
        let source = Self::open(&path, &options, &log);
        Drive {
            _dir: dir,
            landing,
            log,
            options,
            path,
            source,
            committed: None,
        }
    }

    /// The same options over another path below the landing folder (a glob).
    fn with_path(mut self, rel: &str) -> Drive {
        self.path = format!("{}/{rel}", self.landing.display());
        self.source = Self::open(&self.path, &self.options, &self.log);
        self
    }

    fn open(path: &str, options: &[(String, String)], log: &Path) -> FileSource {
        let mut all = vec![("schema".to_string(), "id BIGINT".to_string())];
        all.extend_from_slice(options);
        let opts = FileSourceOptions::from_read_files(path, &all).unwrap();
        FileSource::new(opts, Location::parse(log.to_str().unwrap()).unwrap()).unwrap()
    }

    fn land(&self, rel: &str, id: i64, mtime_s: u64) {
        write(
            &self.landing.join(rel),
            &format!("{{\"id\":{id}}}\n"),
            mtime_s,
        );
    }

    /// Stops and starts again on the same checkpoint (in-memory state is lost, the log is not).
    async fn restart(&mut self) {
        self.source = Self::open(&self.path, &self.options, &self.log);
        self.source.restore(self.committed.as_ref()).await.unwrap();
    }

    /// One trigger: the next batch's ids, or None when nothing is new.
    async fn trigger(&mut self) -> Option<Vec<i64>> {
        let end = self
            .source
            .latest_offset(self.committed.as_ref(), ReadLimit::Configured)
            .await
            .unwrap()?;
        if Some(&end) == self.committed.as_ref() {
            return None;
        }
        // The query commits batch N-1 right after writing offsets/N (cleanSource acts here).
        if let Some(prev) = &self.committed {
            self.source.commit(prev).await.unwrap();
        }
        let data = self
            .source
            .read(self.committed.as_ref(), &end)
            .await
            .unwrap();
        self.committed = Some(end);
        Some(ids(&data.batches))
    }

    async fn all_batches(&mut self) -> Vec<Vec<i64>> {
        let mut out = vec![];
        while let Some(b) = self.trigger().await {
            out.push(b);
        }
        out
    }
}

fn ids(batches: &[RecordBatch]) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column_by_name("id")
                .unwrap()
                .as_primitive::<Int64Type>()
                .iter()
                .flatten()
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn started(opts: &[(&str, &str)]) -> Drive {
    let mut d = Drive::new(opts);
    d.source.restore(None).await.unwrap();
    d
}

#[tokio::test]
async fn max_bytes_per_trigger_is_soft_and_stops_at_the_first_file_that_does_not_fit() {
    // Spark: sizes 50, 10, 10, 100, 10 with maxBytesPerTrigger 60 gave [[0, 1], [2], [3], [4]].
    let mut d = started(&[("maxBytesPerTrigger", "60")]).await;
    for (i, size) in [50usize, 10, 10, 100, 10].iter().enumerate() {
        let line = format!("{{\"id\":{i}}}");
        write(
            &d.landing.join(format!("f{i}.json")),
            &format!("{line}{}\n", " ".repeat(size - line.len() - 1)),
            BASE + i as u64,
        );
    }
    assert_eq!(
        d.all_batches().await,
        vec![vec![0, 1], vec![2], vec![3], vec![4]]
    );
}

#[tokio::test]
async fn cached_unread_files_hide_new_files_until_used_up() {
    // Spark: 10 files, 2 per trigger, a file with the oldest mtime landing during batch 0:
    // it is read only once the cached listing is used up.
    let mut d = started(&[("maxFilesPerTrigger", "2")]).await;
    for i in 0..10 {
        d.land(&format!("f{i}.json"), i, BASE + 10 + i as u64);
    }
    let first = d.trigger().await.unwrap();
    d.land("late.json", 99, BASE);
    let mut batches = vec![first];
    batches.extend(d.all_batches().await);
    assert_eq!(
        batches,
        vec![
            vec![0, 1],
            vec![2, 3],
            vec![4, 5],
            vec![6, 7],
            vec![8, 9],
            vec![99]
        ]
    );
}

#[tokio::test]
async fn max_cached_files_zero_lists_every_trigger() {
    // Spark, same files with maxCachedFiles 0: [[0, 1], [99, 2], [3, 4], [5, 6], [7, 8], [9]].
    let mut d = started(&[("maxFilesPerTrigger", "2"), ("maxCachedFiles", "0")]).await;
    for i in 0..10 {
        d.land(&format!("f{i}.json"), i, BASE + 10 + i as u64);
    }
    let first = d.trigger().await.unwrap();
    d.land("late.json", 99, BASE);
    let mut batches = vec![first];
    batches.extend(d.all_batches().await);
    assert_eq!(
        batches,
        vec![
            vec![0, 1],
            vec![99, 2],
            vec![3, 4],
            vec![5, 6],
            vec![7, 8],
            vec![9]
        ]
    );
}

#[tokio::test]
async fn a_small_remainder_is_discarded_and_the_folder_listed_again() {
    // 11 files, 10 per trigger: a remainder of 1 < 10 * 0.2 is dropped, so the late file is seen next
    // (with 6 files and 5 per trigger, 1 is not below 5 * 0.2 and stays cached, as in Spark).
    let mut d = started(&[("maxFilesPerTrigger", "10")]).await;
    for i in 0..11 {
        d.land(&format!("f{i:02}.json"), i, BASE + 10 + i as u64);
    }
    let first = d.trigger().await.unwrap();
    d.land("late.json", 99, BASE);
    assert_eq!(first, (0..10).collect::<Vec<_>>());
    assert_eq!(d.all_batches().await, vec![vec![99, 10]]);
}

#[tokio::test]
async fn max_file_age_is_relative_to_the_newest_file_seen() {
    // Spark: old (t) and new (t+1000s) with maxFileAge 100s are both read on a new query; after a
    // restart, mid (t+500s) is skipped forever and edge (t+900s, exactly the threshold) is read.
    let opts = [("maxFileAge", "100s"), ("maxFilesPerTrigger", "1")];
    let mut d = started(&opts).await;
    d.land("old.json", 1, BASE);
    d.land("new.json", 2, BASE + 1000);
    assert_eq!(d.all_batches().await, vec![vec![1], vec![2]]);
    d.land("mid.json", 3, BASE + 500);
    d.land("edge.json", 4, BASE + 900);
    d.restart().await;
    assert_eq!(d.all_batches().await, vec![vec![4]]);
}

#[tokio::test]
async fn latest_first_with_a_limit_ignores_max_file_age() {
    // Spark: newest first, one per trigger, and the file 2000 s older than the newest is still read.
    let mut d = started(&[
        ("maxFileAge", "100s"),
        ("maxFilesPerTrigger", "1"),
        ("latestFirst", "true"),
    ])
    .await;
    d.land("old.json", 1, BASE);
    d.land("new.json", 2, BASE + 1000);
    d.land("newer.json", 3, BASE + 2000);
    assert_eq!(d.all_batches().await, vec![vec![3], vec![2], vec![1]]);
}

#[tokio::test]
async fn files_with_the_same_mtime_are_all_read() {
    // Spark: four files with one mtime, one per trigger: four batches, none lost.
    let mut d = started(&[("maxFilesPerTrigger", "1")]).await;
    for i in 0..4 {
        d.land(&format!("t{i}.json"), i, BASE);
    }
    assert_eq!(
        d.all_batches().await,
        vec![vec![0], vec![1], vec![2], vec![3]]
    );
}

/// One file per trigger, archived to `<tmp>/archive`.
fn archiving() -> Drive {
    Drive::new_in(|tmp| {
        let archive = tmp.join("archive").to_str().unwrap().to_string();
        vec![
            ("maxFilesPerTrigger".into(), "1".into()),
            ("cleanSource".into(), "archive".into()),
            ("sourceArchiveDir".into(), archive),
        ]
    })
}

#[tokio::test]
async fn clean_source_archive_runs_one_batch_late() {
    // Spark: while batch 1 ran, f0 was already archived; after the run f2 (the last batch) stayed.
    let mut d = archiving();
    let archive = d._dir.path().join("archive");
    d.restart().await;
    for i in 0..3 {
        d.land(&format!("f{i}.json"), i, BASE + i as u64);
    }
    let listed = |d: &Drive| {
        let mut v: Vec<String> = std::fs::read_dir(&d.landing)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(d.trigger().await, Some(vec![0]));
    assert_eq!(
        listed(&d),
        ["f0.json", "f1.json", "f2.json"],
        "nothing is cleaned during batch 0"
    );
    assert_eq!(d.trigger().await, Some(vec![1]));
    assert_eq!(listed(&d), ["f1.json", "f2.json"]);
    assert_eq!(d.trigger().await, Some(vec![2]));
    assert_eq!(d.trigger().await, None);
    assert_eq!(
        listed(&d),
        ["f2.json"],
        "the last batch's file stays until a later batch starts"
    );
    let archived = archive.join(d.landing.strip_prefix("/").unwrap());
    assert!(archived.join("f0.json").is_file() && archived.join("f1.json").is_file());
    // The next run's first batch cleans it.
    d.restart().await;
    d.land("f3.json", 3, BASE + 3);
    assert_eq!(d.trigger().await, Some(vec![3]));
    assert_eq!(listed(&d), ["f3.json"]);
}

#[tokio::test]
async fn clean_source_delete_removes_only_the_previous_batchs_files() {
    // Spark (recursive lookup, one file per folder): files deleted, folders left, the last file kept.
    let mut d = started(&[("maxFilesPerTrigger", "1"), ("cleanSource", "delete")]).await;
    for i in 0..3 {
        d.land(&format!("sub{i}/f{i}.json"), i, BASE + i as u64);
    }
    assert_eq!(d.all_batches().await, vec![vec![0], vec![1], vec![2]]);
    assert!(!d.landing.join("sub0/f0.json").exists() && !d.landing.join("sub1/f1.json").exists());
    assert!(d.landing.join("sub0").is_dir() && d.landing.join("sub2/f2.json").is_file());
}

#[tokio::test]
async fn an_archive_target_that_exists_leaves_the_file_and_the_query_goes_on() {
    let mut d = archiving();
    let archive = d._dir.path().join("archive");
    d.restart().await;
    d.land("f0.json", 0, BASE);
    d.land("f1.json", 1, BASE + 1);
    write(
        &archive
            .join(d.landing.strip_prefix("/").unwrap())
            .join("f0.json"),
        "taken",
        BASE,
    );
    assert_eq!(d.all_batches().await, vec![vec![0], vec![1]]);
    assert!(
        d.landing.join("f0.json").is_file(),
        "not overwritten, not lost"
    );
}

/// The folders of PySpark's glob run (no nested folders: Spark does not list below plain folders).
fn glob_tree(d: &Drive) {
    for n in [
        "a1/x.json",
        "a2/x.json",
        "b1/x.json",
        "c/x.json",
        "ab.json",
        "ab.txt",
    ] {
        d.land(n, 1, BASE);
    }
}

async fn files_read(d: &mut Drive) -> Vec<String> {
    d.source.restore(None).await.unwrap();
    let Some(end) = d.source.latest_offset(None, ReadLimit::All).await.unwrap() else {
        return vec![];
    };
    let _ = end;
    let prefix = format!("file://{}/", d.landing.display());
    let mut names: Vec<String> =
        super::source_log::FileSourceLog::new(Location::parse(d.log.to_str().unwrap()).unwrap())
            .all()
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.path.strip_prefix(&prefix).unwrap_or(&e.path).to_string())
            .collect();
    names.sort();
    names
}

#[tokio::test]
async fn hadoop_globs_select_what_spark_selects() {
    let cases: &[(&str, &[&str])] = &[
        ("a?", &["a1/x.json", "a2/x.json"]),
        ("{a1,c}", &["a1/x.json", "c/x.json"]),
        ("[ab]1", &["a1/x.json", "b1/x.json"]),
        ("[^a]*", &["b1/x.json", "c/x.json"]),
        ("a*", &["a1/x.json", "a2/x.json", "ab.json", "ab.txt"]),
        ("[a-b]?", &["a1/x.json", "a2/x.json", "b1/x.json"]),
        (
            "*/x.json",
            &["a1/x.json", "a2/x.json", "b1/x.json", "c/x.json"],
        ),
        ("{a,b}1/x.json", &["a1/x.json", "b1/x.json"]),
    ];
    for (glob, want) in cases {
        let d = Drive::new(&[]);
        glob_tree(&d);
        let mut d = d.with_path(glob);
        assert_eq!(files_read(&mut d).await, *want, "{glob}");
    }
}

#[tokio::test]
async fn path_glob_filter_matches_file_names_at_any_depth() {
    // Spark with recursiveFileLookup: every .json file, nested ones included.
    let d = Drive::new(&[("pathGlobFilter", "*.json")]);
    glob_tree(&d);
    d.land("a1/sub/y.json", 1, BASE);
    let mut d = d;
    assert_eq!(
        files_read(&mut d).await,
        [
            "a1/sub/y.json",
            "a1/x.json",
            "a2/x.json",
            "ab.json",
            "b1/x.json",
            "c/x.json"
        ]
    );
    let d = Drive::new(&[("pathGlobFilter", "a*")]);
    glob_tree(&d);
    let mut d = d;
    assert_eq!(files_read(&mut d).await, ["ab.json", "ab.txt"]);
}

#[tokio::test]
async fn include_existing_files_false_skips_what_was_there_at_the_first_start() {
    let mut d = Drive::new(&[("includeExistingFiles", "false")]);
    d.land("before.json", 1, BASE);
    d.restart().await;
    assert_eq!(d.trigger().await, None);
    d.land("after.json", 2, BASE + 1);
    assert_eq!(d.trigger().await, Some(vec![2]));
    // A restart keeps skipping the same files, and reads what landed while it was down.
    d.land("while-down.json", 3, BASE + 2);
    d.restart().await;
    assert_eq!(d.all_batches().await, vec![vec![3]]);
}

#[tokio::test]
async fn include_existing_files_false_recorded_before_the_first_batch_survives_a_restart() {
    let mut d = Drive::new(&[("includeExistingFiles", "false")]);
    d.land("before.json", 1, BASE);
    d.restart().await;
    assert_eq!(d.trigger().await, None);
    // Stopped before any batch; a file landing meanwhile is new data, the old one stays skipped.
    d.land("while-down.json", 2, BASE + 1);
    d.restart().await;
    assert_eq!(d.all_batches().await, vec![vec![2]]);
}

/// A source over an in-memory object store, which the listing rules treat as a remote store.
struct MemoryDrive {
    landing: Location,
    source: FileSource,
    committed: Option<Offset>,
}

impl MemoryDrive {
    async fn new(opts: &[(&str, &str)]) -> MemoryDrive {
        let root = format!("memory://incremental/{}", uuid::Uuid::new_v4());
        let landing = Location::parse(&format!("{root}/landing")).unwrap();
        let log = Location::parse(&format!("{root}/checkpoint/sources/0")).unwrap();
        let mut all = vec![("schema".to_string(), "id BIGINT".to_string())];
        all.extend(opts.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let opts = FileSourceOptions::from_read_files(landing.url.as_str(), &all).unwrap();
        let mut source = FileSource::new(opts, log).unwrap();
        source.restore(None).await.unwrap();
        MemoryDrive {
            landing,
            source,
            committed: None,
        }
    }

    async fn land(&self, name: &str, id: i64) {
        let path = object_store::path::Path::from(format!("{}/{name}", self.landing.prefix));
        let body = format!("{{\"id\":{id}}}\n");
        use object_store::ObjectStoreExt;
        self.landing.store.put(&path, body.into()).await.unwrap();
    }

    async fn trigger(&mut self) -> Vec<i64> {
        let limit = ReadLimit::Configured;
        let end = self.source.latest_offset(self.committed.as_ref(), limit);
        let Some(end) = end.await.unwrap() else {
            return vec![];
        };
        if Some(&end) == self.committed.as_ref() {
            return vec![];
        }
        let data = self.source.read(self.committed.as_ref(), &end).await;
        self.committed = Some(end);
        ids(&data.unwrap().batches)
    }
}

#[tokio::test]
async fn incremental_listing_finds_an_out_of_order_file_at_the_next_full_listing() {
    use super::incremental_listing::INCREMENTAL_LISTINGS_BEFORE_FULL;
    let mut d = MemoryDrive::new(&[]).await;
    d.land("002.json", 2).await;
    d.land("003.json", 3).await;
    assert_eq!(d.trigger().await, vec![2, 3]);
    // `001` sorts before the taken keys: incremental listings (from `003`) do not see it,
    // while `004` after it is found at once.
    d.land("001.json", 1).await;
    d.land("004.json", 4).await;
    assert_eq!(d.trigger().await, vec![4]);
    for _ in 1..INCREMENTAL_LISTINGS_BEFORE_FULL {
        assert_eq!(d.trigger().await, Vec::<i64>::new());
    }
    // The 8th listing after the full one is full again.
    assert_eq!(d.trigger().await, vec![1]);
    // That listing saw a key out of order, so listings stay full: a late file is found at once.
    d.land("000.json", 0).await;
    assert_eq!(d.trigger().await, vec![0]);
}

#[tokio::test]
async fn incremental_listing_off_lists_everything_every_trigger() {
    let mut d = MemoryDrive::new(&[("useIncrementalListing", "false")]).await;
    d.land("002.json", 2).await;
    assert_eq!(d.trigger().await, vec![2]);
    d.land("001.json", 1).await;
    assert_eq!(d.trigger().await, vec![1]);
}

#[tokio::test]
async fn incremental_listing_never_skips_files_a_read_limit_left() {
    let mut d = MemoryDrive::new(&[
        ("useIncrementalListing", "true"),
        ("maxFilesPerTrigger", "2"),
        ("maxCachedFiles", "0"),
    ])
    .await;
    for i in 1..=5 {
        d.land(&format!("{i:03}.json"), i).await;
    }
    let mut got = vec![];
    for _ in 0..4 {
        got.extend(d.trigger().await);
    }
    got.sort();
    assert_eq!(got, vec![1, 2, 3, 4, 5]);
}
