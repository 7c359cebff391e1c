//! A contact's recurring tips (issue 13), beside the contact list: each tip
//! with its amount, message, period, next due time and last payment; add
//! one (amount, message, every day/week/month) and remove one. The tips live
//! in the node's `streams.db`, the same rows `satchel recurring` reads and
//! the window (or `satchel recurring run`) pays; the validation is the domain's
//! ([`crate::wallet::recurring`]), so the GUI and the CLI refuse the same
//! input with the same words.

use std::path::PathBuf;

use chrono::Local;
use iced::widget::{column, row, space, text, text_input};
use iced::{Alignment, Element, Task};

use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::NodeId;
use crate::store::Contact;
use crate::wallet::recurring::{self, Every, Status};
use crate::wallet::stream_store::StreamStore;

/// The panel of one contact's recurring tips.
pub struct Recurring {
    /// The contact's id in the book.
    pub contact: u64,
    name: String,
    pubkey: NodeId,
    /// The node's data folder (where `streams.db` is).
    dir: PathBuf,
    /// This contact's tips (`None` while loading).
    tips: Option<Vec<Status>>,
    amount: String,
    message: String,
    every: Every,
    error: Option<String>,
    notice: Option<String>,
    busy: bool,
}

/// Panel events.
#[derive(Debug, Clone)]
pub enum Message {
    AmountChanged(String),
    MessageChanged(String),
    EveryChanged(Every),
    Add,
    Remove(i64),
    Close,
    /// The tips were read (all of the node's; this panel keeps the contact's).
    Loaded(Result<Vec<Status>, String>),
    /// An add or a remove ended: what to say.
    Done(Result<String, String>),
}

/// What the Contacts screen must do.
pub enum Action {
    None,
    Run(Task<Message>),
    Close,
}

impl Recurring {
    /// Open the panel for `contact`; the task loads its tips.
    pub fn open(contact: &Contact, dir: PathBuf) -> (Self, Task<Message>) {
        let panel = Self {
            contact: contact.id,
            name: contact.name.clone(),
            pubkey: contact.pubkey,
            dir,
            tips: None,
            amount: contact
                .default_amount
                .map(|a| a.sats().to_string())
                .unwrap_or_default(),
            message: String::new(),
            every: Every::Month,
            error: None,
            notice: None,
            busy: false,
        };
        let task = panel.load();
        (panel, task)
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::AmountChanged(text) => self.typed(|s| s.amount = text),
            Message::MessageChanged(text) => self.typed(|s| s.message = text),
            Message::EveryChanged(every) => self.typed(|s| s.every = every),
            Message::Add => self.add(),
            Message::Remove(id) => self.remove(id),
            Message::Close => Action::Close,
            Message::Loaded(result) => {
                match result {
                    Ok(all) => {
                        let pubkey = self.pubkey;
                        self.tips =
                            Some(all.into_iter().filter(|s| s.tip.node == pubkey).collect());
                    }
                    Err(error) => self.error = Some(error),
                }
                Action::None
            }
            Message::Done(result) => {
                self.busy = false;
                match result {
                    Ok(notice) => {
                        self.notice = Some(notice);
                        Action::Run(self.load())
                    }
                    Err(error) => {
                        self.error = Some(error);
                        Action::None
                    }
                }
            }
        }
    }

    fn typed(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        self.error = None;
        Action::None
    }

    fn load(&self) -> Task<Message> {
        let dir = self.dir.clone();
        Task::perform(
            async move {
                let now = crate::clock::from_env()?.now_ms();
                let store = StreamStore::open(&dir).map_err(|e| e.to_string())?;
                tokio::task::spawn_blocking(move || recurring::statuses(&store, now))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())
            },
            Message::Loaded,
        )
    }

    fn add(&mut self) -> Action {
        let amount = match recurring::parse_amount(&self.amount) {
            Ok(amount) => amount,
            Err(error) => {
                self.error = Some(widget::sentence(&error.to_string()));
                return Action::None;
            }
        };
        let (name, node, every, dir) =
            (self.name.clone(), self.pubkey, self.every, self.dir.clone());
        let message = self.message.trim().to_owned();
        (self.busy, self.error, self.notice) = (true, None, None);
        self.message.clear();
        Action::Run(Task::perform(
            async move {
                let now = crate::clock::from_env()?.now_ms();
                let store = StreamStore::open(&dir).map_err(|e| e.to_string())?;
                let tip = tokio::task::spawn_blocking(move || {
                    recurring::add(&store, &name, node, amount, every, Some(&message), now)
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| widget::sentence(&e.to_string()))?;
                Ok(format!(
                    "Recurring tip {tip} added: {amount} every {every}. The window pays it \
                     when due while it is open; `satchel recurring run` does when it is not."
                ))
            },
            Message::Done,
        ))
    }

    fn remove(&mut self, id: i64) -> Action {
        let dir = self.dir.clone();
        (self.busy, self.error, self.notice) = (true, None, None);
        Action::Run(Task::perform(
            async move {
                let store = StreamStore::open(&dir).map_err(|e| e.to_string())?;
                let removed = tokio::task::spawn_blocking(move || recurring::remove(&store, id))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                match removed {
                    true => Ok(format!("Removed recurring tip {id}.")),
                    false => Err(format!("No recurring tip has id {id}.")),
                }
            },
            Message::Done,
        ))
    }

    /// How the panel looks.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let title = row![
            text(format!("Recurring tips to {}", self.name))
                .size(size::TITLE)
                .font(theme::BOLD),
            space::horizontal(),
            widget::link("Close", Message::Close)
        ]
        .align_y(Alignment::Center);
        let mut body = column![title].spacing(gap::M);
        body = body.push(match &self.tips {
            None => Element::from(widget::caption("Loading…")),
            Some(tips) if tips.is_empty() => {
                widget::caption("No recurring tips to this contact yet.").into()
            }
            Some(tips) => tips
                .iter()
                .fold(column![].spacing(gap::S), |col, status| {
                    col.push(tip_row(status, env))
                })
                .into(),
        });
        body = body.push(self.form());
        if let Some(notice) = &self.notice {
            body = body.push(text(notice).style(theme::toned(Tone::Success)));
        }
        widget::card(body).into()
    }

    fn form(&self) -> Element<'_, Message> {
        let amount = text_input("Amount in sats", &self.amount)
            .id("recurring-amount")
            .on_input(Message::AmountChanged)
            .on_submit(Message::Add)
            .size(size::BODY);
        let message = text_input("Message (optional)", &self.message)
            .on_input(Message::MessageChanged)
            .on_submit(Message::Add)
            .size(size::BODY);
        let every = Every::ALL
            .into_iter()
            .fold(row![widget::caption("Every")].spacing(gap::S), |r, e| {
                let label = match e {
                    Every::Day => "day",
                    Every::Week => "week",
                    Every::Month => "month",
                };
                let pick = Some(Message::EveryChanged(e));
                r.push(if e == self.every {
                    widget::primary(label, pick)
                } else {
                    widget::secondary(label, pick)
                })
            })
            .align_y(Alignment::Center);
        let add = widget::primary("Add recurring tip", (!self.busy).then_some(Message::Add));
        column![
            widget::field("Amount (sats)", amount, self.error.clone()),
            widget::field("Message", message, None),
            every,
            add
        ]
        .spacing(gap::S)
        .into()
    }
}

/// One tip: amount, period, message, next due and last paid, and Remove.
fn tip_row<'a>(status: &'a Status, env: &Env<'a>) -> Element<'a, Message> {
    let tip = &status.tip;
    let now = Local::now();
    let next = match &status.due {
        Some(due) if due.missed > 0 => format!(
            "due now ({} earlier period(s) missed: paid once)",
            due.missed
        ),
        Some(_) => "due now".to_owned(),
        None => format!("next due {}", format::when(status.next_due_ms / 1000, now)),
    };
    let last = status.last_paid_ms.map_or_else(
        || "never paid yet".to_owned(),
        |ms| format!("last paid {}", format::when(ms / 1000, now)),
    );
    let mut info = column![
        text(format!(
            "{} every {}",
            format::amount(tip.amount, env.settings.unit),
            tip.every
        ))
        .font(theme::BOLD),
        widget::caption(format!("{next} · {last}"))
    ]
    .spacing(gap::XS);
    if let Some(message) = &tip.message {
        info = info.push(
            text(format!(
                "“{}”",
                crate::keysend::text::display_safe(message, 80)
            ))
            .size(size::BODY)
            .style(theme::muted),
        );
    }
    row![
        info,
        space::horizontal(),
        widget::link("Remove", Message::Remove(tip.id))
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center)
    .into()
}
