//! The GUI's Inbox screen built as the app builds it: `Inbox::new` over a
//! real index, its reload task run to completion (as iced would), then
//! `view()` alone or `view()` plus layout and draw on a headless renderer.

use std::collections::VecDeque;

use futures::StreamExt;
use iced::{Pixels, Size, Task};
use iced_test::core::renderer::Headless;
use iced_test::core::{mouse, renderer::Style};
use iced_test::renderer::Renderer;
use iced_test::runtime::user_interface::{Cache, UserInterface};
use iced_test::runtime::{Action as RuntimeAction, task::into_stream};
use satchel::gui::screen::Env;
use satchel::gui::screen::inbox::{Action, Inbox, Message};
use satchel::gui::theme;
use satchel::keysend::NodeId;
use satchel::node::{Network, NodeInfo};
use satchel::store::{ContactBook, Settings};
use satchel::wallet::Index;

/// The app's default window size.
pub const WINDOW: Size = Size::new(1200.0, 780.0);

/// What a view needs besides the screen: contacts, settings, our node.
pub struct Context {
    pub contacts: ContactBook,
    pub settings: Settings,
    pub info: NodeInfo,
}

impl Context {
    /// Default settings (10-sat spam threshold), no contacts, node `me`.
    pub fn new(me: NodeId) -> Self {
        let info = NodeInfo {
            id: me,
            alias: "satchel".into(),
            color: "#3399ff".into(),
            network: Network::Regtest,
            synced_to_chain: true,
            synced_to_graph: true,
            block_height: 800_000,
            version: "0.21.2-beta".into(),
            active_channels: 2,
            accepts_keysend: true,
        };
        Self {
            contacts: ContactBook::new(),
            settings: Settings::default(),
            info,
        }
    }

    /// The borrowed view environment.
    pub fn env(&self) -> Env<'_> {
        Env {
            contacts: &self.contacts,
            settings: &self.settings,
            info: &self.info,
            fiat: None,
        }
    }
}

/// An Inbox over `index` after its first reload (and the lazy signature
/// checks it starts) have finished, as the app shows it.
pub fn loaded_inbox(runtime: &tokio::runtime::Runtime, index: Index, cx: &Context) -> Inbox {
    let mut inbox = Inbox::new(index, cx.info.id);
    let first = {
        let _enter = runtime.enter();
        inbox.update(Message::Arrived, &cx.env())
    };
    let mut queue = VecDeque::from([first]);
    while let Some(action) = queue.pop_front() {
        let Action::Run(task) = action else { continue };
        for message in outputs(runtime, task) {
            let _enter = runtime.enter();
            queue.push_back(inbox.update(message, &cx.env()));
        }
    }
    inbox
}

/// The messages a task produces.
fn outputs(runtime: &tokio::runtime::Runtime, task: Task<Message>) -> Vec<Message> {
    let Some(stream) = into_stream(task) else {
        return Vec::new();
    };
    runtime.block_on(
        stream
            .filter_map(|action| async move {
                match action {
                    RuntimeAction::Output(message) => Some(message),
                    _ => None,
                }
            })
            .collect(),
    )
}

/// A headless renderer with the app's fonts loaded.
pub fn renderer() -> Renderer {
    let settings = iced::Settings {
        fonts: theme::FONT_FILES.iter().map(|f| (*f).into()).collect(),
        default_font: theme::FONT,
        ..iced::Settings::default()
    };
    // Building a simulator once registers the fonts with the text system.
    drop(
        iced_test::Simulator::<'_, (), iced::Theme, Renderer>::with_size(
            settings,
            WINDOW,
            iced::widget::text("fonts"),
        ),
    );
    let backend = std::env::var("ICED_TEST_BACKEND").ok();
    futures::executor::block_on(Renderer::new(theme::FONT, Pixels(16.0), backend.as_deref()))
        .expect("a headless renderer")
}

/// One frame's CPU work: `view()`, layout (diffed against the previous
/// frame's widget state) and draw into the renderer's command list.
pub fn frame(inbox: &Inbox, cx: &Context, renderer: &mut Renderer, cache: Cache) -> Cache {
    let env = cx.env();
    let mut ui = UserInterface::build(inbox.view(&env), WINDOW, cache, renderer);
    let theme = theme::light();
    let style = Style {
        text_color: iced::theme::Base::base(&theme).text_color,
    };
    ui.draw(renderer, &theme, &style, mouse::Cursor::Unavailable);
    ui.into_cache()
}
