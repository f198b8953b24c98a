// Strict HTTP framing (issue 15, item 7): a request with two different Content-Length
// headers is refused (behind a proxy the two would frame it differently), and one address
// cannot hold more than its share of the server's connections.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../lib/server.mjs';

/** Send raw bytes on a fresh connection; resolve with what came back before it closed. */
function raw(port, text, ms = 3000) {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => { s.destroy(); ok(out); }, ms);
    s.on('data', (d) => { out += d; if (/\r\n\r\n/.test(out)) { clearTimeout(t); s.destroy(); ok(out); } });
    s.on('error', (e) => { clearTimeout(t); e.code === 'ECONNRESET' ? ok(out) : fail(e); });
    s.on('close', () => { clearTimeout(t); ok(out); });
    s.write(text);
  });
}

describe('HTTP framing and connections per address', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server?.stop());

  test('two different Content-Length headers: 400, and the body is not read as a login', async () => {
    const body = '{"username":"admin","password":"x"}';
    const r = await raw(server.port, 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\nContent-Length: 2\r\n\r\n${body}`);
    assert.match(r, /^HTTP\/1\.1 400/, r.slice(0, 200));
    assert.ok(server.alive);
  });

  test('the same Content-Length twice is one length', async () => {
    const body = '{}';
    const r = await raw(server.port, 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n${body}`);
    assert.match(r, /^HTTP\/1\.1 422/, r.slice(0, 200));
  });

  test('one address holds at most 128 connections; the server still answers others', async () => {
    const socks = [];
    for (let i = 0; i < 200; i++) {
      const s = connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      socks.push(s);
    }
    await new Promise((ok) => setTimeout(ok, 500));
    const open = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
    const closed = await Promise.all(socks.map((s) => new Promise((ok) => {
      if (s.destroyed) return ok(true);
      s.once('close', () => ok(true));
      setTimeout(() => ok(false), 1500);
    })));
    assert.ok(closed.filter(Boolean).length >= 200 - 128, `only ${closed.filter(Boolean).length} of 200 were refused (${open} open)`);
    for (const s of socks) s.destroy();
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal((await fetch(server.url + '/api/v1/session')).status, 401, 'answered (not logged in)');
  });
});
