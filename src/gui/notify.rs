//! Desktop notifications for new tips above the spam threshold. Shown from a
//! blocking task; any failure (no notification daemon) is ignored.

use iced::Task;

use crate::keysend::text::display_safe;
use crate::store::Settings;
use crate::wallet::InboxRow;

/// Longest message excerpt in a notification, in characters.
const BODY_CHARS: usize = 120;

/// The title and body for a received tip, or `None` when it should stay quiet.
pub fn content(tip: &InboxRow, settings: &Settings) -> Option<(String, String)> {
    if !settings.notifications || tip.amount < settings.spam_threshold {
        return None;
    }
    let title = format!(
        "{} from {}",
        crate::gui::format::amount(tip.amount, settings.unit),
        display_safe(&tip.sender, 40)
    );
    Some((title, display_safe(&tip.preview, BODY_CHARS)))
}

/// Show a notification for `tip` if the settings allow it.
pub fn tip(tip: &InboxRow, settings: &Settings) -> Task<()> {
    let Some((title, body)) = content(tip, settings) else {
        return Task::none();
    };
    Task::perform(
        async move {
            let _ = tokio::task::spawn_blocking(move || {
                notify_rust::Notification::new()
                    .appname("Satchel")
                    .summary(&title)
                    .body(&body)
                    .show()
                    .map(|_| ())
            })
            .await;
        },
        |()| (),
    )
}
