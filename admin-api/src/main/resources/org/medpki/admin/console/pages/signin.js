// Shown when the browser presents no certificate, or one of no enrolled administrator: how to get
// one. No data of the PKI is shown here.
import { el } from '../dom.js';

export function render(root, ctx) {
  root.append(
    el('section', { id: 'signin' },
      el('h1', {}, 'Sign in with an administrator certificate'),
      el('p', {}, 'The console signs you in with a client certificate of this PKI\'s admin profile, held by an '
        + 'enrolled administrator. Your browser presented none, or one that is not an enrolled administrator\'s.'),
      el('p', { class: 'error', id: 'signin-detail' }, ctx.detail || ''),
      el('h2', {}, 'How to get one'),
      el('ol', {},
        el('li', {}, 'Make a key and a CSR with your name as CN, for example: ',
          el('code', {}, 'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout me.key -subj "/CN=Your Name" -out me.csr')),
        el('li', {}, 'On the CA host, an operator of the host runs ',
          el('code', {}, 'pki admin enroll "Your Name" --role auditor --csr me.csr --out me.pem'),
          ' (audited); or a security officer asks for it through the admin API (POST /api/v1/admins, see the README, "Admin API").'),
        el('li', {}, 'Bundle key and certificate for the browser: ',
          el('code', {}, 'openssl pkcs12 -export -inkey me.key -in me.pem -out me.p12'),
          ', import me.p12 into the browser, and reload this page.')),
    ),
  );
}
