//! Wakes the file source when a file lands in a local folder (inotify through `notify`).
//!
//! Events are only a hint that it is worth listing now: the listing stays the source of truth, so
//! a missed event (inotify queue overflow, a network or FUSE filesystem that sends none, a folder
//! deleted and re-created) costs latency, never data; the query still lists on a timer.
//!
//! ```text
//!  inotify thread ── event ──► classify ──(wake)──► watch::Sender<u64> += 1 ──► query's idle wait ends ──► list
//!                               │ (root folder gone or missing)
//!                               ▼
//!                         re-arm thread: look for the folder every second, watch it again
//! ```
//!
//! What wakes: a name moved into place (`rename`, the supported way to land a file), a file closed
//! after writing, a new folder (its files may have arrived before its watch did), and inotify's
//! Rescan after an overflow. What does not: the creation of a file (a writer that creates the
//! visible name and then fills it would be read empty; its close wakes us instead), writes, opens and
//! reads (our own reads would wake us in a loop), removals, and anything under a hidden name
//! (`.x`, `_x`, `x._COPYING_`), which the listing skips anyway.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use spate_engine::storage::Location;
use tokio::sync::watch;

use super::listing::is_hidden;

/// Environment switch: `SPATE_WATCH=off` (or `0`, `false`, `no`) makes file sources poll only.
pub const WATCH_ENV: &str = "SPATE_WATCH";

/// How often a missing (or deleted) input folder is looked for again.
const REARM_INTERVAL: Duration = Duration::from_secs(1);

/// A watch on a local input folder; the receiver's value changes when it is worth listing again.
/// Dropping it stops watching.
pub struct FolderWatch {
    rx: watch::Receiver<u64>,
    // Owns the notify watcher; the inotify and re-arm threads only hold weak references.
    _shared: Arc<Shared>,
}

struct Shared {
    root: PathBuf,
    watcher: Mutex<Option<RecommendedWatcher>>,
    /// A re-arm thread is running (at most one at a time).
    rearming: AtomicBool,
    /// The inotify watch limit was reported once already.
    limit_logged: AtomicBool,
}

/// What one event means for the source.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Ignore,
    Wake,
    /// The watched folder itself was deleted or moved away: its inotify watch is dead.
    RootGone,
}

impl FolderWatch {
    /// Starts watching `input` if it is a local folder and `SPATE_WATCH` does not say off; `None`
    /// means the caller polls. Arming happens on a background thread, so a large tree (one inotify
    /// watch per sub-folder) or a folder that does not exist yet never blocks the query.
    pub fn start(input: &Location) -> Option<FolderWatch> {
        if watch_disabled() {
            tracing::info!(folder = %input.display(), "{WATCH_ENV}=off: the file source polls instead of watching");
            return None;
        }
        if !input.is_local() {
            // Object stores have no change events; their listing interval is the only signal.
            return None;
        }
        let Ok(path) = input.url.to_file_path() else {
            tracing::info!(folder = %input.display(), "not a local path; the file source polls instead of watching");
            return None;
        };
        let (tx, rx) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            root: watch_root(&path),
            watcher: Mutex::new(None),
            rearming: AtomicBool::new(true),
            limit_logged: AtomicBool::new(false),
        });
        if let Err(e) = spawn_rearm(Arc::downgrade(&shared), tx) {
            tracing::info!(folder = %input.display(), error = %e, "cannot start the folder watch; the file source polls instead");
            return None;
        }
        Some(FolderWatch {
            rx,
            _shared: shared,
        })
    }

    /// A receiver whose value changes after each event worth a listing (and once when the watch is
    /// armed, for files that landed before it). It reports closed when watching has given up.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.rx.clone()
    }
}

/// True when `SPATE_WATCH` turns watching off.
pub fn watch_disabled() -> bool {
    std::env::var(WATCH_ENV).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "off" | "0" | "false" | "no"
        )
    })
}

/// The folder to watch for `path`: the part before the first glob character, since a glob such as
/// `/in/*/2024` names no folder inotify could watch.
fn watch_root(path: &Path) -> PathBuf {
    let mut root = PathBuf::new();
    for c in path.components() {
        if let Component::Normal(name) = c {
            if name.to_string_lossy().contains(['*', '?', '[', '{', '\\']) {
                break;
            }
        }
        root.push(c);
    }
    root
}

/// Arms the watch on a background thread, retrying every `REARM_INTERVAL` while the folder is
/// missing. On success the channel is bumped once, so the query lists whatever landed before.
/// On any other error watching is given up: every sender drops, and the query goes back to polling.
fn spawn_rearm(shared: Weak<Shared>, tx: watch::Sender<u64>) -> std::io::Result<()> {
    std::thread::Builder::new().name("spate-watch-arm".into()).spawn(move || loop {
        let Some(strong) = shared.upgrade() else {
            return; // the source is gone
        };
        match arm(&strong.root, &shared, &tx) {
            Ok(w) => {
                if let Ok(mut slot) = strong.watcher.lock() {
                    // Replacing a dead watcher (its folder was deleted) stops its thread.
                    *slot = Some(w);
                }
                strong.rearming.store(false, Ordering::SeqCst);
                tx.send_modify(bump);
                tracing::info!(folder = %strong.root.display(), "watching the folder for new files");
                return;
            }
            Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => {
                tracing::debug!(folder = %strong.root.display(), "the folder does not exist (yet); looking again in a second");
            }
            Err(e) => {
                tracing::info!(folder = %strong.root.display(), error = %e, "cannot watch the folder; the file source polls instead");
                if let Ok(mut slot) = strong.watcher.lock() {
                    *slot = None;
                }
                return;
            }
        }
        drop(strong);
        std::thread::sleep(REARM_INTERVAL);
    })?;
    Ok(())
}

/// A recursive inotify watch on `root` whose events go through `on_event`.
fn arm(
    root: &Path,
    shared: &Weak<Shared>,
    tx: &watch::Sender<u64>,
) -> notify::Result<RecommendedWatcher> {
    let (root_owned, shared, tx) = (root.to_path_buf(), shared.clone(), tx.clone());
    let mut w = notify::recommended_watcher(move |res: notify::Result<Event>| {
        on_event(res, &root_owned, &shared, &tx)
    })?;
    w.watch(root, RecursiveMode::Recursive)?;
    Ok(w)
}

/// Runs on notify's thread for every event.
fn on_event(
    res: notify::Result<Event>,
    root: &Path,
    shared: &Weak<Shared>,
    tx: &watch::Sender<u64>,
) {
    match res {
        Ok(ev) => match classify(&ev, root) {
            Action::Ignore => {}
            Action::Wake => tx.send_modify(bump),
            Action::RootGone => {
                tx.send_modify(bump);
                if let Some(s) = shared.upgrade() {
                    if !s.rearming.swap(true, Ordering::SeqCst) {
                        tracing::info!(folder = %root.display(), "the watched folder was removed; watching again when it reappears");
                        if spawn_rearm(shared.clone(), tx.clone()).is_err() {
                            s.rearming.store(false, Ordering::SeqCst);
                        }
                    }
                }
            }
        },
        Err(e) => {
            // An error can mean lost events (a sub-folder beyond fs.inotify.max_user_watches, a
            // read failure): list now, and rely on the periodic listing from here on.
            if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                if shared
                    .upgrade()
                    .is_some_and(|s| !s.limit_logged.swap(true, Ordering::SeqCst))
                {
                    tracing::info!(folder = %root.display(), "inotify watch limit reached (fs.inotify.max_user_watches): new sub-folders are found by periodic listing only");
                }
            } else {
                tracing::debug!(folder = %root.display(), error = %e, "folder watch error");
            }
            tx.send_modify(bump);
        }
    }
}

fn bump(n: &mut u64) {
    *n = n.wrapping_add(1);
}

/// Whether an event is worth a listing (see the module docs for why each kind is in or out).
fn classify(ev: &Event, root: &Path) -> Action {
    if ev.need_rescan() {
        return Action::Wake;
    }
    let is_root = ev.paths.iter().any(|p| p == root);
    match ev.kind {
        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From)) if is_root => {
            Action::RootGone
        }
        EventKind::Any | EventKind::Other => Action::Wake,
        EventKind::Create(CreateKind::File) => Action::Ignore,
        EventKind::Create(_)
        | EventKind::Modify(ModifyKind::Name(
            RenameMode::To | RenameMode::Both | RenameMode::Any | RenameMode::Other,
        ))
        | EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            if ev.paths.iter().any(|p| is_visible(p, root)) {
                Action::Wake
            } else {
                Action::Ignore
            }
        }
        _ => Action::Ignore,
    }
}

/// True for a path below `root` with no hidden name at any level (what the listing would return).
fn is_visible(path: &Path, root: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rel) => {
            let mut parts = rel.components().peekable();
            parts.peek().is_some() && parts.all(|c| !is_hidden(&c.as_os_str().to_string_lossy()))
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind, paths: &[&str]) -> Event {
        paths
            .iter()
            .fold(Event::new(kind), |e, p| e.add_path(PathBuf::from(p)))
    }

    #[test]
    fn wakes_on_landing_not_on_writing() {
        let root = Path::new("/in");
        let rename_to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(
            classify(&ev(rename_to, &["/in/a.json"]), root),
            Action::Wake
        );
        assert_eq!(
            classify(&ev(rename_to, &["/in/.a.json"]), root),
            Action::Ignore
        );
        assert_eq!(
            classify(&ev(rename_to, &["/in/_tmp/a.json"]), root),
            Action::Ignore
        );
        assert_eq!(
            classify(&ev(rename_to, &["/in/a.json._COPYING_"]), root),
            Action::Ignore
        );
        assert_eq!(
            classify(
                &ev(
                    EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                    &["/in/.a.tmp", "/in/a.json"]
                ),
                root
            ),
            Action::Wake
        );
        assert_eq!(classify(&ev(closed, &["/in/x/a.json"]), root), Action::Wake);
        assert_eq!(
            classify(
                &ev(EventKind::Create(CreateKind::Folder), &["/in/date=1"]),
                root
            ),
            Action::Wake
        );
        assert_eq!(
            classify(
                &ev(EventKind::Create(CreateKind::File), &["/in/a.json"]),
                root
            ),
            Action::Ignore
        );
        assert_eq!(
            classify(
                &ev(
                    EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any)),
                    &["/in/a.json"]
                ),
                root
            ),
            Action::Ignore
        );
        assert_eq!(
            classify(
                &ev(
                    EventKind::Access(AccessKind::Open(AccessMode::Any)),
                    &["/in/a.json"]
                ),
                root
            ),
            Action::Ignore
        );
        assert_eq!(
            classify(
                &ev(
                    EventKind::Remove(notify::event::RemoveKind::File),
                    &["/in/a.json"]
                ),
                root
            ),
            Action::Ignore
        );
    }

    #[test]
    fn rescan_and_root_loss() {
        let root = Path::new("/in");
        let rescan = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert_eq!(classify(&rescan, root), Action::Wake);
        assert_eq!(
            classify(
                &ev(
                    EventKind::Remove(notify::event::RemoveKind::Folder),
                    &["/in"]
                ),
                root
            ),
            Action::RootGone
        );
        assert_eq!(
            classify(
                &ev(
                    EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                    &["/in/"]
                ),
                root
            ),
            Action::RootGone
        );
    }

    #[test]
    fn watch_root_stops_at_the_first_glob() {
        assert_eq!(
            watch_root(Path::new("/data/in/")),
            PathBuf::from("/data/in")
        );
        assert_eq!(watch_root(Path::new("/data/*/x")), PathBuf::from("/data"));
        assert_eq!(
            watch_root(Path::new("/data/in/{a,b}")),
            PathBuf::from("/data/in")
        );
    }
}
