import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartModel, WIDTH, HEIGHT } from '../assets/chart.js';

const monthly = (amounts) => {
  let c = 0;
  return amounts.map((a, i) => { c += a; return { month: i + 1, amount: a, cumulative: c }; });
};

test('bars, the cumulative line and the schedule fit the chart', () => {
  const m = chartModel({ indicator: 'DIRECT_PURCHASE', targetValue: 1200, expectedToDate: 600,
    monthly: monthly([100, 100, 100, 100, 100, 100, 0, 0, 0, 0, 0, 0]) });
  assert.equal(m.bars.length, 12);
  assert.equal(m.cumulative.length, 13);
  // The scale is the target: the schedule ends at the top of the plot.
  const top = 12;
  assert.deepEqual(m.schedule[1], [WIDTH - 8, top]);
  assert.deepEqual(m.schedule[0], [8, m.base]);
  // Half the target after June: the cumulative point is halfway up.
  const june = m.cumulative[6];
  assert.equal(june[1], (m.base + top) / 2);
  // Every bar is inside the plot, the months are in order.
  for (const b of m.bars) {
    assert.ok(b.y >= top && b.y + b.height <= m.base + 0.01, JSON.stringify(b));
    assert.ok(b.x >= 0 && b.x + b.width <= WIDTH);
  }
  assert.deepEqual(m.bars.map((b) => b.month), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(m.bars[0].label, '1月 ¥1.00');
  assert.equal(m.bars[6].height, 0);
  assert.equal(HEIGHT, 220);
});

test('an actual above target rescales so the line stays inside', () => {
  const m = chartModel({ indicator: 'CADRES_TRAINED', targetValue: 10, expectedToDate: 9,
    monthly: monthly([20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) });
  assert.ok(m.cumulative.every(([, y]) => y >= 12));
  assert.equal(m.bars[0].label, '1月 20');
});

test('no target and no activity: flat, no schedule', () => {
  const m = chartModel({ indicator: 'HELP_SELL', targetValue: 0, expectedToDate: 0, monthly: monthly(Array(12).fill(0)) });
  assert.equal(m.schedule, null);
  assert.ok(m.bars.every((b) => b.height === 0));
  assert.ok(m.cumulative.every(([, y]) => y === m.base));
});
