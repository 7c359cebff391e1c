"""Build a synthetic index.db of N received keysends with the v6 schema (BENCHMARKS.md,
"Fast at a million: the read path"). Usage: python3 make_index.py OUT.db 1000000
(~15 min under load; 760 MB). Never point it at a real profile: it deletes OUT.db first."""
import sqlite3, re, os, random, time, sys
src=open(os.path.join(os.path.dirname(__file__), '../../src/wallet/schema.rs')).read()
def const(name):
    m=re.search(r'const %s: &str = "(.*?)";\n'%name, src, re.S); return m.group(1)
p=sys.argv[1]; N=int(sys.argv[2])
for f in [p,p+'-wal',p+'-shm']:
    if os.path.exists(f): os.remove(f)
c=sqlite3.connect(p); c.execute('pragma journal_mode=wal'); c.execute('pragma synchronous=off')
for v in ['V1','V2','V3','V4','V5','V6']:
    c.executescript(const(v))
c.execute('pragma user_version=6')
words="lightning great show thanks love keep going podcast value boost sats nostr bitcoin node channel".split()
pods=["Noded","Tech Talk","Citadel Dispatch","What Bitcoin Did","TFTC","Bitcoin Audible"]
senders=[bytes([2])+bytes([i%256])*32 for i in range(1,300)]
t=time.time()
rows=[]; fts=[]
c.execute('begin')
for i in range(1,N+1):
    kind=i%10
    amount=(100+(i*37)%4900)*1000
    settled=1_600_000_000+i*30
    msg=' '.join(random.choice(words) for _ in range(6))+(' rareword' if i%100==0 else '')
    pk=senders[i%len(senders)] if kind<4 else None
    name='user%d'%(i%300) if kind<6 else None
    pod=pods[i%6] if kind>=5 else None
    ep=('Ep %d'%(i%20)) if pod else None
    rec=os.urandom(16)+msg.encode()*3+os.urandom(200)
    c.execute('insert into received(id,hash,chan_id,htlc_index,amount_msat,created_at,settled_at,add_index,settle_index,message,sender_pubkey,sender_name,podcast,app,episode,records,verification,read,message_source) values(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
      (i,os.urandom(32),1,i,amount,settled-1,settled,i,i,msg,pk,name,pod,'Fountain' if pod else None,ep,rec,(1 if pk else None),0,1))
    c.execute('insert into received_fts(rowid,message,sender_name,podcast) values(?,?,?,?)',(i,msg,name,pod))
    if i%50000==0:
        c.execute('commit'); c.execute('begin'); print(i, '%.0fs'%(time.time()-t), flush=True)
c.execute('commit')
c.execute('pragma wal_checkpoint(truncate)')
print('done', time.time()-t)
