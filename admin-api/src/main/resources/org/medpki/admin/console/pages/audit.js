// The audit log's verification (GET /api/v1/audit/verification: hashes, chain links, signed
// checkpoints) and the log itself, page by page (GET /api/v1/audit with since = the previous page's next).
import { el, clear, errorBox } from '../dom.js';

export async function render(root, ctx) {
  const out = el('div', { id: 'audit-log' });
  const verification = el('section', { id: 'audit-verification' });
  const compliance = el('section', { id: 'compliance' });
  root.append(el('h1', {}, 'Audit log'), verification, compliance, out);
  await showCompliance(compliance, ctx);
  try {
    const v = await ctx.api.get('/api/v1/audit/verification');
    verification.append(el('p', { class: v.ok ? 'status-issued' : 'status-revoked', 'data-testid': 'audit-verified',
      'data-ok': String(v.ok), 'data-entries': v.entries },
    (v.ok ? 'Chain verified: ' : 'Chain verification FAILED: ') + v.entries + ' entries, '
      + v.checkpointsVerified + ' signed checkpoints verified (checked ' + v.verifiedAt + ').'));
    if (v.problems.length > 0) {
      verification.append(el('ul', { id: 'audit-problems' }, v.problems.map((p) => el('li', {}, p))));
    }
  } catch (e) {
    verification.append(errorBox(e));
  }
  const pages = ['0'];

  async function load() {
    clear(out);
    let answer;
    try {
      answer = await ctx.api.get('/api/v1/audit?limit=100&since=' + encodeURIComponent(pages[pages.length - 1]));
    } catch (e) {
      out.append(errorBox(e));
      return;
    }
    const t = el('table', {}, el('thead', {}, el('tr', {}, ['Seq', 'At', 'Type', 'Actor', 'Outcome', 'Details'].map((h) => el('th', {}, h)))));
    const body = el('tbody', {});
    for (const a of answer.items) {
      body.append(el('tr', {}, el('td', {}, a.seq), el('td', {}, a.at), el('td', {}, a.type), el('td', {}, a.actor),
        el('td', {}, a.outcome), el('td', {}, JSON.stringify(a.details))));
    }
    t.append(body);
    out.append(t);
    const pager = el('div', { class: 'pager' });
    if (pages.length > 1) {
      pager.append(el('button', { type: 'button', onclick: () => { pages.pop(); load(); } }, 'Previous'));
    }
    if (answer.next !== null && answer.next !== undefined) {
      pager.append(el('button', { type: 'button', id: 'next', onclick: () => { pages.push(String(answer.next)); load(); } }, 'Next'));
    }
    out.append(pager);
  }

  await load();
}

// The newest compliance report 'pki report compliance' filed (GET /api/v1/compliance-report):
// each HIPAA 164.312 safeguard with its checks' status and summary.
async function showCompliance(section, ctx) {
  section.append(el('h2', {}, 'Compliance report'));
  let filed;
  try {
    filed = await ctx.api.get('/api/v1/compliance-report');
  } catch (e) {
    section.append(el('p', { class: 'note', 'data-testid': 'compliance-none' },
      'No compliance report is filed yet: an auditor runs pki report compliance on the CA host. (' + (e.message || e) + ')'));
    return;
  }
  const r = filed.report;
  section.append(el('p', { class: filed.ok ? 'status-issued' : 'status-revoked', 'data-testid': 'compliance-ok',
    'data-ok': String(filed.ok), 'data-failed': filed.failed },
  (filed.ok ? 'No check failed' : filed.failed + ' check(s) failed') + ' (report ' + filed.id + ', made '
    + filed.generatedAt + ' for ' + r.installation + ').'));
  const table = el('table', { 'data-testid': 'compliance-checks' },
    el('thead', {}, el('tr', {}, ['Safeguard', 'Check', 'Status', 'Summary'].map((h) => el('th', {}, h)))));
  const body = el('tbody', {});
  for (const g of r.safeguards) {
    for (const c of g.checks) {
      body.append(el('tr', { 'data-status': c.status }, el('td', {}, g.section + ' ' + g.title), el('td', {}, c.id),
        el('td', { class: c.status === 'fail' ? 'status-revoked' : '' }, c.status), el('td', {}, c.summary)));
    }
  }
  table.append(body);
  section.append(table);
}
