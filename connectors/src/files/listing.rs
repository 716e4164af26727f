//! Listing the input folder: every leaf file below it, minus Spark's hidden names (spec §1.8).

use futures::TryStreamExt;
use object_store::path::Path;
use spate_engine::storage::Location;
use spate_engine::Result;

/// A file found in the input folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Its path in the store.
    pub path: Path,
    /// Spark's key for it: the URL-encoded URI (`file:/data/in/a%20b.json`, `s3://bucket/in/x.json`).
    pub uri: String,
    /// Modification time, epoch ms.
    pub mtime_ms: i64,
    /// Size in bytes.
    pub size: u64,
}

/// True for names Spark skips at any level: `_x` (unless it holds `=`), `.x`, `x._COPYING_`.
pub fn is_hidden(name: &str) -> bool {
    (name.starts_with('_') && !name.contains('=')) || name.starts_with('.') || name.ends_with("._COPYING_")
}

/// Lists the leaf files below `base`, recursively, skipping hidden names at every level below it.
pub async fn list_files(base: &Location) -> Result<Vec<InputFile>> {
    let metas: Vec<_> = base.store.list(Some(&base.prefix)).try_collect().await?;
    let depth = base.prefix.parts().count();
    let mut out = Vec::with_capacity(metas.len());
    for m in metas {
        let rel: Vec<String> = m.location.parts().skip(depth).map(|p| p.as_ref().to_string()).collect();
        if rel.is_empty() || rel.iter().any(|p| is_hidden(p)) {
            continue;
        }
        out.push(InputFile { uri: file_uri(base, &rel), path: m.location, mtime_ms: m.last_modified.timestamp_millis(), size: m.size });
    }
    Ok(out)
}

/// Spark's URI for a file below `base`: local paths as Hadoop writes them (`file:/a/b`).
pub fn file_uri(base: &Location, rel: &[String]) -> String {
    let mut url = base.url.clone();
    if let Ok(mut segs) = url.path_segments_mut() {
        segs.pop_if_empty();
        for r in rel {
            segs.push(r);
        }
    }
    hadoop_style(url.as_str())
}

/// `file:///a/b` -> `file:/a/b` (Hadoop's `Path.toUri` form used in Spark's logs).
pub fn hadoop_style(uri: &str) -> String {
    match uri.strip_prefix("file:///") {
        Some(rest) => format!("file:/{rest}"),
        None => uri.to_string(),
    }
}

/// The store path of a Spark file URI written by `file_uri`.
pub fn path_of_uri(uri: &str) -> Option<Path> {
    let url = url::Url::parse(uri).ok()?;
    if url.scheme() == "file" {
        let p = url.to_file_path().ok()?;
        Path::from_absolute_path(p).ok()
    } else {
        Path::from_url_path(url.path()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_names_follow_spark() {
        assert!(is_hidden("_SUCCESS"));
        assert!(is_hidden(".part.json.crc"));
        assert!(is_hidden("x.json._COPYING_"));
        assert!(!is_hidden("_dt=2024"));
        assert!(!is_hidden("part-0.json"));
    }

    #[test]
    fn uris_round_trip() {
        let base = Location::parse("/data/in").unwrap();
        let uri = file_uri(&base, &["sub".into(), "a b.json".into()]);
        assert_eq!(uri, "file:/data/in/sub/a%20b.json");
        assert_eq!(path_of_uri(&uri).unwrap().as_ref(), "data/in/sub/a b.json");
    }
}
