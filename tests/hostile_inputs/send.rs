//! The wallet's send path against the simulator: tips that must not be sent
//! are refused by `wallet::prepare` with their specific error, and the node
//! has sent nothing afterwards.

use std::sync::Arc;
use std::time::Duration;

use satchel::keysend::onion;
use satchel::keysend::outgoing::{RecordError, Tip};
use satchel::keysend::record::MESSAGE;
use satchel::keysend::{Msat, NodeId, Records};
use satchel::lnd::ConnectSpec;
use satchel::node::SharedNode;
use satchel::sim::{self, SimConfig, SimHandle};
use satchel::wallet::{SendError, SendRequest, prepare};

/// The amount every case tips, unless it is about the amount.
const TIP: Msat = Msat::from_sat(100);

/// The simulator and the real LND adapter connected to it.
struct Wallet {
    sim: SimHandle,
    node: SharedNode,
    _dir: tempfile::TempDir,
}

async fn wallet() -> Wallet {
    satchel::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let sim = sim::start(SimConfig::new(dir.path().join("satchel")))
        .await
        .expect("sim starts");
    let address = format!("localhost:{}", sim.addr().port());
    let spec = ConnectSpec::from_files(&address, sim.tls_cert_path(), sim.admin_macaroon_path())
        .expect("the sim's files are valid");
    let lnd = satchel::lnd::connect(&spec)
        .await
        .expect("connects to the sim");
    Wallet {
        sim,
        node: Arc::new(lnd),
        _dir: dir,
    }
}

fn request(destination: NodeId, sats: u64, message: &str) -> SendRequest {
    SendRequest {
        intent_id: format!("hostile-{sats}-{}", message.len()),
        destination,
        amount: Msat::from_sat(sats),
        tip: Tip {
            message: Some(message.into()),
            ..Tip::default()
        },
        sign: false,
        fee_limit: Msat::from_sat(100),
    }
}

/// `prepare` must refuse `req` with `want` (compared by `Debug`: `SendError`
/// is not `PartialEq`), its message containing `words`.
async fn expect_refused(w: &Wallet, req: SendRequest, want: &SendError, words: &str) {
    let info = w.node.info().await.expect("node info");
    let balance = w.node.balance().await.expect("balance");
    let label = format!(
        "{} sat to {}, {} byte message",
        req.amount.sats(),
        req.destination.short(),
        req.tip.message.as_ref().map_or(0, String::len)
    );
    match prepare(&w.node, &info, req, Some(balance)).await {
        Ok(keysend) => panic!(
            "{label}: prepared a keysend with {} records; expected {want:?}",
            keysend.records.len()
        ),
        Err(error) => {
            assert_eq!(format!("{error:?}"), format!("{want:?}"), "{label}");
            assert!(error.to_string().contains(words), "{label}: {error}");
        }
    }
}

/// The node has no sent payments at all.
async fn assert_nothing_sent(w: &Wallet) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = w.node.sent_page(0, 1000).await.expect("sent page");
    assert!(sent.items.is_empty(), "the node sent {:?}", sent.items);
}

#[tokio::test]
async fn the_send_path_refuses_hostile_tips_and_sends_nothing() {
    let w = wallet().await;
    let own = w.node.info().await.expect("node info").id;
    let available = w.node.balance().await.expect("balance").local;
    let alice = w.sim.node_id("alice").expect("alice");
    let fits_one_hop = "x".repeat(onion::max_message_bytes(1, TIP, &Records::new()));

    let mut zero_fee = request(alice, 100, "hi");
    zero_fee.fee_limit = Msat::ZERO;
    let mut below_range = request(alice, 100, "hi");
    below_range.tip.extra = Records::from([(1, b"x".to_vec())]);
    let over_balance = Msat::from_sat(available.sats() + 1);
    let cases = [
        (
            request(alice, 0, "hi"),
            SendError::ZeroAmount,
            "more than zero",
        ),
        (zero_fee, SendError::ZeroFeeLimit, "set a fee limit"),
        (
            request(own, 100, "hi"),
            SendError::SelfPayment,
            "your own node",
        ),
        (
            request(alice, over_balance.sats(), "hi"),
            SendError::InsufficientBalance {
                amount: over_balance,
                fee_limit: Msat::from_sat(100),
                available,
            },
            "more than your node can send",
        ),
        (
            request(alice, 100, &format!("{fits_one_hop}x")),
            SendError::TooLarge {
                hops: 1,
                used: 1301,
                total: 1300,
                over: 1,
            },
            "shorten the message by at least 1 bytes",
        ),
        (
            below_range,
            SendError::Records(RecordError::BelowCustomRange(1)),
            "below 65536",
        ),
    ];
    for (req, want, words) in cases {
        expect_refused(&w, req, &want, words).await;
    }
    // The longest message that fits a direct channel passes the checks.
    let info = w.node.info().await.expect("node info");
    let req = request(alice, 100, &fits_one_hop);
    let prepared = prepare(&w.node, &info, req, None).await;
    assert_eq!(
        prepared.map(|k| k.records[&MESSAGE].len()).ok(),
        Some(fits_one_hop.len())
    );
    assert_nothing_sent(&w).await;
}

/// Grace is three hops away (bob, carol, grace). A message one byte over the
/// 3-hop budget fits a 1-hop route. LND (and the sim) find no route at all for
/// an onion that does not fit, so `prepare` must measure the route without
/// the records; falling back to one hop would accept the tip and leave the
/// user with "no route" instead of "message too long".
#[tokio::test]
async fn a_message_too_long_for_a_multi_hop_route_is_refused() {
    let w = wallet().await;
    let grace = w.sim.node_id("grace").expect("grace");
    let over_three_hops = "x".repeat(onion::max_message_bytes(3, TIP, &Records::new()) + 1);
    let want = SendError::TooLarge {
        hops: 3,
        used: 1301,
        total: 1300,
        over: 1,
    };
    let req = request(grace, 100, &over_three_hops);
    expect_refused(&w, req, &want, "too large for a 3-hop route").await;
    assert_nothing_sent(&w).await;
}
