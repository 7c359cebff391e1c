//! Desktop notifications for new tips above the spam threshold. Shown from a
//! blocking task; any failure (no notification daemon) is ignored. The task
//! answers with the [`Notice`] it showed, so tests see what was announced.
//!
//! The sender is named as `wallet::ShownSender` presents it: a forged or
//! unproven sender is "someone who claims to be ...", never announced like
//! a verified one. Notification servers read the body as markup: every `&`,
//! `<` and `>` in it is escaped. The title is plain text by the spec, but
//! some servers read it as markup too: its angle brackets become `‹ ›`.

use iced::Task;

use crate::keysend::text::display_safe;
use crate::keysend::{NodeId, Sender};
use crate::store::{ContactBook, Settings};
use crate::wallet::{InboxRow, Index, ShownSender, Verification};

/// Longest message excerpt in a notification, in characters.
const BODY_CHARS: usize = 120;
/// Longest sender phrase in a title, in characters.
const FROM_CHARS: usize = 80;

/// A notification's text: the body markup-escaped, the title without
/// angle brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The notification for a received tip, or `None` when it should stay quiet.
pub fn content(tip: &InboxRow, contacts: &ContactBook, settings: &Settings) -> Option<Notice> {
    if !settings.notifications || tip.amount < settings.spam_threshold {
        return None;
    }
    let sender = ShownSender::new(tip.facts(), contacts, tip.alias.as_deref());
    let title = format!(
        "{} from {}",
        crate::gui::format::amount(tip.amount, settings.unit),
        display_safe(&sender.from_phrase(), FROM_CHARS)
    );
    let mut body = display_safe(&tip.preview, BODY_CHARS);
    if sender.text_not_signed {
        body.push_str(" (message not signed)");
    }
    Some(Notice {
        title: title.replace('<', "‹").replace('>', "›"),
        body: escape_markup(&body),
    })
}

/// Text as notification markup shows it literally.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Show a notification for `tip` if the settings allow it, once its sender
/// is checked (for our node `me`): a forged sender is never announced like a
/// genuine one. The task answers with what it showed.
pub fn tip(
    index: Index,
    me: NodeId,
    mut tip: InboxRow,
    contacts: ContactBook,
    settings: &Settings,
) -> Task<Notice> {
    if content(&tip, &contacts, settings).is_none() {
        return Task::none();
    }
    let settings = settings.clone();
    Task::future(async move {
        let id = tip.id;
        let checked = index
            .call(move |index| {
                let sender = index.verify(id, &me)?;
                let alias = match &sender {
                    Sender::Verified { id, .. } => index.alias(id)?,
                    _ => None,
                };
                Ok((Verification::of(&sender), alias))
            })
            .await;
        // The index cannot say: announce it unchecked ("claims to be").
        if let Ok((verification, alias)) = checked {
            (tip.verification, tip.alias) = (Some(verification), alias);
        }
        let notice = content(&tip, &contacts, &settings)?;
        let (title, body) = (notice.title.clone(), notice.body.clone());
        let _ = tokio::task::spawn_blocking(move || {
            notify_rust::Notification::new()
                .appname("Satchel")
                .summary(&title)
                .body(&body)
                .show()
                .map(|_| ())
        })
        .await;
        Some(notice)
    })
    .and_then(Task::done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::incoming::{MessageSource, Scheme, Unverified};

    fn tip(verification: Option<Verification>, name: &str, preview: &str) -> InboxRow {
        InboxRow {
            sender_name: Some(name.into()),
            sender_pubkey: Some(
                "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                    .parse()
                    .unwrap(),
            ),
            verification,
            preview: preview.into(),
            message_source: Some(MessageSource::Chat),
            ..InboxRow::sample(1)
        }
    }

    #[test]
    fn a_forged_sender_is_not_announced_like_a_genuine_one() {
        let (book, settings) = (ContactBook::new(), Settings::default());
        let forged = Some(Verification::Claimed(Unverified::BadSignature));
        let notice = content(&tip(forged, "Alice", "hi"), &book, &settings).unwrap();
        assert_eq!(
            notice.title,
            "21 sat from someone who falsely claims to be Alice"
        );
        let genuine = Some(Verification::Verified(Scheme::Whatsat));
        let notice = content(&tip(genuine, "Alice", "hi"), &book, &settings).unwrap();
        assert_eq!(notice.title, "21 sat from 0279be66…f81798");
    }

    #[test]
    fn markup_from_the_sender_is_shown_as_text() {
        let (book, settings) = (ContactBook::new(), Settings::default());
        let notice = content(
            &tip(
                None,
                "<b>Bob</b> & co",
                "<a href=\"https://x\">win</a> &amp;",
            ),
            &book,
            &settings,
        )
        .unwrap();
        assert_eq!(
            notice.title,
            "21 sat from someone who claims to be ‹b›Bob‹/b› & co"
        );
        assert_eq!(
            notice.body,
            "&lt;a href=\"https://x\"&gt;win&lt;/a&gt; &amp;amp;"
        );
    }

    /// Notifications name every case of the one sender table as it says.
    #[test]
    fn the_sender_table_is_announced_as_the_table_says() {
        let settings = Settings::default();
        for case in crate::wallet::sender_table::cases() {
            let row = case.row();
            let notice = content(&row, &case.contacts(), &settings).expect("above the threshold");
            assert_eq!(
                notice.title,
                format!("21 sat from {}", case.from),
                "{}",
                case.what
            );
        }
    }
}
