//! `spate emulate pinterest`: writes the Pinterest workload's three JSON Lines feeds (spec
//! pinterest-workload.md §3, §8) into `DIR/pin`, `DIR/geo` and `DIR/user`, like the students'
//! posting emulators feeding a landing zone, or posts them to Kinesis streams (§4.3).
//!
//! ```text
//!  Generator (seed, index) -> Post {pin, geo, user}      pinterest.rs, posters.rs, topics.rs
//!  Sender: new posts, delayed re-sends, malformed lines  stream.rs, malformed.rs
//!  rounds: one part file per feed, written under a       writer.rs (+ pace.rs in live mode)
//!          temp name, then the three renamed into place;
//!          or PutRecords to <prefix>-pin|geo|user            kinesis.rs
//!  _manifest.json rewritten after every round            manifest.rs
//! ```
//!
//! Output depends only on the options and on what the folder already holds: no wall clock enters
//! the data, so the same options on an empty folder give byte-identical files.

mod dates;
mod kinesis;
mod malformed;
mod manifest;
mod pace;
mod pinterest;
mod posters;
mod pyjson;
mod rng;
mod stream;
mod topics;
mod vocab;
mod writer;

use std::io;
use std::path::PathBuf;

pub use manifest::Manifest;
use pinterest::{Feed, Generator};
use stream::Sender;

/// What to emulate and where.
#[derive(Clone, Debug)]
pub struct EmulateOptions {
    /// Output folder; the feeds go to `out/pin`, `out/geo`, `out/user`.
    pub out: PathBuf,
    /// Posts to send, re-sends included (`u64::MAX` with `rate`: until stopped).
    pub posts: u64,
    /// Batch mode: files per feed the posts are spread over (at least 1). Unused with `rate`.
    pub files: u64,
    /// Live mode: posts per second, one small file per feed about every second.
    pub rate: Option<f64>,
    /// Seed of every random choice.
    pub seed: u64,
    /// About this fraction of each feed's lines are malformed, in [0, 1).
    pub malformed_frac: f64,
    /// About this fraction of sent posts are re-sends of earlier ones, in [0, 1).
    pub dup_frac: f64,
    /// Fraction of distinct posts with placeholder values, in [0, 1].
    pub dirty_frac: f64,
}

/// Writes the feeds (blocking; live mode sleeps to keep the rate) and returns the folder's
/// manifest. A folder already written to is appended to: part numbers and row numbers continue.
/// `progress` gets the manifest after every round of files (one new file per feed).
pub fn emulate(opts: &EmulateOptions, progress: &mut dyn FnMut(&Manifest)) -> io::Result<Manifest> {
    validate(opts)?;
    let dirs: Vec<PathBuf> = Feed::ALL.iter().map(|f| opts.out.join(f.name())).collect();
    for dir in &dirs {
        std::fs::create_dir_all(dir)?;
    }
    let mut manifest = Manifest::load(&opts.out)?.unwrap_or_default();
    let mut folders = Folders {
        part: writer::next_part_number(&dirs)?,
        dirs,
        out: opts.out.clone(),
    };
    send_rounds(opts, &mut folders, &mut manifest, progress)?;
    // Every round saved it already; this covers a run with no round (live mode, zero posts).
    manifest.save(&opts.out)?;
    Ok(manifest)
}

/// Posts the feeds to the Kinesis streams `<prefix>-pin|geo|user` instead of folders (blocking),
/// as the pipeline's API gateway does (pinterest-workload.md §4.3): each row's JSON is a record's
/// data, with partition key `partition-1`. Streams that do not exist are created with `shards`
/// shards. Row numbers start at 0 on every run (there is no folder to continue from); the
/// returned manifest counts this run.
pub fn emulate_kinesis(
    opts: &EmulateOptions,
    prefix: &str,
    shards: i32,
    progress: &mut dyn FnMut(&Manifest),
) -> io::Result<Manifest> {
    validate(opts)?;
    let mut streams = kinesis::Streams::connect(prefix, shards)?;
    let mut manifest = Manifest::default();
    send_rounds(opts, &mut streams, &mut manifest, progress)?;
    Ok(manifest)
}

/// Where each round's lines go: part files in folders, or records on Kinesis streams.
trait Destination {
    /// Delivers one round: each feed's lines in sending order, feeds in `Feed::ALL` order.
    fn deliver(&mut self, round: [Vec<String>; 3], manifest: &mut Manifest) -> io::Result<()>;
}

/// The landing folders `out/pin|geo|user`.
struct Folders {
    dirs: Vec<PathBuf>,
    part: u64,
    out: PathBuf,
}

impl Destination for Folders {
    /// Writes part file `part` of every feed, then renames the three into place together, so a
    /// reader never sees a post on one feed long before the others.
    fn deliver(&mut self, round: [Vec<String>; 3], manifest: &mut Manifest) -> io::Result<()> {
        let name = writer::part_name(self.part);
        let mut files = self
            .dirs
            .iter()
            .map(|d| writer::PartFile::create(d, &name))
            .collect::<io::Result<Vec<_>>>()?;
        for (lines, file) in round.iter().zip(&mut files) {
            for line in lines {
                file.write_line(line)?;
            }
        }
        for file in files {
            file.commit()?;
        }
        manifest
            .files
            .extend(Feed::ALL.iter().map(|f| format!("{}/{name}", f.name())));
        self.part += 1;
        manifest.save(&self.out)
    }
}

/// The sending schedule shared by every destination: batch mode spreads the posts over `files`
/// rounds; live mode sends a round about every second at `rate` posts per second.
fn send_rounds(
    opts: &EmulateOptions,
    dest: &mut dyn Destination,
    manifest: &mut Manifest,
    progress: &mut dyn FnMut(&Manifest),
) -> io::Result<()> {
    let posts = Generator::new(opts.seed, opts.dirty_frac);
    let mut sender = Sender::new(
        posts,
        opts.seed,
        manifest.distinct_posts,
        opts.dup_frac,
        opts.malformed_frac,
    );
    let mut round = |count: u64, manifest: &mut Manifest| -> io::Result<()> {
        let lines = take_round(count, &mut sender, manifest);
        dest.deliver(lines, manifest)?;
        progress(manifest);
        Ok(())
    };
    match opts.rate {
        None => {
            for k in 0..opts.files {
                round(share(opts.posts, opts.files, k), manifest)?;
            }
        }
        Some(rate) => {
            let mut pacer = pace::Pacer::new(rate);
            let mut sent = 0;
            while sent < opts.posts {
                let n = pacer.wait_next().min(opts.posts - sent);
                round(n, manifest)?;
                sent += n;
            }
        }
    }
    Ok(())
}

/// Refuses options that cannot work, saying which flag to change.
fn validate(opts: &EmulateOptions) -> io::Result<()> {
    let invalid = |msg: String| Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
    if opts.rate.is_none() && opts.files == 0 {
        return invalid("--files must be at least 1".into());
    }
    if let Some(rate) = opts.rate {
        if !(rate.is_finite() && rate > 0.0) {
            return invalid(format!(
                "--rate must be a positive number of posts per second, got {rate}"
            ));
        }
    }
    // Re-sends and malformed lines are drawn geometrically: a fraction of 1 would never end.
    for (flag, value) in [
        ("--malformed-frac", opts.malformed_frac),
        ("--dup-frac", opts.dup_frac),
    ] {
        if !(0.0..1.0).contains(&value) {
            return invalid(format!(
                "{flag} must be at least 0 and below 1, got {value}"
            ));
        }
    }
    if !(0.0..=1.0).contains(&opts.dirty_frac) {
        return invalid(format!(
            "--dirty-frac must be between 0 and 1, got {}",
            opts.dirty_frac
        ));
    }
    Ok(())
}

/// Posts in batch file `k` of `files`: an even split, the remainder spread over the later files.
fn share(posts: u64, files: u64, k: u64) -> u64 {
    let upto = |k: u64| (posts as u128 * k as u128 / files as u128) as u64;
    upto(k + 1) - upto(k)
}

/// The next `count` slots as each feed's lines (malformed lines before their row), counted.
fn take_round(count: u64, sender: &mut Sender, manifest: &mut Manifest) -> [Vec<String>; 3] {
    let mut round: [Vec<String>; 3] = Default::default();
    for _ in 0..count {
        let slot = sender.next_slot();
        manifest.posts += 1;
        if slot.resend {
            manifest.duplicates += 1;
        } else {
            manifest.distinct_posts += 1;
        }
        for ((feed, lines), out) in Feed::ALL.into_iter().zip(slot.feeds).zip(&mut round) {
            for line in lines.malformed {
                manifest.count_line(feed, &line, true);
                out.push(line);
            }
            manifest.count_line(feed, &lines.row, false);
            out.push(lines.row);
        }
    }
    round
}

#[cfg(test)]
mod tests;
