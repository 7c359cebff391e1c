//! Open a folder in the desktop's file manager: `xdg-open` on Linux and the
//! BSDs, `open` on macOS, `explorer` on Windows. The child is not waited
//! for (a reaper thread collects it).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The command that opens `path` on this platform.
pub fn opener(path: &Path) -> Command {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut command = Command::new(program);
    let _ = command
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Create `dir` if needed (private) and open it; the error says what failed.
pub fn open_folder(dir: &Path) -> Result<PathBuf, String> {
    crate::store::create_private_dir(dir).map_err(|err| err.to_string())?;
    let mut command = opener(dir);
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .spawn()
        .map_err(|err| format!("could not start {program} to open {}: {err}", dir.display()))?;
    let _reaper = std::thread::spawn(move || child.wait());
    Ok(dir.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_opener_gets_the_folder() {
        let command = opener(Path::new("/tmp/some logs"));
        #[cfg(target_os = "linux")]
        assert_eq!(command.get_program(), "xdg-open");
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, [Path::new("/tmp/some logs").as_os_str()]);
    }

    #[test]
    fn a_missing_folder_is_created_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        // Whether xdg-open exists here or not, the folder is made first.
        let _ = open_folder(&logs);
        assert!(logs.is_dir());
    }
}
