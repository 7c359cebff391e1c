//! View pieces shared by the screens: cards, page titles, form fields,
//! pills, notices and buttons, so every screen looks the same.

use iced::widget::{Container, button, column, container, row, space, text, text_input};
use iced::{Alignment, Color, Element, Length};

use crate::gui::theme::{self, Tone, gap, size};

/// A page: title, optional subtitle, then the body, with page margins.
pub fn page<'a, M: 'a>(
    title: &'a str,
    subtitle: Option<String>,
    body: impl Into<Element<'a, M>>,
) -> Element<'a, M> {
    let subtitle = subtitle.map(|s| {
        text(s)
            .size(size::BODY)
            .line_height(theme::line::BODY)
            .style(theme::muted)
            .into()
    });
    page_with(title, subtitle, body)
}

/// A page whose subtitle line is built by the screen (text with pills).
/// The heading has a whole-pixel height (see [`theme::line`]) that stays
/// the same whether the subtitle holds a pill or not.
pub fn page_with<'a, M: 'a>(
    title: &'a str,
    subtitle: Option<Element<'a, M>>,
    body: impl Into<Element<'a, M>>,
) -> Element<'a, M> {
    let title = text(title)
        .size(size::HEADING)
        .line_height(theme::line::HEADING)
        .font(theme::BOLD);
    let mut heading = column![title].spacing(gap::XS);
    if let Some(subtitle) = subtitle {
        heading = heading.push(
            container(subtitle)
                .height(SUBTITLE_HEIGHT)
                .align_y(Alignment::Center),
        );
    }
    column![heading, body.into()]
        .spacing(gap::L)
        .padding(gap::XL)
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
}

/// The subtitle line's height: a pill's (see [`pill`]).
const SUBTITLE_HEIGHT: f32 = 20.0;

/// A card holding `content` with standard padding.
pub fn card<'a, M: 'a>(content: impl Into<Element<'a, M>>) -> Container<'a, M> {
    container(content)
        .padding(gap::L)
        .width(Length::Fill)
        .style(theme::card)
}

/// A [`card`] with a soft shadow, for a card never inside a scroll area.
pub fn raised_card<'a, M: 'a>(content: impl Into<Element<'a, M>>) -> Container<'a, M> {
    card(content).style(theme::raised_card)
}

/// A card with a title line.
pub fn titled_card<'a, M: 'a>(
    title: &'a str,
    content: impl Into<Element<'a, M>>,
) -> Container<'a, M> {
    card(
        column![
            text(title).size(size::TITLE).font(theme::BOLD),
            content.into()
        ]
        .spacing(gap::M),
    )
}

/// A small caption above a value or field.
pub fn caption<'a>(label: impl text::IntoFragment<'a>) -> text::Text<'a> {
    text(label).size(size::SMALL).style(theme::muted)
}

/// A labelled text input with an optional error (or hint) under it.
pub fn field<'a, M: Clone + 'a>(
    label: &'a str,
    input: text_input::TextInput<'a, M>,
    error: Option<String>,
) -> Element<'a, M> {
    let invalid = error.is_some();
    let col = column![
        caption(label),
        input.padding(10).style(theme::input(invalid))
    ]
    .spacing(gap::XS);
    with_error(col, error).into()
}

/// `col` with the error (if any) in red under it.
pub fn with_error<'a, M: 'a>(
    col: iced::widget::Column<'a, M>,
    error: Option<String>,
) -> iced::widget::Column<'a, M> {
    match error {
        Some(error) => col.push(
            text(error)
                .size(size::SMALL)
                .style(theme::toned(Tone::Danger)),
        ),
        None => col,
    }
}

/// One row of a list (inbox, sent): two lines in a clipped button of a
/// fixed height, so the list's virtual scrolling knows where each row is.
pub fn list_row<'a, M: Clone + 'a>(
    lines: iced::widget::Column<'a, M>,
    height: f32,
    selected: bool,
    on_press: M,
) -> Element<'a, M> {
    button(lines.spacing(gap::XS))
        .padding([10, 16])
        .width(Length::Fill)
        .height(height)
        .clip(true)
        .style(theme::row_button(selected))
        .on_press(on_press)
        .into()
}

/// A hint line under a field (not an error).
pub fn hint<'a>(message: impl text::IntoFragment<'a>) -> text::Text<'a> {
    text(message).size(size::SMALL).style(theme::muted)
}

/// A rounded pill with a short label (one line, never wrapped).
pub fn pill<'a, M: 'a>(label: impl text::IntoFragment<'a>, tone: Tone) -> Element<'a, M> {
    pill_styled(label, theme::pill(tone))
}

/// A solid pill, for what must not be missed.
pub fn pill_solid<'a, M: 'a>(label: impl text::IntoFragment<'a>, tone: Tone) -> Element<'a, M> {
    pill_styled(label, theme::pill_solid(tone))
}

/// The shape both pills share; only the colours differ.
fn pill_styled<'a, M: 'a>(
    label: impl text::IntoFragment<'a>,
    style: impl Fn(&iced::Theme) -> container::Style + 'a,
) -> Element<'a, M> {
    container(
        text(label)
            .size(size::SMALL)
            .line_height(theme::line::SMALL)
            .font(theme::BOLD)
            .wrapping(text::Wrapping::None),
    )
    .padding([2, 10])
    .style(style)
    .into()
}

/// A filled circle of `diameter` pixels.
pub fn dot<'a, M: 'a>(fill: Color, diameter: f32) -> Element<'a, M> {
    container(space())
        .width(diameter)
        .height(diameter)
        .style(theme::dot(fill))
        .into()
}

/// A dot in the theme's accent colour (unread marker, brand).
pub fn accent_dot<'a, M: 'a>(diameter: f32) -> Element<'a, M> {
    container(space())
        .width(diameter)
        .height(diameter)
        .style(|t: &iced::Theme| theme::dot(t.palette().primary)(t))
        .into()
}

/// A tinted notice: title, body and optionally a next step.
pub fn notice<'a, M: 'a>(
    tone: Tone,
    title: impl Into<String>,
    body: impl Into<String>,
) -> Element<'a, M> {
    let title: String = title.into();
    let body: String = body.into();
    let mut col = column![text(title).font(theme::BOLD).style(theme::toned(tone))].spacing(gap::XS);
    if !body.is_empty() {
        col = col.push(text(body).size(size::BODY));
    }
    container(col)
        .padding(gap::M)
        .width(Length::Fill)
        .style(theme::notice(tone))
        .into()
}

/// An error notice with the user's next step.
pub fn error_notice<'a, M: 'a>(error: impl ToString, next_step: &str) -> Element<'a, M> {
    notice(Tone::Danger, sentence(&error.to_string()), next_step)
}

/// The text with its first letter in upper case (error messages are lower case).
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A drop-down (a filter) showing `selected`, or `placeholder` when none,
/// drawn so the CPU renderer repaints it whole when its label changes (see
/// [`theme::pick_showing`]).
pub fn picker<'a, T, M>(
    options: Vec<T>,
    selected: Option<T>,
    placeholder: &'a str,
    on_select: impl Fn(T) -> M + 'a,
) -> Element<'a, M>
where
    T: ToString + PartialEq + Clone + 'a,
    M: Clone + 'a,
{
    let shown = selected
        .as_ref()
        .map_or_else(|| placeholder.to_owned(), ToString::to_string);
    iced::widget::pick_list(options, selected, on_select)
        .placeholder(placeholder)
        .text_line_height(theme::line::CONTROL)
        .style(theme::pick_showing(&shown))
        .padding(8)
        .into()
}

/// The main call to action; disabled when `on_press` is `None`.
pub fn primary<'a, M: Clone + 'a>(label: &'a str, on_press: Option<M>) -> button::Button<'a, M> {
    button(text(label).font(theme::BOLD))
        .padding([9, 18])
        .style(theme::primary_button)
        .on_press_maybe(on_press)
}

/// A secondary button.
pub fn secondary<'a, M: Clone + 'a>(label: &'a str, on_press: Option<M>) -> button::Button<'a, M> {
    button(text(label))
        .padding([9, 16])
        .style(theme::secondary_button)
        .on_press_maybe(on_press)
}

/// A destructive button.
pub fn danger<'a, M: Clone + 'a>(label: &'a str, on_press: Option<M>) -> button::Button<'a, M> {
    button(text(label))
        .padding([9, 16])
        .style(theme::danger_button)
        .on_press_maybe(on_press)
}

/// A link-like text button.
pub fn link<'a, M: Clone + 'a>(
    label: impl text::IntoFragment<'a>,
    on_press: M,
) -> button::Button<'a, M> {
    button(text(label).size(size::BODY))
        .padding(0)
        .style(theme::link_button)
        .on_press(on_press)
}

/// A label and a value side by side (detail panes).
pub fn key_value<'a, M: 'a>(
    key: impl text::IntoFragment<'a>,
    value: Element<'a, M>,
) -> Element<'a, M> {
    row![container(caption(key)).width(150), value]
        .spacing(gap::S)
        .align_y(Alignment::Start)
        .into()
}

/// A centred message for an empty list.
pub fn empty_state<'a, M: 'a>(title: &'a str, detail: &'a str) -> Element<'a, M> {
    container(
        column![
            text(title).size(size::TITLE).font(theme::BOLD),
            text(detail).style(theme::muted)
        ]
        .spacing(gap::S)
        .align_x(Alignment::Center),
    )
    .padding(gap::XL)
    .center_x(Length::Fill)
    .into()
}

/// Monospace text for keys and hashes.
/// A hex value with a Copy link that reads "Copied" once `copied` is this
/// value (the last one the pane put on the clipboard).
pub fn copyable<'a, M: Clone + 'a>(
    value: String,
    copied: Option<&str>,
    on_copy: impl FnOnce(String) -> M,
) -> Element<'a, M> {
    let label = if copied == Some(value.as_str()) {
        "Copied"
    } else {
        "Copy"
    };
    column![mono(value.clone()), link(label, on_copy(value))]
        .spacing(2)
        .into()
}

pub fn mono<'a>(value: impl text::IntoFragment<'a>) -> text::Text<'a> {
    text(value)
        .font(theme::MONO)
        .size(size::SMALL)
        .wrapping(text::Wrapping::WordOrGlyph)
}

/// A list's search field (the one `/` and Ctrl+F focus, by `id`).
pub fn search_field<'a, M: Clone + 'a>(
    placeholder: &str,
    value: &str,
    id: &'static str,
    on_input: impl Fn(String) -> M + 'a,
) -> iced::widget::TextInput<'a, M> {
    iced::widget::text_input(placeholder, value)
        .size(size::BODY)
        .line_height(theme::line::BODY)
        .id(id)
        .on_input(on_input)
        .padding(9)
        .style(theme::input(false))
}
