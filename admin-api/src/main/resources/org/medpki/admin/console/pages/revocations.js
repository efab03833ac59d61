// Mass revocation from the inventory's filters: a dry run lists what would be revoked, then submit.
import { el, clear, errorBox, certificateLink } from '../dom.js';

const FILTERS = ['profile', 'san', 'owner', 'issuer', 'expiringWithinDays'];
const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'];

export async function render(root, ctx) {
  const form = el('form', { class: 'filters', id: 'mass' });
  for (const name of FILTERS) {
    form.append(el('label', {}, name, el('input', { name, value: ctx.params.query.get(name) || '' })));
  }
  form.append(el('label', {}, 'reason', el('select', { name: 'reason' }, REASONS.map((r) => el('option', { value: r }, r)))));
  form.append(el('button', { type: 'submit', id: 'dry-run' }, 'Dry run'));
  const out = el('div', { id: 'dry-run-result' });
  root.append(el('h1', {}, 'Mass revocation'),
    el('p', {}, 'Revokes every issued certificate the filters match. A dry run shows which; approvers then decide.'),
    form, out);

  function request(dryRun) {
    const query = {};
    for (const name of FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) {
        query[name] = name === 'expiringWithinDays' ? Number(v) : v;
      }
    }
    return { query, reason: form.elements.reason.value, dryRun };
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(out);
    const body = request(true);
    let answer;
    try {
      answer = await ctx.api.post('/api/v1/revocations', body);
    } catch (err) {
      out.append(errorBox(err));
      return;
    }
    out.append(el('p', { id: 'dry-run-count' }, answer.count + ' certificate(s) would be revoked; '
      + answer.approvalsRequired + ' approval(s) needed.'));
    out.append(el('ul', { id: 'dry-run-serials' }, answer.serials.slice(0, 500).map((s) => el('li', {},
      typeof s === 'string' ? s : certificateLink(s.issuer, s.serial)))));
    const submit = el('button', { type: 'button', id: 'submit-revocation' }, 'Submit this revocation');
    const done = el('div', { id: 'submitted' });
    submit.addEventListener('click', async () => {
      submit.disabled = true;
      try {
        const r = await ctx.api.post('/api/v1/revocations', { ...body, dryRun: false });
        done.append(el('p', { id: 'submitted-state' }, 'Request ' + r.id + ': ' + r.state + '. '),
          el('a', { href: '#/approvals' }, 'See the approvals page'));
      } catch (err) {
        done.append(errorBox(err));
      }
    });
    out.append(submit, done);
  });
}
