//! How the Connect screen looks: remembered nodes, the three ways to point
//! Satchel at a node (this computer, an lndconnect URI, files), the
//! "remember" row and the status of the current check. Reads `Connect` only.

use iced::widget::{button, checkbox, column, row, space, text, text_input};
use iced::{Alignment, Element};

use super::{Connect, Connection, Message, Mode, PathField, Status, Via};
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::widget;
use crate::lnd;
use crate::store::SavedNode;

impl Connect {
    /// Show the screen; `saved` are the remembered nodes.
    pub fn view<'a>(&'a self, saved: &'a [SavedNode]) -> Element<'a, Message> {
        let mut body = column![].spacing(gap::L).max_width(720);
        for notice in &self.notices {
            body = body.push(widget::notice(Tone::Warning, notice.clone(), ""));
        }
        if !saved.is_empty() {
            body = body.push(self.saved_card(saved));
        }
        body = body.push(self.form_card());
        body = body.push(self.status_view());
        let intro = "Satchel talks to your own LND node over gRPC. Nothing leaves your computer except \
                     calls to that node.";
        widget::page(
            "Connect to your node",
            Some(intro.into()),
            iced::widget::scrollable(body),
        )
    }

    fn saved_card<'a>(&'a self, saved: &'a [SavedNode]) -> Element<'a, Message> {
        let busy = self.is_busy();
        let rows = saved.iter().fold(column![].spacing(gap::S), |col, node| {
            col.push(
                row![
                    text(&node.label).font(theme::BOLD),
                    widget::caption(saved_kind(node)),
                    space::horizontal(),
                    widget::link("Forget", Message::ForgetSaved(node.id.clone())),
                    widget::primary("Open", (!busy).then(|| Message::OpenSaved(node.id.clone()))),
                ]
                .spacing(gap::M)
                .align_y(Alignment::Center),
            )
        });
        widget::titled_card("Remembered nodes", rows).into()
    }

    fn form_card(&self) -> Element<'_, Message> {
        let tabs = row![
            self.tab("This computer", Mode::Local),
            self.tab("lndconnect URI", Mode::Uri),
            self.tab("Files", Mode::Files),
        ]
        .spacing(gap::S);
        let form: Element<'_, Message> = match self.mode {
            Mode::Local => self.local_form(),
            Mode::Uri => self.uri_form(),
            Mode::Files => self.files_form(),
        };
        widget::card(column![tabs, form, self.remember_row()].spacing(gap::L)).into()
    }

    fn tab(&self, label: &'static str, mode: Mode) -> Element<'_, Message> {
        button(text(label))
            .padding([7, 14])
            .style(theme::nav_button(self.mode == mode))
            .on_press_maybe((!self.is_busy()).then_some(Message::ModeSelected(mode)))
            .into()
    }

    fn local_form(&self) -> Element<'_, Message> {
        let dir = lnd::default_lnd_dir()
            .map_or_else(|| "lnd's folder".to_owned(), |d| d.display().to_string());
        column![
            text(format!(
                "Looks in {dir} for tls.cert and admin.macaroon, and connects to localhost:10009."
            )),
            widget::primary("Find my node", (!self.is_busy()).then_some(Message::Detect)),
        ]
        .spacing(gap::M)
        .into()
    }

    fn uri_form(&self) -> Element<'_, Message> {
        let input = self
            .input(
                "lndconnect://host:10009?cert=…&macaroon=…",
                &self.uri,
                Message::UriChanged,
            )
            .id("lndconnect")
            .secure(!self.uri.is_empty());
        let mut col = column![widget::field("lndconnect URI", input, None)].spacing(gap::M);
        if self.uri_without_cert() {
            col = col.push(widget::hint(lnd::lndconnect::NO_CERT_NOTE));
        }
        col = col.push(widget::hint(if self.keyring {
            "The macaroon in the URI is kept in your system keyring, never in a plain file."
        } else {
            "No system keyring is available: this connection will last for this session only."
        }));
        col.push(self.proxy_field())
            .push(self.connect_button())
            .into()
    }

    fn proxy_field(&self) -> Element<'_, Message> {
        let input = self
            .input(
                "127.0.0.1:9050 (optional)",
                &self.proxy,
                Message::ProxyChanged,
            )
            .id("proxy");
        column![
            widget::field("SOCKS proxy", input, None),
            widget::hint(
                "For a node reached through Tor or another SOCKS5 proxy. Not needed for a .onion \
                 address when Tor runs on this computer (ports 9050 or 9150 are found on their own)."
            ),
        ]
        .spacing(gap::S)
        .into()
    }

    fn files_form(&self) -> Element<'_, Message> {
        column![
            widget::field(
                "Host and port",
                self.input("localhost:10009", &self.host_port, Message::HostChanged)
                    .id("host"),
                None
            ),
            self.path_row(
                widget::field(
                    "TLS certificate (tls.cert)",
                    self.input(
                        "/home/you/.lnd/tls.cert",
                        &self.cert_path,
                        Message::CertChanged
                    )
                    .id("cert"),
                    None
                ),
                PathField::Cert
            ),
            self.path_row(
                widget::field(
                    "Macaroon",
                    self.input(
                        "…/data/chain/bitcoin/mainnet/admin.macaroon",
                        &self.macaroon_path,
                        Message::MacaroonChanged
                    )
                    .id("macaroon"),
                    None
                ),
                PathField::Macaroon
            ),
            self.proxy_field(),
            self.connect_button(),
        ]
        .spacing(gap::M)
        .into()
    }

    /// A path field with a "Choose..." button for the desktop's file dialog.
    fn path_row<'a>(&self, field: Element<'a, Message>, which: PathField) -> Element<'a, Message> {
        let choose = widget::secondary(
            "Choose...",
            (!self.is_busy()).then_some(Message::Choose(which)),
        );
        row![
            iced::widget::container(field).width(iced::Length::Fill),
            choose
        ]
        .spacing(gap::S)
        .align_y(iced::Alignment::End)
        .into()
    }

    fn input<'a>(
        &'a self,
        placeholder: &'a str,
        value: &'a str,
        on: fn(String) -> Message,
    ) -> text_input::TextInput<'a, Message> {
        let input = text_input(placeholder, value).size(size::BODY);
        if self.is_busy() {
            input
        } else {
            input.on_input(on).on_submit(Message::Test)
        }
    }

    fn connect_button(&self) -> Element<'_, Message> {
        widget::primary("Connect", (!self.is_busy()).then_some(Message::Test)).into()
    }

    fn remember_row(&self) -> Element<'_, Message> {
        let toggle = checkbox(self.remember)
            .label("Remember this node")
            .on_toggle_maybe((!self.is_busy()).then_some(Message::RememberToggled));
        let label = self
            .input("Name (optional)", &self.label, Message::LabelChanged)
            .width(240)
            .padding(8);
        row![toggle, space::horizontal(), label]
            .spacing(gap::M)
            .align_y(Alignment::Center)
            .into()
    }

    fn status_view(&self) -> Element<'_, Message> {
        match &self.status {
            Status::Idle => space().into(),
            Status::Detecting => widget::notice(Tone::Neutral, "Looking for a local node…", ""),
            Status::NoLocalNode(reason) => self.no_local_node(reason),
            Status::LaunchingDemo => widget::notice(
                Tone::Neutral,
                "Starting the demo network…",
                "It opens in a new window with play money; this one closes.",
            ),
            Status::Testing {
                address,
                via,
                since,
                now,
            } => {
                let seconds = now.saturating_duration_since(*since).as_secs();
                let (how, detail) = match via {
                    Via::Direct => (
                        String::new(),
                        "Checking the certificate, the macaroon and the node's identity.",
                    ),
                    Via::Tor => (
                        " over Tor".to_owned(),
                        "Over Tor a connection takes 5 to 60 seconds; the certificate and the \
                         macaroon are checked as usual.",
                    ),
                    Via::Proxy(proxy) => (
                        format!(" through the proxy {proxy}"),
                        "Checking the certificate, the macaroon and the node's identity.",
                    ),
                };
                widget::notice(
                    Tone::Neutral,
                    format!("Connecting to {address}{how}… {seconds} s"),
                    detail,
                )
            }
            Status::Failed(failure) => widget::error_notice(failure, failure.next_step()),
            Status::Limited(connection) => self.limited(connection),
        }
    }
}

impl Connect {
    /// Connected, with features off: which, and how to bake a macaroon
    /// that has them; the wallet opens when the user goes on.
    fn limited<'a>(&'a self, connection: &'a Connection) -> Element<'a, Message> {
        let off = connection.permissions.off().unwrap_or_default();
        let card = column![
            text(format!(
                "Connected to {}, but some features are off.",
                crate::keysend::text::display_safe(&connection.info.alias, 64)
            ))
            .font(theme::BOLD),
            text(off),
            text("A macaroon with everything Satchel uses (run it on the node):"),
            text(crate::node::permissions::bake_command()).font(theme::MONO),
            widget::primary(
                "Continue with these features off",
                Some(Message::ContinueLimited)
            ),
        ]
        .spacing(gap::M);
        widget::card(card).into()
    }

    /// A first run without a node: where to go next, and the demo.
    fn no_local_node<'a>(&'a self, reason: &'a str) -> Element<'a, Message> {
        let card = column![
            text("No node was found on this computer.").font(theme::BOLD),
            text(
                "Paste an lndconnect link from your node (Umbrel, Start9, RaspiBlitz…), or pick \
                 its files. Or look around first on a simulated network with play money."
            ),
            widget::caption(format!("Looked for: {reason}")),
            widget::primary(
                "Try the demo network",
                (!self.is_busy()).then_some(Message::TryDemo)
            ),
        ]
        .spacing(gap::M);
        widget::card(card).into()
    }
}

fn saved_kind(node: &SavedNode) -> String {
    use crate::store::SavedNodeKind;
    let place = match &node.kind {
        SavedNodeKind::Files { host_port, .. } => host_port.clone(),
        SavedNodeKind::LndConnect { host_port, .. } => format!("{host_port} (lndconnect)"),
        SavedNodeKind::Demo => "demo network".into(),
    };
    match &node.proxy {
        Some(proxy) => format!("{place} via {proxy}"),
        None => place,
    }
}
