//! One NIP-47 request, decrypted and authorised, against the node: the
//! methods Satchel serves and the spec's error codes. Payments go through
//! the wallet's journaled send flow ([`wallet::send`]) under the intent id
//! `nwc:<request event id>[:<n>]`, so a request seen twice (two relays, a
//! replay, a restart) is paid at most once: the journal refuses the second.

use std::sync::{Arc, Mutex, PoisonError};

use futures::StreamExt;
use nostr::Timestamp;
use nostr::nips::nip47::{
    ErrorCode, GetBalanceResponse, GetInfoResponse, KeysendTLVRecord, ListTransactionsRequest,
    LookupInvoiceRequest, LookupInvoiceResponse, Method, NIP47Error, PayInvoiceRequest,
    PayInvoiceResponse, PayKeysendRequest, PayKeysendResponse, PaymentNotification, Request,
    RequestParams, Response, ResponseResult, TransactionState, TransactionType,
};

use super::budget::Spend;
use super::connection::{Connection, Connections};
use super::ledger::{Ledger, Refused};
use crate::keysend::{Msat, NodeId, PaymentHash, Preimage, Records, Tip};
use crate::node::{NodeInfo, PaymentStatus, SharedNode};
use crate::store::{FeeLimit, Paths};
use crate::wallet::{
    self, Draft, FeeRule, InboxQuery, Index, Journal, JournalError, JournalState, SendError,
    SendEvent, SentStatus,
};

/// Most transactions one `list_transactions` answer carries.
const LIST_LIMIT: u64 = 200;

/// Injectable clock: unix seconds (budgets and expiry; tests move it).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// What serving needs: the node, its files, the profile, the shared state.
pub struct Wallet {
    pub node: SharedNode,
    pub info: NodeInfo,
    pub journal: Journal,
    pub index: Index,
    pub paths: Paths,
    pub fee_limit: FeeLimit,
    pub clock: Clock,
    /// What each connection spent and holds in flight, shared with every
    /// other process serving this profile.
    pub ledger: Ledger,
    /// The connections as last read (refreshed per request).
    pub state: Mutex<State>,
}

/// The connections, behind [`Wallet::state`].
#[derive(Default)]
pub struct State {
    pub connections: Connections,
}

/// One answer: the response, and the `d` tag for `multi_*` answers.
pub struct Answer {
    pub d: Option<String>,
    pub response: Response,
    /// A payment this answer reports as sent (for `payment_sent`).
    pub sent: Option<PaymentNotification>,
}

/// The request was already handled (journal refused a second submit):
/// nothing is answered again.
pub struct Replayed;

/// A NIP-47 error.
pub fn error(method: Method, code: ErrorCode, message: impl Into<String>) -> Response {
    Response {
        result_type: method,
        error: Some(NIP47Error {
            code,
            message: message.into(),
        }),
        result: None,
    }
}

fn ok(method: Method, result: ResponseResult) -> Response {
    Response {
        result_type: method,
        error: None,
        result: Some(result),
    }
}

impl Wallet {
    /// Lock the state (a panic elsewhere never blocks serving).
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Serve `request` for `connection` (already authorised for its method).
    pub async fn run(
        &self,
        connection: &Connection,
        request: Request,
        event_id: &str,
    ) -> Result<Vec<Answer>, Replayed> {
        let method = request.method;
        let single = |(response, sent)| {
            Ok(vec![Answer {
                d: None,
                response,
                sent,
            }])
        };
        let plain = |response| (response, None);
        match request.params {
            RequestParams::GetInfo => single(plain(self.get_info(connection).await)),
            RequestParams::GetBalance => single(plain(self.get_balance().await)),
            RequestParams::PayKeysend(pay) => {
                let intent = format!("nwc:{event_id}");
                let response = self.pay(connection, &pay, intent, method).await?;
                single(response)
            }
            RequestParams::MultiPayKeysend(multi) => {
                let payments = multi.keysends.iter().enumerate().map(|(n, pay)| {
                    let intent = format!("nwc:{event_id}:{n}");
                    async move {
                        let d = pay.id.clone().unwrap_or_else(|| pay.pubkey.clone());
                        let response = self.pay(connection, pay, intent, method).await;
                        response.map(|(response, sent)| Answer {
                            d: Some(d),
                            response,
                            sent,
                        })
                    }
                });
                let answers: Vec<_> = futures::future::join_all(payments).await;
                let answers: Vec<Answer> = answers.into_iter().filter_map(Result::ok).collect();
                match answers.is_empty() {
                    true => Err(Replayed),
                    false => Ok(answers),
                }
            }
            RequestParams::PayInvoice(pay) => {
                let intent = format!("nwc:{event_id}");
                single(self.pay_invoice(connection, &pay, intent).await?)
            }
            RequestParams::ListTransactions(list) => single(plain(self.list(&list).await)),
            RequestParams::LookupInvoice(lookup) => single(plain(self.lookup(&lookup).await)),
            _ => single(plain(error(
                method,
                ErrorCode::NotImplemented,
                format!("Satchel does not serve {} yet", method.as_str()),
            ))),
        }
    }

    async fn get_info(&self, connection: &Connection) -> Response {
        let methods = connection
            .methods
            .iter()
            .filter_map(|m| {
                super::connection::SERVED_METHODS
                    .iter()
                    .find(|s| s.as_str() == m)
            })
            .copied()
            .collect();
        let notifications = match connection.notifications {
            true => super::notify::NOTIFICATION_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            false => Vec::new(),
        };
        let info = &self.info;
        ok(
            Method::GetInfo,
            ResponseResult::GetInfo(GetInfoResponse {
                alias: Some(info.alias.clone()),
                color: Some(info.color.clone()),
                pubkey: Some(info.id.to_string()),
                network: Some(info.network.name().to_owned()),
                block_height: Some(info.block_height),
                block_hash: None,
                methods,
                notifications,
            }),
        )
    }

    async fn get_balance(&self) -> Response {
        match self.node.balance().await {
            Ok(balance) => ok(
                Method::GetBalance,
                ResponseResult::GetBalance(GetBalanceResponse {
                    balance: balance.local.0,
                }),
            ),
            Err(e) => error(Method::GetBalance, ErrorCode::Internal, e.to_string()),
        }
    }

    /// One keysend: check, reserve, send through the journal, settle the budget.
    async fn pay(
        &self,
        connection: &Connection,
        pay: &PayKeysendRequest,
        intent: String,
        method: Method,
    ) -> Result<(Response, Option<PaymentNotification>), Replayed> {
        let refuse = |code, message| Ok((error(method, code, message), None));
        let draft = match self.draft(pay) {
            Ok(draft) => draft,
            Err(message) => return refuse(ErrorCode::Other, message),
        };
        let preimage = match parse_preimage(pay.preimage.as_deref()) {
            Ok(preimage) => preimage,
            Err(message) => return refuse(ErrorCode::Other, message),
        };
        let charge = Charge {
            amount: draft.amount,
            invoice: None,
        };
        let prepared = self.prepare(&draft, &intent, preimage);
        self.charge(connection, &intent, method, charge, prepared)
            .await
    }

    /// `pay_invoice`: a BOLT11 invoice, checked like `satchel send` checks
    /// one (network, expiry, amount), paid once per payment hash through
    /// the journal and the connection's budget like a keysend.
    async fn pay_invoice(
        &self,
        connection: &Connection,
        pay: &PayInvoiceRequest,
        intent: String,
    ) -> Result<(Response, Option<PaymentNotification>), Replayed> {
        let method = Method::PayInvoice;
        let refuse = |code, message: String| Ok((error(method, code, message), None));
        // Read as the Send screen reads a pasted invoice (`lightning:`,
        // any case); the text kept is the one `satchel send` keeps.
        let (invoice, text) = match crate::payto::Target::parse(&pay.invoice) {
            Some(Ok(crate::payto::Target::Invoice(invoice, text))) => (invoice, text),
            Some(Err(e)) => return refuse(ErrorCode::Other, format!("invoice: {e}")),
            _ => return refuse(ErrorCode::Other, "invoice: not a BOLT11 invoice".into()),
        };
        if let Err(e) = crate::payto::resolve::check_network(&invoice, self.info.network.name()) {
            return refuse(ErrorCode::Other, e.to_string());
        }
        let typed = pay.amount.map(Msat);
        let amount = match crate::payto::check_payable(&invoice, typed, (self.clock)()) {
            Ok(amount) => amount,
            Err(e) => return refuse(ErrorCode::Other, e.to_string()),
        };
        match self.journal.by_hash(&invoice.payment_hash) {
            Ok(None) => {}
            Ok(Some(entry)) if entry.intent_id == intent => return Err(Replayed),
            Ok(Some(entry)) => {
                let message = format!(
                    "this invoice is already in Satchel's send journal ({}); it is paid once",
                    entry.state.as_str()
                );
                return refuse(ErrorCode::Other, message);
            }
            Err(e) => return refuse(ErrorCode::Internal, e.to_string()),
        }
        let (fee_limit, _) = FeeRule::fee_limit(None, self.fee_limit, amount);
        let keysend = crate::node::OutgoingKeysend::pay_invoice(
            &invoice,
            &text,
            amount,
            fee_limit,
            wallet::SEND_TIMEOUT,
        );
        let charge = Charge {
            amount,
            invoice: Some((text, invoice.description.clone())),
        };
        let prepared = async {
            let balance = self.node.balance().await.map_err(|e| {
                Failure::Refused(ErrorCode::Internal, format!("the node's balance: {e}"))
            })?;
            wallet::check_spendable(amount, fee_limit, Some(&balance), None).map_err(refused)?;
            Ok(keysend)
        };
        let answered = self
            .charge(connection, &intent, method, charge, prepared)
            .await;
        match answered {
            // Another request (another intent) paid or is paying this hash:
            // say so rather than stay silent.
            Err(Replayed) => match self.journal.by_hash(&invoice.payment_hash) {
                Ok(Some(entry)) if entry.intent_id != intent => refuse(
                    ErrorCode::Other,
                    "this invoice is being paid by another request; it is paid once".into(),
                ),
                _ => Err(Replayed),
            },
            answered => answered,
        }
    }

    /// Reserve `charge` against the connection's budget, send what
    /// `prepared` gives through the journal, settle or release the budget.
    async fn charge(
        &self,
        connection: &Connection,
        intent: &str,
        method: Method,
        charge: Charge,
        prepared: impl std::future::Future<Output = Result<crate::node::OutgoingKeysend, Failure>>,
    ) -> Result<(Response, Option<PaymentNotification>), Replayed> {
        let refuse = |code, message| Ok((error(method, code, message), None));
        // Budgets count what apps send; the routing fee is capped per payment
        // by the fee-limit setting, as for every send. The reservation's
        // durable write runs while the node is asked for the balance and the
        // route: it is off the path to SendPaymentV2 unless slower than them.
        let (reserved, prepared) =
            futures::join!(self.reserve(connection, intent, charge.amount.0), prepared);
        match reserved {
            Ok(()) => {}
            Err(Refused::Taken) => return Err(Replayed),
            Err(Refused::Over(over)) => {
                let message = format!(
                    "this payment ({} msat) is over the connection's budget of {} \
                     msat per {} ({} spent, {} in flight)",
                    over.asked, over.budget, connection.period, over.spent, over.reserved
                );
                return refuse(ErrorCode::QuotaExceeded, message);
            }
            Err(Refused::Failed(message)) => return refuse(ErrorCode::Internal, message),
        }
        let outcome = match prepared {
            Ok(keysend) => {
                // The reservation reaches the disk while the payment goes.
                let (outcome, ()) =
                    futures::join!(self.dispatch(intent.to_owned(), keysend), self.flush());
                outcome
            }
            Err(failure) => Err(failure),
        };
        match outcome {
            Ok((preimage, fee)) => {
                let spent = charge.amount.0;
                self.settle(&connection.wallet_pubkey, intent, spent, preimage.hash())
                    .await;
                let now = Timestamp::from((self.clock)());
                let sent = PaymentNotification {
                    transaction_type: Some(TransactionType::Outgoing),
                    state: Some(TransactionState::Settled),
                    // A keysend has no invoice.
                    invoice: charge
                        .invoice
                        .clone()
                        .map(|(text, _)| text)
                        .unwrap_or_default(),
                    description: charge.invoice.clone().and_then(|(_, about)| about),
                    description_hash: None,
                    preimage: preimage.to_hex(),
                    payment_hash: preimage.hash().to_hex(),
                    amount: charge.amount.0,
                    fees_paid: fee.0,
                    created_at: now,
                    expires_at: None,
                    settled_at: now,
                    metadata: None,
                };
                let result = match charge.invoice {
                    Some(_) => ResponseResult::PayInvoice(PayInvoiceResponse {
                        preimage: preimage.to_hex(),
                        fees_paid: Some(fee.0),
                    }),
                    None => ResponseResult::PayKeysend(PayKeysendResponse {
                        preimage: preimage.to_hex(),
                        fees_paid: Some(fee.0),
                    }),
                };
                Ok((ok(method, result), Some(sent)))
            }
            Err(failure) => {
                self.release(intent).await;
                match failure {
                    Failure::Replayed => Err(Replayed),
                    Failure::Refused(code, message) => refuse(code, message),
                }
            }
        }
    }

    /// The tip an app asked for, checked like the Send screen checks one:
    /// custom records only (>= 65536, LND), within the onion budget.
    fn draft(&self, pay: &PayKeysendRequest) -> Result<Draft, String> {
        let destination: NodeId = pay
            .pubkey
            .parse()
            .map_err(|e| format!("pubkey is not a node id: {e}"))?;
        if pay.amount == 0 {
            return Err("the amount must be more than zero".into());
        }
        let amount = Msat(pay.amount);
        let (fee_limit, fee_rule) = FeeRule::fee_limit(None, self.fee_limit, amount);
        let draft = Draft {
            destination,
            amount,
            tip: Tip {
                extra: records(&pay.tlv_records)?,
                ..Tip::default()
            },
            sign: false,
            fee_limit,
            fee_rule,
        };
        draft.check(None).map_err(|e| e.to_string())?;
        Ok(draft)
    }

    /// Reserve `amount` msat against the connection's budget in the
    /// shared ledger (a durable write, on the blocking pool).
    async fn reserve(
        &self,
        connection: &Connection,
        intent: &str,
        amount: u64,
    ) -> Result<(), Refused> {
        let now = (self.clock)();
        let current = self
            .state()
            .connections
            .named(&connection.name)
            .cloned()
            .unwrap_or_else(|| connection.clone());
        let (ledger, intent) = (self.ledger.clone(), intent.to_owned());
        tokio::task::spawn_blocking(move || ledger.reserve(&current, &intent, amount, now))
            .await
            .unwrap_or_else(|e| Err(Refused::Failed(e.to_string())))
    }

    /// Make the ledger's last writes durable (off the path to the node).
    async fn flush(&self) {
        let ledger = self.ledger.clone();
        let flushed = tokio::task::spawn_blocking(move || ledger.flush()).await;
        if let Ok(Err(e)) = flushed {
            log::warn!("nwc: could not sync the ledger: {e}");
        }
    }

    /// A payment that did not go: give its reservation back.
    async fn release(&self, intent: &str) {
        let (ledger, intent) = (self.ledger.clone(), intent.to_owned());
        let released = tokio::task::spawn_blocking(move || ledger.release(&intent)).await;
        if let Ok(Err(e)) = released {
            // Kept held: the next start resolves it by the journal.
            log::warn!("nwc: could not release a reservation: {e}");
        }
    }

    /// A payment succeeded: its reservation becomes a spend in the ledger,
    /// and the connection's file records it (for Sent and the list).
    async fn settle(&self, key: &str, intent: &str, spent: u64, hash: PaymentHash) {
        let now = (self.clock)();
        let (ledger, owned) = (self.ledger.clone(), intent.to_owned());
        let hex = hash.to_hex();
        let settled =
            tokio::task::spawn_blocking(move || ledger.settle(&owned, spent, &hex, now)).await;
        if let Ok(Err(e)) = settled {
            // Kept held (still counted): the next start settles it by the journal.
            log::warn!("nwc: could not record a payment in the ledger: {e}");
        }
        let mut state = self.state();
        if let Ok(fresh) = Connections::load(&self.paths) {
            state.connections = fresh;
        }
        let Some(connection) = state
            .connections
            .connections
            .iter_mut()
            .find(|c| c.wallet_pubkey == key)
        else {
            return;
        };
        connection.spends.push(Spend {
            at: now,
            msat: spent,
            hash: Some(hash.to_hex()),
        });
        // The file is written anyway: the payment is this connection's use.
        connection.last_used = Some(connection.last_used.map_or(now, |at| at.max(now)));
        if let Err(e) = state.connections.save(&self.paths) {
            log::warn!("nwc: could not record a payment in the connections file: {e}");
        }
    }

    /// The keysend for `draft`, checked against the node's balance and route.
    async fn prepare(
        &self,
        draft: &Draft,
        intent: &str,
        preimage: Option<Preimage>,
    ) -> Result<crate::node::OutgoingKeysend, Failure> {
        // The balance and the route are asked at once: one round trip less
        // between the request and SendPaymentV2.
        let (balance, probe) = futures::join!(
            self.node.balance(),
            wallet::draft::probe(&self.node, draft.probe_key())
        );
        let mut request = draft.request(&wallet::IntentId::new());
        request.intent_id = intent.to_owned();
        let mut keysend =
            wallet::prepare_probed(&self.node, &self.info, request, balance.ok(), Some(&probe))
                .await
                .map_err(refused)?;
        if let Some(preimage) = preimage {
            keysend.preimage = preimage;
        }
        Ok(keysend)
    }

    /// Send through the journal; wait for the final outcome.
    async fn dispatch(
        &self,
        intent: String,
        keysend: crate::node::OutgoingKeysend,
    ) -> Result<(Preimage, Msat), Failure> {
        let mut events = Box::pin(wallet::send(
            self.node.clone(),
            self.journal.clone(),
            intent,
            keysend,
        ));
        while let Some(event) = events.next().await {
            match event {
                SendEvent::Finished(update) => return finished(update.status, update.fee),
                SendEvent::NotSent(_) => {
                    return Err(Failure::Refused(
                        ErrorCode::PaymentFailed,
                        "the node did not take the payment; nothing was paid".into(),
                    ));
                }
                SendEvent::Error(SendError::Journal(JournalError::AlreadySubmitted { .. })) => {
                    return Err(Failure::Replayed);
                }
                SendEvent::Error(e) => return Err(refused(e)),
                _ => {}
            }
        }
        Err(Failure::Refused(
            ErrorCode::Internal,
            "the send stopped without an outcome; see Sent".into(),
        ))
    }

    async fn list(&self, list: &ListTransactionsRequest) -> Response {
        let method = Method::ListTransactions;
        self.refresh_index().await;
        let want = |t| list.transaction_type.is_none_or(|w| w == t);
        let (incoming, outgoing) = (
            want(TransactionType::Incoming),
            want(TransactionType::Outgoing),
        );
        let from = list.from.map_or(0, |t| t.as_secs());
        let until = list.until.map_or(u64::MAX, |t| t.as_secs());
        let offset = list.offset.unwrap_or(0);
        let limit = list.limit.unwrap_or(LIST_LIMIT).min(LIST_LIMIT);
        let fetch = offset.saturating_add(limit);
        let rows = self
            .index
            .call(move |index| {
                let mut rows = Vec::new();
                if incoming {
                    let query = InboxQuery {
                        limit: fetch,
                        ..InboxQuery::default()
                    };
                    rows.extend(index.inbox(&query)?.iter().map(received));
                }
                if outgoing {
                    rows.extend(index.sent(0, fetch)?.iter().map(sent));
                }
                Ok(rows)
            })
            .await;
        let mut rows = match rows {
            Ok(rows) => rows,
            Err(e) => return error(method, ErrorCode::Internal, e.to_string()),
        };
        rows.retain(|r| (from..=until).contains(&r.created_at.as_secs()));
        rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        let page = rows
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        ok(method, ResponseResult::ListTransactions(page))
    }

    /// Bring the index up to date with the node (what changed since last time).
    pub(super) async fn refresh_index(&self) {
        if let Err(e) = wallet::backfill(&self.node, &self.index, |_| {}).await {
            log::warn!("nwc: answering from the index as it is: {e}");
        }
    }

    async fn lookup(&self, lookup: &LookupInvoiceRequest) -> Response {
        let method = Method::LookupInvoice;
        let hash = match (lookup.payment_hash.as_deref(), lookup.invoice.as_deref()) {
            (Some(hash), _) => hex::decode(hash)
                .ok()
                .and_then(|b| PaymentHash::from_slice(&b))
                .ok_or("payment_hash is not 32 bytes of hex".to_owned()),
            // An invoice Satchel paid is known by its payment hash.
            (None, Some(text)) => crate::payto::Invoice::decode(text.trim())
                .map(|invoice| invoice.payment_hash)
                .map_err(|e| format!("invoice: {e}")),
            (None, None) => Err("give payment_hash or invoice".to_owned()),
        };
        let hash = match hash {
            Ok(hash) => hash,
            Err(message) => return error(method, ErrorCode::Other, message),
        };
        self.refresh_index().await;
        let found = self
            .index
            .call(move |index| {
                if let Some(row) = index.sent_by_hash(&hash)? {
                    return Ok(Some(sent(&row)));
                }
                // Received keysends: the newest first, bounded.
                let query = InboxQuery {
                    limit: 10_000,
                    ..InboxQuery::default()
                };
                Ok(index
                    .inbox(&query)?
                    .iter()
                    .find(|r| r.hash == hash)
                    .map(received))
            })
            .await;
        match found {
            Ok(Some(found)) => ok(method, ResponseResult::LookupInvoice(found)),
            Ok(None) => match self.journal.by_hash(&hash) {
                Ok(Some(entry)) => ok(method, ResponseResult::LookupInvoice(journaled(&entry))),
                _ => error(
                    method,
                    ErrorCode::NotFound,
                    "no keysend with this payment hash",
                ),
            },
            Err(e) => error(method, ErrorCode::Internal, e.to_string()),
        }
    }
}

/// What a payment charges a connection: its amount, and for an invoice
/// its text and description (for `payment_sent`).
struct Charge {
    amount: Msat,
    invoice: Option<(String, Option<String>)>,
}

/// Why a payment did not go.
enum Failure {
    Replayed,
    Refused(ErrorCode, String),
}

fn refused(e: SendError) -> Failure {
    let code = match &e {
        SendError::InsufficientBalance { .. } => ErrorCode::InsufficientBalance,
        SendError::Journal(JournalError::AlreadySubmitted { .. }) => return Failure::Replayed,
        SendError::Node(_) | SendError::Journal(_) => ErrorCode::PaymentFailed,
        _ => ErrorCode::Other,
    };
    Failure::Refused(code, e.to_string())
}

fn finished(status: PaymentStatus, fee: Msat) -> Result<(Preimage, Msat), Failure> {
    match status {
        PaymentStatus::Succeeded { preimage } => Ok((preimage, fee)),
        PaymentStatus::Failed(failure) => Err(Failure::Refused(
            ErrorCode::PaymentFailed,
            format!("the payment failed: {}", failure.explain()),
        )),
        _ => Err(Failure::Refused(
            ErrorCode::PaymentFailed,
            "the payment did not finish".into(),
        )),
    }
}

/// An app's TLV records: custom types only (LND refuses below 65536) and
/// hex values. The preimage record is the wallet's own.
fn records(tlvs: &[KeysendTLVRecord]) -> Result<Records, String> {
    let mut records = Records::new();
    for tlv in tlvs {
        if tlv.tlv_type < 65_536 {
            return Err(format!(
                "tlv_records type {} is below 65536; only custom records may be sent",
                tlv.tlv_type
            ));
        }
        let value = hex::decode(&tlv.value).map_err(|_| {
            format!(
                "tlv_records type {} has a value that is not hex",
                tlv.tlv_type
            )
        })?;
        if records.insert(tlv.tlv_type, value).is_some() {
            return Err(format!("tlv_records type {} is given twice", tlv.tlv_type));
        }
    }
    Ok(records)
}

fn parse_preimage(text: Option<&str>) -> Result<Option<Preimage>, String> {
    text.map(|text| {
        hex::decode(text)
            .ok()
            .and_then(|b| Preimage::from_slice(&b))
            .ok_or_else(|| "preimage is not 32 bytes of hex".to_owned())
    })
    .transpose()
}

fn transaction(kind: TransactionType, hash: PaymentHash, amount: Msat) -> LookupInvoiceResponse {
    LookupInvoiceResponse {
        transaction_type: Some(kind),
        state: None,
        invoice: None,
        description: None,
        description_hash: None,
        preimage: None,
        payment_hash: hash.to_hex(),
        amount: amount.0,
        fees_paid: 0,
        created_at: Timestamp::from(0),
        expires_at: None,
        settled_at: None,
        metadata: None,
    }
}

fn received(row: &wallet::InboxRow) -> LookupInvoiceResponse {
    let at = Timestamp::from(u64::try_from(row.settled_at).unwrap_or(0));
    LookupInvoiceResponse {
        state: Some(TransactionState::Settled),
        description: (!row.preview.is_empty()).then(|| row.preview.clone()),
        created_at: at,
        settled_at: Some(at),
        ..transaction(TransactionType::Incoming, row.hash, row.amount)
    }
}

fn sent(row: &wallet::SentRow) -> LookupInvoiceResponse {
    let at = Timestamp::from(u64::try_from(row.created_ns / 1_000_000_000).unwrap_or(0));
    let state = match row.status {
        SentStatus::InFlight => TransactionState::Pending,
        SentStatus::Succeeded => TransactionState::Settled,
        SentStatus::Failed(_) => TransactionState::Failed,
    };
    LookupInvoiceResponse {
        state: Some(state),
        description: (!row.preview.is_empty()).then(|| row.preview.clone()),
        preimage: row.preimage.map(|p| p.to_hex()),
        fees_paid: row.fee.0,
        created_at: at,
        settled_at: (state == TransactionState::Settled).then_some(at),
        ..transaction(TransactionType::Outgoing, row.hash, row.amount)
    }
}

fn journaled(entry: &wallet::JournalEntry) -> LookupInvoiceResponse {
    let at = Timestamp::from(u64::try_from(entry.created_at / 1000).unwrap_or(0));
    let state = match entry.state {
        JournalState::Succeeded => TransactionState::Settled,
        JournalState::Failed | JournalState::NotSent | JournalState::Discarded => {
            TransactionState::Failed
        }
        _ => TransactionState::Pending,
    };
    let settled = state == TransactionState::Settled;
    LookupInvoiceResponse {
        state: Some(state),
        // An invoice's preimage is the payee's, learnt from the node (in
        // Sent), not the unused one the journal holds.
        preimage: (settled && entry.keysend.invoice().is_none())
            .then(|| entry.keysend.preimage.to_hex()),
        invoice: entry.keysend.invoice().map(str::to_owned),
        fees_paid: entry.fee.map_or(0, |f| f.0),
        created_at: at,
        ..transaction(
            TransactionType::Outgoing,
            entry.hash(),
            entry.keysend.amount,
        )
    }
}
