//! Reading the inbox: filtered, searched, newest-first pages and counts.
//!
//! Full-text search goes through the FTS5 table; the user's words are always
//! quoted, so FTS syntax (`"`, `*`, `NEAR(`, `AND`, `:`) is matched as text,
//! never interpreted.

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params_from_iter};

use super::sender::SenderFacts;
use super::verification::Verification;
use super::{Index, IndexError, interned};
use crate::keysend::incoming::MessageSource;
use crate::keysend::text::display_safe;
use crate::keysend::{Msat, NodeId, PaymentHash};
use crate::store::ContactBook;

/// Longest message preview in an [`InboxRow`], in characters.
pub const PREVIEW_CHARS: usize = 160;
/// Longest sender name shown in an [`InboxRow`], in characters.
pub const NAME_CHARS: usize = 64;
/// At most this many words of a search are used.
const MAX_TERMS: usize = 16;

/// What part of the inbox to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxQuery {
    /// Words to search in message, sender name and podcast (prefix match, all
    /// words); a verified sender's graph alias, or the contact name of a key
    /// in [`InboxQuery::senders_named`], matching every word matches too.
    pub text: Option<String>,
    /// Senders whose contact name matches `text` ([`senders_named`]).
    pub senders_named: Vec<NodeId>,
    /// Only keysends whose sender claims this node id.
    pub sender: Option<NodeId>,
    /// Hide keysends below this amount (the spam threshold).
    pub min_amount: Msat,
    /// Only boosts for this podcast (exact title).
    pub podcast: Option<String>,
    pub unread_only: bool,
    /// Only keysends settled at or after this Unix second.
    pub from: Option<i64>,
    /// Only keysends settled before this Unix second.
    pub until: Option<i64>,
    /// The order of the pages.
    pub sort: InboxSort,
    /// Where the page starts: the list's start or end, or next to a row
    /// already shown (keyset paging: page N costs what page 1 costs).
    pub seek: Seek,
    /// Rows skipped from where [`InboxQuery::seek`] starts.
    pub offset: u64,
    pub limit: u64,
}

/// A row's place in a sorted list: its sort value (settled time or amount,
/// see [`InboxSort`]) and its id, which breaks ties the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub value: i64,
    pub id: i64,
}

/// Where a page of the inbox starts. [`Seek::After`] and [`Seek::Before`]
/// walk the sort's index from a row already shown, so the next page down
/// (or up) reads only its own rows however deep in the list it is; an
/// OFFSET would walk every row above it first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Seek {
    /// From the first row, skipping [`InboxQuery::offset`] rows.
    #[default]
    Start,
    /// The rows after this one, in list order.
    After(RowKey),
    /// The rows before this one, ending next to it (still in list order).
    Before(RowKey),
    /// The last rows of the list, ending [`InboxQuery::offset`] rows before
    /// its end (still in list order).
    End,
}

/// The order of the inbox list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum InboxSort {
    #[default]
    NewestFirst,
    OldestFirst,
    LargestFirst,
    SmallestFirst,
}

impl InboxSort {
    /// Every order, as a menu offers them.
    pub const ALL: [Self; 4] = [
        Self::NewestFirst,
        Self::OldestFirst,
        Self::LargestFirst,
        Self::SmallestFirst,
    ];

    /// The SQL `ORDER BY` of this order (ties by id, the same way), or of
    /// its reverse.
    pub(super) fn order_by(self, reversed: bool) -> &'static str {
        match (self, reversed) {
            (Self::NewestFirst, false) | (Self::OldestFirst, true) => {
                "r.settled_at DESC, r.id DESC"
            }
            (Self::OldestFirst, false) | (Self::NewestFirst, true) => "r.settled_at ASC, r.id ASC",
            (Self::LargestFirst, false) | (Self::SmallestFirst, true) => {
                "r.amount_msat DESC, r.id DESC"
            }
            (Self::SmallestFirst, false) | (Self::LargestFirst, true) => {
                "r.amount_msat ASC, r.id ASC"
            }
        }
    }

    /// The sorted column.
    fn column(self) -> &'static str {
        match self {
            Self::NewestFirst | Self::OldestFirst => "r.settled_at",
            Self::LargestFirst | Self::SmallestFirst => "r.amount_msat",
        }
    }

    /// Whether the list runs from the largest value down.
    fn descending(self) -> bool {
        matches!(self, Self::NewestFirst | Self::LargestFirst)
    }

    /// Where `row` sits in this order.
    pub fn key(self, row: &InboxRow) -> RowKey {
        let value = match self {
            Self::NewestFirst | Self::OldestFirst => row.settled_at,
            Self::LargestFirst | Self::SmallestFirst => {
                i64::try_from(row.amount.0).unwrap_or(i64::MAX)
            }
        };
        RowKey { value, id: row.id }
    }
}

impl std::fmt::Display for InboxSort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NewestFirst => "Newest first",
            Self::OldestFirst => "Oldest first",
            Self::LargestFirst => "Largest first",
            Self::SmallestFirst => "Smallest first",
        })
    }
}

/// Typed `from` and `to` days (`YYYY-MM-DD`, UTC; either may be blank) as
/// the [`InboxQuery::from`] and [`InboxQuery::until`] bounds: `to` is
/// inclusive (until the end of that day). A clear error for a text that is
/// not a date or a range that ends before it starts.
pub fn day_range(from: &str, to: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let day = |text: &str, what: &str| -> Result<Option<i64>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| Some(d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()))
            .map_err(|_| {
                format!(
                    "{what} {:?} is not a date: write YYYY-MM-DD, e.g. 2025-01-31",
                    display_safe(text, 40)
                )
            })
    };
    let from = day(from, "From")?;
    let until = day(to, "To")?.map(|start| start + 86_400);
    match (from, until) {
        (Some(f), Some(u)) if u <= f => {
            Err("The range ends before it starts: To is before From.".into())
        }
        range => Ok(range),
    }
}

impl Default for InboxQuery {
    fn default() -> Self {
        Self {
            text: None,
            senders_named: Vec::new(),
            sender: None,
            min_amount: Msat::ZERO,
            podcast: None,
            unread_only: false,
            from: None,
            until: None,
            sort: InboxSort::NewestFirst,
            seek: Seek::Start,
            offset: 0,
            limit: 50,
        }
    }
}

/// One line of the inbox list: small, display-safe.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub id: i64,
    pub hash: PaymentHash,
    pub amount: Msat,
    /// Unix seconds.
    pub settled_at: i64,
    /// The name the sender gives itself (display-safe, not empty): a claim.
    pub sender_name: Option<String>,
    /// The claimed node's alias in the graph, when Satchel looked it up
    /// (display-safe; empty: looked up, it has none). Shown only for a
    /// verified sender.
    pub alias: Option<String>,
    /// The node id the sender claims (unverified unless `verification` says so).
    pub sender_pubkey: Option<NodeId>,
    /// `None` until [`Index::verify`] ran for this entry.
    pub verification: Option<Verification>,
    /// First line(s) of the message, at most [`PREVIEW_CHARS`] characters.
    pub preview: String,
    /// Which record the message came from; only [`MessageSource::Chat`] text
    /// is covered by a verified sender's signature. `None` without a message.
    pub message_source: Option<MessageSource>,
    pub podcast: Option<String>,
    pub unread: bool,
}

const ROW_COLUMNS: &str = concat!(
    "r.id, r.hash, r.amount_msat, r.settled_at, r.sender_name, ",
    interned::sender_key!("r.sender"),
    ", r.verification, substr(r.message, 1, 400), r.podcast, r.read, \
    r.message_source, (SELECT a.alias FROM node_alias a WHERE a.pubkey = ",
    interned::sender_key!("r.sender"),
    ")"
);

impl Index {
    /// A page of the inbox, in the query's order, from where its
    /// [`Seek`] says.
    pub fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxRow>, IndexError> {
        let names = self.alias_matches(query)?;
        if !names && let Some(rows) = self.newest_matches(query)? {
            return Ok(rows);
        }
        self.page(query, names)
    }

    /// [`Index::inbox`] as one statement over the sort's index.
    fn page(&self, query: &InboxQuery, names: bool) -> Result<Vec<InboxRow>, IndexError> {
        let (sql, values) = page_sql(query, names);
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(values), inbox_row)?;
        let mut rows: Vec<InboxRow> = rows.collect::<Result<_, _>>()?;
        if query.seek.reversed() {
            rows.reverse();
        }
        Ok(rows)
    }

    /// A page of a text search newest first (amount the only other
    /// filter), read from the search table by id, highest first, stopping
    /// once the page is full: the statement over the list index builds the
    /// list of every match first (333,000 for a common word in a million).
    /// Ids follow the settle order for rows a sync stores, but nothing
    /// promises it, so the walk is proven before it is used: its rows are in
    /// settle order, and no row outside the walked ids sorts between its
    /// last row and where the page starts (a range of the list index, about
    /// a page of rows when ids are in order). `None` when that does not
    /// hold, or the query is another kind: then [`Index::page`] answers.
    fn newest_matches(&self, query: &InboxQuery) -> Result<Option<Vec<InboxRow>>, IndexError> {
        let key = match query.seek {
            Seek::Start => None,
            Seek::After(key) => Some(key),
            Seek::Before(_) | Seek::End => return Ok(None),
        };
        let want = query.limit.saturating_add(query.offset);
        let Some(fts) = text_only(query).filter(|_| query.sort == InboxSort::NewestFirst) else {
            return Ok(None);
        };
        if want == 0 || want > WALK_MAX {
            return Ok(None);
        }
        let want = want as i64;
        let min = i64::try_from(query.min_amount.0).unwrap_or(i64::MAX);
        // Where the page starts: after `key` in list order (settled time
        // and id both lower), or the top of the list.
        let (top_value, top_id) = key.map_or((i64::MAX, i64::MAX), |k| (k.value, k.id));
        let conn = self.lock();
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM received_fts CROSS JOIN received r \
             ON r.id = received_fts.rowid WHERE received_fts MATCH ?1 \
             AND received_fts.rowid < ?2 AND r.amount_msat >= ?3 \
             AND (r.settled_at, r.id) < (?4, ?2) ORDER BY received_fts.rowid DESC LIMIT ?5"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params![fts, top_id, min, top_value, want],
            inbox_row,
        )?;
        let rows: Vec<InboxRow> = rows.collect::<Result<_, _>>()?;
        // Ids fall along the walk: settled times must not rise.
        if !rows.windows(2).all(|w| w[0].settled_at >= w[1].settled_at) {
            return Ok(None);
        }
        let full = rows.len() as i64 == want;
        // Every match with an id in [walked_to, top_id) was walked. A full
        // page ends at its last row; otherwise every match below the start
        // belongs on it, whatever its id.
        let (end_value, walked_to) = match rows.last() {
            Some(last) if full => (last.settled_at, last.id),
            _ => (i64::MIN, i64::MIN),
        };
        if full || key.is_some() {
            let cap = want.saturating_mul(8).saturating_add(2_000);
            let (seen, unwalked): (i64, i64) = conn.prepare_cached(UNWALKED_SQL)?.query_row(
                rusqlite::params![end_value, top_value, cap, walked_to, top_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if seen >= cap || unwalked > 0 {
                return Ok(None);
            }
        }
        let skip = usize::try_from(query.offset).unwrap_or(usize::MAX);
        Ok(Some(rows.into_iter().skip(skip).collect()))
    }

    /// The list row of entry `id`.
    pub fn row(&self, id: i64) -> Result<InboxRow, IndexError> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM received r WHERE r.id = ?1");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let row = stmt.query_row([id], inbox_row).optional()?;
        row.ok_or(IndexError::NotFound(id))
    }

    /// How many entries match `query` (offset and limit ignored).
    pub fn count(&self, query: &InboxQuery) -> Result<u64, IndexError> {
        if let Some(unread_only) = whole_inbox(query) {
            let (count, _) =
                super::counts::count_and_sum(&self.lock(), unread_only, query.min_amount)?;
            return Ok(count);
        }
        let names = self.alias_matches(query)?;
        if let Some(fts) = text_only(query)
            && !names
        {
            return self.count_text(&fts, query.min_amount);
        }
        let (filter, values) = where_clause(query, names);
        let source = count_source(query);
        let sql = format!("SELECT count(*) FROM {source} WHERE {filter}");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let count: i64 = stmt.query_row(params_from_iter(values), |r| r.get(0))?;
        Ok(count as u64)
    }

    /// [`Index::count`] of a text search with no other filter but the
    /// amount: the matches counted in the search table itself, minus those
    /// below `min_amount`. Joining every match to its row to compare amounts
    /// reads a 700-byte row per match. The `+` keeps `rowid` away from FTS5,
    /// which would otherwise look up every row below the threshold with its
    /// own MATCH (minutes when many are below it); instead the matches are
    /// walked once against a set of the rows below the threshold. Exact
    /// because every row of the search table is a row of `received` (its
    /// external-content index, written in the same transaction; rows are
    /// never deleted).
    fn count_text(&self, fts: &str, min_amount: Msat) -> Result<u64, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(TEXT_COUNT_SQL)?;
        let min = i64::try_from(min_amount.0).unwrap_or(i64::MAX);
        let count: i64 = stmt.query_row(rusqlite::params![fts, min], |r| r.get(0))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// How many entries match `query` and what they add up to (offset and
    /// limit ignored): the counts and totals a filtered list shows.
    pub fn count_and_sum(&self, query: &InboxQuery) -> Result<(u64, Msat), IndexError> {
        if let Some(unread_only) = whole_inbox(query) {
            return super::counts::count_and_sum(&self.lock(), unread_only, query.min_amount);
        }
        let names = self.alias_matches(query)?;
        if let Some(fts) = text_only(query)
            && !names
        {
            let pending = self.search_pending()?;
            return super::counts::search_count_and_sum(
                &self.lock(),
                &fts,
                query.min_amount,
                pending,
            );
        }
        let (sql, values) = count_sql(query, names);
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let (count, sum): (i64, i64) =
            stmt.query_row(params_from_iter(values), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((
            u64::try_from(count).unwrap_or_default(),
            Msat(u64::try_from(sum).unwrap_or_default()),
        ))
    }

    /// The SQL condition (over `received r`) and its values for the
    /// filters of `query`, as the list applies them (the export reuses it).
    pub(super) fn inbox_filter(
        &self,
        query: &InboxQuery,
    ) -> Result<(String, Vec<Value>), IndexError> {
        let names = self.alias_matches(query)?;
        Ok(where_clause(query, names))
    }

    /// Whether a search could match by sender name (a contact's or a graph
    /// alias) rather than by text alone. Only then does a search check
    /// names: that reads every row it passes, the text alone does not.
    fn alias_matches(&self, query: &InboxQuery) -> Result<bool, IndexError> {
        if !query.senders_named.is_empty() {
            return Ok(true);
        }
        let Some((condition, values)) = query.text.as_deref().and_then(alias_condition) else {
            return Ok(false);
        };
        let sql = format!("SELECT EXISTS (SELECT 1 FROM node_alias WHERE {condition})");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        Ok(stmt.query_row(params_from_iter(values), |r| r.get(0))?)
    }

    /// Distinct podcast titles in the inbox, for a filter menu (at most `limit`).
    /// One seek of the podcast index per title (a skip scan), not a walk
    /// of every boost: the menu is read with every count.
    pub fn podcasts(&self, limit: u64) -> Result<Vec<String>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(PODCASTS_SQL)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// See [`Index::podcasts`]: the first title, then each next one above it.
const PODCASTS_SQL: &str = "WITH RECURSIVE titles (podcast) AS ( \
        SELECT min(podcast) FROM received WHERE podcast IS NOT NULL \
        UNION ALL SELECT (SELECT min(r.podcast) FROM received r WHERE r.podcast > t.podcast) \
        FROM titles t WHERE t.podcast IS NOT NULL) \
    SELECT podcast FROM titles WHERE podcast IS NOT NULL LIMIT ?1";

/// See [`Index::count_text`]: matches (?1) minus matches below ?2 msat.
const TEXT_COUNT_SQL: &str = "SELECT (SELECT count(*) FROM received_fts WHERE received_fts MATCH ?1) \
     - (SELECT count(*) FROM received_fts WHERE received_fts MATCH ?1 \
        AND +rowid IN (SELECT id FROM received WHERE amount_msat < ?2))";

/// The longest page (rows skipped included) [`Index::newest_matches`]
/// walks; a deeper one is read by the list index.
const WALK_MAX: u64 = 10_000;

/// See [`Index::newest_matches`]: of the rows settled from ?1 to ?2 (at
/// most ?3 of them, in the list index), how many sort after the page's last
/// row (?1, ?4) and before where it starts (?2, ?5) with an id the walk did
/// not cover (below ?4 or from ?5 up). Any row, match or not: a match among
/// them would belong on the page.
const UNWALKED_SQL: &str = "SELECT count(*), coalesce(sum((settled_at, id) > (?1, ?4) \
     AND (settled_at, id) < (?2, ?5) AND (id < ?4 OR id >= ?5)), 0) \
     FROM (SELECT settled_at, id FROM received INDEXED BY received_list \
     WHERE settled_at >= ?1 AND settled_at <= ?2 LIMIT ?3)";

/// When `query` filters by nothing but the amount and, perhaps, the read
/// flag (whether it does): its count and total are stored ones
/// ([`super::counts`]), not a count of a million rows.
fn whole_inbox(query: &InboxQuery) -> Option<bool> {
    let filtered = query.text.as_deref().and_then(fts_query).is_some()
        || query.sender.is_some()
        || query.podcast.is_some()
        || query.from.is_some()
        || query.until.is_some();
    (!filtered).then_some(query.unread_only)
}

/// The search query when text is the only filter besides the amount.
fn text_only(query: &InboxQuery) -> Option<String> {
    let other_filters = query.sender.is_some()
        || query.podcast.is_some()
        || query.unread_only
        || query.from.is_some()
        || query.until.is_some();
    if other_filters {
        return None;
    }
    query.text.as_deref().and_then(fts_query)
}

impl Seek {
    /// Whether the page is read backwards (then turned round).
    fn reversed(self) -> bool {
        matches!(self, Self::Before(_) | Self::End)
    }
}

/// The statement and parameters of a page of the inbox.
/// `names`: see [`where_clause`].
fn page_sql(query: &InboxQuery, names: bool) -> (String, Vec<Value>) {
    let (mut filter, mut values) = where_clause(query, names);
    let key = match query.seek {
        Seek::After(key) => Some((key, query.sort.descending())),
        Seek::Before(key) => Some((key, !query.sort.descending())),
        Seek::Start | Seek::End => None,
    };
    if let Some((key, below)) = key {
        // A row value: SQLite walks the sort's index from the key.
        let column = query.sort.column();
        let op = if below { "<" } else { ">" };
        filter.push_str(&format!(" AND ({column}, r.id) {op} (?, ?)"));
        values.extend([Value::Integer(key.value), Value::Integer(key.id)]);
    }
    let source = list_source(query);
    let order = query.sort.order_by(query.seek.reversed());
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM {source} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
    );
    for n in [query.limit, query.offset] {
        values.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
    }
    (sql, values)
}

/// Where a page is read from. Without a sender or podcast filter (each has
/// its own ordered index), the covering `received_list` index is walked
/// newest first: filters on amount and read flag are checked in the index,
/// skipped offset rows are never read from the table, and a text search
/// stops after `limit` matches instead of sorting every match. Left to
/// itself, SQLite would look up every search match (or every unread row) and
/// sort them all.
/// Sorted by amount, SQLite picks its own index.
fn list_source(query: &InboxQuery) -> &'static str {
    let by_date = matches!(query.sort, InboxSort::NewestFirst | InboxSort::OldestFirst);
    if by_date && query.sender.is_none() && query.podcast.is_none() {
        "received r INDEXED BY received_list"
    } else {
        "received r"
    }
}

/// The statement and parameters of the count and total of `query`.
fn count_sql(query: &InboxQuery, names: bool) -> (String, Vec<Value>) {
    let (filter, values) = where_clause(query, names);
    let source = count_source(query);
    let sql =
        format!("SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM {source} WHERE {filter}");
    (sql, values)
}

/// What a filtered count walks. A sender or podcast has its own index;
/// otherwise the list index, which holds the date, amount and read flag
/// of every row: a date range is a range of it, and nothing else is read.
/// Left to itself, SQLite would pick the unread index for `read = 0` and
/// read every unread row to check its date (10.7 s at a million rows).
/// A search is left to SQLite too (it starts from the matches).
fn count_source(query: &InboxQuery) -> &'static str {
    let text = query.text.as_deref().and_then(fts_query).is_some();
    if !text && query.sender.is_none() && query.podcast.is_none() {
        "received r INDEXED BY received_list"
    } else {
        "received r"
    }
}

/// The SQL condition and its parameters for the filters of `query`.
/// `names`: a search also matches senders by name (some may match, see
/// [`Index::alias_matches`]).
fn where_clause(query: &InboxQuery, names: bool) -> (String, Vec<Value>) {
    let mut conditions = vec!["r.amount_msat >= ?".to_owned()];
    let mut values = vec![Value::Integer(
        i64::try_from(query.min_amount.0).unwrap_or(i64::MAX),
    )];
    if let Some(fts) = query.text.as_deref().and_then(fts_query) {
        let mut any =
            vec!["r.id IN (SELECT rowid FROM received_fts WHERE received_fts MATCH ?)".to_owned()];
        values.push(Value::Text(fts));
        let alias = query.text.as_deref().filter(|_| names);
        if let Some((alias, words)) = alias.and_then(alias_condition) {
            any.push(format!(
                "({} AND r.sender IN (SELECT s.id FROM senders s \
                 JOIN node_alias ON node_alias.pubkey = s.pubkey WHERE {alias}))",
                Verification::verified_sql("r.verification"),
            ));
            values.extend(words);
        }
        if names && !query.senders_named.is_empty() {
            let marks = vec!["?"; query.senders_named.len()].join(", ");
            any.push(format!(
                "r.sender IN (SELECT id FROM senders WHERE pubkey IN ({marks}))"
            ));
            values.extend(
                query
                    .senders_named
                    .iter()
                    .map(|id| Value::Blob(id.as_bytes().to_vec())),
            );
        }
        conditions.push(format!("({})", any.join(" OR ")));
    }
    if let Some(sender) = &query.sender {
        conditions.push(concat!("r.sender = ", interned::sender_id!("?")).to_owned());
        values.push(Value::Blob(sender.as_bytes().to_vec()));
    }
    if let Some(podcast) = &query.podcast {
        conditions.push("r.podcast = ?".to_owned());
        values.push(Value::Text(podcast.clone()));
    }
    if query.unread_only {
        conditions.push("r.read = 0".to_owned());
    }
    if let Some(from) = query.from {
        conditions.push("r.settled_at >= ?".to_owned());
        values.push(Value::Integer(from));
    }
    if let Some(until) = query.until {
        conditions.push("r.settled_at < ?".to_owned());
        values.push(Value::Integer(until));
    }
    (conditions.join(" AND "), values)
}

/// What a search uses of what the user typed: up to [`MAX_TERMS`] words
/// with a letter or digit; the rest is said, never dropped silently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchWords {
    /// The words searched for (display-safe).
    pub used: Vec<String>,
    /// Words without a letter or digit (the search ignores punctuation).
    pub punctuation: Vec<String>,
    /// Words after the first [`MAX_TERMS`].
    pub beyond: Vec<String>,
}

impl SearchWords {
    /// Split a search.
    pub fn of(text: &str) -> Self {
        let mut words = Self::default();
        for word in text.split_whitespace().map(|w| display_safe(w, 64)) {
            if !word.chars().any(char::is_alphanumeric) {
                words.punctuation.push(word);
            } else if words.used.len() < MAX_TERMS {
                words.used.push(word);
            } else {
                words.beyond.push(word);
            }
        }
        words
    }

    /// What the user should know about the search, if anything:
    /// `Nothing to search for in “*” (only punctuation): showing every tip.`
    pub fn note(&self) -> Option<String> {
        let quote = |words: &[String]| format!("“{}”", words.join(" "));
        if self.used.is_empty() && !self.punctuation.is_empty() {
            return Some(format!(
                "Nothing to search for in {} (search ignores punctuation): showing every tip.",
                quote(&self.punctuation)
            ));
        }
        let mut notes = Vec::new();
        if !self.beyond.is_empty() {
            notes.push(format!(
                "Searched the first {MAX_TERMS} words: {} ignored.",
                quote(&self.beyond)
            ));
        }
        if !self.punctuation.is_empty() {
            notes.push(format!(
                "Punctuation ignored: {}.",
                quote(&self.punctuation)
            ));
        }
        (!notes.is_empty()).then(|| notes.join(" "))
    }
}

/// Turn what the user typed into a safe FTS5 query: every word becomes a
/// quoted prefix phrase (`"word"*`), words are ANDed. `None` when nothing
/// searchable is left (only punctuation or blanks).
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = SearchWords::of(text)
        .used
        .iter()
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The condition on `node_alias` that every searched word is in the alias
/// (any case), and its parameters.
fn alias_condition(text: &str) -> Option<(String, Vec<Value>)> {
    let words = SearchWords::of(text).used;
    if words.is_empty() {
        return None;
    }
    let condition = vec!["alias LIKE ? ESCAPE '\\'"; words.len()].join(" AND ");
    let values = words
        .iter()
        .map(|w| {
            let escaped = w
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            Value::Text(format!("%{escaped}%"))
        })
        .collect();
    Some((condition, values))
}

/// Our contacts whose name contains every searched word (any case), for
/// [`InboxQuery::senders_named`].
pub fn senders_named(contacts: &ContactBook, text: &str) -> Vec<NodeId> {
    let words: Vec<String> = SearchWords::of(text)
        .used
        .iter()
        .map(|w| w.to_lowercase())
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    contacts
        .contacts()
        .iter()
        .filter(|c| {
            let name = c.name.to_lowercase();
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .map(|c| c.pubkey)
        .collect()
}

fn inbox_row(row: &Row<'_>) -> rusqlite::Result<InboxRow> {
    let hash: Vec<u8> = row.get(1)?;
    let name: Option<String> = row.get(4)?;
    let pubkey: Option<Vec<u8>> = row.get(5)?;
    let sender_pubkey = pubkey.and_then(|k| NodeId::from_slice(&k).ok());
    let message: Option<String> = row.get(7)?;
    let read: bool = row.get(9)?;
    Ok(InboxRow {
        id: row.get(0)?,
        hash: PaymentHash::from_slice(&hash).unwrap_or(PaymentHash::from_bytes([0; 32])),
        amount: Msat(row.get::<_, i64>(2)? as u64),
        settled_at: row.get(3)?,
        sender_name: name
            .map(|n| display_safe(&n, NAME_CHARS))
            .filter(|n| !n.trim().is_empty()),
        sender_pubkey,
        verification: row
            .get::<_, Option<i64>>(6)?
            .and_then(Verification::from_code),
        preview: display_safe(message.as_deref().unwrap_or(""), PREVIEW_CHARS),
        message_source: row
            .get::<_, Option<i64>>(10)?
            .and_then(MessageSource::from_code),
        podcast: row.get(8)?,
        alias: row.get(11)?,
        unread: !read,
    })
}

impl InboxRow {
    /// An unread anonymous 21-sat row `id` settled at second `id`, without
    /// a message (tests build the rest on it).
    #[cfg(test)]
    pub(crate) fn sample(id: i64) -> Self {
        Self {
            id,
            hash: PaymentHash::from_bytes([id as u8; 32]),
            amount: Msat::from_sat(21),
            settled_at: id,
            sender_name: None,
            alias: None,
            sender_pubkey: None,
            verification: None,
            preview: String::new(),
            message_source: None,
            podcast: None,
            unread: true,
        }
    }

    /// What the index knows about the sender (see [`super::ShownSender`]).
    pub fn facts(&self) -> SenderFacts<'_> {
        SenderFacts {
            verification: self.verification,
            pubkey: self.sender_pubkey,
            claimed_name: self.sender_name.as_deref(),
            message_source: self.message_source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for the page of `query` and for the podcast menu.
    fn plans(query: &InboxQuery) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let conn = index.lock();
        let plan = |sql: &str, values: Vec<Value>| -> String {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt.query_map(params_from_iter(values), |r| r.get::<_, String>(3));
            let rows: Vec<String> = rows.unwrap().collect::<Result<_, _>>().unwrap();
            rows.join("; ")
        };
        let (sql, values) = page_sql(query, false);
        (
            plan(&sql, values),
            plan(PODCASTS_SQL, vec![Value::Integer(50)]),
        )
    }

    #[test]
    fn a_text_count_walks_the_matches_once() {
        // Given `rowid IN (...)`, FTS5 would run MATCH again for every row
        // below the threshold (plan `INDEX 0:=M...`): minutes at 100k.
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let conn = index.lock();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {TEXT_COUNT_SQL}"))
            .unwrap();
        let rows = stmt.query_map(rusqlite::params!["\"tip\"*", 10_000], |r| {
            r.get::<_, String>(3)
        });
        let plan: Vec<String> = rows.unwrap().collect::<Result<_, _>>().unwrap();
        let plan = plan.join("; ");
        assert!(plan.contains("VIRTUAL TABLE INDEX 0:M"), "{plan}");
        assert!(!plan.contains(":=M"), "{plan}");
    }

    /// Unread-only with a date range is counted in a range of the list
    /// index (covering: no row read), not by reading every unread row.
    #[test]
    fn a_date_range_count_is_a_range_of_the_list_index() {
        let query = InboxQuery {
            unread_only: true,
            from: Some(1_000),
            until: Some(2_000),
            ..InboxQuery::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let conn = index.lock();
        let (sql, values) = count_sql(&query, false);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(params_from_iter(values), |r| r.get::<_, String>(3));
        let plan = rows
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .join("; ");
        assert!(
            plan.contains("COVERING INDEX received_list (settled_at>? AND settled_at<?)"),
            "{plan}"
        );
    }

    #[test]
    fn the_podcast_filter_and_menu_walk_the_podcast_index() {
        let query = InboxQuery {
            podcast: Some("Noded".into()),
            min_amount: Msat::from_sat(10),
            ..InboxQuery::default()
        };
        let (page, menu) = plans(&query);
        assert!(
            page.contains("INDEX received_podcast (podcast=?)"),
            "{page}"
        );
        // In date order: only ties on the date are sorted (by id).
        assert!(!page.contains("TEMP B-TREE FOR ORDER BY"), "{page}");
        assert!(menu.contains("COVERING INDEX received_podcast"), "{menu}");
    }

    /// Unread-only, a date range and each sort compose with a search, and
    /// the count and sum follow them.
    #[test]
    fn filters_and_sorts_compose_with_search() {
        use crate::keysend::{Records, record};
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        // (n, day, sat, message)
        let rows = [
            (1, 0, 50, "coffee one"),
            (2, 1, 10, "coffee two"),
            (3, 2, 30, "tea three"),
            (4, 3, 40, "coffee four"),
            (5, 4, 20, "coffee five"),
        ];
        let keysends: Vec<_> = rows
            .iter()
            .map(|&(n, day, sat, text)| {
                let records = Records::from([(record::MESSAGE, text.as_bytes().to_vec())]);
                crate::wallet::thread::sample_received(
                    n,
                    day * 86_400 + 60,
                    Msat::from_sat(sat),
                    records,
                )
            })
            .collect();
        let _ = index.insert_received(&keysends).unwrap();
        let id_of = |sat: u64| {
            let all = index.inbox(&InboxQuery::default()).unwrap();
            all.iter()
                .find(|r| r.amount == Msat::from_sat(sat))
                .unwrap()
                .id
        };
        index.mark_read(id_of(40)).unwrap();
        let (from, until) = day_range("1970-01-02", "1970-01-05").unwrap();
        let amounts = |sort: InboxSort, unread_only: bool| {
            let query = InboxQuery {
                text: Some("coffee".into()),
                from,
                until,
                sort,
                unread_only,
                ..InboxQuery::default()
            };
            let sats: Vec<u64> = index
                .inbox(&query)
                .unwrap()
                .iter()
                .map(|r| r.amount.0 / 1000)
                .collect();
            (sats, index.count_and_sum(&query).unwrap())
        };
        let cases = [
            (InboxSort::NewestFirst, false, vec![20, 40, 10]),
            (InboxSort::OldestFirst, false, vec![10, 40, 20]),
            (InboxSort::LargestFirst, false, vec![40, 20, 10]),
            (InboxSort::SmallestFirst, false, vec![10, 20, 40]),
            (InboxSort::LargestFirst, true, vec![20, 10]),
        ];
        for (sort, unread, expected) in cases {
            let (sats, (count, sum)) = amounts(sort, unread);
            assert_eq!(sats, expected, "{sort:?} unread {unread}");
            assert_eq!(count, expected.len() as u64, "{sort:?}");
            assert_eq!(sum, Msat::from_sat(expected.iter().sum()), "{sort:?}");
        }
    }

    /// `n` rows with repeated dates and amounts (ties broken by id), a
    /// third of them below 10 sat, one in five read.
    fn tied_index(n: i64) -> (tempfile::TempDir, Index) {
        use crate::keysend::{Records, record};
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let keysends: Vec<_> = (1..=n)
            .map(|i| {
                let text = format!("tip number {i}");
                let records = Records::from([(record::MESSAGE, text.into_bytes())]);
                let sat = 5 + (i * 7) % 13;
                crate::wallet::thread::sample_received(
                    i as u32,
                    1_000 + i / 3,
                    Msat::from_sat(sat as u64),
                    records,
                )
            })
            .collect();
        let _ = index.insert_received(&keysends).unwrap();
        for id in (1..=n).step_by(5) {
            index.mark_read(id).unwrap();
        }
        (dir, index)
    }

    /// Paging by key, down from the start and up from the end, lists
    /// exactly what one big page lists, in every order and with filters.
    #[test]
    fn keyset_pages_list_what_one_page_lists() {
        let (_dir, index) = tied_index(97);
        for sort in InboxSort::ALL {
            for (text, unread_only) in [(None, false), (Some("tip"), true)] {
                let whole = InboxQuery {
                    sort,
                    text: text.map(str::to_owned),
                    unread_only,
                    min_amount: Msat::from_sat(10),
                    limit: 1_000,
                    ..InboxQuery::default()
                };
                let all: Vec<i64> = index.inbox(&whole).unwrap().iter().map(|r| r.id).collect();
                assert!(all.len() > 20, "{sort:?}");
                let page = |seek, offset| {
                    let query = InboxQuery {
                        seek,
                        offset,
                        limit: 7,
                        ..whole.clone()
                    };
                    index.inbox(&query).unwrap()
                };
                let mut down = Vec::new();
                let mut seek = Seek::Start;
                loop {
                    let rows = page(seek, 0);
                    let Some(last) = rows.last() else { break };
                    seek = Seek::After(sort.key(last));
                    down.extend(rows.iter().map(|r| r.id));
                }
                assert_eq!(down, all, "{sort:?} down");
                let mut up: Vec<i64> = Vec::new();
                let mut seek = Seek::End;
                loop {
                    let rows = page(seek, 0);
                    let Some(first) = rows.first() else { break };
                    seek = Seek::Before(sort.key(first));
                    drop(up.splice(0..0, rows.iter().map(|r| r.id)));
                }
                assert_eq!(up, all, "{sort:?} up");
                // Skipping from a key or from the end lands where an offset does.
                let at = sort.key(
                    &index
                        .inbox(&InboxQuery {
                            offset: 4,
                            limit: 1,
                            ..whole.clone()
                        })
                        .unwrap()[0],
                );
                let ids = |rows: Vec<InboxRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
                assert_eq!(
                    ids(page(Seek::After(at), 3)),
                    all[8..15].to_vec(),
                    "{sort:?}"
                );
                assert_eq!(
                    ids(page(Seek::Before(at), 0)),
                    all[0..4].to_vec(),
                    "{sort:?}"
                );
                let n = all.len();
                assert_eq!(
                    ids(page(Seek::End, 2)),
                    all[n - 9..n - 2].to_vec(),
                    "{sort:?}"
                );
            }
        }
    }

    /// A page after a key starts inside the sort's index (a range search),
    /// never by walking and skipping the rows above it.
    #[test]
    fn a_page_after_a_key_searches_the_index_from_the_key() {
        let key = RowKey {
            value: 1_000,
            id: 5,
        };
        for (sort, index) in [
            (InboxSort::NewestFirst, "received_list"),
            (InboxSort::OldestFirst, "received_list"),
            (InboxSort::LargestFirst, "received_amount"),
            (InboxSort::SmallestFirst, "received_amount"),
        ] {
            for seek in [Seek::After(key), Seek::Before(key)] {
                let query = InboxQuery {
                    sort,
                    seek,
                    ..InboxQuery::default()
                };
                let (page, _) = plans(&query);
                // A range search on the sort column from the key (its ties
                // checked in the index), not a SCAN that skips rows.
                let search = format!("SEARCH r USING INDEX {index} (");
                assert!(page.starts_with(&search), "{sort:?} {seek:?}: {page}");
                assert!(!page.contains("TEMP B-TREE"), "{sort:?} {seek:?}: {page}");
            }
        }
    }

    /// 240 rows settled in id order with ties, a third saying "keysend"
    /// (and some "keysends", a prefix match), amounts from 1 to 50 sat, one
    /// in four read; `stragglers`: every 29th row settled far out of its id
    /// order (earlier or later), as rows added by another path could be.
    fn search_index(stragglers: bool) -> (tempfile::TempDir, Index) {
        use crate::keysend::{Records, record};
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let keysends: Vec<_> = (1..=240u32)
            .map(|i| {
                let word = match i {
                    i if i % 7 == 0 => "keysends",
                    i if i % 3 == 0 => "keysend",
                    _ => "tip",
                };
                let text = format!("a {word} number {i}");
                let records = Records::from([(record::MESSAGE, text.into_bytes())]);
                let mut at = 10_000 + i64::from(i / 2);
                if stragglers && i % 29 == 0 {
                    at += if i % 58 == 0 { 500 } else { -5_000 };
                }
                let sat = 1 + u64::from(i * 13 % 50);
                crate::wallet::thread::sample_received(i, at, Msat::from_sat(sat), records)
            })
            .collect();
        for page in keysends.chunks(17) {
            let _ = index.insert_received(page).unwrap();
        }
        for id in (1..=240).step_by(4) {
            index.mark_read(id).unwrap();
        }
        (dir, index)
    }

    /// Every search the walk by id may answer, and its pages down from the
    /// start: the same rows as the statement over the list index. Returns
    /// how many of them the walk answered.
    fn walked_pages_match_the_list(index: &Index) -> usize {
        let mut walked = 0;
        for text in ["keysend", "keysends", "tip", "number 1", "absent"] {
            for min_sat in [0, 20] {
                for (limit, offset) in [(1, 0), (7, 0), (7, 3), (50, 0), (1_000, 0)] {
                    let query = InboxQuery {
                        text: Some(text.into()),
                        min_amount: Msat::from_sat(min_sat),
                        limit,
                        offset,
                        ..InboxQuery::default()
                    };
                    let mut seek = Seek::Start;
                    loop {
                        let query = InboxQuery {
                            seek,
                            ..query.clone()
                        };
                        let plain = index.page(&query, false).unwrap();
                        walked += usize::from(index.newest_matches(&query).unwrap().is_some());
                        assert_eq!(index.inbox(&query).unwrap(), plain, "{query:?}");
                        let Some(last) = plain.last() else { break };
                        seek = Seek::After(query.sort.key(last));
                    }
                    let (sql, values) = count_sql(&query, false);
                    let plain: (i64, i64) = index
                        .lock()
                        .query_row(&sql, params_from_iter(values), |r| {
                            Ok((r.get(0)?, r.get(1)?))
                        })
                        .unwrap();
                    let (count, sum) = index.count_and_sum(&query).unwrap();
                    assert_eq!((count as i64, sum.0 as i64), plain, "{query:?}");
                }
            }
        }
        walked
    }

    #[test]
    fn a_search_walked_by_id_lists_what_the_list_index_lists() {
        let (_dir, index) = search_index(false);
        let walked = walked_pages_match_the_list(&index);
        assert!(
            walked > 100,
            "ids in settle order: the walk answers ({walked})"
        );
        // Filters the walk does not take: the list index answers alike.
        let query = InboxQuery {
            text: Some("keysend".into()),
            unread_only: true,
            ..InboxQuery::default()
        };
        assert!(index.newest_matches(&query).unwrap().is_none());
        for sort in [InboxSort::OldestFirst, InboxSort::LargestFirst] {
            let query = InboxQuery {
                text: Some("keysend".into()),
                sort,
                ..InboxQuery::default()
            };
            assert!(index.newest_matches(&query).unwrap().is_none());
        }
    }

    #[test]
    fn a_search_over_rows_out_of_settle_order_lists_what_the_list_index_lists() {
        let (_dir, index) = search_index(true);
        let _ = walked_pages_match_the_list(&index);
        // Row 203 says "keysends" but settled 5,000 s before its neighbours:
        // the walk meets it within the page, out of order, and hands over.
        let query = InboxQuery {
            text: Some("keysend".into()),
            ..InboxQuery::default()
        };
        assert!(index.newest_matches(&query).unwrap().is_none());
        // Rows 232 and 174 settled 500 s late sort first, but their ids are
        // below the walk's end: the range check finds them.
        let query = InboxQuery {
            text: Some("tip".into()),
            limit: 3,
            ..InboxQuery::default()
        };
        assert!(index.newest_matches(&query).unwrap().is_none());
        assert_eq!(index.inbox(&query).unwrap()[0].id, 232);
    }

    #[test]
    fn typed_days_are_checked() {
        assert_eq!(day_range("", ""), Ok((None, None)));
        assert_eq!(
            day_range("1970-01-02", "1970-01-02"),
            Ok((Some(86_400), Some(172_800)))
        );
        let bad = day_range("31/01/2025", "").unwrap_err();
        assert!(bad.contains("From") && bad.contains("YYYY-MM-DD"), "{bad}");
        let backwards = day_range("1970-01-03", "1970-01-02").unwrap_err();
        assert!(backwards.contains("before"), "{backwards}");
    }

    #[test]
    fn search_text_becomes_quoted_prefix_phrases() {
        let cases: &[(&str, Option<&str>)] = &[
            ("great show", Some("\"great\"* \"show\"*")),
            ("  ", None),
            ("\"", None),
            ("*", None),
            ("NEAR(", Some("\"NEAR(\"*")),
            ("a\"b", Some("\"a\"\"b\"*")),
            ("col:value OR x", Some("\"col:value\"* \"OR\"* \"x\"*")),
            ("zero\u{200B}width", Some("\"zerowidth\"*")),
        ];
        for (input, expected) in cases {
            assert_eq!(fts_query(input).as_deref(), *expected, "{input:?}");
        }
    }
}
