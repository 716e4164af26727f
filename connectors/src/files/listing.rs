//! Listing the input folder: every leaf file below it, minus Spark's hidden names (spec §1.8).
//!
//! Files are keyed the way Spark 4.0.1 keys them in `seenFiles` and `sources/0/*`: Hadoop's
//! `Path.toUri` string, which for local files is `file:///abs/path` (checked against PySpark 4.0.1
//! with Hadoop 3.4; Spark 3.x with Hadoop 3.3 wrote `file:/abs/path`) with `java.net.URI`'s quoting
//! (space -> `%20`, `%` -> `%25`, but `ü` and `+=,;$&@!~'()*` kept as they are).

use futures::TryStreamExt;
use object_store::path::Path;
use spate_engine::storage::Location;
use spate_engine::Result;

use super::glob::{GlobPattern, SourcePath};

/// A file found in the input folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Its path in the store.
    pub path: Path,
    /// Spark's key for it: Hadoop's URI string (`file:///data/in/a%20b.json`, `s3://bucket/in/x.json`).
    pub uri: String,
    /// Modification time, epoch ms.
    pub mtime_ms: i64,
    /// Size in bytes.
    pub size: u64,
}

/// True for names Spark skips at any level: `_x` (unless it holds `=`), `.x`, `x._COPYING_`.
pub fn is_hidden(name: &str) -> bool {
    (name.starts_with('_') && !name.contains('='))
        || name.starts_with('.')
        || name.ends_with("._COPYING_")
}

/// Lists the leaf files below `base`, recursively, skipping hidden names at every level below it.
pub async fn list_files(base: &Location) -> Result<Vec<InputFile>> {
    list_matching(base, None, |_| true).await
}

/// Lists the files a source path selects (spec §1.8): every leaf file below its folder, recursively,
/// minus hidden names at any level, kept only if the path's glob selects it and `name_filter`
/// (`pathGlobFilter`) matches its name.
///
/// Recursion follows `read_files`/Auto Loader (spec §8.2). Spark's OSS file source differs: PySpark
/// 4.0.1 read `in/top.json` but not `in/x/a.json` unless `recursiveFileLookup` was set (it descends
/// only into `key=value` folders), and a glob matching folders reads only the files directly in them.
///
/// With `after`, only keys sorting after it are listed (S3's `StartAfter`; see
/// [`super::incremental_listing`]).
pub async fn list_source(
    path: &SourcePath,
    name_filter: Option<&GlobPattern>,
    after: Option<&Path>,
) -> Result<Vec<InputFile>> {
    list_matching(&path.base, after, |rel| {
        path.selects(rel) && name_filter.is_none_or(|f| rel.last().is_some_and(|n| f.matches(n)))
    })
    .await
}

async fn list_matching(
    base: &Location,
    after: Option<&Path>,
    keep: impl Fn(&[String]) -> bool,
) -> Result<Vec<InputFile>> {
    let listing = match after {
        Some(offset) => base.store.list_with_offset(Some(&base.prefix), offset),
        None => base.store.list(Some(&base.prefix)),
    };
    let metas: Vec<_> = listing.try_collect().await?;
    let depth = base.prefix.parts().count();
    let mut out = Vec::with_capacity(metas.len());
    for m in metas {
        // Listed parts hold the real names (object_store's `Path::parse` does not encode them).
        let rel: Vec<String> = m
            .location
            .parts()
            .skip(depth)
            .map(|p| p.as_ref().to_string())
            .collect();
        if rel.is_empty() || rel.iter().any(|p| is_hidden(p)) || !keep(&rel) {
            continue;
        }
        out.push(InputFile {
            uri: file_uri(base, &rel),
            path: m.location,
            mtime_ms: m.last_modified.timestamp_millis(),
            size: m.size,
        });
    }
    Ok(out)
}

/// The components of `path` below `base` (real names), or None if it is not below it.
pub fn relative_parts(base: &Location, path: &Path) -> Option<Vec<String>> {
    let depth = base.prefix.parts().count();
    let parts: Vec<String> = path.parts().map(|p| p.as_ref().to_string()).collect();
    let under = parts.len() > depth
        && base
            .prefix
            .parts()
            .zip(&parts)
            .all(|(a, b)| a.as_ref() == b);
    under.then(|| parts[depth..].to_vec())
}

/// Spark's key for the file `rel` (real names, not encoded) below `base`, e.g. `file:///a/b%20c.json`.
pub fn file_uri(base: &Location, rel: &[String]) -> String {
    let mut path = percent_decode(base.url.path());
    while path.ends_with('/') {
        path.pop();
    }
    for r in rel {
        path.push('/');
        path.push_str(r);
    }
    hadoop_uri(base.url.scheme(), authority(&base.url), &path)
}

/// Hadoop's `Path.toString` of a location (`file:/data/my in`), which is what Spark shows in
/// `FileStreamSource[...]`: single-slash `file:` form and no percent-encoding.
pub fn hadoop_style(uri: &str) -> String {
    match split_uri(uri) {
        (Some(s), Some(a), path) if !a.is_empty() => format!("{s}://{a}{}", percent_decode(path)),
        (Some(s), _, path) => format!("{s}:{}", percent_decode(path)),
        (None, _, path) => percent_decode(path),
    }
}

/// The key a source-log path stands for, in the form `list_files` produces.
///
/// Spark 3.x logs hold `file:/x`, Spark 4.0.1 `file:///x`, and spate before 0.1 encoded `ü` as
/// `%C3%BC`; all name the same file, and a mismatch would make the file look new and be read twice.
pub fn canonical_uri(uri: &str) -> String {
    match split_uri(uri) {
        (Some(scheme), auth, path) => hadoop_uri(scheme, auth.unwrap_or(""), &percent_decode(path)),
        (None, _, _) => uri.to_string(),
    }
}

/// The store path of a Spark file URI (`file:/x`, `file:///x`, with or without literal non-ASCII).
pub fn path_of_uri(uri: &str) -> Option<Path> {
    let url = url::Url::parse(uri).ok()?;
    if url.scheme() == "file" {
        let p = url.to_file_path().ok()?;
        Path::from_absolute_path(p).ok()
    } else {
        Path::from_url_path(url.path()).ok()
    }
}

fn authority(url: &url::Url) -> &str {
    url.host_str().unwrap_or("")
}

/// `scheme://authority` + the path quoted as `java.net.URI`'s multi-argument constructors do.
fn hadoop_uri(scheme: &str, authority: &str, raw_path: &str) -> String {
    format!("{scheme}://{authority}{}", quote_path(raw_path))
}

/// Splits `scheme:[//authority]path` (no query or fragment: Hadoop paths have none).
fn split_uri(uri: &str) -> (Option<&str>, Option<&str>, &str) {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return (None, None, uri);
    };
    let valid_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return (None, None, uri);
    }
    match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find('/').unwrap_or(r.len());
            (Some(scheme), Some(&r[..end]), &r[end..])
        }
        None => (Some(scheme), None, rest),
    }
}

/// Quotes a path like `java.net.URI`: ASCII outside the legal path set, and non-ASCII space or
/// control characters, become `%XX` of their UTF-8 bytes; other non-ASCII characters stay literal.
fn quote_path(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric() || "-_.!~*'()/:@&=+$,;".contains(c)
        } else {
            !is_java_space_or_control(c)
        };
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Java's `Character.isSpaceChar || Character.isISOControl` for non-ASCII characters.
fn is_java_space_or_control(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9F}' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}'
        | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

/// Decodes `%XX` escapes; invalid escapes stay as they are, invalid UTF-8 becomes U+FFFD.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// File names and the key PySpark 4.0.1 wrote for them in `sources/0/0` (landing `/tmp/sparkexp/run/landing`).
    const SPARK_KEYS: &[(&str, &str)] = &[
        ("plain.json", "plain.json"),
        ("a b.json", "a%20b.json"),
        ("x%y.json", "x%25y.json"),
        ("pct%41.json", "pct%2541.json"),
        ("ü-é.json", "ü-é.json"),
        ("[br].json", "%5Bbr%5D.json"),
        ("c#d.json", "c%23d.json"),
        ("q^|`{}.json", "q%5E%7C%60%7B%7D.json"),
        ("plus+=,;$&@!~'()*.json", "plus+=,;$&@!~'()*.json"),
        ("nbsp\u{a0}x.json", "nbsp%C2%A0x.json"),
        ("lt<gt>.json", "lt%3Cgt%3E.json"),
        ("quote\".json", "quote%22.json"),
        ("back\\slash.json", "back%5Cslash.json"),
        ("emoji\u{1F600}.json", "emoji\u{1F600}.json"),
        ("ls\u{2028}x.json", "ls%E2%80%A8x.json"),
        ("del\u{7f}x.json", "del%7Fx.json"),
        ("nel\u{85}x.json", "nel%C2%85x.json"),
        ("zwsp\u{200b}x.json", "zwsp\u{200b}x.json"),
        ("tab\tx.json", "tab%09x.json"),
        ("ideo\u{3000}x.json", "ideo%E3%80%80x.json"),
    ];

    #[test]
    fn hidden_names_follow_spark() {
        assert!(is_hidden("_SUCCESS"));
        assert!(is_hidden(".part.json.crc"));
        assert!(is_hidden("x.json._COPYING_"));
        assert!(!is_hidden("_dt=2024"));
        assert!(!is_hidden("part-0.json"));
    }

    #[test]
    fn keys_are_sparks_bytes() {
        let base = Location::parse("/tmp/sparkexp/run/landing").unwrap();
        for (name, key) in SPARK_KEYS {
            assert_eq!(
                file_uri(&base, &[name.to_string()]),
                format!("file:///tmp/sparkexp/run/landing/{key}"),
                "{name:?}"
            );
        }
        // The base folder is quoted too (Spark: `file:///tmp/sparkexp/r4/land%20ing/tab%09x.json`).
        let base = Location::parse("/tmp/sparkexp/r4/land ing").unwrap();
        assert_eq!(
            file_uri(&base, &["tab\tx.json".into()]),
            "file:///tmp/sparkexp/r4/land%20ing/tab%09x.json"
        );
        let s3 = Location::parse("s3://bucket/in").unwrap();
        assert_eq!(
            file_uri(&s3, &["d=1".into(), "a b.json".into()]),
            "s3://bucket/in/d=1/a%20b.json"
        );
    }

    #[test]
    fn description_is_hadoop_path_to_string() {
        // Spark 4.0.1 printed `FileStreamSource[file:/tmp/sparkexp/r4/land ing]`.
        assert_eq!(
            hadoop_style("file:///tmp/sparkexp/r4/land%20ing"),
            "file:/tmp/sparkexp/r4/land ing"
        );
        assert_eq!(hadoop_style("s3://bucket/in"), "s3://bucket/in");
    }

    #[test]
    fn log_paths_canonicalise_to_listing_keys() {
        assert_eq!(
            canonical_uri("file:/in/a%20b.json"),
            "file:///in/a%20b.json"
        );
        assert_eq!(canonical_uri("file:///in/%C3%BC.json"), "file:///in/ü.json");
        assert_eq!(
            canonical_uri("file:///in/x%25y.json"),
            "file:///in/x%25y.json"
        );
        assert_eq!(
            canonical_uri("s3://bucket/in/a%20b.json"),
            "s3://bucket/in/a%20b.json"
        );
        for (_, key) in SPARK_KEYS {
            let uri = format!("file:///tmp/in/{key}");
            assert_eq!(canonical_uri(&uri), uri);
        }
    }

    #[test]
    fn uris_round_trip() {
        let base = Location::parse("/data/in").unwrap();
        let uri = file_uri(&base, &["sub".into(), "a b.json".into()]);
        assert_eq!(uri, "file:///data/in/sub/a%20b.json");
        assert_eq!(path_of_uri(&uri).unwrap().as_ref(), "data/in/sub/a b.json");
        // Spark 3.x form and literal non-ASCII name the same object.
        assert_eq!(
            path_of_uri("file:/data/in/sub/a%20b.json")
                .unwrap()
                .as_ref(),
            "data/in/sub/a b.json"
        );
        assert_eq!(
            path_of_uri("file:///data/in/ü.json"),
            path_of_uri("file:///data/in/%C3%BC.json")
        );
    }

    #[tokio::test]
    async fn listing_keys_real_files_like_spark() {
        let dir = tempfile::tempdir().unwrap();
        let landing = dir.path().join("landing");
        std::fs::create_dir_all(&landing).unwrap();
        // object_store refuses ASCII control characters in names (the listing fails), so those
        // are checked by `keys_are_sparks_bytes` only.
        let keys: Vec<_> = SPARK_KEYS
            .iter()
            .filter(|(n, _)| !n.chars().any(|c| c.is_ascii_control()))
            .collect();
        for (name, _) in &keys {
            std::fs::write(landing.join(name), "{}\n").unwrap();
        }
        std::fs::write(landing.join(".hidden.json.crc"), "").unwrap();
        let base = Location::parse(landing.to_str().unwrap()).unwrap();
        let mut got: Vec<String> = list_files(&base)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.uri)
            .collect();
        got.sort();
        let prefix = format!("file://{}", landing.display());
        let mut want: Vec<String> = keys.iter().map(|(_, k)| format!("{prefix}/{k}")).collect();
        want.sort();
        assert_eq!(got, want);
        for f in list_files(&base).await.unwrap() {
            assert_eq!(path_of_uri(&f.uri).as_ref(), Some(&f.path), "{}", f.uri);
        }
    }
}
