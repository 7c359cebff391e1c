//! Tests of the Inbox's reload coalescing: one reload in flight at most,
//! one more after it when asked for meanwhile, stale answers never shown.

use super::Env;
use super::inbox::{Action, Inbox, Message};
use crate::node::{Network, NodeInfo};
use crate::store::{ContactBook, Settings};
use crate::wallet::Index;

/// A public key that parses (the generator point).
const ME: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn info() -> NodeInfo {
    NodeInfo {
        id: ME.parse().expect("node id"),
        alias: "me".into(),
        color: "#000000".into(),
        network: Network::Regtest,
        synced_to_chain: true,
        synced_to_graph: true,
        block_height: 1,
        version: "test".into(),
        active_channels: 0,
        accepts_keysend: true,
    }
}

fn units(action: Action) -> usize {
    match action {
        Action::Run(task) => task.units(),
        _ => 0,
    }
}

#[test]
fn reloads_coalesce_into_one_more_after_the_running_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open(&dir.path().join("index.db")).expect("index");
    let (contacts, settings, info) = (ContactBook::new(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
    };
    let mut inbox = Inbox::new(index, info.id);
    assert_eq!(
        units(inbox.update(Message::Arrived, &env)),
        1,
        "the first runs"
    );
    assert!(inbox.is_loading());
    for _ in 0..50 {
        assert_eq!(
            units(inbox.update(Message::Arrived, &env)),
            0,
            "no second in flight"
        );
    }
    // The running reload ends (same query: its answer is shown), and exactly
    // one more runs for the 50 asked for meanwhile.
    let answer = Ok((7, Default::default(), vec!["pod".to_owned()]));
    assert_eq!(units(inbox.update(Message::Loaded(1, answer), &env)), 1);
    assert_eq!(inbox.total(), 7);
    assert!(inbox.is_loading());
    let answer = Ok((8, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, answer), &env)), 0);
    assert_eq!(inbox.total(), 8);
    assert!(!inbox.is_loading(), "nothing more was asked for");
}

#[test]
fn an_answer_to_an_older_query_is_dropped_and_the_new_one_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = Index::open(&dir.path().join("index.db")).expect("index");
    let (contacts, settings, info) = (ContactBook::new(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
    };
    let mut inbox = Inbox::new(index, info.id);
    assert_eq!(units(inbox.update(Message::Arrived, &env)), 1);
    let typed = Message::SearchChanged("lightning".into());
    assert_eq!(
        units(inbox.update(typed, &env)),
        0,
        "waits for the running one"
    );
    let stale = Ok((99, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, stale), &env)), 1);
    assert_eq!(
        inbox.total(),
        0,
        "the unfiltered count is not shown for the search"
    );
    let fresh = Ok((3, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(2, fresh), &env)), 0);
    assert_eq!(inbox.total(), 3);
}
