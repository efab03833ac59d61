// The KPIs page: a period (7, 30 or 90 days), the four indicators as numbers, failed validations
// per day and refused issuance per reason as SVG bars. Text from the API is set with textContent.
import { barChart, stackedBarChart, legend } from '../charts.js';
import { el as h } from '../dom.js';

const PERIODS = [7, 30, 90];
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

/** Seconds for people: "—" for none, else s, min, h or d with one decimal. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) {
    return '—';
  }
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 120) return `${sign}${s} s`;
  if (s < 7200) return `${sign}${(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${sign}${(s / 3600).toFixed(1)} h`;
  return `${sign}${(s / 86400).toFixed(1)} d`;
}

function days(from, to) {
  const out = [];
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (d < to) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

function metric(list, label, testid, seconds, raw) {
  const dt = h('dt', {}, label);
  const dd = h('dd', { 'data-testid': testid, 'data-value': raw === undefined ? (seconds ?? '') : raw },
    raw === undefined ? duration(seconds) : raw);
  list.append(dt, dd);
}

export async function render(root, ctx) {
  const selected = PERIODS.includes(Number(ctx.params && ctx.params.days)) ? Number(ctx.params.days) : 30;
  root.replaceChildren();
  root.appendChild(h('h1', {}, 'Key performance indicators'));

  const form = h('div', { class: 'period', role: 'group', 'aria-label': 'Period' });
  const body = h('div', { id: 'kpi-body' });
  for (const n of PERIODS) {
    const b = h('button', { type: 'button', 'data-testid': `kpi-period-${n}`, 'aria-pressed': String(n === selected) }, `${n} days`);
    b.addEventListener('click', () => {
      for (const other of form.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
      show(body, ctx, n);
    });
    form.appendChild(b);
  }
  root.append(form, body);
  await show(body, ctx, selected);
}

async function show(body, ctx, n) {
  const to = new Date();
  const from = new Date(to.getTime() - n * 86400000);
  body.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  let k;
  try {
    k = await ctx.api.get(`/api/v1/kpis?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
  } catch (e) {
    body.replaceChildren(h('p', { class: 'error', 'data-testid': 'kpi-error' }, `The KPIs could not be read: ${e.message || e}`));
    return;
  }
  body.replaceChildren();
  body.setAttribute('data-from', k.from);
  body.setAttribute('data-to', k.to);

  const ttr = k.timeToRenew;
  const s1 = h('section', { id: 'kpi-ttr' });
  s1.appendChild(h('h2', {}, 'Time to renew'));
  s1.appendChild(h('p', { class: 'note' }, 'From the start of the renewal window (two thirds of the lifetime; half for'
    + ' certificates of at most 10 days) to the issuance of the replacement; negative: renewed before the window.'));
  const l1 = h('dl', { class: 'numbers' });
  metric(l1, 'Replaced', 'kpi-ttr-count', null, ttr.count);
  metric(l1, 'Median', 'kpi-ttr-p50', ttr.p50Seconds);
  metric(l1, '95th percentile', 'kpi-ttr-p95', ttr.p95Seconds);
  s1.appendChild(l1);

  const rev = k.revocationPublicationLatency;
  const s2 = h('section', { id: 'kpi-revocation' });
  s2.appendChild(h('h2', {}, 'Revocation publication latency'));
  const l2 = h('dl', { class: 'numbers' });
  metric(l2, 'Revoked', 'kpi-rev-count', null, rev.revoked);
  metric(l2, 'OCSP median', 'kpi-rev-ocsp-p50', rev.ocsp.p50Seconds);
  metric(l2, 'OCSP 99th percentile', 'kpi-rev-ocsp-p99', rev.ocsp.p99Seconds);
  metric(l2, 'OCSP not yet revoked in the stored response', 'kpi-rev-ocsp-unpublished', null, rev.ocsp.notPublished);
  metric(l2, 'Without a stored OCSP response (answered live)', 'kpi-rev-ocsp-unstored', null, rev.ocsp.notStored);
  metric(l2, 'CRL median', 'kpi-rev-crl-p50', rev.crl.p50Seconds);
  metric(l2, 'CRL 99th percentile', 'kpi-rev-crl-p99', rev.crl.p99Seconds);
  metric(l2, 'On no complete CRL yet', 'kpi-rev-crl-unpublished', null, rev.crl.notPublished);
  s2.appendChild(l2);

  const categories = days(new Date(k.from), new Date(k.to));
  const s3 = h('section', { id: 'kpi-failed' });
  s3.appendChild(h('h2', {}, 'Failed validations per day'));
  const sources = Object.keys(k.failedValidations.totals).sort();
  const series = sources.map((name, i) => ({
    name, fill: PALETTE[i % PALETTE.length],
    values: categories.map((d) => k.failedValidations.days
      .filter((x) => x.day === d && x.source === name).reduce((a, x) => a + x.count, 0)),
  }));
  s3.appendChild(stackedBarChart(categories, series, { testid: 'kpi-failed-chart', title: 'Failed validations per day' }));
  s3.appendChild(legend(series));
  const l3 = h('dl', { class: 'numbers' });
  sources.forEach((name) => metric(l3, name, `kpi-failed-${name}`, null, k.failedValidations.totals[name]));
  s3.appendChild(l3);

  const s4 = h('section', { id: 'kpi-refused' });
  s4.appendChild(h('h2', {}, 'Unauthorized issuance attempts per reason'));
  const reasons = Object.entries(k.unauthorizedIssuanceAttempts.totals).sort((a, b) => b[1] - a[1]);
  s4.appendChild(barChart(reasons.map(([label, value], i) => ({ label, value, fill: PALETTE[i % PALETTE.length] })),
    { testid: 'kpi-refused-chart', title: 'Refused issuance per reason' }));
  const table = h('table', { 'data-testid': 'kpi-refused-table' });
  const head = h('tr');
  head.append(h('th', {}, 'Reason'), h('th', {}, 'Attempts'));
  table.appendChild(head);
  for (const [reason, count] of reasons) {
    const tr = h('tr');
    tr.append(h('td', {}, reason), h('td', { 'data-reason': reason }, count));
    table.appendChild(tr);
  }
  s4.appendChild(table);
  body.append(s1, s2, s3, s4);
}
