//! Logging: warnings on stderr as before, and everything from `info` up in a
//! rotating file in the state folder ([`crate::store::log_dir`]), so a window
//! started from a menu still leaves a trace. `RUST_LOG` sets both filters
//! (e.g. `RUST_LOG=debug`). Lines that reach the file pass through
//! [`redact`] first: a macaroon or other long token never lands on disk,
//! even if some library logs a header or a URI.

mod redact;
mod rotate;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub use redact::redact;
pub use rotate::{KEEP, LOG_FILE, MAX_BYTES, RotatingFile};

/// The filter for stderr when `RUST_LOG` is unset.
const STDERR_DEFAULT: &str = "warn";
/// The filter for the file when `RUST_LOG` is unset: Satchel's own
/// information, only warnings from libraries (winit logs whole structures).
const FILE_DEFAULT: &str = "warn,satchel=info";

/// Install the logger: stderr, plus the rotating file in `dir` when given.
/// Returns the log file's path.
pub fn init(dir: Option<&Path>) -> Option<PathBuf> {
    let stderr =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(STDERR_DEFAULT))
            // Milliseconds: the window's start-up is measured from its log
            // (scripts/bench-gui.sh, BENCH_GUI_LOGS).
            .format_timestamp_millis()
            .build();
    let file = dir.map(|dir| {
        let writer = RotatingFile::new(dir);
        let path = writer.path();
        (file_logger(writer), path)
    });
    let max = file.as_ref().map_or(stderr.filter(), |(logger, _)| {
        logger.filter().max(stderr.filter())
    });
    let path = file.as_ref().map(|(_, path)| path.clone());
    let tee = Tee {
        stderr,
        file: file.map(|(logger, _)| logger),
    };
    if log::set_boxed_logger(Box::new(tee)).is_ok() {
        log::set_max_level(max);
    }
    path
}

/// An env_logger that writes redacted lines into `writer`.
pub fn file_logger(writer: impl Write + Send + 'static) -> env_logger::Logger {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(FILE_DEFAULT))
        .target(env_logger::Target::Pipe(Box::new(Redacting::new(writer))))
        .write_style(env_logger::WriteStyle::Never)
        .build()
}

/// Both loggers; each keeps its own filter.
struct Tee {
    stderr: env_logger::Logger,
    file: Option<env_logger::Logger>,
}

impl log::Log for Tee {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.stderr.enabled(metadata) || self.file.as_ref().is_some_and(|f| f.enabled(metadata))
    }

    fn log(&self, record: &log::Record<'_>) {
        self.stderr.log(record);
        if let Some(file) = &self.file {
            file.log(record);
        }
    }

    fn flush(&self) {
        self.stderr.flush();
        if let Some(file) = &self.file {
            file.flush();
        }
    }
}

/// A writer that passes whole lines through [`redact`].
pub struct Redacting<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Redacting<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    fn write_pending_lines(&mut self) -> io::Result<()> {
        let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') else {
            return Ok(());
        };
        let complete: Vec<u8> = self.pending.drain(..=end).collect();
        for line in complete.split_inclusive(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(line);
            self.inner.write_all(redact(&text).as_bytes())?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.write_pending_lines()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.pending.push(b'\n');
            self.write_pending_lines()?;
        }
        self.inner.flush()
    }
}
