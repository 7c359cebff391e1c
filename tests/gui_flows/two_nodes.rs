//! One profile, two nodes in the app (issue 9): connected to node B, a
//! payment left unfinished on node A (killed before dispatch) is shown with
//! A's name and nothing is offered for it; switching to A in Settings opens
//! A's files, where it is found not sent and "Send now" pays it once.

use std::net::SocketAddr;
use std::time::Duration;

use satchel::gui::recovery::Status;
use satchel::gui::screen::settings;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::{Msat, Preimage, Records, record};
use satchel::node::OutgoingKeysend;
use satchel::sim::{SimConfig, SimHandle};
use satchel::store::{ContactBook, SavedNode};
use satchel::wallet::{Index, Journal, JournalState, NodeFiles};
use tempfile::TempDir;

use super::go;
use super::gui_support::{Harness, client};
use super::recovery::{payments_with, statuses};

/// The inbox rows' messages, as loaded.
fn previews(h: &Harness) -> Vec<String> {
    let inbox = h.app.session().expect("connected").inbox();
    inbox
        .loaded_rows()
        .iter()
        .map(|r| r.preview.clone())
        .collect()
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn node_b_names_node_a_for_its_payment_and_switching_to_a_settles_it() {
    let a_dir = TempDir::new().unwrap();
    let a_port = free_port();
    let saved_a = SavedNode::files(
        "Node A",
        format!("127.0.0.1:{a_port}"),
        a_dir.path().join("tls.cert"),
        a_dir
            .path()
            .join("data/chain/bitcoin/regtest/admin.macaroon"),
    );
    let a_saved_id = saved_a.id.clone();
    let mut settings = Harness::quiet_settings();
    settings.add_node(saved_a);
    let mut node_a: Option<SimHandle> = None;
    let mut planted = None;
    let mut h = Harness::start_after(0, settings, ContactBook::new(), |before| {
        let config = SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], a_port)),
            payment_latency: Duration::from_millis(50),
            ..SimConfig::new(a_dir.path())
        };
        let sim = before
            .runtime
            .block_on(satchel::sim::start(config))
            .expect("A starts");
        let a = sim.user_node();
        assert_ne!(a, before.sim.user_node(), "two nodes");
        // What a send killed before dispatch on A leaves: a Pending entry of A's.
        let files = NodeFiles::open(before.profile, &a, "Node A").expect("A's files");
        let keysend = OutgoingKeysend {
            destination: sim.node_id("alice").unwrap(),
            amount: Msat::from_sat(77),
            preimage: Preimage::random(),
            records: Records::from([(record::MESSAGE, b"from node A".to_vec())]),
            fee_limit: Msat::from_sat(50),
            timeout: satchel::wallet::SEND_TIMEOUT,
        };
        let _ = files.journal.begin("on-a", &keysend).expect("journaled");
        for (node, text) in [(&sim, "tip on A"), (before.sim, "tip on B")] {
            let records = Records::from([(record::MESSAGE, text.as_bytes().to_vec())]);
            let tipped = node.inject_keysend("carol", Msat::from_sat(100), records);
            let _ = before.runtime.block_on(tipped).expect("a tip");
        }
        planted = Some((a, keysend.hash()));
        node_a = Some(sim);
    });
    let (a, hash) = planted.expect("planted");
    let node_a = node_a.expect("A runs");
    let (b_client, a_client) = (h.client(), client(&node_a, &h.runtime));

    assert_eq!(previews(&h), ["tip on B"], "B's own history only");
    // On B: named, not judged, nothing offered.
    let found = statuses(&h);
    let [Status::OtherNode(reason)] = found.as_slice() else {
        panic!("A's entry as another node's: {:?}", statuses(&h));
    };
    assert!(
        reason.contains("Node A") && reason.contains(&a.to_hex()),
        "{reason}"
    );
    go(&mut h, Screen::Send);
    assert!(
        h.shows(&format!("Not checked here · {reason}")),
        "the card names A"
    );
    assert!(
        !h.shows("Send now") && !h.shows("Discard"),
        "nothing offered"
    );
    let journal = Journal::open_profile(&h.profile).unwrap();
    let state = journal.get("on-a").unwrap().unwrap().state;
    assert_eq!(state, JournalState::Pending, "B judged nothing");

    // Switch to A: its files, its verdict, one payment.
    h.update(Message::Session(SessionMessage::Settings(
        settings::Message::SwitchNode(a_saved_id),
    )));
    let info = h.app.session().expect("connected to A").info().id;
    assert_eq!(info, a, "the session is on A");
    assert_eq!(
        previews(&h),
        ["tip on A"],
        "switching nodes switches history"
    );
    assert_eq!(statuses(&h), [Status::NotSent], "A says it never saw it");
    go(&mut h, Screen::Send);
    h.interact(|ui| {
        let _ = ui.click("Send now").expect("offered on A");
    });
    assert!(
        matches!(statuses(&h).as_slice(), [Status::Succeeded { .. }]),
        "{:?}",
        statuses(&h)
    );
    assert_eq!(payments_with(&h, &a_client, hash), 1, "paid once, by A");
    assert_eq!(payments_with(&h, &b_client, hash), 0, "never by B");
}

#[test]
fn an_earlier_profiles_index_of_another_node_is_kept_aside_and_announced() {
    let other_dir = TempDir::new().unwrap();
    let mut other: Option<SimHandle> = None;
    let h = Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |before| {
        // An index from before per-node folders, filled from another node.
        let sim = before
            .runtime
            .block_on(satchel::sim::start(SimConfig::new(other_dir.path())))
            .expect("the other node starts");
        let records = Records::from([(record::MESSAGE, b"for the other node".to_vec())]);
        let _ = before
            .runtime
            .block_on(sim.inject_keysend("alice", Msat::from_sat(5), records))
            .expect("a tip");
        before.profile.ensure().unwrap();
        let legacy = Index::open(&before.profile.legacy_index_db()).unwrap();
        let node = client(&sim, before.runtime);
        let _ = before
            .runtime
            .block_on(satchel::wallet::backfill(&node, &legacy, |_| {}))
            .expect("filled");
        other = Some(sim);
    });
    let notice = h.app.session().and_then(|s| s.notice()).unwrap_or_default();
    assert!(notice.contains("kept aside"), "{notice:?}");
    assert!(!h.profile.legacy_index_db().exists());
    let kept = std::fs::read_dir(h.profile.unclaimed_dir())
        .unwrap()
        .count();
    assert!(kept >= 1, "kept, not deleted");
    assert!(!h.shows("for the other node"), "not this node's history");
    drop(other);
}
