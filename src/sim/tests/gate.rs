//! The connection gate: closing ends streams and cuts connections, and
//! reopening is deterministic (old connections die at once, new ones are
//! never touched by the earlier close).

use std::error::Error as _;
use std::time::Duration;

use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tonic::Status;

use super::{admin, sim};
use crate::keysend::{Msat, Records};
use crate::rpc::lnrpc::{GetInfoRequest, InvoiceSubscription};
use crate::sim::gate::{Gate, GatedIo};

/// Longer than the gate's cut delay.
const PAST_CUT: Duration = Duration::from_millis(400);

/// A gated server side and its client socket.
async fn pair(gate: &Gate) -> (GatedIo, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = TcpStream::connect(addr).await.unwrap();
    let mut incoming = Box::pin(gate.incoming(listener));
    let server = incoming.next().await.unwrap().unwrap();
    (server, client)
}

/// Echo one byte through `server`, or the I/O error.
async fn echo(server: &mut GatedIo, client: &mut TcpStream) -> std::io::Result<u8> {
    client.write_all(&[7]).await?;
    let mut byte = [0u8; 1];
    let _ = tokio::time::timeout(PAST_CUT, server.read_exact(&mut byte))
        .await
        .expect("the read finishes")?;
    Ok(byte[0])
}

#[tokio::test]
async fn a_close_missed_by_a_quick_reopen_still_cuts_old_connections() {
    let gate = Gate::new();
    let (mut old, mut old_client) = pair(&gate).await;
    assert_eq!(echo(&mut old, &mut old_client).await.unwrap(), 7);
    gate.set(false);
    gate.set(true);
    let error = echo(&mut old, &mut old_client).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionAborted);

    let (mut new, mut new_client) = pair(&gate).await;
    tokio::time::sleep(PAST_CUT).await;
    assert_eq!(
        echo(&mut new, &mut new_client).await.unwrap(),
        7,
        "a connection accepted after the reopen is never cut by the earlier close"
    );
}

#[tokio::test]
async fn streams_end_on_a_close_even_if_the_gate_reopened_before_they_looked() {
    let gate = Gate::new();
    let pending = futures::stream::pending::<Result<u8, Status>>();
    let mut old = gate.guard(pending);
    gate.set(false);
    gate.set(true);
    let ended = tokio::time::timeout(PAST_CUT, old.next()).await.unwrap();
    assert_eq!(ended.unwrap().unwrap_err().code(), tonic::Code::Unavailable);
    assert!(old.next().await.is_none(), "nothing after the final status");

    let mut new = gate.guard(futures::stream::iter([Ok::<u8, Status>(1)]));
    assert_eq!(new.next().await.unwrap().unwrap(), 1);
    assert!(gate.check().is_ok());
    gate.set(false);
    assert_eq!(gate.check().unwrap_err().code(), tonic::Code::Unavailable);
}

#[tokio::test]
async fn a_client_reusing_its_channel_after_a_reopen_keeps_its_new_stream() {
    // Reopened at once (the close may go unseen), and while the old
    // connections wait for their cut.
    for pause in [Duration::ZERO, Duration::from_millis(30)] {
        reuse_after_reopen(pause).await;
    }
}

async fn reuse_after_reopen(pause: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let handle = sim(dir.path(), 0).await;
    let mut client = admin(&handle).await;
    assert!(client.lightning.get_info(GetInfoRequest {}).await.is_ok());
    handle.set_connections_enabled(false);
    tokio::time::sleep(pause).await;
    handle.set_connections_enabled(true);
    // The old HTTP/2 connection is dead: the first call may fail on it, then
    // the channel reconnects. Whatever succeeds now must keep working.
    let mut stream = None;
    for _ in 0..50 {
        match client
            .lightning
            .subscribe_invoices(InvoiceSubscription::default())
            .await
        {
            Ok(response) => {
                stream = Some(response.into_inner());
                break;
            }
            Err(status) => assert!(
                status.code() == tonic::Code::Unavailable || status.source().is_some(),
                "a connection failure, not a refusal: {status}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut stream = stream.expect("subscribed again after the reopen");
    tokio::time::sleep(PAST_CUT).await;
    let hash = handle
        .inject_keysend("alice", Msat::from_sat(5), Records::new())
        .await
        .unwrap();
    let invoice = tokio::time::timeout(Duration::from_secs(5), stream.message())
        .await
        .unwrap()
        .expect("the stream opened after the reopen was not cut")
        .unwrap();
    assert_eq!(invoice.r_hash, hash.as_bytes().to_vec());
    handle.shutdown().await;
}
