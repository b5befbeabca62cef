import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, APIError } from '../assets/api.js';

class Storage {
  constructor() { this.m = new Map(); }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
  removeItem(k) { this.m.delete(k); }
}

const tokens = (n, expiresAt) => ({
  accessToken: `at-${n}`, accessTokenExpiresAt: expiresAt, refreshToken: `rt-${n}`,
  refreshTokenExpiresAt: '2026-12-31T00:00:00Z', user: { id: 'VXNlcjox', email: 'c@x', displayName: 'C' },
});

/** fakeServer answers by operation name and records each request. */
function fakeServer(handlers) {
  const calls = [];
  const fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    const op = /(?:query|mutation) (\w+)/.exec(body.query)[1];
    calls.push({ url, op, auth: init.headers.Authorization, variables: body.variables });
    const [status, payload] = await handlers[op](body.variables, init.headers.Authorization);
    return { status, ok: status >= 200 && status < 300, json: async () => payload };
  };
  return { fetch, calls };
}

const now = Date.parse('2026-06-01T00:00:00Z');

test('sign in, query with the token, sign out revokes the refresh token', async () => {
  const srv = fakeServer({
    DashboardLogin: () => [200, { data: { login: tokens(1, '2026-06-01T00:15:00Z') } }],
    Q: (_, auth) => [200, { data: { auth } }],
    DashboardLogout: (v) => [200, { data: { logout: v.rt === 'rt-1' } }],
  });
  const storage = new Storage();
  const s = new Session({ endpoint: '/graphql', fetch: srv.fetch, storage, now: () => now });
  await s.signIn('c@x', 'pw');
  assert.ok(s.signedIn);
  assert.deepEqual(srv.calls[0].variables, { email: 'c@x', password: 'pw' });
  assert.deepEqual(await s.query('query Q { x }'), { auth: 'Bearer at-1' });
  assert.equal(storage.getItem('bangfu.dashboard.refreshToken'), 'rt-1');
  let signedOut = 0;
  s.onSignedOut = () => signedOut++;
  await s.signOut();
  assert.equal(srv.calls.at(-1).op, 'DashboardLogout');
  assert.equal(storage.getItem('bangfu.dashboard.refreshToken'), null);
  assert.ok(!s.signedIn);
  assert.equal(signedOut, 1);
});

test('a failed sign-in throws the API code', async () => {
  const srv = fakeServer({ DashboardLogin: () => [200, { errors: [{ message: 'sign-in failed', extensions: { code: 'UNAUTHENTICATED' } }], data: null }] });
  const s = new Session({ fetch: srv.fetch, storage: new Storage() });
  await assert.rejects(s.signIn('c@x', 'bad'), (e) => e instanceof APIError && e.code === 'UNAUTHENTICATED');
  assert.ok(!s.signedIn);
});

test('an access token about to expire is refreshed first, and concurrent callers share one refresh', async () => {
  let refreshes = 0;
  const srv = fakeServer({
    DashboardLogin: () => [200, { data: { login: tokens(1, '2026-06-01T00:00:20Z') } }],
    DashboardRefresh: async (v) => {
      refreshes++;
      assert.equal(v.rt, 'rt-1');
      await new Promise((r) => setTimeout(r, 5));
      return [200, { data: { refreshToken: tokens(2, '2026-06-01T00:15:00Z') } }];
    },
    Q: (_, auth) => [200, { data: { auth } }],
  });
  const s = new Session({ fetch: srv.fetch, storage: new Storage(), now: () => now });
  await s.signIn('c@x', 'pw');
  const [a, b] = await Promise.all([s.query('query Q { x }'), s.query('query Q { x }')]);
  assert.equal(refreshes, 1);
  assert.deepEqual([a.auth, b.auth], ['Bearer at-2', 'Bearer at-2']);
});

test('a 401 is retried once after a refresh', async () => {
  let first = true;
  const srv = fakeServer({
    DashboardLogin: () => [200, { data: { login: tokens(1, '2026-06-01T00:15:00Z') } }],
    DashboardRefresh: () => [200, { data: { refreshToken: tokens(2, '2026-06-01T00:30:00Z') } }],
    Q: (_, auth) => {
      if (first) {
        first = false;
        return [401, { errors: [{ message: 'token expired', extensions: { code: 'UNAUTHENTICATED' } }] }];
      }
      return [200, { data: { auth } }];
    },
  });
  const s = new Session({ fetch: srv.fetch, storage: new Storage(), now: () => now });
  await s.signIn('c@x', 'pw');
  assert.deepEqual(await s.query('query Q { x }'), { auth: 'Bearer at-2' });
  assert.deepEqual(srv.calls.map((c) => c.op), ['DashboardLogin', 'Q', 'DashboardRefresh', 'Q']);
});

test('a refused refresh forgets the sign-in and says so', async () => {
  const srv = fakeServer({
    DashboardLogin: () => [200, { data: { login: tokens(1, '2026-06-01T00:00:10Z') } }],
    DashboardRefresh: () => [200, { errors: [{ message: 'refresh token reused', extensions: { code: 'UNAUTHENTICATED' } }] }],
  });
  const storage = new Storage();
  const s = new Session({ fetch: srv.fetch, storage, now: () => now });
  await s.signIn('c@x', 'pw');
  let signedOut = 0;
  s.onSignedOut = () => signedOut++;
  await assert.rejects(s.query('query Q { x }'), (e) => e.code === 'UNAUTHENTICATED');
  assert.equal(signedOut, 1);
  assert.equal(storage.getItem('bangfu.dashboard.refreshToken'), null);
});

test('resume signs in from the stored refresh token after a reload', async () => {
  const storage = new Storage();
  storage.setItem('bangfu.dashboard.refreshToken', 'rt-1');
  const srv = fakeServer({ DashboardRefresh: () => [200, { data: { refreshToken: tokens(2, '2026-06-01T00:15:00Z') } }] });
  const s = new Session({ fetch: srv.fetch, storage, now: () => now });
  assert.equal(await s.resume(), true);
  assert.equal(s.user.displayName, 'C');
  assert.equal(storage.getItem('bangfu.dashboard.refreshToken'), 'rt-2');
  assert.equal(await new Session({ fetch: srv.fetch, storage: new Storage() }).resume(), false);
});

test('a server that does not answer is a NETWORK error, and keeps the sign-in', async () => {
  const storage = new Storage();
  storage.setItem('bangfu.dashboard.refreshToken', 'rt-1');
  const s = new Session({ fetch: async () => { throw new TypeError('Failed to fetch'); }, storage });
  await assert.rejects(s.refresh(), (e) => e.code === 'NETWORK');
  assert.equal(storage.getItem('bangfu.dashboard.refreshToken'), 'rt-1');
});
