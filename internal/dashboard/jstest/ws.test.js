import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLWsClient, SUBPROTOCOL, wsURL } from '../assets/ws.js';

/** FakeSocket records what the client sends and lets a test play the server. */
class FakeSocket {
  static last = null;
  constructor(url, protocol) {
    this.url = url;
    this.requested = protocol;
    this.protocol = '';
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.last = this;
  }
  send(s) {
    assert.equal(this.readyState, 1, 'sent on a socket that is not open');
    this.sent.push(JSON.parse(s));
  }
  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  // The server's side.
  open(protocol = SUBPROTOCOL) {
    this.protocol = protocol;
    this.readyState = 1;
    this.onopen?.({});
  }
  message(obj) {
    this.onmessage?.({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
  }
  serverClose(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  take() {
    const s = this.sent;
    this.sent = [];
    return s;
  }
}

/** fakeTimers runs timeouts when the test says so. */
function fakeTimers() {
  const pending = new Map();
  let n = 0;
  return {
    setTimeout: (fn, ms) => { pending.set(++n, { fn, ms }); return n; },
    clearTimeout: (id) => pending.delete(id),
    fire() { for (const [id, t] of [...pending]) { pending.delete(id); t.fn(); } },
    get size() { return pending.size; },
  };
}

function setup(extra = {}) {
  const timers = fakeTimers();
  const events = { status: [], closes: [] };
  const client = new GraphQLWsClient({
    url: 'ws://example.test/graphql',
    connectionParams: () => ({ Authorization: 'Bearer tok-1' }),
    WebSocket: FakeSocket,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    onStatus: (s) => events.status.push(s),
    onClose: (c) => events.closes.push(c),
    ...extra,
  });
  return { client, timers, events };
}

const Q = { query: 'subscription ($id: ID!, $year: Int!) { agreementProgressUpdated(agreementId: $id, year: $year) { year } }', variables: { id: 'QWdy', year: 2026 } };

test('wsURL follows the page: http→ws, https→wss, at /graphql', () => {
  assert.equal(wsURL('http://localhost:8080/dashboard'), 'ws://localhost:8080/graphql');
  assert.equal(wsURL('https://bangfu.example/dashboard?x=1#y'), 'wss://bangfu.example/graphql');
});

test('handshake: connection_init with the token, ack, then subscriptions go out with ids', () => {
  const { client, events } = setup();
  const got = [];
  client.subscribe(Q, { next: (r) => got.push(r) });
  client.connect();
  const sock = FakeSocket.last;
  assert.equal(sock.url, 'ws://example.test/graphql');
  assert.equal(sock.requested, 'graphql-transport-ws');
  sock.open();
  // Nothing but connection_init before the ack.
  assert.deepEqual(sock.take(), [{ type: 'connection_init', payload: { Authorization: 'Bearer tok-1' } }]);
  sock.message({ type: 'connection_ack' });
  assert.deepEqual(events.status, ['connecting', 'live']);
  assert.deepEqual(sock.take(), [{ id: '1', type: 'subscribe', payload: Q }]);
  // A subscription after the ack is sent at once, with the next id.
  const got2 = [];
  client.subscribe(Q, { next: (r) => got2.push(r) });
  assert.deepEqual(sock.take(), [{ id: '2', type: 'subscribe', payload: Q }]);

  sock.message({ id: '1', type: 'next', payload: { data: { agreementProgressUpdated: { year: 2026 } } } });
  sock.message({ id: '2', type: 'next', payload: { data: { agreementProgressUpdated: { year: 2025 } } } });
  assert.deepEqual(got, [{ data: { agreementProgressUpdated: { year: 2026 } } }]);
  assert.deepEqual(got2, [{ data: { agreementProgressUpdated: { year: 2025 } } }]);
});

test('ping is answered with pong, its payload echoed; pong is ignored', () => {
  const { client } = setup();
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  sock.message({ type: 'connection_ack' });
  sock.take();
  sock.message({ type: 'ping' });
  sock.message({ type: 'ping', payload: { t: 1 } });
  sock.message({ type: 'pong' });
  assert.deepEqual(sock.take(), [{ type: 'pong' }, { type: 'pong', payload: { t: 1 } }]);
  assert.equal(sock.closedWith, null);
});

test('error and complete end one subscription; unsubscribe sends complete once', () => {
  const { client } = setup();
  const log = [];
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  sock.message({ type: 'connection_ack' });
  client.subscribe(Q, { error: (e) => log.push(['error', e]), next: () => log.push(['next']) });
  client.subscribe(Q, { complete: () => log.push(['complete']), next: () => log.push(['next2']) });
  const unsub = client.subscribe(Q, { next: () => log.push(['next3']) });
  sock.take();
  sock.message({ id: '1', type: 'error', payload: [{ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  sock.message({ id: '1', type: 'next', payload: { data: {} } }); // after its end: dropped
  sock.message({ id: '2', type: 'complete' });
  unsub();
  unsub();
  sock.message({ id: '3', type: 'next', payload: { data: {} } }); // after unsubscribe: dropped
  assert.deepEqual(log, [['error', [{ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]], ['complete']]);
  assert.deepEqual(sock.take(), [{ id: '3', type: 'complete' }]);
});

test('unsubscribing before the ack sends nothing', () => {
  const { client } = setup();
  const unsub = client.subscribe(Q, {});
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  unsub();
  sock.message({ type: 'connection_ack' });
  assert.deepEqual(sock.take(), [{ type: 'connection_init', payload: { Authorization: 'Bearer tok-1' } }]);
});

test('no ack in time: the client closes with 4408 and reports it', () => {
  const { client, timers, events } = setup({ ackTimeoutMs: 3000 });
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  assert.equal(timers.size, 1);
  timers.fire();
  assert.equal(sock.closedWith.code, 4408);
  assert.deepEqual(events.closes, [{ code: 4408, reason: 'connection acknowledgement timeout' }]);
  assert.equal(events.status.at(-1), 'closed');
});

test('the ack cancels the timeout', () => {
  const { client, timers, events } = setup();
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  sock.message({ type: 'connection_ack' });
  assert.equal(timers.size, 0);
  assert.deepEqual(events.closes, []);
});

test('the server closing (a refused token, an expired one) is reported once, and sinks are dropped', () => {
  const { client, events } = setup();
  const got = [];
  client.subscribe(Q, { next: (r) => got.push(r) });
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  sock.serverClose(4403, 'Forbidden');
  assert.deepEqual(events.closes, [{ code: 4403, reason: 'Forbidden' }]);
  client.close();
  assert.equal(events.closes.length, 1);
  assert.equal(client.status, 'closed');
});

test('a socket that never opens (no server) is reported as closed', () => {
  const { client, events } = setup();
  client.connect();
  FakeSocket.last.serverClose(1006);
  assert.deepEqual(events.closes, [{ code: 1006, reason: '' }]);
  assert.deepEqual(events.status, ['connecting', 'closed']);
});

test('a constructor that throws (a URL the page may not connect to) is reported as closed', () => {
  const { client, events } = setup({ WebSocket: class { constructor() { throw new Error('CSP refused'); } } });
  client.connect();
  assert.equal(events.closes.length, 1);
  assert.equal(events.closes[0].code, 1006);
});

test('protocol violations close with 4400: bad JSON, unknown type, next before ack, wrong subprotocol', () => {
  for (const bad of ['not json', { type: 'mystery' }, { id: '1', type: 'next', payload: {} }, { id: 1 }]) {
    const { client, events } = setup();
    client.connect();
    const sock = FakeSocket.last;
    sock.open();
    sock.message(bad);
    assert.equal(sock.closedWith?.code, 4400, JSON.stringify(bad));
    assert.equal(events.closes.length, 1);
  }
  const { client } = setup();
  client.connect();
  FakeSocket.last.open('graphql-ws');
  assert.equal(FakeSocket.last.closedWith.code, 4400);
  assert.equal(client.status, 'closed');
});

test('a duplicate ack is ignored and subscriptions are not sent twice', () => {
  const { client } = setup();
  client.subscribe(Q, {});
  client.connect();
  const sock = FakeSocket.last;
  sock.open();
  sock.message({ type: 'connection_ack' });
  sock.message({ type: 'connection_ack' });
  assert.equal(sock.take().filter((m) => m.type === 'subscribe').length, 1);
});
