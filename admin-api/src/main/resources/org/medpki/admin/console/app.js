// The console's shell: who is signed in (GET /api/v1/me), the navigation their roles allow, and
// the router on location.hash that loads one page module per route.
import { Api } from './api.js';
import { el, clear, errorBox } from './dom.js';

const ALL = null;
// label null: reached by link, not from the navigation.
const ROUTES = [
  { pattern: /^\/inventory$/, page: 'inventory', label: 'Inventory', roles: ALL },
  { pattern: /^\/certificate\/([^/]+)\/([^/]+)$/, page: 'certificate', label: null, roles: ALL, names: ['issuer', 'serial'] },
  { pattern: /^\/approvals$/, page: 'approvals', label: 'Approvals', roles: ALL },
  { pattern: /^\/revocations$/, page: 'revocations', label: 'Mass revocation', roles: ['requester', 'operator'] },
  { pattern: /^\/timeline$/, page: 'timeline', label: 'Expiry timeline', roles: ALL },
  { pattern: /^\/kpis$/, page: 'kpis', label: 'KPIs', roles: ALL },
  { pattern: /^\/audit$/, page: 'audit', label: 'Audit', roles: ['auditor'] },
];

const api = new Api();
let me = null;

function allowed(route) {
  return route.roles === ALL || route.roles.some((r) => me.roles.includes(r));
}

function parse(hash) {
  const text = hash.replace(/^#/, '') || '/inventory';
  const at = text.indexOf('?');
  return {
    path: at < 0 ? text : text.substring(0, at),
    query: new URLSearchParams(at < 0 ? '' : text.substring(at + 1)),
  };
}

function buildNav(current) {
  const nav = document.getElementById('nav');
  clear(nav);
  for (const route of ROUTES) {
    if (route.label && allowed(route)) {
      nav.append(el('a', { href: '#/' + route.page, class: route.page === current ? 'current' : null,
        'data-page': route.page }, route.label));
    }
  }
}

async function show() {
  const main = document.getElementById('main');
  const { path, query } = parse(location.hash);
  const route = ROUTES.find((r) => r.pattern.test(path));
  buildNav(route ? route.page : null);
  clear(main);
  if (!route) {
    main.append(el('p', { class: 'error' }, 'No such page.'));
    return;
  }
  if (!allowed(route)) {
    main.append(el('p', { class: 'error' }, 'Your roles do not allow this page.'));
    return;
  }
  const params = { query };
  const match = route.pattern.exec(path);
  (route.names || []).forEach((name, i) => {
    params[name] = decodeURIComponent(match[i + 1]);
  });
  let module;
  try {
    module = await import('./pages/' + route.page + '.js');
  } catch (e) {
    main.append(el('p', { class: 'notice', id: 'not-available' }, 'This page is not available in this version.'));
    return;
  }
  try {
    await module.render(main, { api, me, params });
  } catch (e) {
    main.append(errorBox(e));
  }
}

async function start() {
  const main = document.getElementById('main');
  try {
    me = await api.get('/api/v1/me');
  } catch (e) {
    clear(main);
    if (e.status === 401) {
      const how = await import('./pages/signin.js');
      how.render(main, { detail: e.message });
    } else {
      main.append(errorBox(e));
    }
    return;
  }
  api.csrfToken = me.csrfToken;
  document.getElementById('who').textContent = me.name + ' (' + me.roles.join(', ') + ')';
  window.addEventListener('hashchange', show);
  await show();
}

start();
