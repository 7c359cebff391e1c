//! Satchel's look: two palettes (light and dark), the design tokens derived
//! from them, fonts, spacing, and the style functions every view uses
//! (`.style(theme::card)`), so colours live in one place.

use iced::font::Weight;
use iced::theme::Palette;
use iced::widget::{
    button, container, pick_list, progress_bar, text, text_editor, text_input, toggler,
};
use iced::{Background, Border, Color, Font, Shadow, Theme, Vector, border, color};

use crate::gui::renderer::Drawn;

/// The regular UI font (embedded from `assets/fonts`).
pub const FONT: Font = Font::with_name("DejaVu Sans");
/// Headings and emphasis.
pub const BOLD: Font = Font {
    weight: Weight::Bold,
    ..FONT
};
/// Public keys, hashes and hex values.
pub const MONO: Font = Font::with_name("DejaVu Sans Mono");

/// The font files the app embeds, in load order.
pub const FONT_FILES: [&[u8]; 3] = [
    include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"),
];

/// Spacing scale in logical pixels.
pub mod gap {
    /// Between tightly related items (icon and label).
    pub const XS: f32 = 4.0;
    /// Inside a group of controls.
    pub const S: f32 = 8.0;
    /// Between groups.
    pub const M: f32 = 14.0;
    /// Between sections, and card padding.
    pub const L: f32 = 20.0;
    /// Page margins.
    pub const XL: f32 = 28.0;
}

/// Type scale.
/// Whole-pixel line heights for text whose height places what comes below
/// it (the header, page titles, pills, the inbox's filter row). The CPU
/// renderer repaints a changed region at its exact bounds; a list that
/// starts part-way down a pixel row gets that row blended twice on each
/// repaint (a stray line at its corners), so lists must start on whole
/// pixels. iced's default, 1.3 times the size, rarely is one.
pub mod line {
    use iced::Pixels;

    /// For [`super::size::SMALL`] text.
    pub const SMALL: Pixels = Pixels(16.0);
    /// For [`super::size::BODY`] text.
    pub const BODY: Pixels = Pixels(18.0);
    /// For controls at iced's default text size (16), and bold figures.
    pub const CONTROL: Pixels = Pixels(20.0);
    /// For [`super::size::HEADING`] text.
    pub const HEADING: Pixels = Pixels(32.0);
}

pub mod size {
    /// Small print: captions, badges.
    pub const SMALL: f32 = 12.0;
    /// Body text.
    pub const BODY: f32 = 14.0;
    /// Card titles.
    pub const TITLE: f32 = 17.0;
    /// Page titles.
    pub const HEADING: f32 = 24.0;
    /// The big amount on a card.
    pub const FIGURE: f32 = 30.0;
}

/// Corner radius of cards and inputs.
pub const RADIUS: f32 = 10.0;

/// The light theme.
pub fn light() -> Theme {
    Theme::custom(
        "Satchel Light",
        Palette {
            background: color!(0xf4f5f7),
            text: color!(0x1b1d23),
            primary: color!(0xd9621c),
            success: color!(0x1d8152),
            warning: color!(0xb86e00),
            danger: color!(0xc23a34),
        },
    )
}

/// The dark theme.
pub fn dark() -> Theme {
    Theme::custom(
        "Satchel Dark",
        Palette {
            background: color!(0x15171c),
            text: color!(0xe4e6eb),
            primary: color!(0xf0883e),
            success: color!(0x3fb97f),
            warning: color!(0xf0b440),
            danger: color!(0xe5534b),
        },
    )
}

/// Colours derived from the palette that iced's extended palette lacks.
#[derive(Debug, Clone, Copy)]
pub struct Tokens {
    /// Cards and dialogs.
    pub surface: Color,
    /// The sidebar.
    pub sidebar: Color,
    /// Hairlines and card borders.
    pub line: Color,
    /// Secondary text.
    pub muted: Color,
    /// Text and fill of the mainnet warning.
    pub caution: Color,
}

/// The tokens for a theme.
pub fn tokens(theme: &Theme) -> Tokens {
    let palette = theme.palette();
    if theme.extended_palette().is_dark {
        Tokens {
            surface: color!(0x1e2128),
            sidebar: color!(0x111317),
            line: color!(0x2c3039),
            muted: mix(palette.text, palette.background, 0.45),
            caution: palette.warning,
        }
    } else {
        Tokens {
            surface: Color::WHITE,
            sidebar: color!(0xeceef2),
            line: color!(0xdfe2e8),
            muted: mix(palette.text, palette.background, 0.45),
            caution: palette.warning,
        }
    }
}

/// Linear mix of two colours: `t = 0` is `a`, `t = 1` is `b`.
pub fn mix(a: Color, b: Color, t: f32) -> Color {
    Color {
        r: a.r + (b.r - a.r) * t,
        g: a.g + (b.g - a.g) * t,
        b: a.b + (b.b - a.b) * t,
        a: 1.0,
    }
}

/// Parse `#rrggbb` (a node's colour); `None` when malformed.
pub fn parse_hex_color(hex: &str) -> Option<Color> {
    let digits = hex.strip_prefix('#')?;
    if digits.len() != 6 || !digits.is_ascii() {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some(Color::from_rgb8(channel(0)?, channel(2)?, channel(4)?))
}

/// A card on the page background, without a shadow: safe inside a scroll
/// area. iced 0.14's CPU renderer draws shadows without the scroll area's
/// clip (iced_tiny_skia `engine.rs`, `draw_pixmap(.., None)`), so a card
/// scrolled half out of view would leave its shadow, a grey block, over
/// whatever lies below the scroll area. iced falls back to the CPU renderer
/// by itself when wgpu cannot start, so [`Drawn`] cannot rule it out.
pub fn card(theme: &Theme) -> container::Style {
    let tokens = tokens(theme);
    container::Style {
        background: Some(tokens.surface.into()),
        border: Border {
            color: tokens.line,
            width: 1.0,
            radius: RADIUS.into(),
        },
        ..container::Style::default()
    }
}

/// A raised card with a soft shadow, for cards that are never inside a
/// scroll area (the inbox and sent lists, the detail pane).
pub fn raised_card(theme: &Theme) -> container::Style {
    container::Style {
        shadow: card_shadow(),
        ..card(theme)
    }
}

/// A card's soft shadow; none under the CPU renderer, which would leave
/// its edge behind when the card goes (see [`crate::gui::renderer`]).
fn card_shadow() -> Shadow {
    if !Drawn::current().draws_shadows_cleanly() {
        return Shadow::default();
    }
    Shadow {
        color: Color::from_rgba(0.0, 0.0, 0.0, 0.05),
        offset: Vector::new(0.0, 1.0),
        blur_radius: 4.0,
    }
}

/// The left navigation column.
pub fn sidebar(theme: &Theme) -> container::Style {
    container::Style::default().background(tokens(theme).sidebar)
}

/// The top bar with node status (its bottom edge is a [`hairline`]).
pub fn header(theme: &Theme) -> container::Style {
    container::Style::default().background(tokens(theme).surface)
}

/// A one-pixel separator in the line colour.
pub fn hairline(theme: &Theme) -> container::Style {
    container::Style::default().background(tokens(theme).line)
}

/// A flat full-width strip (the demo banner): tinted, no border.
pub fn banner(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let base = tone.color(theme);
        container::Style {
            background: Some(mix(tokens(theme).surface, base, 0.14).into()),
            text_color: Some(theme.palette().text),
            ..container::Style::default()
        }
    }
}

/// A tinted box for a notice; `tone` picks the colour.
pub fn notice(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let base = tone.color(theme);
        container::Style {
            background: Some(Color { a: 0.10, ..base }.into()),
            border: Border {
                color: Color { a: 0.45, ..base },
                width: 1.0,
                radius: RADIUS.into(),
            },
            text_color: Some(theme.palette().text),
            ..container::Style::default()
        }
    }
}

/// A small rounded pill (network, "verified", unread count).
pub fn pill(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let base = tone.color(theme);
        container::Style {
            background: Some(Color { a: 0.16, ..base }.into()),
            border: border::rounded(999),
            text_color: Some(base),
            ..container::Style::default()
        }
    }
}

/// A solid pill, for the one thing that must stand out (mainnet).
pub fn pill_solid(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |theme| container::Style {
        background: Some(tone.color(theme).into()),
        border: border::rounded(999),
        text_color: Some(Color::WHITE),
        ..container::Style::default()
    }
}

/// A filled dot in a given colour (node colour, unread marker).
pub fn dot(fill: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(fill.into()),
        border: border::rounded(999),
        ..container::Style::default()
    }
}

/// Semantic colour choices for notices, pills and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Accent,
    Success,
    Warning,
    Danger,
}

impl Tone {
    /// The palette colour for this tone.
    pub fn color(self, theme: &Theme) -> Color {
        let palette = theme.palette();
        match self {
            Self::Neutral => tokens(theme).muted,
            Self::Accent => palette.primary,
            Self::Success => palette.success,
            Self::Warning => palette.warning,
            Self::Danger => palette.danger,
        }
    }
}

/// Secondary text.
pub fn muted(theme: &Theme) -> text::Style {
    text::Style {
        color: Some(tokens(theme).muted),
    }
}

/// Text in a tone's colour.
pub fn toned(tone: Tone) -> impl Fn(&Theme) -> text::Style {
    move |theme| text::Style {
        color: Some(tone.color(theme)),
    }
}

/// The main call to action.
pub fn primary_button(theme: &Theme, status: button::Status) -> button::Style {
    let mut style = button::primary(theme, status);
    style.border = border::rounded(8);
    style.text_color = match status {
        button::Status::Disabled => Color {
            a: 0.7,
            ..Color::WHITE
        },
        _ => Color::WHITE,
    };
    style
}

/// A quieter button on a surface.
pub fn secondary_button(theme: &Theme, status: button::Status) -> button::Style {
    let tokens = tokens(theme);
    let palette = theme.palette();
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => {
            mix(tokens.surface, palette.text, 0.07)
        }
        _ => tokens.surface,
    };
    button::Style {
        background: Some(background.into()),
        text_color: match status {
            button::Status::Disabled => tokens.muted,
            _ => palette.text,
        },
        border: Border {
            color: tokens.line,
            width: 1.0,
            radius: 8.0.into(),
        },
        ..button::Style::default()
    }
}

/// A destructive action.
pub fn danger_button(theme: &Theme, status: button::Status) -> button::Style {
    let mut style = button::danger(theme, status);
    style.border = border::rounded(8);
    style
}

/// A text-only button (links, "clear").
pub fn link_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.palette();
    button::Style {
        background: None,
        text_color: match status {
            button::Status::Hovered | button::Status::Pressed => {
                mix(palette.primary, palette.text, 0.3)
            }
            button::Status::Disabled => tokens(theme).muted,
            button::Status::Active => palette.primary,
        },
        ..button::Style::default()
    }
}

/// A sidebar entry; `active` marks the current screen.
pub fn nav_button(active: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let tokens = tokens(theme);
        let palette = theme.palette();
        let background = match (active, status) {
            (true, _) => Some(
                Color {
                    a: 0.14,
                    ..palette.primary
                }
                .into(),
            ),
            (false, button::Status::Hovered) => {
                Some(mix(tokens.sidebar, palette.text, 0.06).into())
            }
            _ => None,
        };
        button::Style {
            background,
            text_color: if active {
                palette.primary
            } else {
                palette.text
            },
            border: border::rounded(8),
            ..button::Style::default()
        }
    }
}

/// A selectable list row (inbox, contacts).
pub fn row_button(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let tokens = tokens(theme);
        let palette = theme.palette();
        let background: Background = match (selected, status) {
            (true, _) => Color {
                a: 0.10,
                ..palette.primary
            }
            .into(),
            (false, button::Status::Hovered) => mix(tokens.surface, palette.text, 0.04).into(),
            _ => tokens.surface.into(),
        };
        button::Style {
            background: Some(background),
            text_color: palette.text,
            border: Border {
                color: tokens.line,
                width: 0.0,
                radius: 0.0.into(),
            },
            ..button::Style::default()
        }
    }
}

/// A text input on a surface, red-bordered when `invalid`.
pub fn input(invalid: bool) -> impl Fn(&Theme, text_input::Status) -> text_input::Style {
    move |theme, status| {
        let mut style = text_input::default(theme, status);
        style.border.radius = 8.0.into();
        if invalid {
            style.border.color = theme.palette().danger;
        }
        if matches!(status, text_input::Status::Active) && !invalid {
            style.border.color = tokens(theme).line;
        }
        style
    }
}

/// The multi-line message editor, matching the text inputs.
pub fn editor(theme: &Theme, status: text_editor::Status) -> text_editor::Style {
    let mut style = text_editor::default(theme, status);
    style.border.radius = 8.0.into();
    if matches!(status, text_editor::Status::Active) {
        style.border.color = tokens(theme).line;
    }
    style
}

/// A toggle switch with a white knob when on (the default knob takes the
/// text colour on the accent, which is dark on our orange).
pub fn toggle(theme: &Theme, status: toggler::Status) -> toggler::Style {
    let mut style = toggler::default(theme, status);
    let on = match status {
        toggler::Status::Active { is_toggled }
        | toggler::Status::Hovered { is_toggled }
        | toggler::Status::Disabled { is_toggled } => is_toggled,
    };
    if on {
        style.foreground = Color::WHITE.into();
    }
    style
}

/// A drop-down that matches the text inputs.
pub fn pick(theme: &Theme, status: pick_list::Status) -> pick_list::Style {
    let tokens = tokens(theme);
    let palette = theme.palette();
    pick_list::Style {
        text_color: palette.text,
        placeholder_color: tokens.muted,
        handle_color: tokens.muted,
        background: tokens.surface.into(),
        border: Border {
            color: match status {
                pick_list::Status::Hovered | pick_list::Status::Opened { .. } => palette.primary,
                pick_list::Status::Active => tokens.line,
            },
            width: 1.0,
            radius: 8.0.into(),
        },
    }
}

/// [`pick`] for a drop-down showing `label`. The CPU renderer (iced_tiny_skia
/// 0.14.1, `Layer::draw_text`) repaints a pick list's changed label only from
/// its centre line down, so a previous, longer label left its top half
/// behind (issue 10 item 20). The box's border width carries a trace of the
/// label (at most 0.01 px, invisible), so a new label changes the box too
/// and the whole box is repainted.
pub fn pick_showing(label: &str) -> impl Fn(&Theme, pick_list::Status) -> pick_list::Style + use<> {
    let stamp = label
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 10_000;
    let width = 1.0 + stamp as f32 * 1e-6;
    move |theme, status| {
        let mut style = pick(theme, status);
        style.border.width = width;
        style
    }
}

/// A thin progress bar in the accent colour.
pub fn progress(theme: &Theme) -> progress_bar::Style {
    progress_bar::Style {
        background: tokens(theme).line.into(),
        bar: theme.palette().primary.into(),
        border: border::rounded(4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_pick_list_label_changes_the_box() {
        let theme = light();
        let style = |label: &str| pick_showing(label)(&theme, pick_list::Status::Active);
        let labels = [
            "Any sender",
            "Dave's Bitcoin Podcast",
            "Alice's node",
            "carol.ln",
        ];
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert_ne!(style(a).border, style(b).border, "{a} / {b}");
            }
        }
        assert!((style("Any sender").border.width - 1.0).abs() <= 0.01);
    }

    #[test]
    fn parses_node_colours() {
        assert_eq!(
            parse_hex_color("#ff8800"),
            Some(Color::from_rgb8(255, 136, 0))
        );
        assert_eq!(parse_hex_color("ff8800"), None);
        assert_eq!(parse_hex_color("#ff88"), None);
        assert_eq!(parse_hex_color("#gg8800"), None);
        assert_eq!(parse_hex_color("#ffé800"), None);
    }

    #[test]
    fn mainnet_caution_differs_between_modes_but_is_never_the_text_colour() {
        for theme in [light(), dark()] {
            let tokens = tokens(&theme);
            assert_ne!(tokens.caution, theme.palette().text);
            assert_ne!(tokens.surface, theme.palette().background);
        }
    }
}
