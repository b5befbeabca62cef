// The monthly series as an inline SVG chart: bars for each month's amount,
// a line for the cumulative actual, and the linear schedule from 0 on
// 1 January to the target on 31 December (what expectedToDate follows).
// chartModel is pure (tested under node); renderChart builds the SVG.

import { ratio, formatValue } from './format.js';

export const WIDTH = 600;
export const HEIGHT = 220;
const PAD = { left: 8, right: 8, top: 12, bottom: 24 };

/**
 * chartModel computes the chart's geometry from one target's progress
 * ({indicator, targetValue, expectedToDate, monthly: [{month, amount, cumulative}]}).
 * The vertical scale is the largest of the target, the cumulative actual and
 * the expected-to-date, so every line fits.
 */
export function chartModel(t) {
  const months = [...(t.monthly ?? [])].sort((a, b) => a.month - b.month);
  let max = BigInt(t.targetValue ?? 0);
  for (const m of months) {
    if (BigInt(m.cumulative) > max) max = BigInt(m.cumulative);
  }
  if (BigInt(t.expectedToDate ?? 0) > max) max = BigInt(t.expectedToDate);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / 12;
  const base = PAD.top + plotH;
  const y = (v) => round(base - ratio(v, max) * plotH);
  const bars = months.map((m) => {
    const top = max > 0n ? y(m.amount) : base;
    return {
      month: m.month,
      x: round(PAD.left + (m.month - 1) * slot + slot * 0.2),
      y: top,
      width: round(slot * 0.6),
      height: round(base - top),
      label: `${m.month}月 ${formatValue(t.indicator, m.amount)}`,
    };
  });
  // The cumulative line runs through the end of each month.
  const cumulative = months.map((m) => [round(PAD.left + m.month * slot), max > 0n ? y(m.cumulative) : base]);
  cumulative.unshift([PAD.left, base]);
  const schedule = BigInt(t.targetValue ?? 0) > 0n
    ? [[PAD.left, base], [PAD.left + plotW, y(t.targetValue)]]
    : null;
  const ticks = months.map((m) => ({ month: m.month, x: round(PAD.left + (m.month - 0.5) * slot), y: HEIGHT - 8 }));
  return { width: WIDTH, height: HEIGHT, base, bars, cumulative, schedule, ticks };
}

function round(v) {
  return Math.round(v * 10) / 10;
}

const NS = 'http://www.w3.org/2000/svg';

function el(doc, name, attrs, text) {
  const e = doc.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** renderChart returns an <svg> element for one target's monthly series. */
export function renderChart(doc, t, title) {
  const m = chartModel(t);
  const svg = el(doc, 'svg', { viewBox: `0 0 ${m.width} ${m.height}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(el(doc, 'title', {}, title));
  svg.append(el(doc, 'line', { x1: 0, y1: m.base, x2: m.width, y2: m.base, class: 'axis' }));
  for (const b of m.bars) {
    const r = el(doc, 'rect', { x: b.x, y: b.y, width: b.width, height: b.height, class: 'bar', 'data-month': b.month });
    r.append(el(doc, 'title', {}, b.label));
    svg.append(r);
  }
  if (m.schedule) {
    svg.append(el(doc, 'polyline', { points: m.schedule.map((p) => p.join(',')).join(' '), class: 'schedule' }));
  }
  svg.append(el(doc, 'polyline', { points: m.cumulative.map((p) => p.join(',')).join(' '), class: 'cumulative' }));
  for (const tk of m.ticks) {
    svg.append(el(doc, 'text', { x: tk.x, y: tk.y, class: 'tick', 'text-anchor': 'middle' }, String(tk.month)));
  }
  return svg;
}
