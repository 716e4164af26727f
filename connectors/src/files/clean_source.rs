//! `cleanSource` (spec §1.7): archive or delete the files of a finished batch.
//!
//! The source calls [`SourceCleaner::clean`] from `Source::commit(end of batch N-1)`, which the
//! query runs right after writing `offsets/N`: files are cleaned one batch late, exactly as in
//! Spark, so the files of the last batch before a stop stay until a later run starts a batch.
//! A failed move or delete is logged and never fails the query (a file left behind is
//! harmless: the seen-files map keeps it from being read twice).

use std::sync::Arc;

use futures::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

use super::glob::{GlobPattern, SourcePath};
use super::listing::{hadoop_style, path_of_uri};
use super::options::CleanSource;

/// How many files are moved or deleted at once.
const CLEAN_CONCURRENCY: usize = 8;

/// What happens to a cleaned file.
#[derive(Debug, Clone)]
enum Action {
    Delete,
    /// Moved below this folder, keeping its full path (`/a/b/x.json` -> `<dir>/a/b/x.json`).
    Archive(Location),
}

/// Cleans the files of finished batches.
#[derive(Debug, Clone)]
pub struct SourceCleaner {
    store: Arc<dyn ObjectStore>,
    action: Action,
}

impl SourceCleaner {
    /// The cleaner `mode` asks for over `source`, or None for `off`; refuses an archive folder
    /// the way Spark's `SourceArchiver` does (other store, or inside what the source reads).
    pub fn new(mode: &CleanSource, source: &SourcePath) -> Result<Option<Self>> {
        let action = match mode {
            CleanSource::Off => return Ok(None),
            CleanSource::Delete => Action::Delete,
            CleanSource::Archive(dir) => {
                let archive = Location::parse(dir)?;
                check_archive_dir(source, &archive)?;
                Action::Archive(archive)
            }
        };
        Ok(Some(SourceCleaner {
            store: source.base.store.clone(),
            action,
        }))
    }

    /// Archives or deletes the files with these URIs; failures are logged, never returned.
    pub async fn clean(&self, uris: Vec<String>) {
        let tasks = uris.into_iter().map(|uri| {
            let this = self.clone();
            async move { this.clean_one(&uri).await }
        });
        futures::stream::iter(tasks)
            .buffer_unordered(CLEAN_CONCURRENCY)
            .collect::<Vec<()>>()
            .await;
    }

    async fn clean_one(&self, uri: &str) {
        let Some(path) = path_of_uri(uri) else {
            tracing::warn!(file = %uri, "cleanSource: cannot turn the logged path into a store path; left in place");
            return;
        };
        match &self.action {
            Action::Delete => match self.store.delete(&path).await {
                Ok(()) => tracing::debug!(file = %uri, "cleanSource: deleted"),
                Err(e) => {
                    tracing::warn!(file = %uri, error = %e, "cleanSource: failed to delete the file; left in place")
                }
            },
            Action::Archive(dir) => {
                let target = archive_path(dir, &path);
                // Hadoop's rename refuses to overwrite; an existing archived copy stays as it is.
                if self.store.head(&target).await.is_ok() {
                    tracing::warn!(file = %uri, target = %target, "cleanSource: the archive already holds this path; left in place");
                    return;
                }
                match self.store.rename(&path, &target).await {
                    Ok(()) => {
                        tracing::debug!(file = %uri, target = %target, "cleanSource: archived")
                    }
                    Err(e) => {
                        tracing::warn!(file = %uri, target = %target, error = %e, "cleanSource: failed to move the file; left in place")
                    }
                }
            }
        }
    }
}

/// `<archive dir>` + the file's full path.
fn archive_path(dir: &Location, file: &Path) -> Path {
    Path::from_iter(dir.prefix.parts().chain(file.parts()))
}

/// Spark's `SourceArchiver.assertParameters`, with its wording.
fn check_archive_dir(source: &SourcePath, archive: &Location) -> Result<()> {
    let fs = |l: &Location| {
        (
            l.url.scheme().to_string(),
            l.url.host_str().unwrap_or_default().to_string(),
        )
    };
    if fs(&source.base) != fs(archive) {
        return Err(Error::config(format!(
            "requirement failed: Base archive path is located on a different file system than the source files. \
             source path: {} / base archive path: {}",
            source.display(),
            hadoop_style(&archive.display())
        )));
    }
    if archive_matches_source(source, archive)? {
        return Err(Error::config(
            "requirement failed: Base archive path cannot be set to the path where archived path can possibly match with \
             source pattern. Ensure the base archive path doesn't match with source pattern in depth, where the depth is \
             minimum of depth on both paths.",
        ));
    }
    Ok(())
}

/// Whether the archive folder could be read back by the source (SPARK-28830): at the smaller
/// depth of the two paths, every archive component matches the source's component (a glob or a name).
fn archive_matches_source(source: &SourcePath, archive: &Location) -> Result<bool> {
    let mut src: Vec<GlobPattern> = source
        .base
        .prefix
        .parts()
        .map(|p| GlobPattern::compile(&escape(p.as_ref())))
        .collect::<Result<_>>()?;
    src.extend(source.patterns.iter().cloned());
    let arch: Vec<String> = archive
        .prefix
        .parts()
        .map(|p| p.as_ref().to_string())
        .collect();
    let depth = src.len().min(arch.len());
    // Archiving into the root matches everything (Spark fails on it too).
    Ok(src
        .iter()
        .zip(&arch)
        .take(depth)
        .all(|(p, name)| p.matches(name)))
}

/// A literal name as a glob that matches only itself.
fn escape(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            if "{}[]*?\\,!^".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, arch: &str) -> std::result::Result<(), String> {
        let source = SourcePath::parse(src).unwrap();
        check_archive_dir(&source, &Location::parse(arch).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn archive_dir_must_not_match_the_source_pattern() {
        // Spark's own examples (spec §1.7), then what PySpark 4.0.1 accepted and refused.
        let refused = "Base archive path cannot be set to the path where archived path can possibly match with source pattern";
        assert!(check("/hello?/spark/*", "/hello1/spark/archive/dir")
            .unwrap_err()
            .contains(refused));
        assert!(check("/hello?/spark/*", "/hello1/spark")
            .unwrap_err()
            .contains(refused));
        assert!(check("/hello?/spark/*", "/hello1/other").is_ok());
        assert!(check("/data/in", "/data/in/archive")
            .unwrap_err()
            .contains(refused));
        assert!(check("/data/in", "/data/archive").is_ok());
        assert!(check("/data/in", "/x/in").is_ok());
        assert!(check("/data/in", "/").unwrap_err().contains(refused));
    }

    #[test]
    fn archive_dir_must_be_on_the_same_store() {
        let e = check("/data/in", "s3://bucket/archive").unwrap_err();
        assert!(
            e.contains(
                "Base archive path is located on a different file system than the source files"
            ),
            "{e}"
        );
        assert!(
            e.contains("source path: file:/data/in / base archive path: s3://bucket/archive"),
            "{e}"
        );
    }

    #[test]
    fn archive_keeps_the_full_path() {
        let dir = Location::parse("/archived/here").unwrap();
        assert_eq!(
            archive_path(&dir, &Path::from("a/b/x.json")).as_ref(),
            "archived/here/a/b/x.json"
        );
    }

    #[tokio::test]
    async fn files_are_archived_or_deleted_and_failures_are_only_logged() {
        let tmp = tempfile::tempdir().unwrap();
        let landing = tmp.path().join("landing");
        std::fs::create_dir_all(landing.join("sub")).unwrap();
        for name in ["a.json", "sub/b c.json", "d.json"] {
            std::fs::write(landing.join(name), "{}\n").unwrap();
        }
        let source = SourcePath::parse(landing.to_str().unwrap()).unwrap();
        let uri = |rel: &[&str]| {
            super::super::listing::file_uri(
                &source.base,
                &rel.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        let archive = tmp.path().join("archive");
        let cleaner = SourceCleaner::new(
            &CleanSource::Archive(archive.to_str().unwrap().into()),
            &source,
        )
        .unwrap()
        .unwrap();
        // A file that is already gone is only logged.
        cleaner
            .clean(vec![
                uri(&["a.json"]),
                uri(&["sub", "b c.json"]),
                uri(&["gone.json"]),
            ])
            .await;
        let archived = archive.join(landing.strip_prefix("/").unwrap());
        assert!(archived.join("a.json").is_file() && archived.join("sub/b c.json").is_file());
        assert!(!landing.join("a.json").exists() && landing.join("d.json").exists());
        let deleter = SourceCleaner::new(&CleanSource::Delete, &source)
            .unwrap()
            .unwrap();
        deleter
            .clean(vec![uri(&["d.json"]), uri(&["gone.json"])])
            .await;
        assert!(!landing.join("d.json").exists());
        assert!(SourceCleaner::new(&CleanSource::Off, &source)
            .unwrap()
            .is_none());
    }
}
