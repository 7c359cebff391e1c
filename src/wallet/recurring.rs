//! Recurring tips to a contact or a pubkey: an amount, a message, every
//! day, week or month. A tip is due once per period; periods missed while
//! Satchel was not running are paid once, for the latest period, never as a
//! burst. The payment row (key: tip + period) is written before the send,
//! under a journal intent, so a period is never paid twice; a failed payment
//! is written off and tried again at the next run.

use futures::StreamExt;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::journal_state::JournalState;
use super::stream_store::{RecurringRow, StreamStore, StreamStoreError, node_of, to_i64, to_u64};
use super::{Journal, SendEvent, SendRequest};
use crate::keysend::outgoing::Tip;
use crate::keysend::{Msat, NodeId};
use crate::node::{NodeInfo, SharedNode};
use crate::podcast::boost::BoostContext;
use crate::podcast::value::ValueBlock;
use crate::store::FeeLimit;

const DAY_MS: i64 = 86_400_000;

/// How often a tip is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Day,
    Week,
    Month,
}

impl Every {
    /// `day`, `week` or `month`.
    pub fn parse(text: &str) -> Result<Self, RecurringError> {
        match text.trim().to_lowercase().as_str() {
            "day" | "daily" => Ok(Self::Day),
            "week" | "weekly" => Ok(Self::Week),
            "month" | "monthly" => Ok(Self::Month),
            _ => Err(RecurringError::BadEvery(
                crate::keysend::text::display_safe(text, 20),
            )),
        }
    }

    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The number of the period `now_ms` falls in (UTC days, weeks from
    /// Monday, calendar months).
    pub fn period(self, now_ms: i64) -> i64 {
        let day = now_ms.div_euclid(DAY_MS);
        match self {
            Self::Day => day,
            // 1970-01-01 was a Thursday: shift so weeks start on Monday.
            Self::Week => (day + 3).div_euclid(7),
            Self::Month => {
                use chrono::Datelike;
                let date = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
                i64::from(date.year()) * 12 + i64::from(date.month0())
            }
        }
    }

    /// When period number `period` starts (UTC ms): the inverse of [`Self::period`].
    pub fn start_ms(self, period: i64) -> i64 {
        match self {
            Self::Day => period * DAY_MS,
            Self::Week => (period * 7 - 3) * DAY_MS,
            Self::Month => {
                let year = i32::try_from(period.div_euclid(12)).unwrap_or(1970);
                let month = u32::try_from(period.rem_euclid(12)).unwrap_or(0) + 1;
                chrono::NaiveDate::from_ymd_opt(year, month, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map_or(0, |d| d.and_utc().timestamp_millis())
            }
        }
    }

    /// Every period, in the order shown.
    pub const ALL: [Self; 3] = [Self::Day, Self::Week, Self::Month];
}

impl std::fmt::Display for Every {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tip's amount as typed (CLI and GUI): whole sats, at least 1.
pub fn parse_amount(text: &str) -> Result<Msat, RecurringError> {
    let amount = Msat::parse_sats(text).map_err(|e| match e {
        crate::keysend::AmountError::Zero => RecurringError::ZeroAmount,
        e => RecurringError::BadAmount(crate::keysend::text::display_safe(text, 40), e.to_string()),
    })?;
    if amount.sats() == 0 {
        return Err(RecurringError::ZeroAmount);
    }
    Ok(amount)
}

/// Why a recurring tip cannot be added or paid.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecurringError {
    #[error("{0:?} is not a period: give day, week or month")]
    BadEvery(String),
    #[error("the amount must be at least 1 sat")]
    ZeroAmount,
    #[error("the amount {0:?} is not a whole number of sats: {1}")]
    BadAmount(String, String),
    #[error(transparent)]
    Store(#[from] StreamStoreError),
}

/// A tip that is due now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub tip: RecurringRow,
    /// The period to pay (the latest).
    pub period: i64,
    /// Earlier periods that passed unpaid (not paid: never a burst).
    pub missed: i64,
}

/// What a run did for one tip.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub due: Due,
    pub paid: bool,
    pub error: Option<String>,
}

/// Add a tip; its id.
pub fn add(
    store: &StreamStore,
    name: &str,
    node: NodeId,
    amount: Msat,
    every: Every,
    message: Option<&str>,
    now_ms: i64,
) -> Result<i64, RecurringError> {
    if amount.sats() == 0 {
        return Err(RecurringError::ZeroAmount);
    }
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    Ok(store.with_conn(|c| {
        let _ = c.execute(
            "INSERT INTO recurring (name, pubkey, amount_msat, every, message, created_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                node.to_hex(),
                to_i64(amount.0),
                every.as_str(),
                message,
                now_ms
            ],
        )?;
        Ok(c.last_insert_rowid())
    })?)
}

/// Add a tip to a feed's value block (`feed` as the user gave it; `node`
/// the block's first recipient, for lists); its id.
#[allow(clippy::too_many_arguments)]
pub fn add_feed(
    store: &StreamStore,
    name: &str,
    node: NodeId,
    feed: &str,
    amount: Msat,
    every: Every,
    message: Option<&str>,
    now_ms: i64,
) -> Result<i64, RecurringError> {
    let id = add(store, name, node, amount, every, message, now_ms)?;
    let _ = store.with_conn(|c| {
        c.execute(
            "INSERT INTO recurring_feed (recurring_id, feed) VALUES (?1, ?2)",
            params![id, feed.trim()],
        )
    })?;
    Ok(id)
}

/// The feeds of the feed tips due at `now_ms` (the caller loads them into
/// [`Payer::feeds`]).
pub fn feeds_due(store: &StreamStore, now_ms: i64) -> Result<Vec<String>, RecurringError> {
    let mut feeds: Vec<String> = due(store, now_ms)?
        .into_iter()
        .filter_map(|d| d.tip.feed)
        .collect();
    // Feed tips with legs to try again need their feed too.
    feeds.extend(partial(store)?.into_iter().map(|p| p.feed));
    feeds.sort();
    feeds.dedup();
    Ok(feeds)
}

/// Every tip, oldest first.
pub fn list(store: &StreamStore) -> Result<Vec<RecurringRow>, RecurringError> {
    Ok(store.with_conn(|c| {
        let mut statement = c.prepare(
            "SELECT r.id, r.name, r.pubkey, r.amount_msat, r.every, r.message, r.created_ms, \
             (SELECT MAX(period) FROM recurring_payment p WHERE p.recurring_id = r.id \
              AND p.state != 'failed'), \
             (SELECT feed FROM recurring_feed f WHERE f.recurring_id = r.id) \
             FROM recurring r ORDER BY r.id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(RecurringRow {
                id: r.get(0)?,
                name: r.get(1)?,
                node: node_of(&r.get::<_, String>(2)?)?,
                amount: Msat(to_u64(r.get(3)?)),
                every: r.get(4)?,
                message: r.get(5)?,
                created_ms: r.get(6)?,
                last_period: r.get(7)?,
                feed: r.get(8)?,
            })
        })?;
        rows.collect()
    })?)
}

/// A tip as the list shows it: when it was last paid and when it is next due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub tip: RecurringRow,
    /// When the last successful payment was made (ms).
    pub last_paid_ms: Option<i64>,
    /// Due now (with the periods missed before), or `None`.
    pub due: Option<Due>,
    /// When it is next due (ms): now when it is due now.
    pub next_due_ms: i64,
}

/// Every tip with its last payment and next due time at `now_ms`.
pub fn statuses(store: &StreamStore, now_ms: i64) -> Result<Vec<Status>, RecurringError> {
    let due_now = due(store, now_ms)?;
    let paid: Vec<(i64, i64)> = store.with_conn(|c| {
        let mut s = c.prepare(
            "SELECT recurring_id, MAX(at_ms) FROM recurring_payment \
             WHERE state IN ('succeeded', 'partial', 'incomplete') GROUP BY recurring_id",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    })?;
    Ok(list(store)?
        .into_iter()
        .map(|tip| {
            let due = due_now.iter().find(|d| d.tip.id == tip.id).cloned();
            let next_due_ms = match (&due, Every::parse(&tip.every)) {
                (None, Ok(every)) => {
                    let last = tip.last_period.unwrap_or_else(|| every.period(now_ms));
                    every.start_ms(last + 1)
                }
                _ => now_ms,
            };
            Status {
                last_paid_ms: paid.iter().find(|(id, _)| *id == tip.id).map(|p| p.1),
                due,
                next_due_ms,
                tip,
            }
        })
        .collect())
}

/// Remove tip `id`; false when there was none.
pub fn remove(store: &StreamStore, id: i64) -> Result<bool, RecurringError> {
    Ok(store.with_conn(|c| {
        let _ = c.execute(
            "DELETE FROM recurring_feed WHERE recurring_id = ?1",
            params![id],
        )?;
        c.execute("DELETE FROM recurring WHERE id = ?1", params![id])
            .map(|n| n > 0)
    })?)
}

/// The tips due at `now_ms`: each once, for the period `now_ms` falls in.
pub fn due(store: &StreamStore, now_ms: i64) -> Result<Vec<Due>, RecurringError> {
    Ok(list(store)?
        .into_iter()
        .filter_map(|tip| {
            let every = Every::parse(&tip.every).ok()?;
            let period = every.period(now_ms);
            let first = every.period(tip.created_ms);
            let last = tip.last_period;
            if last.is_some_and(|l| l >= period) {
                return None;
            }
            let missed = (period - last.map_or(first, |l| l + 1)).max(0);
            Some(Due {
                tip,
                period,
                missed,
            })
        })
        .collect())
}

/// What paying tips needs.
pub struct Payer<'a> {
    pub node: &'a SharedNode,
    pub journal: &'a Journal,
    pub info: &'a NodeInfo,
    pub fee_limit: FeeLimit,
    pub store: &'a StreamStore,
    /// The value blocks of feed tips, by feed as stored (see [`feeds_due`]):
    /// the block and its metadata, or why the feed cannot be paid now.
    pub feeds: &'a FeedBlocks,
}

/// Loaded feeds: the show's value block and its metadata, or why not.
pub type FeedBlocks = std::collections::HashMap<String, Result<(ValueBlock, BoostContext), String>>;

/// Pay every tip due at `now_ms`, once each (within the daily cap).
pub async fn run(payer: &Payer<'_>, now_ms: i64) -> Result<Vec<RunOutcome>, RecurringError> {
    settle_unfinished(payer).await?;
    retry_failed_legs(payer).await?;
    let mut outcomes = Vec::new();
    for due in due(payer.store, now_ms)? {
        let (paid, error) = match pay(payer, &due, now_ms).await {
            Ok(()) => (true, None),
            Err(error) => (false, Some(error)),
        };
        outcomes.push(RunOutcome { due, paid, error });
    }
    Ok(outcomes)
}

/// Claim the period (written before sending), then send it.
async fn pay(payer: &Payer<'_>, due: &Due, now_ms: i64) -> Result<(), String> {
    let amount = due.tip.amount;
    if let Some(cap) = payer.store.daily_cap().map_err(|e| e.to_string())? {
        let spent = payer.store.spent_today(now_ms).map_err(|e| e.to_string())?;
        if spent.0 + amount.0 > cap.0 {
            return Err(format!("the daily cap of {cap} is reached"));
        }
    }
    let intent = format!(
        "recurring-{}-{}-{}",
        due.tip.id,
        due.period,
        crate::podcast::boost::new_uuid()
    );
    if let Some(feed) = &due.tip.feed {
        let (block, context) = match payer.feeds.get(feed) {
            Some(Ok(found)) => found.clone(),
            Some(Err(why)) => return Err(format!("the feed cannot be paid now: {why}")),
            None => return Err("the feed was not loaded".into()),
        };
        claim(payer.store, due, &intent, now_ms).map_err(|e| e.to_string())?;
        return pay_block(payer, due, &intent, &block, context).await;
    }
    claim(payer.store, due, &intent, now_ms).map_err(|e| e.to_string())?;
    let request = SendRequest {
        intent_id: intent.clone(),
        destination: due.tip.node,
        amount,
        tip: Tip {
            message: due.tip.message.clone(),
            ..Tip::default()
        },
        sign: false,
        fee_limit: payer.fee_limit.for_amount(amount),
    };
    let keysend = match super::prepare(payer.node, payer.info, request, None).await {
        Ok(keysend) => keysend,
        Err(error) => {
            set_state(payer.store, &intent, "failed").map_err(|e| e.to_string())?;
            return Err(error.to_string());
        }
    };
    let events: Vec<SendEvent> = super::send(
        payer.node.clone(),
        payer.journal.clone(),
        intent.clone(),
        keysend,
    )
    .collect()
    .await;
    drop(events);
    match settle(payer, &intent).await? {
        "succeeded" => Ok(()),
        "failed" => Err("the payment failed; it is tried again at the next run".into()),
        _ => Err("the payment's outcome is not known yet; it is followed, never resent".into()),
    }
}

/// Pay a feed tip over its block's splits: one keysend per leg, each with
/// bLIP-10 `action` "auto", the leg's `value_msat`, the tip's
/// `value_msat_total` and one `boost_uuid`; every leg is written (under the
/// claimed period) before it is sent.
async fn pay_block(
    payer: &Payer<'_>,
    due: &Due,
    intent: &str,
    block: &ValueBlock,
    context: BoostContext,
) -> Result<(), String> {
    let (split, context) = tip_split(&due.tip, block, context);
    let boost_uuid = crate::podcast::boost::new_uuid();
    let mut sends = Vec::new();
    for (i, leg) in split.legs.iter().enumerate() {
        if leg.amount == Msat::ZERO {
            continue;
        }
        let leg_intent = format!("{intent}/{i}");
        record_leg(
            payer.store,
            &leg_intent,
            intent,
            &leg.name,
            to_i64(leg.amount.0),
        )
        .map_err(|e| e.to_string())?;
        let request = leg_request(payer, &context, leg, &boost_uuid, &leg_intent);
        sends.extend(send_leg(payer, due.tip.id, &leg.name, request).await);
    }
    let _: Vec<Vec<SendEvent>> =
        futures::future::join_all(sends.into_iter().map(StreamExt::collect::<Vec<_>>)).await;
    match settle(payer, intent).await? {
        // Partial: paid for the period; the failed legs are tried again.
        "succeeded" | "partial" | "incomplete" => Ok(()),
        "failed" => Err("no leg of the split was paid; it is tried again at the next run".into()),
        _ => Err("some legs' outcome is not known yet; they are followed, never resent".into()),
    }
}

/// A feed tip's split of `block` and the boost context its legs carry
/// (the tip's message, the split's total).
fn tip_split(
    tip: &RecurringRow,
    block: &ValueBlock,
    mut context: BoostContext,
) -> (crate::podcast::split::Split, BoostContext) {
    let split = crate::podcast::split(block, tip.amount.sats(), &[]);
    context.message.clone_from(&tip.message);
    context.total_msat = split.total.0;
    (split, context)
}

/// Write one attempt of a leg of `payment` before it is sent.
fn record_leg(
    store: &StreamStore,
    intent: &str,
    payment: &str,
    name: &str,
    amount_msat: i64,
) -> Result<(), StreamStoreError> {
    store.with_conn(|c| {
        c.execute(
            "INSERT INTO recurring_leg (intent_id, payment_intent, name, amount_msat) \
             VALUES (?1, ?2, ?3, ?4)",
            params![intent, payment, name, amount_msat],
        )
        .map(|_| ())
    })
}

/// One leg of a feed tip: bLIP-10 `action` "auto", its share, the tip's
/// total and the payment's `boost_uuid`.
fn leg_request(
    payer: &Payer<'_>,
    context: &BoostContext,
    leg: &crate::podcast::split::Leg,
    boost_uuid: &str,
    intent: &str,
) -> SendRequest {
    let mut tip = crate::podcast::boost::leg_tip(
        context,
        leg,
        boost_uuid,
        &crate::podcast::boost::new_uuid(),
    );
    if let Some(gram) = tip.boostagram.as_mut() {
        gram.action = Some("auto".into());
    }
    SendRequest {
        intent_id: intent.to_owned(),
        destination: leg.node,
        amount: leg.amount,
        tip,
        sign: false,
        fee_limit: payer.fee_limit.for_amount(leg.amount),
    }
}

/// Prepare a leg and start its journaled send; `None` (logged) when it
/// cannot go (it counts as failed: no journal entry).
async fn send_leg(
    payer: &Payer<'_>,
    tip: i64,
    name: &str,
    request: SendRequest,
) -> Option<impl futures::Stream<Item = SendEvent> + Send + 'static> {
    let intent = request.intent_id.clone();
    match super::prepare(payer.node, payer.info, request, None).await {
        Ok(keysend) => Some(super::send(
            payer.node.clone(),
            payer.journal.clone(),
            intent,
            keysend,
        )),
        Err(error) => {
            log::warn!("recurring tip {tip} leg {name}: {error}");
            None
        }
    }
}

fn claim(
    store: &StreamStore,
    due: &Due,
    intent: &str,
    now_ms: i64,
) -> Result<(), StreamStoreError> {
    store.with_conn(|c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // A failed attempt frees the period for another one.
        let _ = tx.execute(
            "DELETE FROM recurring_payment WHERE recurring_id = ?1 AND period = ?2 \
             AND state = 'failed'",
            params![due.tip.id, due.period],
        )?;
        let _ = tx.execute(
            "INSERT INTO recurring_payment (recurring_id, period, intent_id, amount_msat, state, \
             at_ms) VALUES (?1, ?2, ?3, ?4, 'planned', ?5)",
            params![
                due.tip.id,
                due.period,
                intent,
                to_i64(due.tip.amount.0),
                now_ms
            ],
        )?;
        tx.commit()
    })
}

fn set_state(store: &StreamStore, intent: &str, state: &str) -> Result<(), StreamStoreError> {
    store.with_conn(|c| {
        c.execute(
            "UPDATE recurring_payment SET state = ?2 WHERE intent_id = ?1",
            params![intent, state],
        )
        .map(|_| ())
    })
}

/// The journal intents of a payment: its legs (a feed tip), else itself.
fn intents_of(store: &StreamStore, intent: &str) -> Result<Vec<String>, StreamStoreError> {
    let legs: Vec<String> = store.with_conn(|c| {
        let mut s = c.prepare("SELECT intent_id FROM recurring_leg WHERE payment_intent = ?1")?;
        let rows = s.query_map(params![intent], |r| r.get(0))?;
        rows.collect()
    })?;
    Ok(if legs.is_empty() {
        vec![intent.to_owned()]
    } else {
        legs
    })
}

/// A payment's state from the journal, written; the word. A feed tip with
/// some legs paid and none unfinished is "partial": paid for its period,
/// its failed legs tried again by later runs ([`retry_failed_legs`]), each
/// leg judged by its latest attempt; "incomplete" once the failed legs
/// have had their [`LEG_ATTEMPTS`].
async fn settle(payer: &Payer<'_>, intent: &str) -> Result<&'static str, String> {
    let (mut succeeded, mut failed, mut open, mut retriable) = (0, 0, 0, 0);
    for (id, tries) in latest_attempts(payer.store, intent).map_err(|e| e.to_string())? {
        let entry = payer
            .journal
            .call(move |j| j.get(&id))
            .await
            .map_err(|e| e.to_string())?;
        match entry.map(|e| e.state) {
            None | Some(JournalState::Failed | JournalState::Discarded) => {
                failed += 1;
                retriable += usize::from(tries < LEG_ATTEMPTS);
            }
            Some(JournalState::Succeeded) => succeeded += 1,
            Some(_) => open += 1,
        }
    }
    let state = match (succeeded, open) {
        (_, 1..) => "dispatched",
        (0, 0) => "failed",
        (_, 0) if retriable > 0 => {
            log::warn!("recurring payment {intent}: {failed} leg(s) failed; tried again later");
            "partial"
        }
        (_, 0) if failed > 0 => {
            log::warn!("recurring payment {intent}: {failed} leg(s) failed {LEG_ATTEMPTS} times");
            "incomplete"
        }
        _ => "succeeded",
    };
    set_state(payer.store, intent, state).map_err(|e| e.to_string())?;
    Ok(state)
}

/// How many times a failed leg is sent in all (the first attempt included).
pub const LEG_ATTEMPTS: usize = 3;

/// A feed tip's payment with some legs failed: its intent, tip and feed.
struct Partial {
    intent: String,
    tip: i64,
    feed: String,
}

/// Partial payments with a failed leg that may still be tried again.
fn partial(store: &StreamStore) -> Result<Vec<Partial>, StreamStoreError> {
    store.with_conn(|c| {
        let mut s = c.prepare(
            "SELECT p.intent_id, p.recurring_id, f.feed FROM recurring_payment p \
             JOIN recurring_feed f ON f.recurring_id = p.recurring_id \
             WHERE p.state = 'partial' ORDER BY p.period",
        )?;
        let rows = s.query_map([], |r| {
            Ok(Partial {
                intent: r.get(0)?,
                tip: r.get(1)?,
                feed: r.get(2)?,
            })
        })?;
        rows.collect()
    })
}

/// A leg's attempts, oldest first, by the leg's number in the split: the
/// first is `<payment>/<n>`, the later ones `<payment>/<n>~<k>`.
fn leg_attempts(
    store: &StreamStore,
    intent: &str,
) -> Result<std::collections::BTreeMap<usize, Vec<String>>, StreamStoreError> {
    let mut legs = std::collections::BTreeMap::<usize, Vec<(usize, String)>>::new();
    for id in intents_of(store, intent)? {
        let Some(rest) = id.strip_prefix(intent).and_then(|r| r.strip_prefix('/')) else {
            continue;
        };
        let (leg, attempt) = match rest.split_once('~') {
            Some((leg, k)) => (leg.parse().ok(), k.parse().ok()),
            None => (rest.parse().ok(), Some(0)),
        };
        if let (Some(leg), Some(attempt)) = (leg, attempt) {
            legs.entry(leg).or_default().push((attempt, id));
        }
    }
    Ok(legs
        .into_iter()
        .map(|(leg, mut tries)| {
            tries.sort();
            (leg, tries.into_iter().map(|(_, id)| id).collect())
        })
        .collect())
}

/// The intents that decide a payment's state, each with its number of
/// attempts: each leg's latest (a plain tip: itself, once).
fn latest_attempts(
    store: &StreamStore,
    intent: &str,
) -> Result<Vec<(String, usize)>, StreamStoreError> {
    let legs = leg_attempts(store, intent)?;
    Ok(match legs.is_empty() {
        true => vec![(intent.to_owned(), 1)],
        false => legs
            .into_values()
            .filter_map(|mut tries| {
                let n = tries.len();
                tries.pop().map(|id| (id, n))
            })
            .collect(),
    })
}

/// Send again the legs of partial feed tips whose latest attempt failed
/// (at most [`LEG_ATTEMPTS`] in all), each under a new intent written
/// before it is sent, to the leg the feed's split gives now at the same
/// place, name and amount (a split that changed there is not guessed at).
/// A leg that succeeded, or is still in flight, is never sent again.
async fn retry_failed_legs(payer: &Payer<'_>) -> Result<(), RecurringError> {
    let partials = partial(payer.store)?;
    let tips = match partials.is_empty() {
        true => Vec::new(),
        false => list(payer.store)?,
    };
    for partial in partials {
        let Some(Ok((block, context))) = payer.feeds.get(&partial.feed) else {
            continue;
        };
        let Some(tip) = tips.iter().find(|t| t.id == partial.tip) else {
            continue;
        };
        let (split, context) = tip_split(tip, block, context.clone());
        let boost_uuid = crate::podcast::boost::new_uuid();
        let mut sends = Vec::new();
        for (n, tries) in leg_attempts(payer.store, &partial.intent)? {
            let Some(last) = tries.last().cloned() else {
                continue;
            };
            // A journal that cannot be read says nothing: never resend then.
            let Ok(state) = payer.journal.call(move |j| j.get(&last)).await else {
                continue;
            };
            let failed = matches!(
                state.map(|e| e.state),
                None | Some(JournalState::Failed | JournalState::Discarded)
            );
            if !failed || tries.len() >= LEG_ATTEMPTS {
                continue;
            }
            let first = tries[0].clone();
            let (name, amount): (String, i64) = payer.store.with_conn(|c| {
                c.query_row(
                    "SELECT name, amount_msat FROM recurring_leg WHERE intent_id = ?1",
                    params![first],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })?;
            // Each attempt is written before it is sent; one that cannot go
            // (the split changed there) still counts, so attempts end.
            let intent = format!("{}/{n}~{}", partial.intent, tries.len());
            record_leg(payer.store, &intent, &partial.intent, &name, amount)?;
            let Some(leg) = split
                .legs
                .get(n)
                .filter(|l| l.name == name && to_i64(l.amount.0) == amount)
            else {
                log::warn!(
                    "recurring payment {}: the feed's split changed at leg {n} ({name}); \
                     that share is not sent",
                    partial.intent
                );
                continue;
            };
            let request = leg_request(payer, &context, leg, &boost_uuid, &intent);
            sends.extend(send_leg(payer, tip.id, &leg.name, request).await);
        }
        let _: Vec<Vec<SendEvent>> =
            futures::future::join_all(sends.into_iter().map(StreamExt::collect::<Vec<_>>)).await;
        let _ = settle(payer, &partial.intent).await;
    }
    Ok(())
}

/// Payments a crash left unfinished: followed until final, or written off.
async fn settle_unfinished(payer: &Payer<'_>) -> Result<(), RecurringError> {
    let intents: Vec<String> = payer.store.with_conn(|c| {
        let mut s = c.prepare(
            "SELECT intent_id FROM recurring_payment WHERE state IN ('planned', 'dispatched')",
        )?;
        let rows = s.query_map([], |r| r.get(0))?;
        rows.collect()
    })?;
    for intent in intents {
        for id in intents_of(payer.store, &intent)? {
            let entry = payer.journal.call(move |j| j.get(&id)).await.ok().flatten();
            if let Some(entry) = entry.filter(|e| {
                matches!(
                    e.state,
                    JournalState::Pending | JournalState::Dispatched | JournalState::InFlight
                )
            }) {
                let _: Vec<SendEvent> =
                    super::track_entry(payer.node.clone(), payer.journal.clone(), entry)
                        .collect()
                        .await;
            }
        }
        let _ = settle(payer, &intent).await;
    }
    Ok(())
}

/// The journal intents of the legs of tip `id`'s feed payments (oldest
/// first), for tests and support.
pub fn leg_intents(store: &StreamStore, id: i64) -> Result<Vec<String>, RecurringError> {
    Ok(store.with_conn(|c| {
        let mut s = c.prepare(
            "SELECT l.intent_id FROM recurring_leg l JOIN recurring_payment p \
             ON p.intent_id = l.payment_intent WHERE p.recurring_id = ?1 \
             ORDER BY p.period, l.intent_id",
        )?;
        let rows = s.query_map(params![id], |r| r.get(0))?;
        rows.collect()
    })?)
}

/// The period a tip was last paid for, if any (for tests and the GUI).
pub fn last_paid(store: &StreamStore, id: i64) -> Result<Option<i64>, RecurringError> {
    Ok(store.with_conn(|c| {
        c.query_row(
            "SELECT MAX(period) FROM recurring_payment WHERE recurring_id = ?1 \
             AND state IN ('succeeded', 'partial', 'incomplete')",
            params![id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()
        .map(Option::flatten)
    })?)
}

/// The show blocks of the feed tips due at `now_ms`, read with the feed
/// client (`cache`: its folder; `demo`: the built-in demo feed may be
/// named). A feed that cannot be read is kept with why, so its tips are
/// reported and the others are still paid. The CLI and the window use this.
pub async fn feed_blocks(
    store: &StreamStore,
    now_ms: i64,
    cache: Option<std::path::PathBuf>,
    demo: bool,
    web: &crate::web::Web,
) -> Result<FeedBlocks, RecurringError> {
    let mut feeds = FeedBlocks::new();
    for text in feeds_due(store, now_ms)? {
        let loaded = crate::podcast::load::load(cache.clone(), demo, &text, web)
            .await
            .map_err(|e| e.to_string())
            .and_then(|loaded| {
                crate::podcast::select(loaded.feed, loaded.url, &crate::podcast::Episode::Show)
                    .map_err(|e| e.to_string())
            })
            .and_then(|selected| {
                let block = selected.block.map_err(|e| e.to_string())?;
                Ok((block, selected.context))
            });
        let _ = feeds.insert(text, loaded);
    }
    Ok(feeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        // 2026-12-07 is a Monday.
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let sunday_night = monday - 1;
        assert_eq!(
            Every::Week.period(monday),
            Every::Week.period(sunday_night) + 1
        );
        assert_eq!(
            Every::Day.period(monday),
            Every::Day.period(sunday_night) + 1
        );
        assert_eq!(Every::Month.period(monday), 2026 * 12 + 11);
        assert!(Every::parse("fortnight").is_err());
    }

    #[test]
    fn missed_periods_are_due_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = StreamStore::open(dir.path()).unwrap();
        let node: NodeId = "029aee6a477e5324ec906fcd82a684b5f1f13e5dc335ed59e95bbdcc8d355739d6"
            .parse()
            .unwrap();
        let id = add(&store, "dave", node, Msat::from_sat(5), Every::Day, None, 0).unwrap();
        let later = 10 * DAY_MS + 5;
        let due_now = due(&store, later).unwrap();
        assert_eq!(due_now.len(), 1, "one payment, not ten");
        assert_eq!((due_now[0].period, due_now[0].missed), (10, 10));
        claim(&store, &due_now[0], "i-1", later).unwrap();
        set_state(&store, "i-1", "succeeded").unwrap();
        assert!(due(&store, later).unwrap().is_empty());
        assert_eq!(last_paid(&store, id).unwrap(), Some(10));
        assert_eq!(due(&store, 11 * DAY_MS).unwrap()[0].missed, 0);
        let status = &statuses(&store, later).unwrap()[0];
        assert_eq!(status.last_paid_ms, Some(later));
        assert_eq!(status.next_due_ms, 11 * DAY_MS, "tomorrow at 00:00 UTC");
    }

    #[test]
    fn a_period_starts_where_the_last_one_ended() {
        for every in Every::ALL {
            for now in [0, 1_796_601_600_000, 1_796_601_600_000 + 40 * DAY_MS] {
                let period = every.period(now);
                let start = every.start_ms(period);
                assert!(start <= now, "{every}: {start} <= {now}");
                assert_eq!(every.period(start), period, "{every}");
                assert_eq!(every.period(start - 1), period - 1, "{every}");
            }
        }
        assert!(matches!(parse_amount("0"), Err(RecurringError::ZeroAmount)));
        assert!(parse_amount("-5").is_err());
        assert_eq!(parse_amount("21").unwrap(), Msat::from_sat(21));
    }
}
