//! The Inbox's Conversations view: one thread per node (the node a sender
//! claims, and the nodes we paid), newest activity first with its unread
//! count; a thread opened shows both sides merged in time order, ours on
//! the right, and marks it read. The threads and their messages come from
//! `wallet::thread`, the same as `satchel thread`.

use iced::widget::{Column, column, container, row, scrollable, text};
use iced::{Alignment, Element, Length, Task};

use super::Message;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::NodeId;
use crate::wallet::{Index, IndexError, Side, ThreadMessage, ThreadSummary, Verification};

/// Threads listed, at most.
const THREADS: u64 = 200;
/// Messages of an open thread, at most (the newest).
const MESSAGES: u64 = 500;

/// The Conversations view's state.
#[derive(Debug, Default)]
pub struct Threads {
    generation: u64,
    list: Vec<ThreadSummary>,
    open: Option<(NodeId, Vec<ThreadMessage>)>,
    error: Option<IndexError>,
}

impl Threads {
    /// Read the thread list (an answer to an older load is dropped).
    pub fn load(&mut self, index: Index) -> Task<Message> {
        self.generation += 1;
        let generation = self.generation;
        Task::perform(
            async move { index.call(|i| i.threads(THREADS)).await },
            move |result| Message::ThreadsLoaded(generation, result),
        )
    }

    /// The list arrived.
    pub fn listed(&mut self, generation: u64, result: Result<Vec<ThreadSummary>, IndexError>) {
        if generation != self.generation {
            return;
        }
        match result {
            Ok(list) => (self.list, self.error) = (list, None),
            Err(error) => self.error = Some(error),
        }
    }

    /// Open the thread with `peer`: read it (checking the signatures of
    /// its received messages not checked yet, as `me`) and mark it read.
    pub fn open(&mut self, index: Index, me: NodeId, peer: NodeId) -> Task<Message> {
        self.open = Some((peer, Vec::new()));
        Task::perform(
            async move {
                index
                    .call(move |i| {
                        let _ = i.mark_thread_read(&peer)?;
                        let mut messages = i.thread(&peer, MESSAGES)?;
                        for m in &mut messages {
                            if let Side::Received {
                                id,
                                verification: verification @ None,
                                ..
                            } = &mut m.side
                            {
                                *verification = Some(Verification::of(&i.verify(*id, &me)?));
                            }
                        }
                        Ok(messages)
                    })
                    .await
            },
            move |result| Message::ThreadLoaded(peer, result),
        )
    }

    /// A thread arrived: shown if it is still the open one.
    pub fn opened(&mut self, peer: NodeId, result: Result<Vec<ThreadMessage>, IndexError>) {
        let Some((open, messages)) = &mut self.open else {
            return;
        };
        if *open != peer {
            return;
        }
        match result {
            Ok(loaded) => *messages = loaded,
            Err(error) => self.error = Some(error),
        }
        if let Some(summary) = self.list.iter_mut().find(|t| t.peer == peer) {
            summary.unread = 0;
        }
    }

    /// The threads listed (tests).
    pub fn list(&self) -> &[ThreadSummary] {
        &self.list
    }

    /// The open thread's messages (tests).
    pub fn messages(&self) -> Option<&[ThreadMessage]> {
        self.open.as_ref().map(|(_, m)| m.as_slice())
    }

    /// The thread list beside the open thread.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        if let Some(error) = &self.error {
            return widget::error_notice(error, "Switch views to try again.");
        }
        if self.list.is_empty() {
            return widget::empty_state(
                "No conversations",
                "Keysends from a sender that gives its node, and those you send, form threads.",
            );
        }
        let open = self.open.as_ref().map(|(peer, _)| *peer);
        let now = chrono::Local::now();
        let list = self
            .list
            .iter()
            .fold(Column::new().spacing(gap::XS), |col, t| {
                col.push(thread_line(t, env, open == Some(t.peer), now))
            });
        let conversation: Element<'a, Message> = match &self.open {
            Some((peer, messages)) => conversation(peer, messages, env),
            None => widget::empty_state("Pick a conversation", ""),
        };
        row![
            scrollable(list)
                .spacing(gap::XS)
                .height(Length::Fill)
                .width(Length::FillPortion(2)),
            container(conversation).width(Length::FillPortion(3)),
        ]
        .spacing(gap::M)
        .into()
    }
}

/// A contact's name, else the short key.
fn name_of(peer: &NodeId, env: &Env<'_>) -> String {
    env.contacts
        .by_pubkey(peer)
        .map_or_else(|| peer.short(), |c| c.name.clone())
}

fn thread_line<'a>(
    thread: &ThreadSummary,
    env: &Env<'a>,
    selected: bool,
    now: chrono::DateTime<chrono::Local>,
) -> Element<'a, Message> {
    let mut top = row![
        container(text(name_of(&thread.peer, env)).font(if thread.unread > 0 {
            theme::BOLD
        } else {
            theme::FONT
        }))
        .width(Length::Fill)
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    if thread.unread > 0 {
        top = top.push(widget::pill(
            format!("{} unread", thread.unread),
            Tone::Accent,
        ));
    }
    let counts = widget::caption(format!(
        "{} in · {} out · {}",
        format::group(thread.received),
        format::group(thread.sent),
        format::when(thread.last_ns / 1_000_000_000, now)
    ));
    widget::list_row(
        column![top, counts],
        56.0,
        selected,
        Message::OpenThread(thread.peer),
    )
}

/// Both sides in time order: theirs on the left, ours on the right.
fn conversation<'a>(
    peer: &NodeId,
    messages: &'a [ThreadMessage],
    env: &Env<'a>,
) -> Element<'a, Message> {
    let now = chrono::Local::now();
    let unit = env.settings.unit;
    let bubbles = messages
        .iter()
        .fold(Column::new().spacing(gap::S), |col, m| {
            let ours = matches!(m.side, Side::Sent { .. });
            let mut head = row![widget::caption(format!(
                "{} · {}",
                format::amount(m.amount, unit),
                format::when(m.at_ns / 1_000_000_000, now)
            ))]
            .spacing(gap::S)
            .align_y(Alignment::Center);
            if let Side::Received { verification, .. } = m.side {
                let (label, tone) = match verification {
                    Some(v) if v.is_verified() => ("verified", Tone::Success),
                    _ => ("claimed", Tone::Warning),
                };
                head = head.push(widget::pill(label, tone));
            }
            let mut bubble = column![head].spacing(gap::XS);
            if let Some(answers) = m.chat.in_reply_to {
                bubble = bubble.push(widget::caption(format!(
                    "answers {}",
                    &answers.to_hex()[..12]
                )));
            }
            let body = if m.text.is_empty() {
                "(no message)"
            } else {
                m.text.as_str()
            };
            // An invoice is one long word: break it rather than overflow.
            let body = text(body)
                .size(size::BODY)
                .wrapping(text::Wrapping::WordOrGlyph);
            bubble = bubble.push(body);
            if let Some(request) = m.payment_request() {
                bubble = bubble.push(
                    row![
                        widget::caption("A payment request: see what it asks before you pay."),
                        widget::primary("Pay…", Some(Message::PayRequest(request.to_owned()))),
                    ]
                    .spacing(gap::S)
                    .align_y(Alignment::Center),
                );
            }
            let card = widget::card(bubble)
                .padding(gap::M)
                .width(Length::FillPortion(4));
            let spacer = iced::widget::space().width(Length::FillPortion(1));
            col.push(if ours {
                row![spacer, card]
            } else {
                row![card, spacer]
            })
        });
    column![
        text(name_of(peer, env)).size(size::TITLE).font(theme::BOLD),
        // Newest at the bottom, where the view starts.
        scrollable(bubbles).anchor_bottom().height(Length::Fill),
    ]
    .spacing(gap::S)
    .into()
}
