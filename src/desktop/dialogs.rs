//! Native open and save dialogs (the XDG desktop portal on Linux, the
//! system dialogs elsewhere), as async calls a screen turns into a message.
//!
//! Screens never read or write files inside these calls: a dialog only
//! yields a path, and the screen hands that path to the same function the
//! CLI and the tests use. Tests skip the dialog and send the path message
//! directly, so "paths in, files out" is covered without a desktop.

use std::path::PathBuf;

/// What a dialog is for: its title and the file types it offers.
#[derive(Debug, Clone)]
pub struct FileKind {
    pub title: &'static str,
    /// Filter name shown to the user, e.g. "CSV".
    pub filter_name: &'static str,
    /// Extensions without the dot; empty means any file.
    pub extensions: &'static [&'static str],
}

impl FileKind {
    fn dialog(&self) -> rfd::AsyncFileDialog {
        let dialog = rfd::AsyncFileDialog::new().set_title(self.title);
        if self.extensions.is_empty() {
            dialog
        } else {
            dialog.add_filter(self.filter_name, self.extensions)
        }
    }
}

/// Ask for an existing file; `None` when the user cancels or no dialog
/// service is available.
pub async fn open_file(kind: FileKind) -> Option<PathBuf> {
    kind.dialog()
        .pick_file()
        .await
        .map(|h| h.path().to_path_buf())
}

/// Ask where to save, proposing `suggested` as the file name.
pub async fn save_file(kind: FileKind, suggested: String) -> Option<PathBuf> {
    kind.dialog()
        .set_file_name(suggested)
        .save_file()
        .await
        .map(|h| h.path().to_path_buf())
}
