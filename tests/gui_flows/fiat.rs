//! Issue 18: fiat amounts are opt-in. Against a real HTTP price source on
//! 127.0.0.1 that counts requests: off (the default) makes none, on makes
//! one and shows amounts with the time of the rate, a failure is said and a
//! cached rate is then shown as stale.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use satchel::gui::screen::settings;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, Settings};

use super::gui_support::Harness;

/// No `time`: the rate is dated when fetched (fresh).
const PRICES: &str = r#"{"USD":97000,"EUR":89000}"#;

/// A price source answering every GET with `status` and `body`.
struct PriceServer {
    url: String,
    requests: Arc<AtomicUsize>,
}

impl PriceServer {
    fn start(status: u16, body: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/v1/prices", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        drop(std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    if line.starts_with("GET ") {
                        let _ = seen.fetch_add(1, Ordering::SeqCst);
                    }
                    line.clear();
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }));
        Self { url, requests }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn settings_with(server: &PriceServer, enabled: bool) -> Settings {
    let mut settings = Harness::quiet_settings();
    settings.fiat.source = server.url.clone();
    settings.fiat.enabled = enabled;
    settings
}

/// Whether some text on screen starts with `prefix`.
fn shows_prefix(h: &Harness, prefix: &str) -> bool {
    let mut ui = h.ui();
    ui.find(
        |candidate: iced_test::selector::Candidate<'_>| match candidate {
            iced_test::selector::Candidate::Text { content, .. } if content.starts_with(prefix) => {
                Some(())
            }
            _ => None,
        },
    )
    .is_ok()
}

fn go(h: &mut Harness, screen: Screen) {
    h.update(Message::Session(SessionMessage::Navigate(screen)));
}

#[test]
fn off_by_default_no_request_is_made_until_it_is_turned_on() {
    assert!(!Settings::default().fiat.enabled, "off by default");
    let server = PriceServer::start(200, PRICES);
    let mut h = Harness::start(0, settings_with(&server, false), ContactBook::new());
    for screen in [Screen::Send, Screen::Inbox, Screen::Settings, Screen::Sent] {
        go(&mut h, screen);
    }
    go(&mut h, Screen::Settings);
    assert_eq!(server.requests(), 0, "no request while off");
    assert!(!h.shows("Currency"));

    h.update(Message::Session(SessionMessage::Settings(
        settings::Message::FiatToggled(true),
    )));
    assert_eq!(server.requests(), 1, "turning it on asks once");
    assert!(
        shows_prefix(&h, "1 BTC ≈ 97,000.00 USD (rate of "),
        "the rate and its time"
    );
    let saved = Settings::load(&h.profile).unwrap().value;
    assert!(saved.fiat.enabled, "the choice is saved");
}

#[test]
fn on_it_asks_once_and_shows_amounts_with_the_time_of_the_rate() {
    let server = PriceServer::start(200, PRICES);
    let mut h = Harness::start(0, settings_with(&server, true), ContactBook::new());
    assert_eq!(server.requests(), 1, "one request at start");
    assert!(shows_prefix(&h, "≈ "), "the balance in USD");
    for screen in [Screen::Send, Screen::Inbox, Screen::Settings] {
        go(&mut h, screen);
    }
    assert_eq!(server.requests(), 1, "a fresh rate is not asked again");
    h.update(Message::Session(SessionMessage::Settings(
        settings::Message::FiatCurrency("EUR"),
    )));
    assert_eq!(server.requests(), 2, "another currency asks again");
    assert!(shows_prefix(&h, "1 BTC ≈ 89,000.00 EUR (rate of "));
}

#[test]
fn a_failed_source_is_said_and_the_cached_rate_shown_as_stale() {
    let server = PriceServer::start(500, "{}");
    let cached = satchel::fiat::Quote {
        currency: "USD".into(),
        per_btc_hundredths: 5_000_000,
        time: 1_600_000_000,
    };
    let mut h = Harness::start_after(
        0,
        settings_with(&server, true),
        ContactBook::new(),
        |before| satchel::fiat::save_cached(before.profile.cache_dir(), &cached).unwrap(),
    );
    assert_eq!(server.requests(), 1, "an old cached rate is refreshed");
    go(&mut h, Screen::Settings);
    assert!(h.shows("No fresh rate: the price source answered 500"));
    assert!(shows_prefix(&h, "1 BTC ≈ 50,000.00 USD (stale rate of "));
}
