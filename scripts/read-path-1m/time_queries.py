"""Time the read path's exact SQL on an index built by make_index.py (median of 5, with
its EXPLAIN QUERY PLAN). Usage: python3 time_queries.py INDEX.db before|after ("after"
also times the SQL of the stored counts, the new date-range count and the podcast menu;
run migrate_v7.py between the two). Writes nothing to the file but temp tables."""
import sqlite3, time, sys, statistics
p=sys.argv[1]; phase=sys.argv[2]
c=sqlite3.connect(p)
ROW="r.id, r.hash, r.amount_msat, r.settled_at, r.sender_name, r.sender_pubkey, r.verification, substr(r.message, 1, 400), r.podcast, r.read, r.message_source, (SELECT a.alias FROM node_alias a WHERE a.pubkey = r.sender_pubkey)"
MIN=10000
def t(name, sql, params=(), runs=5):
    ts=[]
    for _ in range(runs):
        s=time.perf_counter(); rows=c.execute(sql, params).fetchall(); ts.append(time.perf_counter()-s)
    plan='; '.join(r[3] for r in c.execute('EXPLAIN QUERY PLAN '+sql, params))
    print('%-48s %9.2f ms  rows=%-6d | %s' % (name, statistics.median(ts)*1000, len(rows), plan[:150]), flush=True)
    return rows
N=c.execute('select max(id) from received').fetchone()[0]
first=t('first page (120)', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? ORDER BY r.settled_at DESC, r.id DESC LIMIT 120 OFFSET 0",(MIN,))
t('page at row 500,000 by OFFSET', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? ORDER BY r.settled_at DESC, r.id DESC LIMIT 120 OFFSET 500000",(MIN,))
k=c.execute("SELECT settled_at, id FROM received r INDEXED BY received_list WHERE amount_msat >= ? ORDER BY settled_at DESC, id DESC LIMIT 1 OFFSET 499999",(MIN,)).fetchone()
t('page at row 500,000 after its key (keyset)', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? AND (r.settled_at, r.id) < (?, ?) ORDER BY r.settled_at DESC, r.id DESC LIMIT 120 OFFSET 0",(MIN,k[0],k[1]))
t('last page by OFFSET', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? ORDER BY r.settled_at DESC, r.id DESC LIMIT 120 OFFSET {N-120}",(MIN,))
t('last page from the end (Seek::End)', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? ORDER BY r.settled_at ASC, r.id ASC LIMIT 120 OFFSET 0",(MIN,))
t('count+sum, whole inbox (full count)', "SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM received r WHERE r.amount_msat >= ?",(MIN,))
t('unread count (full count)', "SELECT count(*) FROM received WHERE read = 0 AND amount_msat >= ?",(MIN,))
if phase=='after':
    c.executescript("""CREATE TEMP TABLE IF NOT EXISTS received_counts (filter TEXT PRIMARY KEY, unread INTEGER NOT NULL, upto INTEGER NOT NULL, n INTEGER NOT NULL, total INTEGER NOT NULL) WITHOUT ROWID;""")
    up=N
    c.execute("INSERT OR REPLACE INTO temp.received_counts VALUES ('all>=10000',0,?,1,1)",(up-1000,))
    t('stored count: max(id)+stored row', "SELECT (SELECT coalesce(max(id),0) FROM received), (SELECT upto||n||total FROM received_counts WHERE filter='all>=10000')")
    t('stored count: + 1,000 new rows by id range', "SELECT count(*), coalesce(sum(amount_msat), 0) FROM received WHERE id > ?1 AND +amount_msat >= ?2 AND +read = 0",(up-1000,MIN))
t('search count "lightning" (FTS)', "SELECT (SELECT count(*) FROM received_fts WHERE received_fts MATCH ?1) - (SELECT count(*) FROM received_fts WHERE received_fts MATCH ?1 AND +rowid IN (SELECT id FROM received WHERE amount_msat < ?2))",('"lightning"*',MIN))
t('search count rare word', "SELECT (SELECT count(*) FROM received_fts WHERE received_fts MATCH ?1) - (SELECT count(*) FROM received_fts WHERE received_fts MATCH ?1 AND +rowid IN (SELECT id FROM received WHERE amount_msat < ?2))",('"rareword"*',MIN))
t('search page "lightning"', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? AND (r.id IN (SELECT rowid FROM received_fts WHERE received_fts MATCH ?)) ORDER BY r.settled_at DESC, r.id DESC LIMIT 120",(MIN,'"lightning"*'))
t('search page rare word', f"SELECT {ROW} FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? AND (r.id IN (SELECT rowid FROM received_fts WHERE received_fts MATCH ?)) ORDER BY r.settled_at DESC, r.id DESC LIMIT 120",(MIN,'"rareword"*'))
snd=bytes([2])+bytes([5])*32
t('sender filter count+sum', "SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM received r WHERE r.amount_msat >= ? AND r.sender_pubkey = ?",(MIN,snd))
t('podcast filter count+sum', "SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM received r WHERE r.amount_msat >= ? AND r.podcast = ?",(MIN,'Noded'))
t('unread-only + date range count+sum', "SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM received r WHERE r.amount_msat >= ? AND r.read = 0 AND r.settled_at >= ? AND r.settled_at < ?",(MIN,1_600_000_000+300_000*30,1_600_000_000+330_000*30))
t('podcast menu (distinct, 50)', "SELECT DISTINCT podcast FROM received WHERE podcast IS NOT NULL ORDER BY podcast LIMIT 50")
t('a thread: 50 newest of one sender', "SELECT id, hash, amount_msat, settled_at, message, verification, read, records FROM received WHERE sender_pubkey = ?1 ORDER BY settled_at DESC, id DESC LIMIT ?2",(snd,50))
OLD_THREADS="SELECT peer, max(at), sum(inbound), sum(1 - inbound), sum(unread) FROM (SELECT sender_pubkey AS peer, settled_at * 1000000000 AS at, 1 AS inbound, read = 0 AS unread FROM received WHERE sender_pubkey IS NOT NULL UNION ALL SELECT destination, created_ns, 0, 0 FROM sent WHERE destination IS NOT NULL) GROUP BY peer ORDER BY max(at) DESC LIMIT ?1"
NEW_THREADS="SELECT peer, max(at), sum(inbound), sum(outbound), sum(unread) FROM (SELECT sender_pubkey AS peer, max(settled_at) * 1000000000 AS at, count(*) AS inbound, 0 AS outbound, sum(read = 0) AS unread FROM received WHERE sender_pubkey IS NOT NULL GROUP BY sender_pubkey UNION ALL SELECT destination, max(created_ns), 0, count(*), 0 FROM sent WHERE destination IS NOT NULL GROUP BY destination) GROUP BY peer ORDER BY max(at) DESC LIMIT ?1"
t('conversations list (old SQL)', OLD_THREADS, (200,), runs=3)
t('conversations list (new SQL)', NEW_THREADS, (200,), runs=3)
t('boost group: newest 200 boost legs', "SELECT hash, amount_msat, settled_at, records FROM received WHERE podcast IS NOT NULL AND settled_at >= ?1 AND (?2 IS NULL OR podcast = ?2) ORDER BY settled_at DESC, id DESC LIMIT ?3",(-2**62,None,200))
t('boost group of one podcast: newest 200', "SELECT hash, amount_msat, settled_at, records FROM received WHERE podcast IS NOT NULL AND settled_at >= ?1 AND (?2 IS NULL OR podcast = ?2) ORDER BY settled_at DESC, id DESC LIMIT ?3",(-2**62,'Noded',200))
t('podcast totals (all podcasts)', "SELECT podcast, episode, count(*), sum(amount_msat) FROM received WHERE podcast IS NOT NULL AND settled_at >= ?1 AND (?2 IS NULL OR podcast = ?2) GROUP BY podcast, episode ORDER BY podcast, sum(amount_msat) DESC",(-2**62,None),runs=3)
t('supporters (all boosts)', "SELECT CASE WHEN verification IN (1,2) THEN sender_pubkey END AS node, CASE WHEN verification IN (1,2) THEN NULL ELSE sender_name END AS name, count(*), sum(amount_msat) FROM received WHERE podcast IS NOT NULL AND settled_at >= ?1 AND (?2 IS NULL OR podcast = ?2) GROUP BY node, name ORDER BY sum(amount_msat) DESC LIMIT ?3",(-2**62,None,20),runs=3)
if phase=='after':
    t('unread-only + date range count+sum (INDEXED BY received_list)', "SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? AND r.read = 0 AND r.settled_at >= ? AND r.settled_at < ?",(MIN,1_600_000_000+300_000*30,1_600_000_000+330_000*30))
    t('search count+sum "lightning" + unread (INDEXED BY received_list)', "SELECT count(*), coalesce(sum(r.amount_msat), 0) FROM received r INDEXED BY received_list WHERE r.amount_msat >= ? AND r.read = 0 AND r.id IN (SELECT rowid FROM received_fts WHERE received_fts MATCH ?)",(MIN,'"lightning"*'),runs=3)
    t('podcast menu (skip scan)', "WITH RECURSIVE titles (podcast) AS (SELECT min(podcast) FROM received WHERE podcast IS NOT NULL UNION ALL SELECT (SELECT min(r.podcast) FROM received r WHERE r.podcast > t.podcast) FROM titles t WHERE t.podcast IS NOT NULL) SELECT podcast FROM titles WHERE podcast IS NOT NULL LIMIT ?1",(50,))
