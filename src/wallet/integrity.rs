//! When the index's full integrity check runs. `PRAGMA quick_check` reads
//! every page (180 ms at 100,000 entries), so it runs on open only after an
//! unclean shutdown (the [`Marker`] left behind); otherwise in a background
//! thread on a read-only connection of its own, while the inbox is already
//! served. A damaged file found there is moved aside and replaced by an
//! empty index under the same handle, and reported by `Index::warning`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::thread::JoinHandle;

use rusqlite::{Connection, ErrorCode, InterruptHandle, OpenFlags};

use super::IndexWarning;
use super::index_file::{corrupt, move_aside, open_checked};

/// The background check of one open index, and its outcome.
pub(super) struct Check {
    job: Job,
    outcome: Arc<OnceLock<Option<IndexWarning>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// What running the check needs; shared by the thread and `Index::warning`.
#[derive(Clone)]
struct Job {
    path: PathBuf,
    conn: Weak<Mutex<Connection>>,
    interrupt: Arc<Mutex<Option<InterruptHandle>>>,
    /// Set, under the connection's lock, when the damaged file was swapped
    /// for a fresh one: a sync that read its cursors before must not write
    /// into the new file.
    replaced: Arc<AtomicBool>,
}

impl Check {
    /// Already decided: checked on open (or a new file), with this outcome.
    pub(super) fn done(outcome: Option<IndexWarning>) -> Self {
        Self {
            job: Job {
                path: PathBuf::new(),
                conn: Weak::new(),
                interrupt: Arc::default(),
                replaced: Arc::default(),
            },
            outcome: Arc::new(OnceLock::from(outcome)),
            thread: Mutex::new(None),
        }
    }

    /// Start checking `path` in the background; on damage, `conn` is swapped
    /// for a fresh index.
    pub(super) fn start(path: &Path, conn: &Arc<Mutex<Connection>>) -> Self {
        let job = Job {
            path: path.to_owned(),
            conn: Arc::downgrade(conn),
            interrupt: Arc::default(),
            replaced: Arc::default(),
        };
        let outcome = Arc::new(OnceLock::new());
        let (bg_job, bg_outcome) = (job.clone(), Arc::clone(&outcome));
        let thread = std::thread::Builder::new()
            .name("index-check".into())
            .spawn(move || {
                let _ = bg_outcome.get_or_init(|| bg_job.run());
            })
            .map_err(|e| log::warn!("index check not started: {e}"))
            .ok();
        Self {
            job,
            outcome,
            thread: Mutex::new(thread),
        }
    }

    /// The outcome, waiting for the check if it is still running (or
    /// running it here if the thread has not started it yet).
    pub(super) fn outcome(&self) -> Option<&IndexWarning> {
        self.outcome.get_or_init(|| self.job.run()).as_ref()
    }

    /// Whether the background check swapped the file for a fresh one (never
    /// waits). Read under the connection's lock, it is exact.
    pub(super) fn replaced(&self) -> bool {
        self.job.replaced.load(Ordering::SeqCst)
    }

    /// The outcome if the check has finished, without waiting.
    pub(super) fn finished(&self) -> Option<Option<&IndexWarning>> {
        self.outcome.get().map(Option::as_ref)
    }
}

impl Drop for Check {
    /// Stop a running check (the last handle is going away) so the index
    /// connection is the last one and closes cleanly.
    fn drop(&mut self) {
        if let Some(handle) = lock(&self.job.interrupt).take() {
            handle.interrupt();
        }
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
    }
}

impl Job {
    /// Check the file; on damage swap in a fresh index and say so.
    fn run(&self) -> Option<IndexWarning> {
        let reason = match self.verdict() {
            Ok(()) => return None,
            Err(reason) => reason,
        };
        let conn = self.conn.upgrade()?;
        let mut current = lock(&conn);
        // Close the damaged file before moving it.
        drop(std::mem::replace(
            &mut *current,
            Connection::open_in_memory().ok()?,
        ));
        self.replaced.store(true, Ordering::SeqCst);
        let warning = match move_aside(&self.path, corrupt(&reason).to_string()) {
            Ok(warning) => warning,
            Err(error) => {
                log::warn!("damaged index could not be moved aside: {error}");
                return None;
            }
        };
        log::warn!("{warning}");
        match open_checked(&self.path, false) {
            Ok(fresh) => *current = fresh,
            Err(error) => log::warn!("new index could not be created: {error}"),
        }
        Some(warning)
    }

    /// `Err` with SQLite's complaint when the file is damaged; `Ok` when it
    /// is whole, or when the check was stopped or could not run.
    fn verdict(&self) -> Result<(), String> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let reader = Connection::open_with_flags(&self.path, flags).map_err(|e| e.to_string())?;
        // The schema's functions (schema v9), should a check compute a column.
        super::schema::functions(&reader).map_err(|e| e.to_string())?;
        *lock(&self.interrupt) = Some(reader.get_interrupt_handle());
        let verdict = reader.query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0));
        let _ = lock(&self.interrupt).take();
        match verdict {
            Ok(text) if text == "ok" => Ok(()),
            Ok(text) => Err(text),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted) => Ok(()),
            Err(e) if super::index_file::is_corrupt(&e) => Err(e.to_string()),
            Err(e) => {
                log::warn!("index check could not run: {e}");
                Ok(())
            }
        }
    }
}

/// A file next to the index while it is open (`index.db-open`), removed when
/// the last handle closes it: found on open, it means the previous session
/// ended without closing (crash, power loss), so the file is checked then.
pub(super) struct Marker(PathBuf);

impl Marker {
    /// Whether a session left the marker of `index` behind.
    pub(super) fn left_behind(index: &Path) -> bool {
        marker_path(index).exists()
    }

    /// Write the marker of `index`.
    pub(super) fn create(index: &Path) -> std::io::Result<Self> {
        let path = marker_path(index);
        std::fs::write(&path, std::process::id().to_string())?;
        Ok(Self(path))
    }
}

impl Drop for Marker {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn marker_path(index: &Path) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push("-open");
    PathBuf::from(name)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
