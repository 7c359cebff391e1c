//! How the Settings screen looks: appearance, tips and payments (the number
//! fields with their own errors), and the saved nodes.

use iced::widget::{button, column, row, space, text, text_input, toggler};
use iced::{Alignment, Element, Length};

use super::{Field, Message, Settings, renderer};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::store::{AmountUnit, SavedNode, ThemeChoice};

impl Settings {
    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let s = env.settings;
        let look = widget::titled_card(
            "Appearance",
            column![
                setting(
                    "Theme",
                    segmented(
                        &[
                            ("Light", ThemeChoice::Light),
                            ("Dark", ThemeChoice::Dark),
                            ("System", ThemeChoice::System)
                        ],
                        s.theme,
                        Message::Theme
                    )
                ),
                setting(
                    "Amounts in",
                    segmented(
                        &[("sats", AmountUnit::Sat), ("BTC", AmountUnit::Btc)],
                        s.unit,
                        Message::Unit
                    )
                ),
                setting("Interface scale", scale_choices(s.ui_scale.percent())),
                renderer::section(s.renderer, self.drawn),
            ]
            .spacing(gap::M),
        );
        let money = widget::titled_card("Tips and payments", self.money(s.notifications));
        let fiat = widget::titled_card("Fiat amounts", fiat_view(env));
        let caps = widget::titled_card(
            "Streams and recurring tips",
            self.caps.view().map(Message::Caps),
        );
        let nodes = widget::titled_card("Nodes", nodes_view(&s.nodes, s.active_node.as_deref()));
        let summary = format!(
            "Tips under {} are hidden; sends over {} ask first.",
            format::amount(s.spam_threshold, s.unit),
            format::amount(s.confirm_above, s.unit)
        );
        let key = env.info.id.to_hex();
        let me = widget::titled_card(
            "Your node",
            row![
                crate::desktop::qr::view(&key, 3.0),
                column![
                    widget::hint("Your node's public key: others send to it (scan the code or paste the key)."),
                    text(key.clone()).size(size::SMALL).font(theme::MONO),
                    button(text("Copy key").size(size::BODY))
                        .style(theme::nav_button(false))
                        .on_press(Message::Copy(key)),
                ]
                .spacing(gap::S),
            ]
            .spacing(gap::L),
        );
        let apps = widget::titled_card("Connected apps", self.apps.view(env).map(Message::Apps));
        let logs = widget::titled_card(
            "Logs",
            column![
                widget::hint("What Satchel did, for a bug report. Never holds a macaroon."),
                button(text("Open log folder").size(size::BODY))
                    .style(theme::nav_button(false))
                    .on_press(Message::OpenLogFolder),
            ]
            .spacing(gap::S),
        );
        let body = iced::widget::scrollable(
            column![me, look, money, caps, fiat, nodes, apps, logs]
                .spacing(gap::L)
                .max_width(760),
        );
        widget::page("Settings", Some(summary), body)
    }

    fn money(&self, notifications: bool) -> Element<'_, Message> {
        column![
            self.number(
                "Hide tips below (sats)",
                Field::Spam,
                Message::SpamChanged,
                "Spam threshold: smaller tips are hidden from the inbox and never notify."
            ),
            self.number(
                "Default fee limit",
                Field::FeeLimit,
                Message::FeeLimitChanged,
                "In sats (e.g. 10) or a percentage of the amount (e.g. 1%)."
            ),
            self.number(
                "Ask to confirm above (sats)",
                Field::Confirm,
                Message::ConfirmChanged,
                "Sends above this amount need a second click."
            ),
            widget::hint("A number applies when you press Enter or leave this page."),
            setting(
                "Desktop notifications",
                toggler(notifications)
                    .on_toggle(Message::NotificationsToggled)
                    .style(theme::toggle)
                    .into()
            ),
        ]
        .spacing(gap::M)
        .into()
    }

    fn number<'a>(
        &'a self,
        label: &'a str,
        field: Field,
        on: fn(String) -> Message,
        hint: &'a str,
    ) -> Element<'a, Message> {
        let input = text_input("", &self.input(field).text)
            .id(field.id())
            .size(size::BODY)
            .on_input(on)
            .on_submit(Message::Submitted(field))
            .width(160);
        let error = self.error(field).map(str::to_owned);
        let mut col = column![widget::field(label, input, error)].spacing(2);
        if self.error(field).is_none() {
            col = col.push(widget::hint(hint));
        }
        col.into()
    }
}

/// A labelled control on one line.
pub(super) fn setting<'a>(label: &'a str, control: Element<'a, Message>) -> Element<'a, Message> {
    row![text(label).size(size::BODY), space::horizontal(), control]
        .align_y(Alignment::Center)
        .into()
}

/// Buttons for a few exclusive choices; the current one is highlighted.
pub(super) fn segmented<'a, T: Copy + PartialEq + 'a>(
    options: &[(&'a str, T)],
    current: T,
    on: fn(T) -> Message,
) -> Element<'a, Message> {
    options
        .iter()
        .fold(row![].spacing(gap::XS), |r, (label, value)| {
            r.push(
                button(text(*label).size(size::BODY))
                    .padding([6, 14])
                    .style(theme::nav_button(*value == current))
                    .on_press(on(*value)),
            )
        })
        .into()
}

/// Fiat amounts: off by default; when on, the currency, where the rate
/// comes from, and the rate with its time (or why there is none).
fn fiat_view<'a>(env: &Env<'a>) -> Element<'a, Message> {
    let prefs = &env.settings.fiat;
    let mut col = column![
        setting(
            "Show amounts in a currency too",
            toggler(prefs.enabled)
                .on_toggle(Message::FiatToggled)
                .style(theme::toggle)
                .into()
        ),
        widget::hint(
            "Off by default: while off, Satchel asks no price source anything. When on, the \
             price of a bitcoin is fetched (through your node's SOCKS proxy if it has one)."
        ),
    ]
    .spacing(gap::M);
    if !prefs.enabled {
        return col.into();
    }
    let currencies = crate::store::FIAT_CURRENCIES
        .iter()
        .fold(row![].spacing(2), |r, &code| {
            r.push(
                button(text(code).size(size::SMALL))
                    .padding([6, 8])
                    .style(theme::nav_button(prefs.currency == code))
                    .on_press(Message::FiatCurrency(code)),
            )
        });
    col = col.push(setting("Currency", currencies.into()));
    col = col.push(widget::caption(format!(
        "Price source: {} (the fiat.source setting in settings.json)",
        crate::keysend::text::display_safe(&prefs.source, 120)
    )));
    let state = env.fiat;
    let status: Element<'a, Message> = match state {
        Some(state) if state.fetching => widget::hint("Asking the price source…").into(),
        Some(state) => {
            let mut lines = column![].spacing(gap::XS);
            if let Some(line) = env.fiat(crate::keysend::Msat::from_sat(100_000_000)) {
                lines = lines.push(text(format!("1 BTC {line}")).size(size::BODY));
            }
            if let Some(error) = &state.error {
                lines = lines.push(
                    text(format!("No fresh rate: {error}"))
                        .size(size::SMALL)
                        .style(theme::toned(Tone::Danger)),
                );
            }
            lines.into()
        }
        None => widget::hint("No rate yet.").into(),
    };
    col = col.push(
        row![
            status,
            space::horizontal(),
            widget::secondary("Refresh rate", Some(Message::RefreshFiat))
        ]
        .align_y(Alignment::Center),
    );
    col.into()
}

/// The UI scale choices, 75% to 200%.
fn scale_choices<'a>(current: u16) -> Element<'a, Message> {
    crate::store::UiScale::CHOICES
        .iter()
        .fold(row![].spacing(2), |r, &percent| {
            r.push(
                button(text(format!("{percent}%")).size(size::SMALL))
                    .padding([6, 8])
                    .style(theme::nav_button(percent == current))
                    .on_press(Message::Scale(percent)),
            )
        })
        .into()
}

fn nodes_view<'a>(nodes: &'a [SavedNode], active: Option<&'a str>) -> Element<'a, Message> {
    let mut col = column![].spacing(gap::S);
    for node in nodes {
        let is_active = active == Some(node.id.as_str());
        let mut line = row![text(&node.label).font(theme::BOLD)]
            .spacing(gap::S)
            .align_y(Alignment::Center);
        if is_active {
            line = line.push(widget::pill("connected", Tone::Success));
        }
        line = line.push(space::horizontal());
        if !is_active {
            line = line.push(widget::secondary(
                "Switch",
                Some(Message::SwitchNode(node.id.clone())),
            ));
        }
        line = line.push(widget::link("Forget", Message::ForgetNode(node.id.clone())));
        col = col.push(line);
    }
    if nodes.is_empty() {
        col = col.push(widget::hint(
            "No remembered nodes: this connection is for this session only.",
        ));
    }
    col.push(widget::secondary(
        "Connect another node…",
        Some(Message::Disconnect),
    ))
    .width(Length::Fill)
    .into()
}
