//! Atomic file output. A streaming file source lists the folder while the emulator writes, so a
//! file must appear complete or not at all: it is written under a hidden temp name in the same
//! folder (`.part-00000.json.tmp`; Spark-style sources skip names starting with `.` or `_`,
//! spark-semantics §1.8) and renamed into place, which is atomic within one file system (§1.9: a
//! file source has no in-progress detection, files must be "atomically placed").

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The name of part file `n`: `part-00000.json`, zero-padded so names sort in write order.
pub fn part_name(n: u64) -> String {
    format!("part-{n:05}.json")
}

/// The number after the highest `part-N.json` in any of `dirs` (0 if none), so a new run appends
/// after what is there instead of overwriting files a stream may already have consumed.
pub fn next_part_number(dirs: &[PathBuf]) -> io::Result<u64> {
    let mut next = 0;
    for dir in dirs {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let name = entry?.file_name();
            let number = name
                .to_str()
                .and_then(|n| n.strip_prefix("part-"))
                .and_then(|n| n.strip_suffix(".json"));
            if let Some(n) = number.and_then(|n| n.parse::<u64>().ok()) {
                next = next.max(n + 1);
            }
        }
    }
    Ok(next)
}

/// A file being written under its temp name; `commit` renames it into place. Dropped without a
/// commit (an error on the way), it removes its temp file.
pub struct PartFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl PartFile {
    /// Starts `dir/name`, writing to `dir/.name.tmp` (truncating a leftover of a crashed run).
    pub fn create(dir: &Path, name: &str) -> io::Result<PartFile> {
        let tmp = dir.join(format!(".{name}.tmp"));
        let out = BufWriter::new(File::create(&tmp)?);
        Ok(PartFile {
            tmp,
            dest: dir.join(name),
            out: Some(out),
        })
    }

    /// Appends one line (a `\n` is added).
    pub fn write_line(&mut self, line: &str) -> io::Result<()> {
        let out = self
            .out
            .as_mut()
            .ok_or_else(|| io::Error::other("part file already committed"))?;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")
    }

    /// Flushes, syncs (so a crash cannot leave a renamed but empty file) and renames into place.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(out) = self.out.take() {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        fs::rename(&self.tmp, &self.dest)
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if self.out.is_some() {
            // Not committed: best effort, the error that got us here is the one to report.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Replaces `path` atomically with `bytes` (temp file `.name.tmp` beside it, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::other("no file name"))?;
    let mut file = PartFile::create(dir, name)?;
    if let Some(out) = file.out.as_mut() {
        out.write_all(bytes)?;
    }
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_renames_and_drop_cleans_up() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut f = PartFile::create(dir.path(), &part_name(7))?;
        f.write_line("{}")?;
        assert!(dir.path().join(".part-00007.json.tmp").exists());
        assert!(!dir.path().join("part-00007.json").exists());
        f.commit()?;
        assert_eq!(
            fs::read_to_string(dir.path().join("part-00007.json"))?,
            "{}\n"
        );
        drop(PartFile::create(dir.path(), &part_name(8))?);
        let names: Vec<_> = fs::read_dir(dir.path())?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()?;
        assert_eq!(names, ["part-00007.json"]);
        Ok(())
    }

    #[test]
    fn numbering_continues_after_the_highest_part() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        assert_eq!(next_part_number(&[a.clone(), b.clone()])?, 0);
        fs::create_dir_all(&a)?;
        fs::create_dir_all(&b)?;
        for name in [
            "part-00003.json",
            ".part-00009.json.tmp",
            "part-x.json",
            "_manifest.json",
        ] {
            fs::write(a.join(name), "")?;
        }
        fs::write(b.join("part-00004.json"), "")?;
        assert_eq!(next_part_number(&[a, b])?, 5);
        Ok(())
    }
}
