//! Issue 13 on the Streams screen: a bad rate is refused with the reason; a
//! stream to a contact starts, shows its card and the "streaming" bar on
//! the other screens, and Stop pays what is owed and marks it stopped.

use futures::StreamExt;
use iced_test::runtime::Action;
use iced_test::runtime::task::into_stream;
use satchel::gui::screen::streams::Message as StreamsMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, NewContact};

use super::gui_support::Harness;

fn streams(message: StreamsMessage) -> Message {
    Message::Session(SessionMessage::Streams(message))
}

fn harness() -> Harness {
    let (_, alice, _) = satchel::sim::demo_contacts().into_iter().next().unwrap();
    let mut book = ContactBook::new();
    let _ = book.add(NewContact::new("Rita", alice)).unwrap();
    let mut h = Harness::start(0, Harness::quiet_settings(), book);
    h.update(Message::Session(SessionMessage::Navigate(Screen::Streams)));
    h.update(streams(StreamsMessage::TargetChanged("Rita".into())));
    h
}

#[test]
fn a_bad_rate_is_refused_with_the_reason() {
    let mut h = harness();
    for (rate, reason) in [
        ("0", "the rate must be at least 1 sat per minute"),
        (
            "-3",
            "the rate \"-3\" is not a whole number of sats per minute: the amount cannot be \
             negative",
        ),
    ] {
        h.update(streams(StreamsMessage::RateChanged(rate.into())));
        h.interact(|ui| {
            let _ = ui.click("Start stream").expect("the Start button");
        });
        assert!(
            h.app.session().unwrap().streams().running() == 0,
            "nothing started"
        );
        assert!(h.shows(reason), "{reason:?} is shown for {rate:?}");
    }
}

#[test]
fn a_stream_to_a_contact_runs_and_stop_ends_it() {
    let mut h = harness();
    h.update(streams(StreamsMessage::RateChanged("10".into())));
    // Start: the preparation settles; the engine's stream is driven here,
    // message by message, as the runtime would.
    let prepared = {
        let task = {
            let _context = h.runtime.enter();
            h.app.update(streams(StreamsMessage::Start))
        };
        let mut outputs = into_stream(task).expect("a task");
        h.runtime.block_on(async {
            loop {
                if let Some(Action::Output(message)) = outputs.next().await {
                    break message;
                }
            }
        })
    };
    let run_task = {
        let _context = h.runtime.enter();
        h.app.update(prepared)
    };
    let mut events = into_stream(run_task).expect("the engine's events");
    let mut next = |h: &mut Harness| {
        let message = h.runtime.block_on(async {
            loop {
                match events.next().await {
                    Some(Action::Output(message)) => break Some(message),
                    Some(_) => continue,
                    None => break None,
                }
            }
        });
        if let Some(message) = message.clone() {
            h.update(message);
        }
        message
    };
    let _started = next(&mut h).expect("Started");
    assert_eq!(h.app.session().unwrap().streams().running(), 1);
    assert!(h.shows("Streaming"));
    assert!(h.shows("Stop and pay what is owed"));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Inbox)));
    assert!(
        h.shows("Streaming sats: 1 stream running"),
        "the header says so"
    );
    h.update(Message::Session(SessionMessage::Navigate(Screen::Streams)));
    h.interact(|ui| {
        let _ = ui.click("Stop and pay what is owed").expect("Stop");
    });
    while next(&mut h).is_some() {}
    assert_eq!(h.app.session().unwrap().streams().running(), 0);
    assert!(h.shows("Stopped"));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Inbox)));
    assert!(!h.shows("Streaming sats: 1 stream running"));
}

#[test]
fn the_daily_cap_is_set_in_settings_and_shown_on_the_streams_screen() {
    use satchel::gui::screen::settings::Message as SettingsMessage;
    use satchel::gui::screen::settings::caps::Message as CapsMessage;
    use satchel::keysend::Msat;
    let mut h = harness();
    let node = h.app.session().unwrap().info().id;
    let store =
        satchel::wallet::stream_store::StreamStore::open(&h.profile.node_data_dir(&node)).unwrap();
    // What the CLI (`satchel stream --daily-cap 500`) wrote is what the screens read.
    store.set_daily_cap(Some(Msat::from_sat(500))).unwrap();
    h.update(Message::Session(SessionMessage::Navigate(Screen::Inbox)));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Streams)));
    assert!(h.shows(
        "Daily cap across all streams and recurring tips: 500 sat (change it in Settings)."
    ));
    assert!(
        h.ui().find("Save daily cap").is_err(),
        "read-only on the Streams screen"
    );

    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    let caps = |m| Message::Session(SessionMessage::Settings(SettingsMessage::Caps(m)));
    h.update(caps(CapsMessage::Changed("-5".into())));
    assert!(h.shows("The amount cannot be negative"), "refused as typed");
    h.update(caps(CapsMessage::Changed("1000".into())));
    assert!(
        h.ui().find("Save daily cap").is_ok(),
        "the button in Settings"
    );
    h.update(caps(CapsMessage::Save));
    assert!(h.shows("Daily cap saved: 1,000 sat across all streams and recurring tips."));
    assert_eq!(store.daily_cap().unwrap(), Some(Msat::from_sat(1000)));

    h.update(Message::Session(SessionMessage::Navigate(Screen::Streams)));
    assert!(h.shows(
        "Daily cap across all streams and recurring tips: 1,000 sat (change it in Settings)."
    ));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    h.update(caps(CapsMessage::Changed("off".into())));
    h.update(caps(CapsMessage::Save));
    assert!(h.shows("No daily cap."));
    assert_eq!(store.daily_cap().unwrap(), None);
}

#[test]
fn a_stream_to_a_feed_carries_the_episode_chosen() {
    use satchel::gui::screen::streams::episodes::Choice;
    let mut h = harness();
    let (alice, bob) = (h.node("alice"), h.node("bob"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("show.xml");
    let value = |node| {
        format!(
            r#"<podcast:value type="lightning" method="keysend"><podcast:valueRecipient name="R" type="node" address="{node}" split="100"/></podcast:value>"#
        )
    };
    std::fs::write(
        &path,
        format!(
            r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Chosen Show</title><podcast:guid>chosen-guid</podcast:guid>{}
<item><title>First</title><guid>ep-1</guid></item>
<item><title>Second</title><guid>ep-2</guid>{}</item></channel></rss>"#,
            value(alice),
            value(bob)
        ),
    )
    .unwrap();
    h.update(streams(StreamsMessage::TargetChanged(
        path.display().to_string(),
    )));
    h.interact(|ui| {
        let _ = ui.click("Choose episode").expect("the button for a feed");
    });
    let offered: Vec<String> = h
        .app
        .session()
        .unwrap()
        .streams()
        .episodes()
        .expect("the feed's items were read")
        .iter()
        .map(|c| c.title.clone())
        .collect();
    assert_eq!(offered, ["Whole show", "First", "Second"]);
    let second = Choice {
        guid: Some("ep-2".into()),
        title: "Second".into(),
    };
    h.update(streams(StreamsMessage::EpisodeChosen(second)));
    h.update(streams(StreamsMessage::RateChanged("10".into())));
    // Only the preparation is run: it writes the stream with its episode.
    let task = {
        let _context = h.runtime.enter();
        h.app.update(streams(StreamsMessage::Start))
    };
    let mut outputs = into_stream(task).expect("a task");
    let prepared = h.runtime.block_on(async {
        loop {
            if let Some(Action::Output(message)) = outputs.next().await {
                break message;
            }
        }
    });
    assert!(
        matches!(
            &prepared,
            Message::Session(SessionMessage::Streams(StreamsMessage::Prepared(Ok(_))))
        ),
        "{prepared:?}"
    );
    let node = h.app.session().unwrap().info().id;
    let store =
        satchel::wallet::stream_store::StreamStore::open(&h.profile.node_data_dir(&node)).unwrap();
    let row = store.recent(1).unwrap().remove(0);
    assert_eq!(row.episode, "ep-2");
    // The context every leg's bLIP-10 record is built from.
    let context: serde_json::Value = serde_json::from_str(&row.context).unwrap();
    assert_eq!(context["episode_guid"], "ep-2");
    assert_eq!(context["episode"], "Second");
    assert_eq!(context["guid"], "chosen-guid");
}
