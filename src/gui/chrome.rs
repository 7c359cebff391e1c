//! The frame around the screens when connected: the sidebar (navigation with
//! the unread count) and the header (node alias and colour, network badge,
//! spendable balance, connection state, keysend acceptance).

use iced::widget::{button, column, container, row, space, text};
use iced::{Alignment, Element, Length};

use crate::gui::health::State;
use crate::gui::screen::Screen;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::node::{Balance, NodeInfo};
use crate::store::AmountUnit;

/// The navigation column; `attention` counts payments waiting on the Send screen.
pub fn sidebar<'a, M: Clone + 'a>(
    current: Screen,
    unread: u64,
    attention: u64,
    on: impl Fn(Screen) -> M,
) -> Element<'a, M> {
    let brand = row![
        widget::accent_dot(14.0),
        text("Satchel").size(size::TITLE + 3.0).font(theme::BOLD)
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let mut nav =
        column![container(brand).padding([6, 10]), space().height(gap::M)].spacing(gap::XS);
    for (i, screen) in Screen::NUMBERED.iter().enumerate() {
        let badge = match screen {
            Screen::Inbox if unread > 0 => Some((unread, Tone::Accent)),
            Screen::Send if attention > 0 => Some((attention, Tone::Warning)),
            _ => None,
        };
        nav = nav.push(nav_item(*screen, current, Some(i + 1), badge, on(*screen)));
    }
    // Screens without a number key, in the order they are listed.
    for screen in Screen::UNNUMBERED {
        nav = nav.push(nav_item(screen, current, None, None, on(screen)));
    }
    nav = nav.push(space::vertical());
    nav = nav.push(nav_item(
        Screen::Settings,
        current,
        None,
        None,
        on(Screen::Settings),
    ));
    container(nav.padding(gap::M))
        .width(210)
        .height(Length::Fill)
        .style(theme::sidebar)
        .into()
}

fn nav_item<'a, M: Clone + 'a>(
    screen: Screen,
    current: Screen,
    number: Option<usize>,
    badge: Option<(u64, Tone)>,
    on: M,
) -> Element<'a, M> {
    let mut line = row![text(screen.label()).size(size::BODY + 1.0)]
        .align_y(Alignment::Center)
        .spacing(gap::S);
    line = line.push(space::horizontal());
    if let Some((count, tone)) = badge {
        line = line.push(widget::pill_solid(format::group(count), tone));
    } else if let Some(n) = number {
        line = line.push(widget::caption(format!("Ctrl {n}")));
    }
    button(line)
        .width(Length::Fill)
        .padding([9, 12])
        .style(theme::nav_button(screen == current))
        .on_press(on)
        .into()
}

/// The status bar above the screen.
pub fn header<'a, M: 'a>(
    info: &'a NodeInfo,
    balance: Option<Balance>,
    state: &'a State,
    unit: AmountUnit,
    fiat: Option<String>,
) -> Element<'a, M> {
    let color = theme::parse_hex_color(&info.color).unwrap_or(iced::color!(0x888888));
    let network: Element<'a, M> = if info.network.is_mainnet() {
        widget::pill_solid("MAINNET · real money", Tone::Warning)
    } else {
        widget::pill(info.network.name().to_uppercase(), Tone::Accent)
    };
    let identity = row![
        widget::dot(color, 12.0),
        text(crate::keysend::text::display_safe(&info.alias, 32))
            .size(size::TITLE)
            .font(theme::BOLD),
        network,
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let spendable = balance.map_or_else(|| "…".to_owned(), |b| format::amount(b.local, unit));
    // Whole pixels (see `theme::line`): the screens below start on one.
    let mut balance = column![
        widget::caption("Spendable").line_height(theme::line::SMALL),
        text(spendable)
            .font(theme::BOLD)
            .line_height(theme::line::CONTROL)
    ]
    .spacing(2);
    if let Some(fiat) = fiat {
        // Only while fiat amounts are on (Settings).
        balance = balance.push(widget::caption(fiat).line_height(theme::line::SMALL));
    }
    let top = row![identity, space::horizontal(), balance, connection(state)]
        .spacing(gap::L)
        .align_y(Alignment::Center);
    let mut col = column![top].spacing(gap::S);
    if !info.accepts_keysend {
        col = col.push(widget::notice(
            Tone::Warning,
            "Your node does not accept keysend",
            "You can send tips, but others cannot tip you. Add accept-keysend=true to lnd.conf and restart lnd.",
        ));
    }
    let bar = container(col.padding([gap::M, gap::XL]))
        .width(Length::Fill)
        .style(theme::header);
    let line = container(space())
        .width(Length::Fill)
        .height(1)
        .style(theme::hairline);
    column![bar, line].into()
}

fn connection<'a, M: 'a>(state: &'a State) -> Element<'a, M> {
    let (label, tone) = match state {
        State::Connected => ("connected".to_owned(), Tone::Success),
        State::Reconnecting { attempt, retry_in } => (
            format!(
                "reconnecting (try {attempt}, next in {} s)",
                retry_in.as_secs()
            ),
            Tone::Warning,
        ),
        State::Offline(_) => ("offline".to_owned(), Tone::Danger),
    };
    let mut col = column![widget::pill(label, tone)]
        .spacing(2)
        .align_x(Alignment::End);
    if let State::Offline(reason) = state {
        col = col.push(widget::caption(reason.as_str()));
    }
    col.max_width(320).into()
}
