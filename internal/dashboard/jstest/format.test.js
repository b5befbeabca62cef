import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  toBig, formatYuan, formatCount, formatValue, formatPercent, ratio, sortAgreements,
  sortTargets, sortQuotas, behindCount, yearsOf, defaultYear,
} from '../assets/format.js';

test('formatYuan shows fen as yuan with two decimals by integer arithmetic', () => {
  assert.equal(formatYuan(0), '¥0.00');
  assert.equal(formatYuan(5), '¥0.05');
  assert.equal(formatYuan(29), '¥0.29');
  assert.equal(formatYuan(100), '¥1.00');
  assert.equal(formatYuan(123456), '¥1,234.56');
  assert.equal(formatYuan(-5), '-¥0.05');
  assert.equal(formatYuan(-123456789), '-¥1,234,567.89');
  // 0.1 + 0.2 style float errors cannot happen: 1,000,000.07 stays exact.
  assert.equal(formatYuan(100000007), '¥1,000,000.07');
  // The largest safe number, and beyond it as a string or bigint.
  assert.equal(formatYuan(Number.MAX_SAFE_INTEGER), '¥90,071,992,547,409.91');
  assert.equal(formatYuan('9223372036854775807'), '¥92,233,720,368,547,758.07');
  assert.equal(formatYuan(-9223372036854775808n), '-¥92,233,720,368,547,758.08');
});

test('toBig refuses what is not a whole number of fen', () => {
  assert.throws(() => toBig(1.5), RangeError);
  assert.throws(() => toBig(2 ** 60), RangeError);
  assert.throws(() => toBig('12.5'), TypeError);
  assert.throws(() => toBig(null), TypeError);
  assert.equal(toBig('-42'), -42n);
});

test('counts and indicator values', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(-1000), '-1,000');
  assert.equal(formatValue('DIRECT_PURCHASE', 250000), '¥2,500.00');
  assert.equal(formatValue('FUNDS_INTRODUCED', 1), '¥0.01');
  assert.equal(formatValue('CADRES_TRAINED', 1200), '1,200');
  assert.equal(formatValue('LABOR_TRANSFERRED', 7), '7');
});

test('formatPercent keeps two decimals and shows a missing target as a dash', () => {
  assert.equal(formatPercent(12.5), '12.50%');
  assert.equal(formatPercent(0), '0.00%');
  assert.equal(formatPercent(133.33), '133.33%');
  assert.equal(formatPercent(null), '–');
  assert.equal(formatPercent(undefined), '–');
});

test('ratio is exact enough for drawing and clamped', () => {
  assert.equal(ratio(1, 4), 0.25);
  assert.equal(ratio(0, 4), 0);
  assert.equal(ratio(5, 0), 0);
  assert.equal(ratio(-5, 10), 0);
  assert.equal(ratio(30, 10), 1);
  assert.equal(ratio(30, 10, 2), 2);
  assert.equal(ratio('9000000000000000000', '18000000000000000000'), 0.5);
});

const t = (indicator, behindSchedule) => ({ indicator, behindSchedule });
const row = (id, title, ...behind) => ({ agreement: { id, title }, progress: { targets: behind.map((b, i) => t(`I${i}`, b)) } });

test('agreements behind schedule come first, more targets behind first, then by title and id', () => {
  const rows = [
    row('A1', '上海—云南', false, false),
    row('A2', '北京—内蒙古', true, false),
    row('A3', '广东—广西', true, true),
    row('A4', '上海—云南', false),
    { agreement: { id: 'A5', title: '未加载' }, progress: undefined },
    { agreement: { id: 'A6', title: '错误' }, progress: { error: new Error('x') } },
  ];
  const sorted = sortAgreements(rows).map((r) => r.agreement.id);
  assert.deepEqual(sorted.slice(0, 2), ['A3', 'A2']);
  // Ties keep a stable order: title, then id.
  assert.ok(sorted.indexOf('A1') < sorted.indexOf('A4'));
  assert.equal(sorted.length, 6);
  assert.equal(behindCount(rows[2].progress), 2);
  assert.equal(behindCount(undefined), 0);
  // The input is left alone.
  assert.equal(rows[0].agreement.id, 'A1');
});

test('targets behind schedule first, then in indicator order', () => {
  const sorted = sortTargets([
    t('LABOR_TRANSFERRED', false), t('HELP_SELL', true), t('DIRECT_PURCHASE', false), t('CADRES_TRAINED', true),
  ]).map((x) => x.indicator);
  assert.deepEqual(sorted, ['HELP_SELL', 'CADRES_TRAINED', 'DIRECT_PURCHASE', 'LABOR_TRANSFERRED']);
});

test('quotas behind schedule first, then by name', () => {
  const q = (name, behindSchedule) => ({ organization: { name }, behindSchedule });
  assert.deepEqual(sortQuotas([q('b', false), q('a', false), q('c', true)]).map((x) => x.organization.name), ['c', 'a', 'b']);
});

test('years offered and the year shown first', () => {
  const ags = [{ periodStart: '2021-01-01T00:00:00Z', periodEnd: '2025-12-31T00:00:00Z' },
    { periodStart: '2026-01-01T00:00:00Z', periodEnd: '2026-12-31T00:00:00Z' }];
  const years = yearsOf(ags, 2030);
  assert.deepEqual(years, [2026, 2025, 2024, 2023, 2022, 2021]);
  assert.deepEqual(yearsOf([], 2026), [2026]);
  assert.equal(defaultYear(years, new Date('2026-06-01T00:00:00Z')), 2026);
  // 31 December 20:00 UTC is already the next year in China Standard Time.
  assert.equal(defaultYear([2027, 2026], new Date('2026-12-31T20:00:00Z')), 2027);
  // After the last year: the latest; before the first: the earliest.
  assert.equal(defaultYear(years, new Date('2029-03-01T00:00:00Z')), 2026);
  assert.equal(defaultYear(years, new Date('2019-03-01T00:00:00Z')), 2021);
});
