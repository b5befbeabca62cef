// Formatting and ordering of the API's figures. Pure functions, no DOM:
// they run in the browser and under `node --test` (jstest/).
//
// Money is integer fen in the API (the Int64 scalar, a JSON number). It is
// shown in yuan with two decimals by integer arithmetic on BigInt, never by
// dividing a float, so ¥0.29 stays ¥0.29 and large sums keep every fen.

/** toBig converts an Int64 value from the API (number, numeric string or bigint) to a BigInt. */
export function toBig(v) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not a whole number of fen: ${v}`);
    return BigInt(v);
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`not an integer: ${String(v)}`);
}

/** group inserts thousands separators into a string of digits. */
function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** formatYuan shows fen as yuan with two decimals: 123456 → "¥1,234.56", -5 → "-¥0.05". */
export function formatYuan(fen) {
  const f = toBig(fen);
  const neg = f < 0n;
  const abs = neg ? -f : f;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}¥${group(yuan.toString())}.${cents}`;
}

/** formatCount shows a whole count with thousands separators: 12345 → "12,345". */
export function formatCount(n) {
  const v = toBig(n);
  return v < 0n ? '-' + group((-v).toString()) : group(v.toString());
}

/** Indicators measured in fen; the others are counts (people, trainees). */
const MONEY = new Set(['DIRECT_PURCHASE', 'HELP_SELL', 'FUNDS_INVESTED', 'FUNDS_INTRODUCED']);

export function isMoney(indicator) {
  return MONEY.has(indicator);
}

/** formatValue shows an indicator's value: yuan for money, a count otherwise. */
export function formatValue(indicator, v) {
  return isMoney(indicator) ? formatYuan(v) : formatCount(v);
}

export const INDICATOR_NAMES = {
  DIRECT_PURCHASE: '直接采购 Direct purchases',
  HELP_SELL: '帮助销售 Help-sell',
  FUNDS_INVESTED: '投入资金 Funds invested',
  FUNDS_INTRODUCED: '引进资金 Funds introduced',
  CADRES_TRAINED: '培训干部 Cadres trained',
  TECHNICIANS_TRAINED: '培训技术人员 Technicians trained',
  LABOR_TRANSFERRED: '劳务输转 Labour transferred',
};

export function indicatorName(indicator) {
  return INDICATOR_NAMES[indicator] ?? indicator;
}

/**
 * formatPercent shows the API's percent (already two decimals, or null when
 * there is no target) with two decimals: 12.5 → "12.50%", null → "–".
 */
export function formatPercent(p) {
  if (p === null || p === undefined) return '–';
  return `${Number(p).toFixed(2)}%`;
}

/**
 * ratio returns part / whole as a fraction in [0, max] for drawing (bar
 * widths, chart heights), computed on BigInt in millionths so that huge
 * fen amounts do not lose the ratio; 0 when whole is 0.
 */
export function ratio(part, whole, max = 1) {
  const p = toBig(part);
  const w = toBig(whole);
  if (w <= 0n || p <= 0n) return 0;
  const r = Number((p * 1000000n) / w) / 1e6;
  return Math.min(r, max);
}

/** behindCount is how many of a progress's targets are behind schedule. */
export function behindCount(progress) {
  return (progress?.targets ?? []).filter((t) => t.behindSchedule).length;
}

/**
 * sortAgreements orders agreement rows ({agreement, progress}) behind
 * schedule first (more targets behind first), then by title and id, so
 * the list is stable between updates. It returns a new array.
 */
export function sortAgreements(rows) {
  return [...rows].sort((a, b) => {
    const d = behindCount(b.progress) - behindCount(a.progress);
    if (d !== 0) return d;
    const t = (a.agreement.title ?? '').localeCompare(b.agreement.title ?? '', 'zh-Hans-CN');
    if (t !== 0) return t;
    return a.agreement.id < b.agreement.id ? -1 : a.agreement.id > b.agreement.id ? 1 : 0;
  });
}

/** Indicator order of the API's target list, used to keep targets stable. */
const ORDER = Object.keys(INDICATOR_NAMES);

/** sortTargets orders targets behind schedule first, then in indicator order. */
export function sortTargets(targets) {
  return [...targets].sort((a, b) => {
    if (a.behindSchedule !== b.behindSchedule) return a.behindSchedule ? -1 : 1;
    return ORDER.indexOf(a.indicator) - ORDER.indexOf(b.indicator);
  });
}

/** sortQuotas orders canteen quotas behind schedule first, then by name. */
export function sortQuotas(quotas) {
  return [...quotas].sort((a, b) => {
    if (a.behindSchedule !== b.behindSchedule) return a.behindSchedule ? -1 : 1;
    return (a.organization.name ?? '').localeCompare(b.organization.name ?? '', 'zh-Hans-CN');
  });
}

/**
 * yearsOf lists the years the agreements' periods cover, newest first;
 * with none, the given year alone.
 */
export function yearsOf(agreements, fallback) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of agreements) {
    const s = Number(String(a.periodStart).slice(0, 4));
    const e = Number(String(a.periodEnd).slice(0, 4));
    if (Number.isInteger(s)) lo = Math.min(lo, s);
    if (Number.isInteger(e)) hi = Math.max(hi, e);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [fallback];
  const out = [];
  for (let y = hi; y >= lo; y--) out.push(y);
  return out;
}

/**
 * defaultYear is the year to show first: the current year in China
 * Standard Time (the API's accounting periods), within the years offered.
 */
export function defaultYear(years, now = new Date()) {
  const cst = new Date(now.getTime() + 8 * 3600 * 1000).getUTCFullYear();
  if (years.includes(cst)) return cst;
  const past = years.filter((y) => y < cst);
  return past.length ? Math.max(...past) : years[years.length - 1];
}
