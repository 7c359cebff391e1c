"""Apply schema.rs's V7 step to an index built by make_index.py. Usage: python3 migrate_v7.py INDEX.db"""
import sqlite3,time,re,os,sys
src=open(os.path.join(os.path.dirname(__file__), '../../src/wallet/schema.rs')).read()
m=re.search(r'const V7: &str = "(.*?)";\n', src, re.S)
c=sqlite3.connect(sys.argv[1]); t=time.time(); c.executescript(m.group(1)); c.execute('pragma user_version=7'); c.commit(); print('v7 migration %.1fs'%(time.time()-t))
