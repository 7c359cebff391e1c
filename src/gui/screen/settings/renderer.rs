//! The Settings screen's renderer picker: auto, GPU (wgpu) or CPU
//! (tiny-skia), with what each means, and which renderer draws this window.
//! iced reads `ICED_BACKEND` only when it creates the window, so a change
//! applies the next time Satchel starts (`cli::renderer` applies it).

use iced::Element;
use iced::widget::{column, row};

use super::Message;
use super::view::{segmented, setting};
use crate::gui::renderer::Drawn;
use crate::gui::theme::{Tone, gap};
use crate::gui::widget;
use crate::store::RendererChoice;

/// What the choices mean.
const EXPLAIN: &str = "Auto draws with the GPU when this computer has one, and with the CPU \
    where it has none (a virtual machine, a remote desktop): there the CPU starts about twice \
    as fast and uses about 100 MB less memory than emulated graphics.";

/// When a change takes effect.
const APPLIES: &str = "Applies the next time Satchel starts.";

/// The picker, its explanation and this window's renderer.
pub fn section<'a>(choice: RendererChoice, drawn: Drawn) -> Element<'a, Message> {
    let picker = segmented(
        &[
            ("Auto", RendererChoice::Auto),
            ("GPU", RendererChoice::Gpu),
            ("CPU", RendererChoice::Cpu),
        ],
        choice,
        Message::Renderer,
    );
    let mut now = row![widget::hint(drawn.describe())]
        .spacing(gap::S)
        .align_y(iced::Alignment::Center);
    if drawn.differs_from(choice) {
        now = now.push(widget::pill("restart to apply", Tone::Warning));
    }
    column![
        setting("Renderer", picker),
        widget::hint(EXPLAIN),
        widget::hint(APPLIES),
        now
    ]
    .spacing(gap::XS)
    .into()
}
