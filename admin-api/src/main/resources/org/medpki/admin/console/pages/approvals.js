// The approval queue and running jobs: approve/reject for approvers, progress polled for running ones.
import { el, clear, errorBox, holds } from '../dom.js';

export async function render(root, ctx) {
  const list = el('div', { id: 'requests' });
  const message = el('div', { id: 'message' });
  root.append(el('h1', {}, 'Requests'), message, list);
  let timer = null;

  async function load() {
    let answer;
    try {
      answer = await ctx.api.get('/api/v1/requests');
    } catch (e) {
      clear(list);
      list.append(errorBox(e));
      return;
    }
    clear(list);
    const t = el('table', {}, el('thead', {}, el('tr', {},
      ['Id', 'Kind', 'State', 'Requester', 'Reason', 'Done', 'Approvals', 'Created', 'Actions'].map((h) => el('th', {}, h)))));
    const body = el('tbody', {});
    for (const r of answer.items) {
      const actions = el('td', {});
      if (r.state === 'pending-approval' && holds(ctx.me, 'approver') && r.requester !== ctx.me.name
        && !r.approvals.includes(ctx.me.name)) {
        actions.append(
          el('button', { type: 'button', class: 'approve', 'data-id': r.id, onclick: () => decide(r.id, 'approve') }, 'Approve'), ' ',
          el('button', { type: 'button', class: 'reject', 'data-id': r.id, onclick: () => decide(r.id, 'reject') }, 'Reject'));
      }
      body.append(el('tr', { 'data-id': r.id, 'data-state': r.state },
        el('td', {}, r.id), el('td', {}, r.kind), el('td', { class: 'state' }, r.state), el('td', {}, r.requester),
        el('td', {}, r.reason || ''), el('td', {}, r.count === null ? '' : r.done + ' / ' + r.count),
        el('td', {}, r.approvals.length + ' / ' + r.approvalsRequired), el('td', {}, r.createdAt), actions));
    }
    t.append(body);
    list.append(t);
    const running = answer.items.filter((r) => r.state === 'running');
    if (running.length > 0 && timer === null && document.body.contains(list)) {
      timer = setTimeout(async () => {
        timer = null;
        for (const r of running) {
          try {
            await ctx.api.get('/api/v1/requests/' + encodeURIComponent(r.id));
          } catch (e) {
            // the list below shows the state anyway
          }
        }
        if (document.body.contains(list)) {
          load();
        }
      }, 2000);
    }
  }

  async function decide(id, what) {
    clear(message);
    try {
      const r = await ctx.api.post('/api/v1/requests/' + encodeURIComponent(id) + '/' + what);
      message.append(el('p', { id: 'decided' }, 'Request ' + r.id + ' is now ' + r.state + '.'));
    } catch (e) {
      message.append(errorBox(e));
    }
    load();
  }

  await load();
}
