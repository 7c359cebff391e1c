//! The wallet service on the relays: publish each connection's info event
//! (kind 13194), take requests (23194) addressed to a connection's wallet
//! key, decrypt them with NIP-44 v2 or NIP-04 as their `encryption` tag says,
//! authorise them (the app's key, expiry, methods), hand them to
//! [`handle`](super::handle) and answer (23195) the same way encrypted.
//! Connections that asked are sent notifications ([`notify`](super::notify)).
//! Budgets are decided in the profile's [`ledger`](super::ledger), shared
//! with every other process serving it; opening the service resolves the
//! reservations a stopped one left. Relays reconnect on their own with
//! back-off (rust-nostr's relay pool); on each new connection the service
//! subscribes again and re-publishes its info events itself.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use nostr::nips::nip47::{ErrorCode, Method, NotificationType, Request};
use nostr::nips::{nip04, nip44};
use nostr::{
    Event, EventBuilder, EventId, Filter, JsonUtil, Keys, Kind, PublicKey, RelayUrl, Tag, TagKind,
    Timestamp,
};
use nostr_sdk::prelude::RelayNotification;
use nostr_sdk::{Client, RelayOptions, RelayPoolNotification, RelayStatus};

use super::NwcError;
use super::connection::{self, Connection, Connections, SERVED_METHODS};
pub use super::handle::Clock;
use super::handle::{self, Answer, State, Wallet};
use super::ledger::{Ledger, Recovered};
use super::notify::{NOTIFICATION_TYPES, Notifier};
use crate::node::SharedNode;
use crate::store::{Paths, SecretStore, Settings};
use crate::wallet::NodeFiles;

/// Largest request content taken (encrypted, bytes); larger is ignored.
pub const MAX_CONTENT: usize = 64 * 1024;

/// Requests older than this (by their `created_at`) are stale: ignored.
const STALE: u64 = 10 * 60;

/// How often (seconds) a connection's last use is written to its file.
const LAST_USE_EVERY: u64 = 60;

/// How soon a dropped relay is tried again (then backing off).
const RETRY: Duration = Duration::from_secs(2);

/// The service, ready to serve its connections.
pub struct Service {
    wallet: Arc<Wallet>,
    keys: HashMap<PublicKey, Keys>,
    relays: Vec<RelayUrl>,
    /// A fixed wait before a dropped relay is tried again; `None`: [`RETRY`]
    /// with the pool's back-off.
    retry: Option<Duration>,
    /// Connections whose key was not in the keyring (named for the user).
    pub skipped: Vec<NwcError>,
}

/// A running service; stops when dropped or [`ServiceHandle::stop`]ped.
pub struct ServiceHandle {
    client: Client,
    task: tokio::task::JoinHandle<()>,
    /// Follows received keysends for `payment_received` (when asked for).
    watcher: Option<tokio::task::JoinHandle<()>>,
    /// One per relay: subscribes again and re-publishes the info events
    /// each time that relay connects anew.
    reconnects: Vec<tokio::task::JoinHandle<()>>,
    wallet: Arc<Wallet>,
}

impl Service {
    /// Load the profile's connections and their keys for `node`.
    pub async fn open(
        node: SharedNode,
        paths: &Paths,
        secrets: &dyn SecretStore,
        clock: Clock,
    ) -> Result<Self, NwcError> {
        let info = node
            .info()
            .await
            .map_err(|e| NwcError::Other(e.to_string()))?;
        let files = NodeFiles::open(paths, &info.id, &info.alias)
            .map_err(|e| NwcError::Other(e.to_string()))?;
        let fee_limit = Settings::load(paths)?.value.default_fee_limit;
        let connections = Connections::load(paths)?;
        let ledger = Ledger::open(paths)?;
        ledger.import(&connections.connections)?;
        let recovered = ledger.recover(&files.journal, clock())?;
        if recovered != Recovered::default() {
            log::info!(
                "nwc: reservations left by a stop: {} spent, {} released, {} still in flight",
                recovered.spent,
                recovered.released,
                recovered.held
            );
        }
        let mut keys = HashMap::new();
        let mut relays = Vec::new();
        let mut skipped = Vec::new();
        for connection in &connections.connections {
            match connection::wallet_keys(secrets, connection) {
                Ok(k) => {
                    let _ = keys.insert(k.public_key(), k);
                }
                Err(e) => skipped.push(e),
            }
            for relay in &connection.relays {
                if let Ok(url) = RelayUrl::parse(relay)
                    && !relays.contains(&url)
                {
                    relays.push(url);
                }
            }
        }
        let wallet = Wallet {
            node,
            info,
            journal: files.journal,
            index: files.index,
            paths: paths.clone(),
            fee_limit,
            clock,
            ledger,
            state: Mutex::new(State { connections }),
        };
        Ok(Self {
            wallet: Arc::new(wallet),
            keys,
            relays,
            retry: None,
            skipped,
        })
    }

    /// Try a dropped relay again after `wait` every time, without back-off
    /// (tests drop and restart their relay at once).
    #[must_use]
    pub fn retry_every(mut self, wait: Duration) -> Self {
        self.retry = Some(wait);
        self
    }

    /// How many connections will be served.
    pub fn served(&self) -> usize {
        self.keys.len()
    }

    /// The relays it will listen on (the connections' and `extra`).
    pub fn relays(&self) -> &[RelayUrl] {
        &self.relays
    }

    /// Connect to the relays (the connections' plus `extra`), publish the
    /// info events and serve requests until stopped.
    pub async fn serve(mut self, extra: Vec<RelayUrl>) -> Result<ServiceHandle, NwcError> {
        for url in extra {
            if !self.relays.contains(&url) {
                self.relays.push(url);
            }
        }
        if self.relays.is_empty() {
            return Err(NwcError::BadInput(
                "no relay to listen on: add a connection or give --relay".into(),
            ));
        }
        let client = Client::default();
        let options = match self.retry {
            Some(wait) => RelayOptions::default()
                .retry_interval(wait)
                .adjust_retry_interval(false),
            None => RelayOptions::default().retry_interval(RETRY),
        };
        for url in &self.relays {
            let _ = client
                .pool()
                .add_relay(url.clone(), options.clone())
                .await
                .map_err(|e| NwcError::Relay(e.to_string()))?;
        }
        client.connect().await;
        client.wait_for_connection(Duration::from_secs(5)).await;
        let mut notifications = client.notifications();
        let infos = self.info_events();
        for event in &infos {
            if let Err(e) = client.send_event(event).await {
                log::warn!("nwc: could not publish the info event: {e}");
            }
        }
        let wallet_keys: Vec<PublicKey> = self.keys.keys().copied().collect();
        let mut requests = None;
        if !wallet_keys.is_empty() {
            let since = Timestamp::from(nostr::Timestamp::now().as_secs().saturating_sub(60));
            let filter = Filter::new()
                .kind(Kind::WalletConnectRequest)
                .pubkeys(wallet_keys)
                .since(since);
            let id = client
                .subscribe(filter.clone(), None)
                .await
                .map_err(|e| NwcError::Relay(e.to_string()))?
                .val;
            requests = Some((id, filter));
            // Requests are ephemeral: one published before a relay registered
            // our subscription is lost. A relay answers in order, so the end
            // of this query means the subscription above is in place.
            let info = Filter::new()
                .kind(Kind::WalletConnectInfo)
                .authors(self.keys.keys().copied())
                .limit(1);
            let _ = client.fetch_events(info, Duration::from_secs(5)).await;
        }
        let reconnects = watch_reconnects(&client, requests, infos).await;
        let keys = Arc::new(self.keys);
        let wallet = self.wallet.clone();
        let seen = Arc::new(Mutex::new(HashSet::new()));
        let notifier = Notifier::new(client.clone(), keys.clone());
        let watcher = watch_received(&self.wallet, &keys, &notifier).await;
        let sender = client.clone();
        let task = tokio::spawn(async move {
            loop {
                let notification = match notifications.recv().await {
                    Ok(n) => n,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        log::warn!("nwc: {n} relay messages were dropped (too many at once)");
                        continue;
                    }
                    Err(_) => break,
                };
                let RelayPoolNotification::Event { event, .. } = notification else {
                    continue;
                };
                if event.kind != Kind::WalletConnectRequest || !first_time(&seen, event.id) {
                    continue;
                }
                let job = Job {
                    wallet: wallet.clone(),
                    keys: keys.clone(),
                    client: sender.clone(),
                    notifier: notifier.clone(),
                };
                drop(tokio::spawn(job.serve(*event)));
            }
        });
        Ok(ServiceHandle {
            client,
            task,
            watcher,
            reconnects,
            wallet: self.wallet,
        })
    }

    /// Each served connection's info event, signed.
    fn info_events(&self) -> Vec<Event> {
        let connections = self.wallet.state().connections.clone();
        let mut events = Vec::new();
        for keys in self.keys.values() {
            let Some(connection) = connections.by_wallet(&keys.public_key()) else {
                continue;
            };
            match info_event(connection, keys) {
                Ok(event) => events.push(event),
                Err(e) => log::warn!("nwc: could not sign the info event: {e}"),
            }
        }
        events
    }
}

/// Follow each relay's connection state: whenever it connects again, send
/// the request subscription again (same id, so the relay replaces it) and
/// the info events. The relay pool re-subscribes on its own only when the
/// new connection's second is later than the subscription's, so a relay
/// that drops and returns within one second would otherwise stay silent.
async fn watch_reconnects(
    client: &Client,
    requests: Option<(nostr::SubscriptionId, Filter)>,
    infos: Vec<Event>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for relay in client.pool().relays().await.into_values() {
        let mut states = relay.notifications();
        let requests = requests.clone();
        let infos = infos.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let status = match states.recv().await {
                    Ok(RelayNotification::RelayStatus { status }) => status,
                    Ok(RelayNotification::Shutdown) => break,
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                };
                if status != RelayStatus::Connected {
                    continue;
                }
                log::info!("nwc: {} connected again; subscribing anew", relay.url());
                if let Some((id, filter)) = &requests {
                    let again = relay.subscribe_with_id(
                        id.clone(),
                        filter.clone(),
                        nostr_sdk::SubscribeOptions::default(),
                    );
                    if let Err(e) = again.await {
                        log::warn!("nwc: could not subscribe again on {}: {e}", relay.url());
                    }
                }
                for event in &infos {
                    if let Err(e) = relay.send_event(event).await {
                        log::warn!("nwc: could not publish the info event again: {e}");
                    }
                }
            }
        }));
    }
    tasks
}

impl Drop for ServiceHandle {
    fn drop(&mut self) {
        // The watchers hold their relay: end them with the service.
        for task in &self.reconnects {
            task.abort();
        }
    }
}

impl ServiceHandle {
    /// Stop serving and disconnect.
    pub async fn stop(self) {
        self.task.abort();
        if let Some(watcher) = &self.watcher {
            watcher.abort();
        }
        self.client.shutdown().await;
    }

    /// The relay pool's client (the GUI reads its relays' states).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Spent in the window and held now by a connection, msat (tests).
    pub fn usage(&self, connection: &Connection) -> Result<(u64, u64), NwcError> {
        self.wallet.ledger.usage(connection, (self.wallet.clock)())
    }
}

/// Start following the node's received keysends when a served
/// connection asked for notifications. The index is brought up to date
/// first, so the follow starts after the last keysend received before
/// now: one received from here on is notified, none before it.
async fn watch_received(
    wallet: &Arc<Wallet>,
    keys: &HashMap<PublicKey, Keys>,
    notifier: &Notifier,
) -> Option<tokio::task::JoinHandle<()>> {
    let asked = {
        let state = wallet.state();
        keys.keys().any(|key| {
            state
                .connections
                .by_wallet(key)
                .is_some_and(|c| c.notifications)
        })
    };
    if !asked {
        return None;
    }
    wallet.refresh_index().await;
    let cursor = match wallet.index.call(|i| i.cursors()).await {
        Ok(cursors) => cursors.settle_index,
        Err(e) => {
            log::warn!("nwc: payment_received notifications start from now: {e}");
            0
        }
    };
    let notifier = notifier.clone();
    Some(tokio::spawn(
        notifier.watch_received(wallet.clone(), cursor),
    ))
}

/// The NIP-47 info event of a connection: its methods and our encryptions.
fn info_event(connection: &Connection, keys: &Keys) -> Result<Event, nostr::event::builder::Error> {
    let mut methods: Vec<&str> = SERVED_METHODS
        .iter()
        .map(|m| m.as_str())
        .filter(|m| connection.methods.iter().any(|c| c == m))
        .collect();
    let mut tags = vec![Tag::custom(
        TagKind::custom("encryption"),
        ["nip44_v2 nip04"],
    )];
    if connection.notifications {
        methods.push("notifications");
        tags.push(Tag::custom(
            TagKind::custom("notifications"),
            [NOTIFICATION_TYPES.join(" ")],
        ));
    }
    EventBuilder::new(Kind::WalletConnectInfo, methods.join(" "))
        .tags(tags)
        .sign_with_keys(keys)
}

/// True the first time an event id is seen by this service.
fn first_time(seen: &Mutex<HashSet<EventId>>, id: EventId) -> bool {
    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    if seen.len() > 100_000 {
        seen.clear(); // the journal still refuses a replayed payment
    }
    seen.insert(id)
}

/// How a request was encrypted; its answer is encrypted the same way.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Encryption {
    Nip44,
    Nip04,
}

impl Encryption {
    /// What the request's `encryption` tag asks for (none: NIP-04, NIP-47).
    pub fn of(event: &Event) -> Self {
        let asks_nip44 = event.tags.iter().any(|tag| {
            let parts = tag.as_slice();
            parts.first().is_some_and(|k| k == "encryption")
                && parts
                    .get(1)
                    .is_some_and(|v| v.split_whitespace().any(|w| w == "nip44_v2"))
        });
        match asks_nip44 {
            true => Self::Nip44,
            false => Self::Nip04,
        }
    }

    fn decrypt(self, keys: &Keys, from: &PublicKey, content: &str) -> Option<String> {
        match self {
            Self::Nip44 => nip44::decrypt(keys.secret_key(), from, content).ok(),
            Self::Nip04 => nip04::decrypt(keys.secret_key(), from, content).ok(),
        }
    }

    pub(super) fn encrypt(self, keys: &Keys, to: &PublicKey, content: &str) -> Option<String> {
        match self {
            Self::Nip44 => nip44::encrypt(keys.secret_key(), to, content, nip44::Version::V2).ok(),
            Self::Nip04 => nip04::encrypt(keys.secret_key(), to, content).ok(),
        }
    }
}

/// One request being served.
struct Job {
    wallet: Arc<Wallet>,
    keys: Arc<HashMap<PublicKey, Keys>>,
    client: Client,
    notifier: Notifier,
}

impl Job {
    async fn serve(self, event: Event) {
        let Some(keys) = self.checked(&event) else {
            return;
        };
        let encryption = Encryption::of(&event);
        let Some(plain) = encryption.decrypt(keys, &event.pubkey, &event.content) else {
            log::info!("nwc: ignored request {}: it does not decrypt", event.id);
            return;
        };
        let request = match Request::from_json(&plain) {
            Ok(request) => request,
            Err(e) => {
                log::info!("nwc: ignored request {}: {e}", event.id);
                return;
            }
        };
        let authorised = self.authorise(keys, &event, request.method);
        let served = authorised.is_ok();
        let (answers, notify) = match authorised {
            Ok(connection) => {
                self.notifier.seen(keys.public_key(), encryption);
                let id = event.id.to_hex();
                match self.wallet.run(&connection, request, &id).await {
                    Ok(answers) => (answers, connection.notifications),
                    Err(handle::Replayed) => return,
                }
            }
            Err(refusal) => {
                let answer = Answer {
                    d: None,
                    response: *refusal,
                    sent: None,
                };
                (vec![answer], false)
            }
        };
        for mut answer in answers {
            let sent = answer.sent.take();
            self.answer(keys, &event, encryption, answer).await;
            if let Some(sent) = sent.filter(|_| notify) {
                self.notifier
                    .send(keys, &event.pubkey, NotificationType::PaymentSent, &sent)
                    .await;
            }
        }
        if served {
            self.record_use(&keys.public_key());
        }
    }

    /// The wallet keys a valid, fresh, unexpired request is addressed to.
    fn checked(&self, event: &Event) -> Option<&Keys> {
        if event.content.len() > MAX_CONTENT {
            log::info!("nwc: ignored request {}: content too large", event.id);
            return None;
        }
        let now = super::unix_now();
        if event.created_at.as_secs().saturating_add(STALE) < now || event.is_expired() {
            log::info!("nwc: ignored request {}: expired or stale", event.id);
            return None;
        }
        if event.verify().is_err() {
            return None;
        }
        let wallet = event.tags.public_keys().next()?;
        self.keys.get(wallet)
    }

    /// The connection this request may use, or the NIP-47 refusal.
    fn authorise(
        &self,
        keys: &Keys,
        event: &Event,
        method: Method,
    ) -> Result<Connection, Box<nostr::nips::nip47::Response>> {
        let now = (self.wallet.clock)();
        let mut state = self.wallet.state();
        if let Ok(fresh) = Connections::load(&self.wallet.paths) {
            state.connections = fresh;
        }
        let wallet_key = keys.public_key();
        let refuse = |code, message: &str| Box::new(handle::error(method, code, message));
        let Some(connection) = state.connections.by_wallet_mut(&wallet_key) else {
            return Err(refuse(
                ErrorCode::Unauthorized,
                "this connection was revoked",
            ));
        };
        if connection.client_pubkey != event.pubkey.to_hex() {
            return Err(refuse(
                ErrorCode::Unauthorized,
                "this key has no wallet connected",
            ));
        }
        if connection.expired(now) {
            return Err(refuse(
                ErrorCode::Unauthorized,
                "this connection has expired",
            ));
        }
        if !SERVED_METHODS.contains(&method) {
            return Err(refuse(
                ErrorCode::NotImplemented,
                &format!("Satchel does not serve {} yet", method.as_str()),
            ));
        }
        if !connection.allows(method) {
            return Err(refuse(
                ErrorCode::Restricted,
                &format!("this connection may not call {}", method.as_str()),
            ));
        }
        // Last use is written at most once a minute, and after the answer
        // (`record_use`): a durable write here would sit between the request
        // and the payment.
        connection.last_used = Some(now);
        Ok(connection.clone())
    }

    /// Write the connection's last use to its file when the one there is
    /// older than [`LAST_USE_EVERY`].
    fn record_use(&self, wallet_key: &PublicKey) {
        let now = (self.wallet.clock)();
        let mut state = self.wallet.state();
        let Ok(mut fresh) = Connections::load(&self.wallet.paths) else {
            return;
        };
        let Some(connection) = fresh.by_wallet_mut(wallet_key) else {
            return;
        };
        if connection
            .last_used
            .is_some_and(|at| now.saturating_sub(at) < LAST_USE_EVERY)
        {
            return;
        }
        connection.last_used = Some(now);
        if let Err(e) = fresh.save(&self.wallet.paths) {
            log::warn!("nwc: could not record the connection's last use: {e}");
        }
        state.connections = fresh;
    }

    async fn answer(&self, keys: &Keys, request: &Event, encryption: Encryption, answer: Answer) {
        let Some(content) = encryption.encrypt(keys, &request.pubkey, &answer.response.as_json())
        else {
            return;
        };
        let mut tags = vec![Tag::public_key(request.pubkey), Tag::event(request.id)];
        if encryption == Encryption::Nip44 {
            tags.push(Tag::custom(TagKind::custom("encryption"), ["nip44_v2"]));
        }
        if let Some(d) = answer.d {
            tags.push(Tag::identifier(d));
        }
        let event = EventBuilder::new(Kind::WalletConnectResponse, content)
            .tags(tags)
            .sign_with_keys(keys);
        match event {
            Ok(event) => {
                if let Err(e) = self.client.send_event(&event).await {
                    log::warn!("nwc: could not send the answer to {}: {e}", request.id);
                }
            }
            Err(e) => log::warn!("nwc: could not sign an answer: {e}"),
        }
    }
}
