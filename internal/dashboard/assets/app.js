// The coordinator dashboard: sign in, pick an agreement in scope and a
// year, and follow each target against the expected-to-date line, the
// canteen quotas of budget units and the leaderboard. Every figure comes
// from /graphql; updates arrive through the agreementProgressUpdated
// subscription while the websocket works, and by polling every 30 s when it
// does not. The DOM is built with textContent only: no markup from data.

import { Session, APIError } from './api.js';
import { GraphQLWsClient, wsURL } from './ws.js';
import { renderChart } from './chart.js';
import {
  behindCount, defaultYear, formatCount, formatPercent, formatValue, formatYuan,
  indicatorName, ratio, sortAgreements, sortQuotas, sortTargets, yearsOf,
} from './format.js';

export const POLL_MS = 30000;

const AGREEMENT = 'fragment DashboardAgreement on Agreement { id title kind status version periodStart periodEnd helpingRegion { id name } helpingUnit { id name } }';
const PROGRESS = 'agreement { id } year asOf daysElapsed daysInYear targets { indicator source targetValue actual percent expectedToDate behindSchedule monthly { month amount cumulative } }';
const Q_SCOPE = `query DashboardScope { me { id displayName memberships(first: 10) { edges { node { role scopeAgreements(first: 50) { edges { node { ...DashboardAgreement } } } } } } } } ${AGREEMENT}`;
const Q_ACTIVE = `query DashboardActiveAgreements { agreements(first: 50, where: {status: ACTIVE}) { edges { node { ...DashboardAgreement } } } } ${AGREEMENT}`;
const Q_PROGRESS = `query DashboardProgress($id: ID!, $year: Int!) { agreementProgress(agreementId: $id, year: $year) { ${PROGRESS} } }`;
const S_PROGRESS = `subscription DashboardProgressUpdated($id: ID!, $year: Int!) { agreementProgressUpdated(agreementId: $id, year: $year) { ${PROGRESS} } }`;
const Q_UNITS = 'query DashboardBudgetUnits($where: OrganizationWhereInput!) { organizations(first: 20, where: $where) { edges { node { id name } } } }';
const QUOTA = 'fragment DashboardQuota on CanteenQuota { organization { id name } hasCanteen quotaFen purchasedFen percent expectedToDate behindSchedule }';
const Q_LEADERBOARD = 'query DashboardLeaderboard($scope: LeaderboardScope!, $year: Int!, $metric: LeaderboardMetric!) { leaderboard(scope: $scope, year: $year, metric: $metric, first: 10) { totalCount edges { node { rank name value } } } }';

const $ = (id) => document.getElementById(id);

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** progressBar draws actual against target, with a tick at the expected-to-date line. */
function progressBar(actual, target, expected) {
  const W = 200;
  const svg = s('svg', { viewBox: `0 0 ${W} 14`, class: 'progress', 'aria-hidden': 'true' });
  svg.append(s('rect', { x: 0, y: 2, width: W, height: 10, class: 'track' }));
  svg.append(s('rect', { x: 0, y: 2, width: Math.round(ratio(actual, target) * W), height: 10, class: 'done' }));
  const x = Math.round(ratio(expected, target) * W);
  svg.append(s('line', { x1: x, y1: 0, x2: x, y2: 14, class: 'expected' }));
  return svg;
}

function statusBadge(behind) {
  return h('span', { class: behind ? 'flag behind' : 'flag ok' }, behind ? '落后 behind' : '正常 on track');
}

const state = {
  session: new Session({ endpoint: '/graphql' }),
  agreements: [],
  progress: new Map(), // agreement id → AgreementProgress or {error}
  selected: null,
  year: null,
  live: null, // GraphQLWsClient
  mode: 'off',
  pollTimer: null,
  reconnectTimer: null,
  sideTimer: null,
  generation: 0, // bumped on sign-out and year change; stale work is dropped
};

function showError(where, e) {
  $(where).textContent = e ? (e instanceof APIError ? `${e.message} (${e.code})` : String(e.message ?? e)) : '';
}

function setMode(mode) {
  state.mode = mode;
  const b = $('badge');
  b.dataset.mode = mode;
  b.textContent = { live: '实时 live', polling: '轮询 polling', connecting: '连接中 connecting', off: '…' }[mode];
}

// ---- loading ----

async function loadScope() {
  const data = await state.session.query(Q_SCOPE);
  const seen = new Map();
  for (const m of data.me?.memberships?.edges ?? []) {
    if (m.node.role !== 'COORDINATOR') continue;
    for (const a of m.node.scopeAgreements.edges) seen.set(a.node.id, a.node);
  }
  if (seen.size === 0) {
    // Not a coordinator (an auditor or admin): every active agreement.
    const all = await state.session.query(Q_ACTIVE);
    for (const a of all.agreements.edges) seen.set(a.node.id, a.node);
  }
  state.agreements = [...seen.values()];
}

async function loadProgress(gen) {
  const results = await Promise.all(state.agreements.map(async (a) => {
    try {
      const d = await state.session.query(Q_PROGRESS, { id: a.id, year: state.year });
      return [a.id, d.agreementProgress];
    } catch (e) {
      return [a.id, { error: e }];
    }
  }));
  if (gen !== state.generation) return;
  for (const [id, p] of results) state.progress.set(id, p);
  renderAgreements();
  renderDetail();
}

function unitsWhere(a) {
  const withCanteen = { hasBuyerProfilesWith: [{ year: state.year, hasCanteen: true }] };
  if (a.helpingRegion) {
    const id = a.helpingRegion.id;
    return {
      kind: 'BUDGET_UNIT', ...withCanteen,
      or: [
        { hasRegionWith: [{ id }] },
        { hasRegionWith: [{ hasParentWith: [{ id }] }] },
        { hasRegionWith: [{ hasParentWith: [{ hasParentWith: [{ id }] }] }] },
      ],
    };
  }
  if (a.helpingUnit) {
    const id = a.helpingUnit.id;
    return { kind: 'BUDGET_UNIT', ...withCanteen, or: [{ id }, { hasParentWith: [{ id }] }] };
  }
  return null;
}

async function loadQuotas(gen) {
  const a = state.agreements.find((x) => x.id === state.selected);
  let quotas = [];
  const where = a && unitsWhere(a);
  if (where) {
    const units = (await state.session.query(Q_UNITS, { where })).organizations.edges.map((e) => e.node);
    if (units.length) {
      // One request: an aliased canteenQuota per unit (at most 20).
      const vars = { year: state.year };
      const defs = ['$year: Int!'];
      const fields = units.map((u, i) => {
        vars[`o${i}`] = u.id;
        defs.push(`$o${i}: ID!`);
        return `q${i}: canteenQuota(organizationId: $o${i}, year: $year) { ...DashboardQuota }`;
      });
      const d = await state.session.query(`query DashboardQuotas(${defs.join(', ')}) { ${fields.join(' ')} } ${QUOTA}`, vars);
      quotas = units.map((_, i) => d[`q${i}`]);
    }
  }
  if (gen !== state.generation) return;
  renderQuotas(sortQuotas(quotas));
}

async function loadLeaderboard(gen) {
  const d = await state.session.query(Q_LEADERBOARD, { scope: $('lb-scope').value, year: state.year, metric: $('lb-metric').value });
  if (gen !== state.generation) return;
  renderLeaderboard(d.leaderboard, $('lb-metric').value);
}

async function loadSide(gen) {
  await Promise.all([loadQuotas(gen), loadLeaderboard(gen)]);
}

/** refresh reloads every figure; errors show on the board. */
async function refresh() {
  const gen = state.generation;
  try {
    await loadProgress(gen);
    await loadSide(gen);
    if (gen === state.generation) showError('board-error', null);
  } catch (e) {
    if (gen === state.generation) showError('board-error', e);
  }
}

// ---- rendering ----

function renderAgreements() {
  const body = $('agreements').tBodies[0];
  const rows = sortAgreements(state.agreements.map((a) => ({ agreement: a, progress: state.progress.get(a.id) })));
  if (!state.selected && rows.length) state.selected = rows[0].agreement.id;
  body.replaceChildren(...rows.map(({ agreement: a, progress: p }) => {
    const n = behindCount(p);
    const tr = h('tr', {
      'data-agreement-id': a.id, 'data-behind': n,
      class: (n > 0 ? 'behind' : '') + (a.id === state.selected ? ' selected' : ''),
    },
    h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => select(a.id) }, a.title)),
    h('td', {}, a.kind === 'EAST_WEST' ? '东西部协作 East–west' : '定点帮扶 Designated'),
    h('td', { 'data-field': 'behind' }, p?.error ? '–' : `${n} / ${p?.targets?.length ?? 0}`),
    h('td', {}, p?.error ? h('span', { class: 'error' }, p.error.message) : statusBadge(n > 0)));
    return tr;
  }));
}

function renderDetail() {
  const a = state.agreements.find((x) => x.id === state.selected);
  const p = a && state.progress.get(a.id);
  $('detail-title').textContent = a ? `${a.title} · ${state.year}` : '';
  const body = $('targets').tBodies[0];
  const charts = $('charts');
  if (!p || p.error) {
    body.replaceChildren();
    charts.replaceChildren();
    $('as-of').textContent = '';
    return;
  }
  $('as-of').textContent = `截至 as of ${p.asOf.slice(0, 10)} · 第 ${p.daysElapsed} / ${p.daysInYear} 天 day`;
  $('detail').dataset.agreementId = a.id;
  const targets = sortTargets(p.targets);
  body.replaceChildren(...targets.map((t) => h('tr', { 'data-indicator': t.indicator, class: t.behindSchedule ? 'behind' : '' },
    h('td', {}, indicatorName(t.indicator)),
    h('td', { 'data-field': 'actual', class: 'num' }, formatValue(t.indicator, t.actual)),
    h('td', { 'data-field': 'target', class: 'num' }, formatValue(t.indicator, t.targetValue)),
    h('td', { 'data-field': 'percent', class: 'num' }, formatPercent(t.percent)),
    h('td', { 'data-field': 'expected', class: 'num' }, formatValue(t.indicator, t.expectedToDate)),
    h('td', {}, progressBar(t.actual, t.targetValue, t.expectedToDate)),
    h('td', {}, statusBadge(t.behindSchedule)))));
  charts.replaceChildren(...targets.map((t) => h('figure', { 'data-indicator': t.indicator },
    h('figcaption', {}, `${indicatorName(t.indicator)}: ${formatValue(t.indicator, t.actual)} / ${formatValue(t.indicator, t.targetValue)}`),
    renderChart(document, t, `${indicatorName(t.indicator)} ${state.year}`))));
}

function renderQuotas(quotas) {
  $('quotas-empty').hidden = quotas.length > 0;
  $('quotas').tBodies[0].replaceChildren(...quotas.map((q) => h('tr', { 'data-organization-id': q.organization.id, class: q.behindSchedule ? 'behind' : '' },
    h('td', {}, q.organization.name),
    h('td', { 'data-field': 'quota', class: 'num' }, formatYuan(q.quotaFen)),
    h('td', { 'data-field': 'purchased', class: 'num' }, formatYuan(q.purchasedFen)),
    h('td', { 'data-field': 'percent', class: 'num' }, formatPercent(q.percent)),
    h('td', { 'data-field': 'expected', class: 'num' }, formatYuan(q.expectedToDate)),
    h('td', {}, statusBadge(q.behindSchedule)))));
}

function renderLeaderboard(lb, metric) {
  $('leaderboard').tBodies[0].replaceChildren(...lb.edges.map(({ node: n }) => h('tr', {},
    h('td', { 'data-field': 'rank', class: 'num' }, String(n.rank)),
    h('td', { 'data-field': 'name' }, n.name),
    h('td', { 'data-field': 'value', class: 'num' }, metric === 'PURCHASES' ? formatYuan(n.value) : formatCount(n.value)))));
}

function select(id) {
  state.selected = id;
  renderAgreements();
  renderDetail();
  const gen = state.generation;
  loadQuotas(gen).catch((e) => showError('board-error', e));
}

// ---- live updates ----

function stopLive() {
  clearInterval(state.pollTimer);
  clearTimeout(state.reconnectTimer);
  clearTimeout(state.sideTimer);
  state.pollTimer = state.reconnectTimer = state.sideTimer = null;
  const c = state.live;
  state.live = null;
  c?.close();
}

function startPolling() {
  setMode('polling');
  if (!state.pollTimer) state.pollTimer = setInterval(refresh, POLL_MS);
}

/**
 * goLive opens the websocket and subscribes to every agreement's progress.
 * When it fails or closes, the page polls and tries the socket again later.
 */
async function goLive() {
  const gen = state.generation;
  let token;
  try {
    token = await state.session.token();
  } catch {
    startPolling();
    return;
  }
  if (gen !== state.generation) return;
  let wasLive = false;
  const client = new GraphQLWsClient({
    url: wsURL(location.href),
    connectionParams: { Authorization: `Bearer ${token}` },
    onStatus: (st) => {
      if (state.live !== client) return;
      if (st === 'live') {
        wasLive = true;
        clearInterval(state.pollTimer);
        state.pollTimer = null;
        setMode('live');
        refresh(); // catch up on what changed while not subscribed
      }
    },
    onClose: () => {
      if (state.live !== client) return;
      state.live = null;
      startPolling();
      // Closed after working (a token that expired, a restart): try again
      // soon; never worked: at the polling pace.
      state.reconnectTimer = setTimeout(goLive, wasLive ? 1000 : POLL_MS);
    },
  });
  state.live = client;
  if (state.mode !== 'polling') setMode('connecting');
  for (const a of state.agreements) {
    client.subscribe({ query: S_PROGRESS, variables: { id: a.id, year: state.year } }, {
      next: (res) => {
        const p = res?.data?.agreementProgressUpdated;
        if (!p || state.live !== client) return;
        state.progress.set(a.id, p);
        renderAgreements();
        renderDetail();
        // Quotas and the leaderboard move with the same purchases.
        clearTimeout(state.sideTimer);
        state.sideTimer = setTimeout(() => loadSide(state.generation).catch(() => {}), 1000);
      },
      // A refused subscription (no such field on this server, no right):
      // the socket is of no use for it, so poll instead.
      error: () => client.close(1000, 'subscription refused'),
    });
  }
  client.connect();
}

// ---- flow ----

async function showBoard() {
  $('sign-in-panel').hidden = true;
  $('session').hidden = false;
  $('who').textContent = state.session.user?.displayName ?? state.session.user?.email ?? '';
  $('board').hidden = false;
  const gen = ++state.generation;
  try {
    await loadScope();
  } catch (e) {
    showError('board-error', e);
    return;
  }
  if (gen !== state.generation) return;
  const years = yearsOf(state.agreements, defaultYear([new Date().getUTCFullYear()]));
  state.year = defaultYear(years);
  $('year').replaceChildren(...years.map((y) => h('option', { value: y }, String(y))));
  $('year').value = String(state.year);
  state.selected = null;
  state.progress.clear();
  await refresh();
  goLive();
}

function showSignIn() {
  stopLive();
  state.generation++;
  setMode('off');
  $('board').hidden = true;
  $('session').hidden = true;
  $('sign-in-panel').hidden = false;
}

function init() {
  state.session.onSignedOut = showSignIn;
  $('sign-in').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('sign-in-error', null);
    try {
      await state.session.signIn($('email').value.trim(), $('password').value);
      $('password').value = '';
      await showBoard();
    } catch (e) {
      showError('sign-in-error', e);
    }
  });
  $('sign-out').addEventListener('click', async () => {
    stopLive();
    await state.session.signOut();
    // Nothing of the last user stays on a shared computer's screen.
    $('sign-in').reset();
    for (const id of ['agreements', 'targets', 'quotas', 'leaderboard']) $(id).tBodies[0].replaceChildren();
    $('charts').replaceChildren();
    showSignIn();
  });
  $('year').addEventListener('change', async () => {
    state.year = Number($('year').value);
    state.generation++;
    stopLive();
    state.progress.clear();
    await refresh();
    goLive();
  });
  for (const id of ['lb-scope', 'lb-metric']) {
    $(id).addEventListener('change', () => loadLeaderboard(state.generation).catch((e) => showError('board-error', e)));
  }
  state.session.resume().then((ok) => (ok ? showBoard() : showSignIn()));
}

init();
