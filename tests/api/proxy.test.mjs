// A trusted reverse proxy (issue 15, item 7): `qiao serve --trusted-proxy ADDR` takes the
// client's address from X-Forwarded-For (its last address) and https from
// X-Forwarded-Proto, from ADDR only; the session cookie gets Secure behind https and the
// audit names the client. Without the flag, or from another address, the headers are
// ignored (a client cannot forge its address nor get a Secure cookie over plain http).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, STORES, startServer } from '../lib/server.mjs';
import { sql } from './helpers.mjs';

const FWD = { 'X-Forwarded-For': '198.51.100.20, 203.0.113.7', 'X-Forwarded-Proto': 'https' };

async function login(server, headers) {
  const c = server.client();
  const r = await c.post('/api/v1/session', { username: 'admin', password: PASSWORD }, { headers });
  assert.equal(r.status, 200, r.text);
  return { cookie: r.headers.get('set-cookie'), client: sql(server, "SELECT client FROM audit_log WHERE action = 'login' ORDER BY seq DESC LIMIT 1") };
}

for (const store of STORES) {
  describe(`trusted proxy (${store})`, () => {
    let proxied, plain, elsewhere;
    before(async () => {
      [proxied, plain, elsewhere] = await Promise.all([
        startServer({ store, serveArgs: ['--trusted-proxy', '127.0.0.1'] }),
        startServer({ store }),
        startServer({ store, serveArgs: ['--trusted-proxy', '10.9.8.7'] }),
      ]);
    });
    after(() => Promise.all([proxied?.stop(), plain?.stop(), elsewhere?.stop()]));

    test('from the proxy: the client is X-Forwarded-For\'s last address, https gives Secure', async () => {
      let r = await login(proxied, FWD);
      assert.match(r.cookie, /; Secure/);
      assert.equal(r.client, '203.0.113.7');
      // plain http through the proxy: no Secure; a header that is no address: the proxy's
      r = await login(proxied, { 'X-Forwarded-For': 'not-an-address', 'X-Forwarded-Proto': 'http' });
      assert.doesNotMatch(r.cookie, /Secure/);
      assert.equal(r.client, '127.0.0.1');
      r = await login(proxied, { 'X-Forwarded-For': '2001:DB8::1' });
      assert.equal(r.client, '2001:db8::1');
    });

    test('without the flag, or from another address, the headers are ignored', async () => {
      for (const server of [plain, elsewhere]) {
        const r = await login(server, FWD);
        assert.doesNotMatch(r.cookie, /Secure/);
        assert.equal(r.client, '127.0.0.1');
      }
    });
  });
}

test('a --trusted-proxy that is no address stops the server with a message', async () => {
  await assert.rejects(startServer({ serveArgs: ['--trusted-proxy', 'nginx.local'] }), /trusted-proxy/);
});
