// The expiry timeline: per day for the next 90 days, the issued certificates expiring that day as
// bars stacked per profile, those without a replacement drawn apart (highlighted), and the same
// numbers in a table. Text from the API is set with textContent.
import { stackedBarChart, legend } from '../charts.js';
import { el as h } from '../dom.js';

const DAYS = 90;
const PALETTE = ['#4e79a7', '#59a14f', '#76b7b2', '#edc948', '#b07aa1', '#9c755f', '#bab0ac', '#86bcb6'];
const HIGHLIGHT = '#e15759';

function dayList(from, n) {
  const out = [];
  const d = new Date(`${from}T00:00:00Z`);
  for (let i = 0; i < n; i++) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export async function render(root, ctx) {
  root.replaceChildren();
  root.appendChild(h('h1', {}, `Expiring in the next ${DAYS} days`));
  let t;
  try {
    t = await ctx.api.get(`/api/v1/expiry-timeline?days=${DAYS}`);
  } catch (e) {
    root.appendChild(h('p', { class: 'error', 'data-testid': 'timeline-error' }, `The timeline could not be read: ${e.message || e}`));
    return;
  }
  const days = dayList(t.from, t.days);
  const profiles = [...new Set(t.items.map((i) => i.profile))].sort();
  const value = (day, profile, field) => t.items
    .filter((i) => i.day === day && i.profile === profile).reduce((a, i) => a + i[field], 0);
  // Per profile two series: replaced (its colour) and without replacement (highlighted, on top).
  const series = [];
  profiles.forEach((p, n) => {
    series.push({ name: `${p} (replaced)`, fill: PALETTE[n % PALETTE.length],
      values: days.map((d) => value(d, p, 'expiring') - value(d, p, 'withoutReplacement')) });
  });
  profiles.forEach((p) => {
    series.push({ name: `${p} (no replacement)`, fill: HIGHLIGHT, className: 'bar without-replacement',
      values: days.map((d) => value(d, p, 'withoutReplacement')) });
  });
  const total = t.items.reduce((a, i) => a + i.expiring, 0);
  const orphans = t.items.reduce((a, i) => a + i.withoutReplacement, 0);
  const summary = h('dl', { class: 'numbers' });
  summary.append(h('dt', {}, 'Expiring'), h('dd', { 'data-testid': 'timeline-total', 'data-value': total }, total),
    h('dt', {}, 'Without replacement'),
    h('dd', { 'data-testid': 'timeline-without-replacement', 'data-value': orphans }, orphans));
  root.appendChild(summary);
  root.appendChild(stackedBarChart(days, series, { testid: 'timeline-chart', title: 'Certificates expiring per day' }));
  root.appendChild(legend(series.filter((s, i) => i < profiles.length).concat(
    profiles.length ? [{ name: 'without replacement', fill: HIGHLIGHT }] : [])));

  const table = h('table', { 'data-testid': 'timeline-table' });
  const head = h('tr');
  head.append(h('th', {}, 'Day'), h('th', {}, 'Profile'), h('th', {}, 'Expiring'), h('th', {}, 'Without replacement'));
  table.appendChild(head);
  for (const i of t.items) {
    const tr = h('tr', { 'data-day': i.day, 'data-profile': i.profile });
    if (i.withoutReplacement > 0) {
      tr.className = 'without-replacement';
    }
    tr.append(h('td', {}, i.day), h('td', {}, i.profile), h('td', { class: 'expiring' }, i.expiring),
      h('td', { class: 'orphans' }, i.withoutReplacement));
    table.appendChild(tr);
  }
  if (!t.items.length) {
    const tr = h('tr');
    tr.appendChild(h('td', { colspan: 4 }, `No certificate expires in the next ${t.days} days.`));
    table.appendChild(tr);
  }
  root.appendChild(table);
}
