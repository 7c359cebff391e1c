//! How the Contacts screen looks: search and "New contact", a banner line
//! of fixed height (so a message never moves the cards under the pointer),
//! the contacts sorted by name, the form beside them, and import/export.

use iced::widget::{column, row, scrollable, space, text, text_input};
use iced::{Alignment, Element, Length};

use super::{Contacts, Message};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::store::Contact;

/// Height of the search row and of the import/export row.
const TOP_HEIGHT: f32 = 40.0;
/// Widths and height in the import/export row (whole pixels).
const TRANSFER_LABEL: f32 = 110.0;
const TRANSFER_BUTTON: f32 = 90.0;
const TRANSFER_BUTTON_HEIGHT: f32 = 38.0;
/// Height of the banner line above the list, shown or not.
const BANNER_HEIGHT: f32 = 38.0;

impl Contacts {
    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let search = text_input("Search by name, note, alias or key…", &self.search)
            .size(size::BODY)
            .line_height(theme::line::BODY)
            .id("contact-search")
            .on_input(Message::SearchChanged)
            .padding(9)
            .style(theme::input(false));
        // A whole-pixel height (see `theme::line`): the list below starts on one.
        let top = row![
            container_fill(search),
            widget::primary("New contact", Some(Message::New))
        ]
        .spacing(gap::M)
        .height(TOP_HEIGHT)
        .align_y(Alignment::Center);
        let list = self.list(env);
        let main: Element<'a, Message> = match &self.form {
            Some(form) => {
                let mut side = column![].spacing(gap::S);
                if self.confirm_discard {
                    side = side.push(discard_prompt());
                }
                side = side.push(form.view(env).map(Message::Form));
                row![
                    container_portion(list, 5),
                    container_portion(scrollable(side).into(), 4)
                ]
                .spacing(gap::M)
                .into()
            }
            None => match &self.recurring {
                Some(panel) => row![
                    container_portion(list, 5),
                    container_portion(
                        scrollable(panel.view(env).map(Message::RecurringPanel)).into(),
                        4
                    )
                ]
                .spacing(gap::M)
                .into(),
                None => list,
            },
        };
        let body = column![top, self.banner_line(), main, self.transfer_row()].spacing(gap::M);
        let subtitle = format!("{} saved", env.contacts.contacts().len());
        widget::page("Contacts", Some(subtitle), body)
    }

    /// The banner's line: always this tall, so a message appearing or going
    /// never moves the cards under the pointer; long text is cut.
    fn banner_line(&self) -> Element<'_, Message> {
        let Some(banner) = &self.banner else {
            return space().height(BANNER_HEIGHT).into();
        };
        let mut line = row![container_fill(
            text(banner.text.as_str())
                .style(theme::toned(banner.tone))
                .wrapping(text::Wrapping::None)
        ),]
        .spacing(gap::M)
        .align_y(Alignment::Center);
        if banner.undo.is_some() {
            line = line.push(widget::link("Undo", Message::Undo));
        }
        line = line.push(widget::link("Dismiss", Message::DismissBanner));
        iced::widget::container(line)
            .padding([0, 14])
            .height(BANNER_HEIGHT)
            .align_y(iced::alignment::Vertical::Center)
            .clip(true)
            .style(theme::notice(banner.tone))
            .into()
    }

    fn list<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut found = env.contacts.search(self.search.trim());
        found.sort_by_cached_key(|c| (c.name.to_lowercase(), c.id));
        if found.is_empty() {
            let detail = if self.search.is_empty() {
                "Add the people and podcasts you tip, or save a sender from the inbox."
            } else {
                "No contact matches the search."
            };
            return widget::card(widget::empty_state("No contacts", detail))
                .height(Length::Fill)
                .into();
        }
        let rows = found
            .into_iter()
            .fold(column![].spacing(gap::S), |col, contact| {
                col.push(self.contact_card(contact, env))
            });
        scrollable(rows).spacing(6).height(Length::Fill).into()
    }

    fn contact_card<'a>(&'a self, contact: &'a Contact, env: &Env<'a>) -> Element<'a, Message> {
        let mut title = row![text(&contact.name).size(size::TITLE).font(theme::BOLD)]
            .spacing(gap::S)
            .align_y(Alignment::Center);
        if let Some(alias) = contact.alias.as_ref().filter(|a| **a != contact.name) {
            title = title.push(widget::caption(format!("“{alias}” in the graph")));
        }
        title = title.push(match contact.accepts_keysend {
            _ if self.not_in_graph.contains(&contact.id) => {
                widget::pill("not in graph: private or unknown", Tone::Warning)
            }
            Some(true) => widget::pill("keysend", Tone::Success),
            Some(false) => widget::pill("no keysend advertised", Tone::Warning),
            None => widget::pill("not checked", Tone::Neutral),
        });
        let mut info = column![title, widget::mono(contact.pubkey.to_hex())].spacing(gap::XS);
        if let Some(address) = &contact.address {
            info = info.push(widget::caption(format!("Lightning Address {address}")));
        }
        if !contact.note.is_empty() {
            info = info.push(text(&contact.note).size(size::BODY).style(theme::muted));
        }
        if let Some(amount) = contact.default_amount {
            info = info.push(widget::caption(format!(
                "Default tip {}",
                format::amount(amount, env.settings.unit)
            )));
        }
        let actions: Element<'a, Message> = if self.confirm_delete == Some(contact.id) {
            row![
                text("Delete?").style(theme::toned(Tone::Danger)),
                widget::danger("Delete", Some(Message::ConfirmDelete(contact.id))),
                widget::secondary("Keep", Some(Message::CancelDelete))
            ]
            .spacing(gap::S)
            .align_y(Alignment::Center)
            .into()
        } else {
            row![
                widget::primary("Tip", Some(Message::Tip(contact.id))),
                widget::secondary("Edit", Some(Message::Edit(contact.id))),
                widget::secondary("Recurring", Some(Message::Recurring(contact.id))),
                widget::link("Delete", Message::Delete(contact.id))
            ]
            .spacing(gap::S)
            .align_y(Alignment::Center)
            .into()
        };
        widget::card(
            row![info, space::horizontal(), actions]
                .spacing(gap::M)
                .align_y(Alignment::Center),
        )
        .into()
    }

    fn transfer_row(&self) -> Element<'_, Message> {
        let path = text_input("File path: contacts.json or contacts.csv", &self.path)
            .size(size::BODY)
            .line_height(theme::line::BODY)
            .on_input(Message::PathChanged)
            .padding(8)
            .style(theme::input(false));
        let ready = !self.path.trim().is_empty();
        // Whole pixels (see `theme::line`): the CPU renderer repaints this
        // row's region when the screen changes; a fractional edge blended a
        // corner pixel of the next screen's card twice.
        let button = |label, on: Message| {
            widget::secondary(label, ready.then_some(on))
                .width(TRANSFER_BUTTON)
                .height(TRANSFER_BUTTON_HEIGHT)
        };
        row![
            iced::widget::container(widget::caption("Import / export")).width(TRANSFER_LABEL),
            container_fill(path),
            button("Import", Message::Import),
            button("Export", Message::Export),
            widget::secondary("Choose...", Some(Message::ChooseImport))
                .height(TRANSFER_BUTTON_HEIGHT),
            widget::secondary("Save as...", Some(Message::ChooseExport))
                .height(TRANSFER_BUTTON_HEIGHT)
        ]
        .spacing(gap::S)
        .height(TOP_HEIGHT)
        .align_y(Alignment::Center)
        .into()
    }
}

fn container_fill<'a>(content: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    iced::widget::container(content).width(Length::Fill).into()
}

fn container_portion<'a>(content: Element<'a, Message>, portion: u16) -> Element<'a, Message> {
    iced::widget::container(content)
        .width(Length::FillPortion(portion))
        .into()
}

/// Esc on a form with typed changes: drop them or keep editing.
fn discard_prompt<'a>() -> Element<'a, Message> {
    widget::card(
        row![
            text("Discard the changes in this form?").style(theme::toned(Tone::Warning)),
            space::horizontal(),
            widget::danger("Discard", Some(Message::Discard)),
            widget::secondary("Keep editing", Some(Message::KeepEditing))
        ]
        .spacing(gap::S)
        .align_y(Alignment::Center),
    )
    .into()
}
