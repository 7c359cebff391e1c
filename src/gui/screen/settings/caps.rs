//! The daily cap across every stream and recurring tip (issue 13), in
//! Settings. It is stored per node in `streams.db` (the row `satchel stream
//! --daily-cap` writes and the stream engine and `recurring run` obey), so
//! it is read when the screen is shown and written on Save; the Streams
//! screen shows it read-only.

use std::path::PathBuf;

use iced::widget::{column, row, text_input};
use iced::{Alignment, Element, Task};

use crate::gui::theme::{gap, size};
use crate::gui::widget;
use crate::keysend::Msat;
use crate::wallet::stream::parse_daily_cap;
use crate::wallet::stream_store::StreamStore;

/// The daily cap field.
#[derive(Default)]
pub struct Caps {
    /// The node's data folder (set when the screen is shown).
    dir: Option<PathBuf>,
    typed: String,
    error: Option<String>,
    /// What the last read or save said.
    saved: Option<String>,
}

/// Daily cap events.
#[derive(Debug, Clone)]
pub enum Message {
    Changed(String),
    Save,
    /// The stored cap was read (`None`: no cap).
    Loaded(Result<Option<Msat>, String>),
    Saved(Result<Option<Msat>, String>),
}

/// The field's widget id (tests find it by this).
pub const FIELD_ID: &str = "settings-daily-cap";

impl Caps {
    /// The screen is shown for the node whose data is in `dir`: read the cap.
    pub fn shown(&mut self, dir: PathBuf) -> Task<Message> {
        self.dir = Some(dir.clone());
        Task::perform(read(dir), Message::Loaded)
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Changed(text) => {
                self.error = parse_daily_cap(&text)
                    .err()
                    .map(|e| widget::sentence(&e.to_string()));
                self.typed = text;
            }
            Message::Save => return self.save(),
            Message::Loaded(Ok(cap)) => {
                self.typed = cap.map(|c| c.sats().to_string()).unwrap_or_default();
                self.error = None;
            }
            Message::Loaded(Err(error)) | Message::Saved(Err(error)) => {
                self.saved = Some(format!("The daily cap was not saved: {error}"));
            }
            Message::Saved(Ok(cap)) => self.saved = Some(saved_text(cap)),
        }
        Task::none()
    }

    fn save(&mut self) -> Task<Message> {
        let cap = match parse_daily_cap(&self.typed) {
            Ok(cap) => cap,
            Err(error) => {
                self.error = Some(widget::sentence(&error.to_string()));
                return Task::none();
            }
        };
        let Some(dir) = self.dir.clone() else {
            return Task::none();
        };
        Task::perform(
            async move {
                let store = StreamStore::open(&dir).map_err(|e| e.to_string())?;
                store
                    .call(move |s| s.set_daily_cap(cap))
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(cap)
            },
            Message::Saved,
        )
    }

    /// How the section looks.
    pub fn view(&self) -> Element<'_, Message> {
        let input = text_input("no cap", &self.typed)
            .id(FIELD_ID)
            .size(size::BODY)
            .on_input(Message::Changed)
            .on_submit(Message::Save)
            .width(160);
        let line = row![
            widget::field("Daily cap (sats)", input, self.error.clone()),
            widget::secondary("Save daily cap", Some(Message::Save)),
        ]
        .spacing(gap::M)
        .align_y(Alignment::End);
        let mut col = column![
            line,
            widget::hint(
                "At most this much a day (UTC) across all streams and recurring tips; a stream \
                 that reaches it pauses and says why. Empty or \"off\": no cap."
            )
        ]
        .spacing(gap::S);
        if let Some(saved) = &self.saved {
            col = col.push(widget::hint(saved.clone()));
        }
        col.into()
    }
}

/// The stored cap of the node whose data is in `dir`.
pub async fn read(dir: PathBuf) -> Result<Option<Msat>, String> {
    let store = StreamStore::open(&dir).map_err(|e| e.to_string())?;
    store
        .call(|s| s.daily_cap())
        .await
        .map_err(|e| e.to_string())
}

fn saved_text(cap: Option<Msat>) -> String {
    match cap {
        Some(cap) => format!("Daily cap saved: {cap} across all streams and recurring tips."),
        None => "No daily cap.".to_owned(),
    }
}
