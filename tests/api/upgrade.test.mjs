// Several qiao processes opening one database at once (two servers started together, a
// command run beside the server): each brings the schema up to date at its start, one after
// the other, and none fails. On PostgreSQL they wait for each other's upgrade on a lock of
// qiao's (store_pg.c upgrade_lock_sql); before it, three in four failed to start with a
// duplicate schema_version. On SQLite BEGIN IMMEDIATE queues them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { BIN, STORES, freshDb, qiao } from '../lib/server.mjs';

const run = (args) => new Promise((ok) => {
  const p = spawn(BIN, args);
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  p.on('exit', (code) => ok({ code, err }));
});

for (const store of STORES) {
  describe(`processes starting together on one database (${store})`, () => {
    test('eight at once all open it, five times over', async () => {
      const db = freshDb(store);
      try {
        qiao(['init', '--db', db.url, '--org-name', '升级测试侨联']);
        for (let round = 0; round < 5; round++) {
          const all = await Promise.all(Array.from({ length: 8 }, () => run(['audit', 'verify', '--db', db.url])));
          for (const r of all) assert.equal(r.code, 0, r.err);
        }
      } finally {
        db.drop();
      }
    });
  });
}
