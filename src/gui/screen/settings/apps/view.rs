//! How Connected apps looks: the status line, a new connection's URI with
//! Copy and QR code, each connection with its budget, spending, last use,
//! methods, expiry and relays, Revoke (confirmed), and the "Add app" form.

use iced::widget::{checkbox, column, container, row, space, text, text_input};
use iced::{Alignment, Element, Length};

use super::{Added, Apps, Form, Message, ids};
use crate::gui::nwc_serve::Status;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::Msat;
use crate::keysend::text::display_safe;
use crate::nwc::connection::Connection;
use crate::nwc::{self, Period};

/// Longest name or relay shown, in characters.
const SHOWN: usize = 80;

impl Apps {
    /// The section's content (inside the Settings card "Connected apps").
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut col = column![widget::hint(
            "Apps (podcast players, web apps, bots) pay through Satchel with Nostr Wallet \
             Connect, within the budget you give each one. Satchel serves them while this \
             window is open (or run `satchel nwc serve`)."
        )]
        .spacing(gap::M);
        let (line, bad) = self.status.line();
        let status = text(line).size(size::SMALL);
        col = col.push(match (&self.status, bad) {
            (Status::Off | Status::Starting, _) => status.style(theme::muted),
            (_, true) => status.style(theme::toned(Tone::Danger)),
            (_, false) => status.style(theme::toned(Tone::Success)),
        });
        if self.session_only {
            col = col.push(
                text(
                    "No system keyring: connection keys are kept for this session only; \
                     after a restart revoke and add the apps again.",
                )
                .size(size::SMALL)
                .style(theme::toned(Tone::Warning)),
            );
        }
        if let Some(error) = &self.load_error {
            col = col.push(widget::error_notice(error, "Check the profile folder."));
        }
        if let Some(added) = &self.added {
            col = col.push(added_view(added));
        }
        let now = nwc::unix_now();
        for connection in &self.connections {
            col = col.push(self.connection_view(connection, env, now));
        }
        col = col.push(match &self.form {
            Some(form) => form_view(form),
            None => widget::secondary("Add app…", Some(Message::OpenForm)).into(),
        });
        col.width(Length::Fill).into()
    }

    fn connection_view<'a>(
        &'a self,
        c: &'a Connection,
        env: &Env<'a>,
        now: u64,
    ) -> Element<'a, Message> {
        let unit = env.settings.unit;
        let spent = format::amount(Msat(c.spent(now)), unit);
        let budget = match c.budget_msat {
            Some(budget) => match c.period {
                Period::Never => {
                    format!("{spent} of {} in all", format::amount(Msat(budget), unit))
                }
                period => format!(
                    "{spent} of {} per {period}",
                    format::amount(Msat(budget), unit)
                ),
            },
            None => format!("{spent} spent this {}, no budget", c.period),
        };
        let used = match c.last_used {
            Some(at) => format!(
                "last used {}",
                format::when(at as i64, chrono::Local::now())
            ),
            None => "never used".to_owned(),
        };
        let mut title = row![text(display_safe(&c.name, SHOWN)).font(theme::BOLD)]
            .spacing(gap::S)
            .align_y(Alignment::Center);
        if c.expired(now) {
            title = title.push(widget::pill("expired", Tone::Danger));
        }
        title = title.push(space::horizontal());
        let confirming = self.revoking.as_deref() == Some(c.name.as_str());
        if !confirming {
            title = title.push(widget::link("Revoke", Message::Revoke(c.name.clone())));
        }
        let expiry = match c.expires_at {
            Some(at) => format!("expires {}", format::full_time(at as i64)),
            None => "never expires".to_owned(),
        };
        let relays: Vec<String> = c.relays.iter().map(|r| display_safe(r, SHOWN)).collect();
        let mut col = column![
            title,
            text(format!("{budget} · {used} · {} payment(s)", c.spends.len())).size(size::BODY),
            widget::caption(format!("Methods: {}", c.methods.join(", "))),
            widget::caption(format!("{expiry} · relay {}", relays.join(", "))),
        ]
        .spacing(gap::XS);
        if confirming {
            col = col.push(
                row![
                    text(format!(
                        "Revoke {:?}? Its app can no longer use this wallet.",
                        display_safe(&c.name, SHOWN)
                    ))
                    .size(size::BODY),
                    space::horizontal(),
                    widget::secondary("Cancel", Some(Message::CancelRevoke)),
                    widget::danger("Revoke app", Some(Message::ConfirmRevoke)),
                ]
                .spacing(gap::S)
                .align_y(Alignment::Center),
            );
        }
        widget::card(col).width(Length::Fill).into()
    }
}

/// The new connection's URI: text, Copy, QR code.
fn added_view(added: &Added) -> Element<'_, Message> {
    let copy = if added.copied { "Copied" } else { "Copy URI" };
    widget::card(
        column![
            text(format!(
                "{} is connected. Paste or scan this in the app; it is shown only once \
                 (Satchel keeps only the wallet's half of the keys).",
                display_safe(&added.name, SHOWN)
            ))
            .size(size::BODY),
            row![
                crate::desktop::qr::view(&added.uri, 3.0),
                column![
                    widget::mono(added.uri.as_str()),
                    row![
                        widget::primary(copy, Some(Message::CopyUri)),
                        widget::secondary("Done", Some(Message::DoneAdding)),
                    ]
                    .spacing(gap::S),
                ]
                .spacing(gap::M)
                .width(Length::Fill),
            ]
            .spacing(gap::L),
        ]
        .spacing(gap::M),
    )
    .width(Length::Fill)
    .into()
}

fn form_view(form: &Form) -> Element<'_, Message> {
    let input = |placeholder: &'static str, value: &str, id: &'static str| {
        text_input(placeholder, value).id(id).size(size::BODY)
    };
    let periods = [
        ("day", Period::Day),
        ("week", Period::Week),
        ("month", Period::Month),
        ("never renews", Period::Never),
    ]
    .iter()
    .fold(row![].spacing(gap::XS), |r, (label, period)| {
        r.push(
            iced::widget::button(text(*label).size(size::BODY))
                .padding([6, 12])
                .style(theme::nav_button(*period == form.period))
                .on_press(Message::Period(*period)),
        )
    });
    let methods = nwc::DEFAULT_METHODS
        .iter()
        .fold(row![].spacing(gap::M), |r, method| {
            let method = *method;
            r.push(
                checkbox(form.methods.contains(&method))
                    .label(method.as_str().to_owned())
                    .on_toggle(move |on| Message::Method(method, on)),
            )
        })
        .wrap();
    let busy = form.busy;
    let mut col = column![
        text("Add an app").font(theme::BOLD),
        row![
            widget::field(
                "Name",
                input("Podcast app", &form.name, ids::NAME).on_input(Message::Name),
                None
            ),
            widget::field(
                "Budget (sats, empty: none)",
                input("10000", &form.budget, ids::BUDGET).on_input(Message::Budget),
                None
            ),
        ]
        .spacing(gap::M),
        row![widget::caption("Budget renews every"), periods]
            .spacing(gap::S)
            .align_y(Alignment::Center),
        row![
            container(widget::field(
                "Relay",
                input("wss://relay.example", &form.relay, ids::RELAY).on_input(Message::Relay),
                None
            ))
            .width(Length::FillPortion(3)),
            container(widget::field(
                "Expires after (days, empty: never)",
                input("", &form.expires, ids::EXPIRES).on_input(Message::Expires),
                None
            ))
            .width(Length::FillPortion(2)),
        ]
        .spacing(gap::M),
        widget::caption("Allowed methods"),
        methods,
        checkbox(form.notifications)
            .label("Send payment notifications to the app")
            .on_toggle(Message::Notifications),
    ]
    .spacing(gap::S);
    if let Some(error) = &form.error {
        col = col.push(
            text(error.as_str())
                .size(size::SMALL)
                .style(theme::toned(Tone::Danger)),
        );
    }
    col = col.push(
        row![
            widget::primary("Create connection", (!busy).then_some(Message::Create)),
            widget::secondary("Cancel", Some(Message::CloseForm)),
        ]
        .spacing(gap::S),
    );
    widget::card(col).width(Length::Fill).into()
}
