//! A small size-rotating log file: `satchel.log`, and when it would pass
//! `max_bytes`, `satchel.log` → `satchel.log.1` → … → `satchel.log.<keep>`
//! (the oldest is overwritten). Files are private to the user (0600).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The log file's name inside the log folder.
pub const LOG_FILE: &str = "satchel.log";
/// Rotate when the current file would grow past this.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Rotated files kept besides the current one.
pub const KEEP: usize = 3;

/// A `Write` that appends to `<dir>/satchel.log` and rotates by size, between
/// lines (a line split over several writes stays in one file). The
/// folder and file are created on the first write, so a run that logs
/// nothing leaves nothing behind.
#[derive(Debug)]
pub struct RotatingFile {
    dir: PathBuf,
    max_bytes: u64,
    keep: usize,
    open: Option<(File, u64)>,
    /// The last byte written ended a line: rotation only happens there.
    at_line_start: bool,
}

impl RotatingFile {
    /// A writer into `dir` with the default sizes.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::with_limits(dir, MAX_BYTES, KEEP)
    }

    /// A writer with its own limits (tests use small ones).
    pub fn with_limits(dir: impl Into<PathBuf>, max_bytes: u64, keep: usize) -> Self {
        Self {
            dir: dir.into(),
            max_bytes,
            keep,
            open: None,
            at_line_start: true,
        }
    }

    /// The current file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(LOG_FILE)
    }

    /// `satchel.log.<n>` (n ≥ 1).
    fn rotated(&self, n: usize) -> PathBuf {
        self.dir.join(format!("{LOG_FILE}.{n}"))
    }

    fn file(&mut self) -> io::Result<&mut (File, u64)> {
        if self.open.is_none() {
            crate::store::create_private_dir(&self.dir).map_err(io::Error::other)?;
            let file = open_private(&self.path())?;
            let size = file.metadata()?.len();
            self.open = Some((file, size));
        }
        Ok(self.open.as_mut().expect("opened above"))
    }

    /// Shift the files by one and start an empty current file.
    fn rotate(&mut self) -> io::Result<()> {
        self.open = None;
        for n in (1..self.keep).rev() {
            rename_if_there(&self.rotated(n), &self.rotated(n + 1))?;
        }
        if self.keep == 0 {
            return fs::remove_file(self.path()).or_else(not_found_is_ok);
        }
        rename_if_there(&self.path(), &self.rotated(1))
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let max = self.max_bytes;
        let size = self.file()?.1;
        if self.at_line_start && size > 0 && size + buf.len() as u64 > max {
            self.rotate()?;
        }
        let (file, size) = self.file()?;
        file.write_all(buf)?;
        *size += buf.len() as u64;
        if let Some(&last) = buf.last() {
            self.at_line_start = last == b'\n';
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.open {
            Some((file, _)) => file.flush(),
            None => Ok(()),
        }
    }
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    let _ = options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = options.mode(0o600);
    }
    options.open(path)
}

fn rename_if_there(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to).or_else(not_found_is_ok)
}

fn not_found_is_ok(error: io::Error) -> io::Result<()> {
    match error.kind() {
        io::ErrorKind::NotFound => Ok(()),
        _ => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_rotate_by_size_and_only_a_few_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let mut file = RotatingFile::with_limits(&logs, 100, 2);
        assert!(!logs.exists(), "nothing is created before the first line");
        for n in 0..40 {
            let line = format!("line {n:02} of the log, padded\n");
            file.write_all(line.as_bytes()).unwrap();
        }
        file.flush().unwrap();
        let mut names: Vec<String> = fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["satchel.log", "satchel.log.1", "satchel.log.2"]);
        for name in &names {
            let len = fs::metadata(logs.join(name)).unwrap().len();
            assert!(len <= 100, "{name} is {len} bytes");
        }
        let current = fs::read_to_string(logs.join("satchel.log")).unwrap();
        assert!(
            current.ends_with("line 39 of the log, padded\n"),
            "{current}"
        );
        let previous = fs::read_to_string(logs.join("satchel.log.1")).unwrap();
        let last_before = previous.lines().last().unwrap();
        let first_now = current.lines().next().unwrap();
        let number = |line: &str| line[5..7].parse::<u32>().unwrap();
        assert_eq!(
            number(last_before) + 1,
            number(first_now),
            "no line lost at a rotation"
        );
        for _ in 0..3 {
            writeln!(file, "a line in {} writes, padded to be longer", 3).unwrap();
        }
        let all = fs::read_dir(&logs)
            .unwrap()
            .map(|e| fs::read_to_string(e.unwrap().path()).unwrap());
        for text in all {
            for line in text.lines() {
                assert!(
                    line.starts_with("line ") || line == "a line in 3 writes, padded to be longer",
                    "split: {line:?}"
                );
            }
        }
    }

    #[test]
    fn a_new_writer_appends_to_the_current_file() {
        let dir = tempfile::tempdir().unwrap();
        for run in 0..2 {
            let mut file = RotatingFile::new(dir.path());
            writeln!(file, "run {run}").unwrap();
        }
        let text = fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        assert_eq!(text, "run 0\nrun 1\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(LOG_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the log is private: {mode:o}");
        }
    }
}
