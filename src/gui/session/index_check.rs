//! The index's integrity check as a session sees it. `Index::open` returns
//! before the full check ends (it runs in the background after a clean
//! shutdown); when it finds the file damaged, the file is moved aside and an
//! empty index swapped in under the same handle. The session waits for the
//! outcome once, off the UI thread, and tells the user in a notice.

use iced::Task;

use super::{Action, Message, Session};
use crate::gui::context::Context;
use crate::keysend::text::display_safe;
use crate::wallet::{Index, IndexWarning};

/// Longest SQLite complaint shown (it is diagnostic detail, not the point).
const REASON_MAX: usize = 160;
/// Longest path shown for the kept-aside file.
const PATH_MAX: usize = 300;

/// The check's outcome as one message: at once when it has finished,
/// otherwise from a task that waits for it on the blocking pool.
pub(super) fn outcome(index: &Index) -> Task<Message> {
    if index.integrity_checked() {
        return Task::done(Message::IndexChecked(index.warning().cloned()));
    }
    let index = index.clone();
    Task::perform(
        async move { index.call(|i| Ok(i.warning().cloned())).await },
        |result| match result {
            Ok(warning) => Message::IndexChecked(warning),
            Err(error) => {
                log::warn!("index check outcome not read: {error}");
                Message::IndexChecked(None)
            }
        },
    )
}

impl Session {
    /// A damaged index was replaced by an empty one: say so, drop the rows
    /// shown from the old file, and refill from the node. The first backfill
    /// waits for the check, so it fills the new index; one more runs only if
    /// it has already ended.
    pub(super) fn index_checked(
        &mut self,
        warning: Option<IndexWarning>,
        context: &Context,
    ) -> Action {
        let Some(warning) = warning else {
            return Action::None;
        };
        let line = notice(&warning);
        self.notice = Some(append(self.notice.take(), line));
        let refill = if self.following {
            self.backfill()
        } else {
            Task::none()
        };
        self.reload_lists(context, refill)
    }
}

/// What the notice bar says about a damaged index that was kept aside.
pub fn notice(warning: &IndexWarning) -> String {
    format!(
        "The local inbox index was damaged and was kept aside as {}; it is being rebuilt \
         from your node. (SQLite: {})",
        display_safe(&warning.moved_to.display().to_string(), PATH_MAX),
        display_safe(&warning.reason, REASON_MAX),
    )
}

/// `current` with `line` added below it (a notice already shown stays).
pub fn append(current: Option<String>, line: String) -> String {
    match current {
        Some(before) if !before.is_empty() && before != line => format!("{before}\n{line}"),
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn warning(moved_to: &str, reason: &str) -> IndexWarning {
        IndexWarning {
            moved_to: PathBuf::from(moved_to),
            reason: reason.to_owned(),
        }
    }

    #[test]
    fn the_notice_names_the_kept_file_and_the_rebuild() {
        let text = notice(&warning(
            "/home/a/.local/share/satchel/index.db.damaged-1",
            "database disk image is malformed",
        ));
        assert_eq!(
            text,
            "The local inbox index was damaged and was kept aside as \
             /home/a/.local/share/satchel/index.db.damaged-1; it is being rebuilt from your \
             node. (SQLite: database disk image is malformed)"
        );
    }

    #[test]
    fn hidden_characters_and_long_reasons_are_not_shown() {
        let long = "x".repeat(10 * REASON_MAX);
        let text = notice(&warning("/tmp/in\u{202e}dex\u{200b}.db\n", &long));
        assert!(text.contains("/tmp/index.db;"), "{text}");
        assert!(!text.contains('\u{202e}') && !text.contains('\u{200b}'));
        assert!(!text.contains('\n'));
        assert!(text.len() < 2 * REASON_MAX + 200, "{} chars", text.len());
    }

    #[test]
    fn a_notice_already_shown_is_kept_above() {
        assert_eq!(append(None, "b".into()), "b");
        assert_eq!(append(Some(String::new()), "b".into()), "b");
        assert_eq!(append(Some("a".into()), "b".into()), "a\nb");
        assert_eq!(append(Some("b".into()), "b".into()), "b");
    }
}
