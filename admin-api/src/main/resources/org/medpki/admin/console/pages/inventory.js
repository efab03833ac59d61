// The inventory: filters, sortable columns, pages from the server (keyset cursor in "next").
import { el, clear, errorBox, certificateLink, holds } from '../dom.js';

const FILTERS = [
  ['profile', 'Profile', 'text'],
  ['status', 'Status', ['', 'issued', 'revoked', 'pending']],
  ['san', 'SAN', 'text'],
  ['owner', 'Owner', 'text'],
  ['issuer', 'Issuing CA', 'text'],
  ['expiringWithinDays', 'Expiring within days', 'number'],
];
const PAGE = 50;

export async function render(root, ctx) {
  const state = {
    filters: {},
    sort: ctx.params.query.get('sort'),
    order: ctx.params.query.get('order'),
    sortChosen: ctx.params.query.has('sort'),
    cursors: [null],
  };
  for (const [name] of FILTERS) {
    const v = ctx.params.query.get(name);
    if (v) {
      state.filters[name] = v;
    }
  }
  defaultOrder();

  // Until a column is chosen: newest first, or, with an expiry window, the soonest to expire first.
  // The window is a range of notAfter, so that order reads the window's first rows from the index;
  // newest first would have to pass over every certificate issued since the window's first one.
  function defaultOrder() {
    if (!state.sortChosen) {
      const expiring = Boolean(state.filters.expiringWithinDays);
      state.sort = expiring ? 'notAfter' : 'issuedAt';
      state.order = state.order || (expiring ? 'asc' : 'desc');
    } else {
      state.order = state.order || 'asc';
    }
  }
  const form = el('form', { class: 'filters', id: 'filters' });
  for (const [name, label, kind] of FILTERS) {
    let input;
    if (Array.isArray(kind)) {
      input = el('select', { name }, kind.map((v) => el('option', { value: v, selected: state.filters[name] === v }, v || 'any')));
    } else {
      input = el('input', { name, type: kind, min: kind === 'number' ? 1 : null, value: state.filters[name] || '' });
    }
    form.append(el('label', {}, label, input));
  }
  form.append(el('button', { type: 'submit', id: 'search' }, 'Search'));
  const results = el('div', { id: 'results' });
  const actions = el('p', {});
  root.append(el('h1', {}, 'Certificates'), form, actions, results);

  if (holds(ctx.me, 'requester', 'operator')) {
    actions.append(el('a', { href: '#', id: 'mass-revoke', onclick: (e) => {
      e.preventDefault();
      const q = new URLSearchParams(state.filters);
      location.hash = '#/revocations?' + q.toString();
    } }, 'Revoke all matching (dry run first)...'));
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    state.filters = {};
    for (const [name] of FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) {
        state.filters[name] = v;
      }
    }
    if (!state.sortChosen) {
      state.order = null;
    }
    defaultOrder();
    state.cursors = [null];
    load();
  });

  async function load() {
    const q = new URLSearchParams(state.filters);
    q.set('sort', state.sort);
    q.set('order', state.order);
    q.set('limit', String(PAGE));
    const cursor = state.cursors[state.cursors.length - 1];
    if (cursor) {
      q.set('after', cursor);
    }
    clear(results);
    let page;
    try {
      page = await ctx.api.get('/api/v1/certificates?' + q.toString());
    } catch (e) {
      results.append(errorBox(e));
      return;
    }
    results.append(table(page.items));
    const pager = el('div', { class: 'pager' });
    if (state.cursors.length > 1) {
      pager.append(el('button', { type: 'button', id: 'previous', onclick: () => { state.cursors.pop(); load(); } }, 'Previous'));
    }
    if (page.next) {
      pager.append(el('button', { type: 'button', id: 'next', onclick: () => { state.cursors.push(page.next); load(); } }, 'Next'));
    }
    pager.append(el('span', { id: 'count' }, page.items.length + ' shown'));
    results.append(pager);
  }

  function header(label, key) {
    if (!key) {
      return el('th', {}, label);
    }
    const mark = state.sort === key ? (state.order === 'asc' ? ' \u25b2' : ' \u25bc') : '';
    return el('th', {}, el('button', { type: 'button', 'data-sort': key, onclick: () => {
      state.order = state.sort === key && state.order === 'asc' ? 'desc' : 'asc';
      state.sort = key;
      state.sortChosen = true;
      state.cursors = [null];
      load();
    } }, label + mark));
  }

  function table(items) {
    const t = el('table', { id: 'certificates' },
      el('thead', {}, el('tr', {}, header('Serial', 'serial'), header('Subject'), header('SANs'), header('Profile'),
        header('Issuer'), header('Status'), header('Owner'), header('Location'), header('Recorded', 'issuedAt'), header('Not after', 'notAfter'))));
    const body = el('tbody', {});
    for (const c of items) {
      body.append(el('tr', {},
        el('td', {}, certificateLink(c.issuer, c.serial)),
        el('td', { class: 'subject' }, c.subject),
        el('td', {}, (c.sans || []).join(', ')),
        el('td', {}, c.profile),
        el('td', {}, c.issuer),
        el('td', { class: 'status-' + c.status }, c.status),
        el('td', {}, c.owner || ''),
        el('td', { class: 'location' }, c.location || ''),
        el('td', {}, c.createdAt || ''),
        el('td', {}, c.notAfter)));
    }
    t.append(body);
    return t;
  }

  await load();
}
