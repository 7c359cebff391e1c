//! The Settings screen: theme, amount unit, renderer, spam threshold,
//! default fee limit, confirmation threshold, notifications and saved
//! nodes. Valid changes apply at once (the renderer at the next start) and
//! are saved atomically by the parent.

use iced::widget::{button, column, row, space, text, text_input, toggler};
use iced::{Alignment, Element, Length};

use crate::gui::renderer::Drawn;
use crate::gui::screen::Env;
use crate::gui::screen::settings_renderer;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::Msat;
use crate::store::{
    AmountUnit, FeeLimit, RendererChoice, SavedNode, Settings as Stored, ThemeChoice,
};

/// The Settings screen: the text of the numeric fields being typed.
pub struct Settings {
    spam: String,
    fee_limit: String,
    confirm: String,
    errors: [Option<String>; 3],
    /// What draws this window (read once: iced fixed it at start).
    drawn: Drawn,
}

/// Settings events.
#[derive(Debug, Clone)]
pub enum Message {
    Theme(ThemeChoice),
    Unit(AmountUnit),
    /// The renderer for the next start.
    Renderer(RendererChoice),
    SpamChanged(String),
    FeeLimitChanged(String),
    ConfirmChanged(String),
    NotificationsToggled(bool),
    SwitchNode(String),
    ForgetNode(String),
    Disconnect,
}

/// What the parent must do.
pub enum Action {
    None,
    /// Save these settings.
    Changed(Stored),
    /// Connect to another saved node.
    Switch(String),
    /// Forget a saved node.
    Forget(String),
    /// Go back to the Connect screen.
    Disconnect,
}

impl Settings {
    /// The screen for the current settings.
    pub fn new(stored: &Stored) -> Self {
        Self {
            spam: stored.spam_threshold.sats().to_string(),
            fee_limit: fee_limit_text(stored.default_fee_limit),
            confirm: stored.confirm_above.sats().to_string(),
            errors: Default::default(),
            drawn: Drawn::current(),
        }
    }

    /// Handle an event; `stored` is the current settings.
    pub fn update(&mut self, message: Message, stored: &Stored) -> Action {
        let mut next = stored.clone();
        match message {
            Message::Theme(choice) => next.theme = choice,
            Message::Unit(unit) => next.unit = unit,
            Message::Renderer(choice) => next.renderer = choice,
            Message::NotificationsToggled(on) => next.notifications = on,
            Message::SpamChanged(value) => {
                self.spam = value;
                match parse_sats_or_zero(&self.spam) {
                    Ok(v) => next.spam_threshold = v,
                    Err(e) => return self.invalid(0, e),
                }
            }
            Message::FeeLimitChanged(value) => {
                self.fee_limit = value;
                match parse_fee_limit(&self.fee_limit) {
                    Ok(v) => next.default_fee_limit = v,
                    Err(e) => return self.invalid(1, e),
                }
            }
            Message::ConfirmChanged(value) => {
                self.confirm = value;
                match parse_sats_or_zero(&self.confirm) {
                    Ok(v) => next.confirm_above = v,
                    Err(e) => return self.invalid(2, e),
                }
            }
            Message::SwitchNode(id) => return Action::Switch(id),
            Message::ForgetNode(id) => return Action::Forget(id),
            Message::Disconnect => return Action::Disconnect,
        }
        self.errors = Default::default();
        Action::Changed(next)
    }

    fn invalid(&mut self, field: usize, error: String) -> Action {
        self.errors[field] = Some(error);
        Action::None
    }

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
                settings_renderer::section(s.renderer, self.drawn),
            ]
            .spacing(gap::M),
        );
        let money = widget::titled_card(
            "Tips and payments",
            column![
                self.number(
                    "Hide tips below (sats)",
                    &self.spam,
                    0,
                    Message::SpamChanged,
                    "Spam threshold: smaller tips are hidden from the inbox and never notify."
                ),
                self.number(
                    "Default fee limit",
                    &self.fee_limit,
                    1,
                    Message::FeeLimitChanged,
                    "In sats (e.g. 10) or a percentage of the amount (e.g. 1%)."
                ),
                self.number(
                    "Ask to confirm above (sats)",
                    &self.confirm,
                    2,
                    Message::ConfirmChanged,
                    "Sends above this amount need a second click."
                ),
                setting(
                    "Desktop notifications",
                    toggler(s.notifications)
                        .on_toggle(Message::NotificationsToggled)
                        .style(theme::toggle)
                        .into()
                ),
            ]
            .spacing(gap::M),
        );
        let nodes = widget::titled_card("Nodes", nodes_view(&s.nodes, s.active_node.as_deref()));
        let summary = format!(
            "Tips under {} are hidden; sends over {} ask first.",
            format::amount(s.spam_threshold, s.unit),
            format::amount(s.confirm_above, s.unit)
        );
        let body =
            iced::widget::scrollable(column![look, money, nodes].spacing(gap::L).max_width(760));
        widget::page("Settings", Some(summary), body)
    }

    fn number<'a>(
        &'a self,
        label: &'a str,
        value: &'a str,
        field: usize,
        on: fn(String) -> Message,
        hint: &'a str,
    ) -> Element<'a, Message> {
        let input = text_input("", value)
            .size(size::BODY)
            .on_input(on)
            .width(160);
        let mut col = column![widget::field(label, input, self.errors[field].clone())].spacing(2);
        if self.errors[field].is_none() {
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

fn parse_sats_or_zero(text: &str) -> Result<Msat, String> {
    match text.trim() {
        "0" | "" => Ok(Msat::ZERO),
        typed => Msat::parse_sats(typed).map_err(|e| e.to_string()),
    }
}

/// `"10"` is 10 sats; `"1%"` or `"0.5%"` a share of the amount.
fn parse_fee_limit(text: &str) -> Result<FeeLimit, String> {
    let text = text.trim();
    match text.strip_suffix('%') {
        Some(percent) => {
            let value: f64 = percent
                .trim()
                .parse()
                .map_err(|_| format!("{text:?} is not a percentage"))?;
            if !(0.0..=100.0).contains(&value) || value == 0.0 {
                return Err("the percentage must be above 0 and at most 100".into());
            }
            Ok(FeeLimit::Percent((value * 100.0).round() as u32))
        }
        None => Msat::parse_sats(text)
            .map(FeeLimit::Fixed)
            .map_err(|e| e.to_string()),
    }
}

fn fee_limit_text(limit: FeeLimit) -> String {
    match limit {
        FeeLimit::Fixed(msat) => msat.sats().to_string(),
        FeeLimit::Percent(bps) => format!("{}%", f64::from(bps) / 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_limits_parse_as_sats_or_percent() {
        assert_eq!(
            parse_fee_limit("10"),
            Ok(FeeLimit::Fixed(Msat::from_sat(10)))
        );
        assert_eq!(parse_fee_limit(" 1% "), Ok(FeeLimit::Percent(100)));
        assert_eq!(parse_fee_limit("0.5%"), Ok(FeeLimit::Percent(50)));
        assert!(parse_fee_limit("0%").is_err());
        assert!(parse_fee_limit("abc").is_err());
        assert_eq!(fee_limit_text(FeeLimit::Percent(50)), "0.5%");
    }

    #[test]
    fn a_zero_threshold_is_allowed() {
        assert_eq!(parse_sats_or_zero("0"), Ok(Msat::ZERO));
        assert_eq!(parse_sats_or_zero("1,000"), Ok(Msat::from_sat(1000)));
        assert!(parse_sats_or_zero("-1").is_err());
    }
}
