//! The manifest: what an output folder holds, so tests and demos can check row counts against
//! "written - dropped" without re-reading the files. It is cumulative over the runs that appended
//! to the folder and is rewritten after every round of files, so it matches the disk even when an
//! endless live run is stopped with Ctrl-C.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::pinterest::{Feed, USER_INFO_ERROR};
use super::writer;

/// The manifest's file name in the output folder; the leading `_` makes file sources skip it.
pub const FILE_NAME: &str = "_manifest.json";

/// Counts of everything written to an output folder.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct Manifest {
    /// Posts sent, re-sends included: each is one row on every feed.
    pub posts: u64,
    /// Distinct posts (distinct row numbers); new posts are numbered from 0 in order.
    pub distinct_posts: u64,
    /// Re-sent posts: exact copies of an earlier post on all three feeds (`posts - distinct_posts`).
    pub duplicates: u64,
    /// Lines in the pin feed: one per post plus its malformed lines.
    pub pin_records: u64,
    /// Lines in the geo feed.
    pub geo_records: u64,
    /// Lines in the user feed.
    pub user_records: u64,
    /// Malformed lines over all feeds.
    pub malformed: u64,
    /// Malformed lines in the pin feed.
    pub malformed_pin: u64,
    /// Malformed lines in the geo feed.
    pub malformed_geo: u64,
    /// Malformed lines in the user feed.
    pub malformed_user: u64,
    /// Pin lines that are a JSON object with a 36-char `unique_id` string and a `follower_count`
    /// that is a placeholder, empty, null/absent or `^[0-9]+[kM]?$`: the rows a pin pipeline keeps.
    pub valid_pin_rows: u64,
    /// Geo lines that are a JSON object with an integer `ind`.
    pub valid_geo_rows: u64,
    /// User lines that are a JSON object with an integer `ind`.
    pub valid_user_rows: u64,
    /// Files written, relative to the folder (`pin/part-00000.json`), in write order.
    pub files: Vec<String>,
}

impl Manifest {
    /// The manifest in `dir`, or `None` for a folder the emulator has not written to.
    pub fn load(dir: &Path) -> io::Result<Option<Manifest>> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not an emulator manifest ({e}); write to an empty folder or remove the file", path.display()),
            )
        })
    }

    /// Writes the manifest to `dir` atomically.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        text.push('\n');
        writer::write_atomic(&dir.join(FILE_NAME), text.as_bytes())
    }

    /// Counts one line written to `feed`. Rows of posts are valid by construction (a unit test
    /// checks it); only malformed lines need parsing.
    pub fn count_line(&mut self, feed: Feed, line: &str, malformed: bool) {
        let valid = !malformed || is_valid(feed, line);
        let (records, bad, good) = match feed {
            Feed::Pin => (
                &mut self.pin_records,
                &mut self.malformed_pin,
                &mut self.valid_pin_rows,
            ),
            Feed::Geo => (
                &mut self.geo_records,
                &mut self.malformed_geo,
                &mut self.valid_geo_rows,
            ),
            Feed::User => (
                &mut self.user_records,
                &mut self.malformed_user,
                &mut self.valid_user_rows,
            ),
        };
        *records += 1;
        *good += valid as u64;
        if malformed {
            *bad += 1;
            self.malformed += 1;
        }
    }
}

/// Whether `line` counts in `valid_<feed>_rows` (see the field docs).
pub fn is_valid(feed: Feed, line: &str) -> bool {
    let Ok(serde_json::Value::Object(row)) = serde_json::from_str::<serde_json::Value>(line) else {
        return false;
    };
    match feed {
        Feed::Pin => {
            let id_ok = row
                .get("unique_id")
                .and_then(|v| v.as_str())
                .is_some_and(|s| s.chars().count() == 36);
            let followers_ok = match row.get("follower_count") {
                None | Some(serde_json::Value::Null) => true,
                Some(serde_json::Value::String(s)) => {
                    s.is_empty() || s == USER_INFO_ERROR || is_follower_number(s)
                }
                Some(_) => false,
            };
            id_ok && followers_ok
        }
        Feed::Geo | Feed::User => row.get("ind").is_some_and(|v| v.is_i64()),
    }
}

/// `^[0-9]+[kM]?$`, the shape the cleaning recipe accepts (spec §1, neerajadsul).
fn is_follower_number(s: &str) -> bool {
    let digits = s.strip_suffix(['k', 'M']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulate::pinterest::Generator;
    use crate::emulate::pyjson::dumps;

    #[test]
    fn follower_shapes() {
        for ok in ["0", "437", "26k", "192k", "6M"] {
            assert!(is_follower_number(ok), "{ok}");
        }
        for bad in ["", "k", "1.5k", "26K", "1kM", " 7"] {
            assert!(!is_follower_number(bad), "{bad}");
        }
    }

    #[test]
    fn rows_of_posts_are_valid_by_construction() {
        let posts = Generator::new(13, 0.5);
        for i in 0..2000 {
            let post = posts.post(i);
            for feed in Feed::ALL {
                assert!(is_valid(feed, &dumps(post.record(feed))), "{feed:?} {i}");
            }
        }
    }

    #[test]
    fn save_and_load_round_trip() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        assert_eq!(Manifest::load(dir.path())?, None);
        let m = Manifest {
            posts: 3,
            files: vec!["pin/part-00000.json".into()],
            ..Manifest::default()
        };
        m.save(dir.path())?;
        assert_eq!(Manifest::load(dir.path())?, Some(m));
        std::fs::write(dir.path().join(FILE_NAME), r#"{"posts": "many"}"#)?;
        assert_eq!(
            Manifest::load(dir.path()).map_err(|e| e.kind()),
            Err(io::ErrorKind::InvalidData)
        );
        Ok(())
    }
}
