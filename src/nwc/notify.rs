//! NIP-47 notifications: `payment_sent` after an app's payment succeeds and
//! `payment_received` for each keysend the node receives while the service
//! runs, to every connection that asked for notifications. A notification
//! is kind 23197 encrypted with NIP-44 v2, or kind 23196 with NIP-04, as the
//! connection's app encrypts its requests; before the app has sent one, both
//! (NIP-47's advice for wallets that serve both).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::StreamExt;
use nostr::nips::nip47::{
    NotificationType, PaymentNotification, TransactionState, TransactionType,
};
use nostr::{EventBuilder, Keys, Kind, PublicKey, Tag, Timestamp};
use nostr_sdk::Client;

use super::connection::Connections;
use super::handle::Wallet;
use super::service::Encryption;
use crate::keysend::record::KEYSEND_PREIMAGE;
use crate::node::{Backoff, ReceivedKeysend};

/// NIP-47's notification kind for NIP-44 v2 (23196 is NIP-04's).
pub const NOTIFICATION_NIP44: u16 = 23197;

/// The notification types Satchel sends (info event, `get_info`).
pub const NOTIFICATION_TYPES: &[&str] = &["payment_received", "payment_sent"];

/// Sends notifications on the service's relays.
#[derive(Clone)]
pub(super) struct Notifier {
    client: Client,
    keys: Arc<HashMap<PublicKey, Keys>>,
    /// The encryption each connection's app last used (by wallet key).
    used: Arc<Mutex<HashMap<PublicKey, Encryption>>>,
}

impl Notifier {
    pub(super) fn new(client: Client, keys: Arc<HashMap<PublicKey, Keys>>) -> Self {
        Self {
            client,
            keys,
            used: Arc::default(),
        }
    }

    /// The app of `wallet` sent a request encrypted with `encryption`.
    pub(super) fn seen(&self, wallet: PublicKey, encryption: Encryption) {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = used.insert(wallet, encryption);
    }

    /// Send `notification` of `kind` from `keys` to `app`.
    pub(super) async fn send(
        &self,
        keys: &Keys,
        app: &PublicKey,
        kind: NotificationType,
        notification: &PaymentNotification,
    ) {
        let body = serde_json::json!({
            "notification_type": kind.to_string(),
            "notification": notification,
        })
        .to_string();
        let known = self
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&keys.public_key())
            .copied();
        let encryptions = match known {
            Some(one) => vec![one],
            None => vec![Encryption::Nip44, Encryption::Nip04],
        };
        for encryption in encryptions {
            let Some(content) = encryption.encrypt(keys, app, &body) else {
                continue;
            };
            let kind = match encryption {
                Encryption::Nip44 => Kind::Custom(NOTIFICATION_NIP44),
                Encryption::Nip04 => Kind::WalletConnectNotification,
            };
            let event = EventBuilder::new(kind, content)
                .tag(Tag::public_key(*app))
                .sign_with_keys(keys);
            match event {
                Ok(event) => {
                    if let Err(e) = self.client.send_event(&event).await {
                        log::warn!("nwc: could not send a notification: {e}");
                    }
                }
                Err(e) => log::warn!("nwc: could not sign a notification: {e}"),
            }
        }
    }

    /// `payment_received` for `keysend` to every connection that asked.
    async fn received(&self, wallet: &Wallet, keysend: &ReceivedKeysend) {
        let notification = received(keysend);
        // Read now: a connection added, revoked or changed since the start.
        let connections = Connections::load(&wallet.paths).unwrap_or_default();
        let now = (wallet.clock)();
        for connection in connections.connections {
            if !connection.notifications || connection.expired(now) {
                continue;
            }
            let (Ok(key), Ok(app)) = (
                connection.wallet_key(),
                PublicKey::from_hex(&connection.client_pubkey),
            ) else {
                continue;
            };
            let Some(keys) = self.keys.get(&key) else {
                continue;
            };
            self.send(keys, &app, NotificationType::PaymentReceived, &notification)
                .await;
        }
    }

    /// Follow the node's received keysends from `after_settle_index` (0:
    /// from now) until aborted; a lost stream is opened again after the last
    /// keysend seen, with back-off, so none is missed or sent twice.
    pub(super) async fn watch_received(self, wallet: Arc<Wallet>, after_settle_index: u64) {
        let mut cursor = after_settle_index;
        let mut backoff = Backoff::new();
        loop {
            let mut stream = wallet.node.subscribe_received(cursor);
            while let Some(next) = stream.next().await {
                match next {
                    Ok(keysend) => {
                        backoff.reset();
                        cursor = cursor.max(keysend.settle_index);
                        self.received(&wallet, &keysend).await;
                    }
                    Err(e) => {
                        log::info!("nwc: the node's invoice stream stopped: {e}");
                        break;
                    }
                }
            }
            let (_, wait) = backoff.failed();
            tokio::time::sleep(wait).await;
        }
    }
}

/// The notification of a received keysend: NIP-47's fields, the keysend's
/// custom records as `metadata.tlv_records` (hex values, as `pay_keysend`
/// takes them). A keysend has no invoice: `invoice` is empty.
pub(super) fn received(keysend: &ReceivedKeysend) -> PaymentNotification {
    let preimage = keysend
        .records
        .get(&KEYSEND_PREIMAGE)
        .map(hex::encode)
        .unwrap_or_default();
    let tlv_records: Vec<serde_json::Value> = keysend
        .records
        .iter()
        .filter(|(key, _)| **key != KEYSEND_PREIMAGE)
        .map(|(key, value)| serde_json::json!({ "type": key, "value": hex::encode(value) }))
        .collect();
    let at = |seconds: i64| Timestamp::from(u64::try_from(seconds).unwrap_or(0));
    PaymentNotification {
        transaction_type: Some(TransactionType::Incoming),
        state: Some(TransactionState::Settled),
        invoice: String::new(),
        description: None,
        description_hash: None,
        preimage,
        payment_hash: keysend.hash.to_hex(),
        amount: keysend.amount.0,
        fees_paid: 0,
        created_at: at(keysend.created_at),
        expires_at: None,
        settled_at: at(keysend.settled_at),
        metadata: Some(serde_json::json!({ "tlv_records": tlv_records })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, PaymentHash, Records};

    #[test]
    fn a_received_keysend_notifies_its_fields_and_custom_records() {
        let records = Records::from([
            (KEYSEND_PREIMAGE, vec![0xAB; 32]),
            (7_629_169, b"{\"action\":\"boost\"}".to_vec()),
        ]);
        let keysend = ReceivedKeysend {
            hash: PaymentHash::from_bytes([1; 32]),
            chan_id: 1,
            htlc_index: 0,
            amount: Msat(21_000),
            add_index: 3,
            settle_index: 2,
            created_at: 100,
            settled_at: 101,
            records,
        };
        let json = serde_json::to_value(received(&keysend)).unwrap();
        assert_eq!(json["type"], "incoming");
        assert_eq!(json["state"], "settled");
        assert_eq!(json["amount"], 21_000);
        assert_eq!(json["payment_hash"], hex::encode([1; 32]));
        assert_eq!(json["preimage"], hex::encode([0xAB; 32]));
        assert_eq!(
            (json["created_at"].clone(), json["settled_at"].clone()),
            (100.into(), 101.into())
        );
        let tlvs = json["metadata"]["tlv_records"].as_array().unwrap();
        assert_eq!(tlvs.len(), 1, "the preimage record is not repeated");
        assert_eq!(tlvs[0]["type"], 7_629_169);
        assert_eq!(tlvs[0]["value"], hex::encode(b"{\"action\":\"boost\"}"));
    }
}
