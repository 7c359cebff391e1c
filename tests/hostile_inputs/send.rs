//! The wallet's send path against the simulator: tips that must not be sent
//! are refused by `wallet::prepare` with their specific error, and the node
//! has sent nothing afterwards.

use std::sync::Arc;
use std::time::Duration;

use satchel::keysend::onion;
use satchel::keysend::outgoing::{RecordError, Tip};
use satchel::keysend::{Msat, NodeId, Records};
use satchel::lnd::ConnectSpec;
use satchel::node::{Node, SharedNode};
use satchel::sim::{self, SimConfig, SimHandle};
use satchel::wallet::{SendError, SendRequest, prepare};

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

#[tokio::test]
async fn the_send_path_refuses_hostile_tips_and_sends_nothing() {
    let w = wallet().await;
    let info = w.node.info().await.expect("node info");
    let balance = w.node.balance().await.expect("balance");
    let alice = w.sim.node_id("alice").expect("alice");
    let grace = w.sim.node_id("grace").expect("grace");
    let amount = Msat::from_sat(100);
    let fits_one_hop = "x".repeat(onion::max_message_bytes(1, amount, &Records::new()));
    let over_three_hops = "x".repeat(onion::max_message_bytes(3, amount, &Records::new()) + 1);

    let mut zero_fee = request(alice, 100, "hi");
    zero_fee.fee_limit = Msat::ZERO;
    let mut below_range = request(alice, 100, "hi");
    below_range.tip.extra = Records::from([(1, b"x".to_vec())]);
    let cases: Vec<(SendRequest, SendError, &str)> = vec![
        (
            request(alice, 0, "hi"),
            SendError::ZeroAmount,
            "more than zero",
        ),
        (zero_fee, SendError::ZeroFeeLimit, "set a fee limit"),
        (
            request(info.id, 100, "hi"),
            SendError::SelfPayment,
            "your own node",
        ),
        (
            request(alice, balance.local.sats() + 1, "hi"),
            SendError::InsufficientBalance {
                amount: Msat::from_sat(balance.local.sats() + 1),
                available: balance.local,
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
            request(grace, 100, &over_three_hops),
            SendError::TooLarge {
                hops: 3,
                used: 1301,
                total: 1300,
                over: 1,
            },
            "too large for a 3-hop route",
        ),
        (
            below_range,
            SendError::Records(RecordError::BelowCustomRange(1)),
            "below 65536",
        ),
    ];
    for (req, want, words) in cases {
        let label = format!(
            "{} sat, {} byte message",
            req.amount.sats(),
            req.tip.message.as_ref().map_or(0, String::len)
        );
        let got = prepare(&w.node, &info, req, Some(balance)).await;
        match got {
            Ok(keysend) => panic!("{label}: prepared {keysend:?}; expected {want:?}"),
            Err(error) => {
                assert_eq!(format!("{error:?}"), format!("{want:?}"), "{label}");
                assert!(error.to_string().contains(words), "{label}: {error}");
            }
        }
    }
    // The longest message that fits a direct channel is accepted by prepare.
    let ok = prepare(
        &w.node,
        &info,
        request(alice, 100, &fits_one_hop),
        Some(balance),
    )
    .await;
    assert!(ok.is_ok(), "{ok:?}");

    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = w.node.sent_page(0, 1000).await.expect("sent page");
    assert!(sent.items.is_empty(), "the node sent {:?}", sent.items);
}
