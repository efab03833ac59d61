// One certificate: decoded, its chain, status (inventory = OCSP), CRL, audit; revoke for operators and requesters.
import { el, errorBox, holds } from '../dom.js';

const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation',
  'privilegeWithdrawn'];

function row(dl, label, value, id) {
  dl.append(el('dt', {}, label), el('dd', { id }, value === null || value === undefined ? '' : value));
}

export async function render(root, ctx) {
  const path = '/api/v1/certificates/' + encodeURIComponent(ctx.params.issuer) + '/' + encodeURIComponent(ctx.params.serial);
  const c = await ctx.api.get(path);
  root.append(el('h1', {}, 'Certificate ' + c.serial));

  const main = el('dl', { id: 'detail' });
  row(main, 'Subject', c.subject, 'subject');
  row(main, 'SANs', c.sans.map((s) => s.type + ':' + s.value).join(', '), 'sans');
  row(main, 'Issuer', c.issuer + ' (' + c.issuerDn + ')', 'issuer');
  row(main, 'Profile', c.profile, 'profile');
  row(main, 'Status', c.status + (c.revokedAt ? ' since ' + c.revokedAt + (c.reason ? ' (' + c.reason + ')' : '') : ''), 'status');
  row(main, 'OCSP', c.ocsp.status + ' (' + c.ocsp.note + ')', 'ocsp');
  row(main, 'Newest CRL', !c.crl.checked ? 'not checked'
    : c.crl.number === null ? 'no CRL published yet'
      : (c.crl.listed ? 'lists it' : 'does not list it') + ' (number ' + c.crl.number + ', ' + c.crl.thisUpdate + ')', 'crl');
  row(main, 'Not before', c.notBefore);
  row(main, 'Not after', c.notAfter, 'not-after');
  const key = c.key.algorithm + (c.key.size ? ' ' + c.key.size + ' bits' : '') + (c.key.curve ? ' ' + c.key.curve : '');
  row(main, 'Key', key, 'key');
  row(main, 'SHA-256 of SPKI', c.key.spkiSha256, 'spki');
  const x = c.extensions;
  row(main, 'Key usage', (x.keyUsage || []).join(', '));
  row(main, 'Extended key usage', (x.extendedKeyUsage || []).join(', '));
  row(main, 'Policies', (x.certificatePolicies || []).join(', '));
  row(main, 'CRL distribution points', (x.crlDistributionPoints || []).join(', '));
  row(main, 'Authority information access', (x.authorityInfoAccess || []).map((a) => a.method + ': ' + a.location).join(', '));
  const downloads = el('dd', {},
    el('a', { href: c.downloads.pem, download: c.serial + '.pem', id: 'download-pem' }, 'PEM'), ' ',
    el('a', { href: c.downloads.der, download: c.serial + '.cer', id: 'download-der' }, 'DER'));
  main.append(el('dt', {}, 'Download'), downloads);
  root.append(main);

  root.append(el('section', {}, el('h2', {}, 'Chain'),
    el('ol', {}, c.chain.map((ca) => el('li', {}, ca.name + ': ' + ca.subject + ' (until ' + ca.notAfter + ')')))));

  if (c.status === 'issued' && holds(ctx.me, 'operator', 'requester')) {
    const result = el('div', { id: 'revoke-result' });
    const reason = el('select', { name: 'reason', id: 'reason' }, REASONS.map((r) => el('option', { value: r }, r)));
    const form = el('form', { id: 'revoke' }, el('h2', {}, 'Revoke'), el('label', {}, 'Reason ', reason), ' ',
      el('button', { type: 'submit', id: 'revoke-button' }, 'Revoke this certificate'), result);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      result.textContent = '';
      try {
        let answer = await ctx.api.post('/api/v1/revocations', { serials: [c.serial], reason: reason.value });
        // Without approvals it runs at once: follow it to its end.
        for (let i = 0; i < 30 && answer.state === 'running'; i++) {
          await new Promise((resolve) => { setTimeout(resolve, 500); });
          answer = await ctx.api.get('/api/v1/requests/' + encodeURIComponent(answer.id));
        }
        result.append(el('p', { id: 'revoke-state' }, answer.state === 'done' ? 'Revoked (request ' + answer.id + ': done).'
          : 'Request ' + answer.id + ': ' + answer.state + ' (' + answer.approvalsRequired + ' approval(s) needed)'));
      } catch (err) {
        result.append(errorBox(err));
      }
    });
    root.append(form);
  }

  if (c.audit) {
    const t = el('table', { id: 'audit' }, el('thead', {}, el('tr', {}, ['Seq', 'At', 'Type', 'Actor', 'Outcome'].map((h) => el('th', {}, h)))));
    const body = el('tbody', {});
    for (const a of c.audit.items) {
      body.append(el('tr', {}, [a.seq, a.at, a.type, a.actor, a.outcome].map((v) => el('td', {}, v))));
    }
    t.append(body);
    root.append(el('section', {}, el('h2', {}, 'Audit entries (newest ' + 'entries from seq ' + c.audit.searchedFromSeq + ')'), t));
  }
}
