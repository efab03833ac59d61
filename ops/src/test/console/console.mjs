// The web console in Chromium (Debian's, driven by playwright-core): each role's navigation, the
// how-to page without a certificate, search, a certificate's page, a revocation and its status, a
// mass revocation two approvers complete, a script in a location shown as text, a forged CSRF
// token and a huge page size from the page itself, the KPI and timeline pages against the API. Input: environment (see below); output: one
// JSON object on stdout; exit 0 when the run completed (the JUnit test asserts the findings).
//
// CONSOLE_URL        https://127.0.0.1:PORT
// CONSOLE_IDS        JSON {role: {cert, key}} for auditor, operator, requester, approver1, approver2
// CONSOLE_VICTIM     serial of a certificate the operator revokes
// CONSOLE_SCRIPT     the location text with markup set on some admin certificate
// CONSOLE_SHOTS      directory for screenshots
// MEDPKI_PLAYWRIGHT_DIR  where playwright-core is installed
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

const require = createRequire(path.join(process.env.MEDPKI_PLAYWRIGHT_DIR, 'node_modules', 'x.js'));
const { chromium } = require('playwright-core');

const url = process.env.CONSOLE_URL;
const ids = JSON.parse(process.env.CONSOLE_IDS);
const shots = process.env.CONSOLE_SHOTS;
fs.mkdirSync(shots, { recursive: true });
const out = { steps: [] };

// The server certificate comes from the lab PKI's root, which this Chromium does not trust: only
// that check is off (ignoreHTTPSErrors); the client certificate is presented as a browser would.
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

async function as(role) {
  const options = { ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } };
  if (role) {
    options.clientCertificates = [{ origin: url, certPath: ids[role].cert, keyPath: ids[role].key }];
  }
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('pageerror', (e) => out.steps.push({ pageError: String(e) }));
  page.on('dialog', (d) => { out.dialog = d.message(); d.dismiss(); });
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

async function nav(page) {
  await page.waitForSelector('#nav a');
  return page.$$eval('#nav a', (as) => as.map((a) => a.dataset.page));
}

try {
  // No certificate: the how-to page, no data.
  {
    const { context, page } = await as(null);
    await page.goto(url + '/console/');
    await page.waitForSelector('#signin');
    out.noCertificate = {
      text: await page.textContent('#signin'),
      tables: await page.$$eval('table', (t) => t.length),
      nav: await page.$$eval('#nav a', (as) => as.length),
    };
    await shot(page, 'signin');
    await context.close();
  }

  // Each role's navigation.
  out.nav = {};
  for (const role of ['auditor', 'operator', 'requester', 'approver1']) {
    const { context, page } = await as(role);
    await page.goto(url + '/console/#/inventory');
    out.nav[role] = await nav(page);
    out.who = out.who || {};
    out.who[role] = await page.textContent('#who');
    if (role === 'auditor') {
      await page.goto(url + '/console/#/audit');
      await page.waitForSelector('#audit-log table');
      await page.waitForSelector('[data-testid=audit-verified]');
      await page.waitForSelector('[data-testid=compliance-ok]');
      const filed = await page.evaluate(async () => (await fetch('/api/v1/compliance-report')).json());
      out.compliance = {
        ok: await page.getAttribute('[data-testid=compliance-ok]', 'data-ok'),
        failed: Number(await page.getAttribute('[data-testid=compliance-ok]', 'data-failed')),
        rows: await page.$$eval('[data-testid=compliance-checks] tbody tr', (r) => r.length),
        apiOk: filed.ok,
        apiFailed: filed.failed,
        apiChecks: filed.report.safeguards.reduce((a, g) => a + g.checks.length, 0),
        generatedAt: filed.report.generatedAt,
      };
      out.auditVerified = {
        ok: await page.getAttribute('[data-testid=audit-verified]', 'data-ok'),
        entries: Number(await page.getAttribute('[data-testid=audit-verified]', 'data-entries')),
        text: await page.textContent('[data-testid=audit-verified]'),
      };
      await shot(page, 'audit');
      await page.goto(url + '/console/#/timeline');
      await page.waitForSelector('main h1, #not-available');
      await shot(page, 'timeline');
      await page.goto(url + '/console/#/kpis');
      await page.waitForSelector('main h1, #not-available');
      await shot(page, 'kpis');
    }
    if (role === 'approver1') {
      await page.goto(url + '/console/#/audit');
      await page.waitForSelector('main p.error');
      out.approverAudit = await page.textContent('main');
    }
    await context.close();
  }

  // Search, the script in a location, opening a certificate.
  {
    const { context, page } = await as('auditor');
    await page.goto(url + '/console/#/inventory');
    await page.waitForSelector('#certificates');
    await page.fill('input[name=profile]', 'admin');
    await page.click('#search');
    await page.waitForSelector('#certificates tbody tr');
    await page.click('button[data-sort=notAfter]');
    await page.waitForSelector('#certificates tbody tr');
    out.search = {
      rows: await page.$$eval('#certificates tbody tr', (r) => r.length),
      profiles: await page.$$eval('#certificates tbody tr td:nth-child(4)', (c) => [...new Set(c.map((x) => x.textContent))]),
    };
    const locations = await page.$$eval('#certificates td.location', (c) => c.map((x) => x.textContent));
    out.script = {
      shownAsText: locations.includes(process.env.CONSOLE_SCRIPT),
      injectedElements: await page.$$eval('#certificates td.location *', (e) => e.length),
      ran: await page.evaluate(() => window.__medpkiXss === 1),
    };
    await shot(page, 'inventory');
    await page.click('#certificates a[href*="' + process.env.CONSOLE_VICTIM + '"]');
    await page.waitForSelector('#detail');
    out.detail = {
      subject: await page.textContent('#subject'),
      status: await page.textContent('#status'),
      ocsp: await page.textContent('#ocsp'),
      spki: await page.textContent('#spki'),
      revokeForm: await page.$$eval('#revoke', (f) => f.length),
      audit: await page.$$eval('#audit', (t) => t.length),
    };
    await shot(page, 'certificate');

    // An expiry window and no column chosen: the soonest to expire first (the window's index order).
    await page.goto(url + '/console/#/inventory');
    await page.waitForSelector('#certificates');
    await page.fill('input[name=expiringWithinDays]', '3650');
    const [windowRequest] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/certificates?') && r.url().includes('expiringWithinDays=3650')),
      page.click('#search'),
    ]);
    await page.waitForSelector('#certificates tbody tr');
    const windowQuery = new URL(windowRequest.url()).searchParams;
    out.expiryWindow = {
      sort: windowQuery.get('sort'),
      order: windowQuery.get('order'),
      notAfters: await page.$$eval('#certificates tbody tr td:last-child', (c) => c.map((x) => x.textContent)),
    };
    await context.close();
  }

  // The operator revokes one certificate from its page; a forged token and a huge page size from the page.
  {
    const { context, page } = await as('operator');
    await page.goto(url + '/console/#/certificate/' + encodeURIComponent(process.env.CONSOLE_ISSUER) + '/' + process.env.CONSOLE_VICTIM);
    await page.waitForSelector('#detail');
    out.forged = await page.evaluate(async (serial) => {
      const body = JSON.stringify({ serials: [serial], reason: 'superseded' });
      const forged = await fetch('/api/v1/revocations', { method: 'POST', body,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'forged-token' } });
      const missing = await fetch('/api/v1/revocations', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      return { forged: forged.status, missing: missing.status };
    }, process.env.CONSOLE_VICTIM);
    out.hugeLimit = await page.evaluate(async () => {
      const r = await fetch('/api/v1/certificates?sort=serial&limit=999999999');
      const j = await r.json();
      return { status: r.status, limit: j.limit, items: j.items.length };
    });
    out.statusBefore = await page.textContent('#status');
    await page.selectOption('#reason', 'superseded');
    await page.click('#revoke-button');
    await page.waitForSelector('#revoke-state');
    out.revokeAnswer = await page.textContent('#revoke-state');
    let status = '';
    for (let i = 0; i < 60 && !status.startsWith('revoked'); i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await page.waitForSelector('#status');
      status = await page.textContent('#status');
    }
    out.statusAfter = status;
    out.ocspAfter = await page.textContent('#ocsp');
    await shot(page, 'certificate-revoked');
    await context.close();
  }

  // A mass revocation: the requester's dry run and request, two approvers' approvals.
  {
    const { context, page } = await as('requester');
    await page.goto(url + '/console/#/revocations?profile=tls-server');
    await page.waitForSelector('#mass');
    await page.selectOption('select[name=reason]', 'cessationOfOperation');
    await page.click('#dry-run');
    await page.waitForSelector('#dry-run-count');
    out.dryRun = {
      text: await page.textContent('#dry-run-count'),
      listed: await page.$$eval('#dry-run-serials li', (l) => l.length),
    };
    await shot(page, 'revocations-dry-run');
    await page.click('#submit-revocation');
    await page.waitForSelector('#submitted-state');
    out.submitted = await page.textContent('#submitted-state');
    out.requestId = out.submitted.replace(/^Request ([^:]+):.*$/s, '$1');
    await context.close();
  }
  for (const role of ['approver1', 'approver2']) {
    const { context, page } = await as(role);
    await page.goto(url + '/console/#/approvals');
    const button = 'button.approve[data-id="' + out.requestId + '"]';
    await page.waitForSelector(button);
    await shot(page, 'approvals-' + role);
    await page.click(button);
    await page.waitForSelector('#decided');
    out[role + 'Decided'] = await page.textContent('#decided');
    await context.close();
  }
  {
    const { context, page } = await as('auditor');
    let state = '';
    for (let i = 0; i < 120 && state !== 'done'; i++) {
      await page.goto(url + '/console/#/approvals');
      await page.reload();
      await page.waitForSelector('#requests tr[data-id="' + out.requestId + '"]');
      state = await page.getAttribute('#requests tr[data-id="' + out.requestId + '"]', 'data-state');
      if (state !== 'done') {
        await page.waitForTimeout(500);
      }
    }
    out.massState = state;
    await shot(page, 'approvals-done');
    await context.close();
  }
  // The KPI and timeline pages show the numbers the API returns for the same period.
  {
    const { context, page } = await as('auditor');
    // The numbers move while a CRL published after the revocations above catches up: the page and
    // the API are compared on a reading the page shows the same before and after the API call.
    await page.goto(url + '/console/#/kpis');
    const read = async () => {
      await page.reload();
      await page.waitForSelector('[data-testid=kpi-rev-count]');
      const shown = await page.$$eval('[data-testid^=kpi-][data-value]',
        (e) => Object.fromEntries(e.map((x) => [x.dataset.testid, x.dataset.value])));
      const period = await page.$eval('[data-from]', (b) => ({ from: b.dataset.from, to: b.dataset.to }));
      return { shown, period };
    };
    for (let i = 0; i < 10; i++) {
      const before = await read();
      const api = await page.evaluate(async (p) => (await fetch('/api/v1/kpis?from=' + encodeURIComponent(p.from)
        + '&to=' + encodeURIComponent(p.to))).json(), before.period);
      out.kpis = { shown: before.shown, api };
      const after = await read();
      if (JSON.stringify(after.shown) === JSON.stringify(before.shown)) {
        break;
      }
    }
    await shot(page, 'kpis');
    await page.goto(url + '/console/#/timeline');
    await page.waitForSelector('[data-testid=timeline-total]');
    const t = await page.evaluate(async () => (await fetch('/api/v1/expiry-timeline?days=90')).json());
    out.timeline = {
      shownTotal: await page.getAttribute('[data-testid=timeline-total]', 'data-value'),
      shownWithout: await page.getAttribute('[data-testid=timeline-without-replacement]', 'data-value'),
      apiTotal: t.items.reduce((a, i) => a + i.expiring, 0),
      apiWithout: t.items.reduce((a, i) => a + i.withoutReplacement, 0),
      bars: await page.$$eval('[data-testid=timeline-chart] rect', (r) => r.length),
    };
    await shot(page, 'timeline');
    await context.close();
  }
  out.completed = true;
} catch (e) {
  out.completed = false;
  out.error = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
