// The discipline group's page: spot-check draws and their samples,
// findings, the risk ranking, the latest checkpoint, a cadre's access log.
import { gql } from './api.js';
import { t } from './i18n.js';
import { h, fill, guard, fmtTime, today, clientId, errorBox } from './ui.js';

function daysAgo(n) {
  return new Date(Date.now() - n * 86400e3).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
}

export async function render(view) {
  delete view.dataset.ready;
  const draw = h('section.card#draw');
  const checks = h('section.card#spot-checks');
  const findings = h('section.card#findings');
  const risk = h('section.card#risk');
  const ckpt = h('section.card#checkpoint');
  const access = h('section.card#access');
  fill(view, h('h1', t('inspect.title')), draw, checks, findings, risk, ckpt, access);
  drawForm(draw, checks, findings);
  await Promise.all([guard(checks, () => spotChecks(checks, findings)), guard(findings, () => findingList(findings)),
    guard(risk, () => ranking(risk)), guard(ckpt, () => checkpoint(ckpt)), guard(access, () => accessLog(access))]);
  view.dataset.ready = 'inspect';
}

function drawForm(el, checks, findings) {
  const from = h('input#draw-from', { type: 'date', value: daysAgo(90) });
  const to = h('input#draw-to', { type: 'date', value: daysAgo(1) });
  const per = h('input#draw-per', { type: 'number', min: 0, max: 1000, value: 3 });
  const strata = ['CITY', 'FLAG_CLASS', 'MAKE_UP'].map((s) => h('label', h('input', { type: 'checkbox', value: s, checked: s === 'FLAG_CLASS' }), t('strat.' + s)));
  const out = h('div#draw-out');
  const btn = h('button.primary#draw-submit', { type: 'button' }, t('inspect.doDraw'));
  btn.addEventListener('click', async () => {
    fill(out);
    try {
      const input = { clientId: clientId('draw'), from: from.value, to: to.value, perStratum: Number(per.value),
        strata: strata.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value) };
      const d = await gql(`mutation($i: SpotCheckInput!) { drawSpotCheck(input: $i) { spotCheck { id candidates seed } } }`, { i: input });
      const sc = d.drawSpotCheck.spotCheck;
      fill(out, h('p.ok', t('inspect.drawn', sc.candidates, sc.seed.slice(0, 16) + '…')));
      await guard(checks, () => spotChecks(checks, findings, sc.id));
    } catch (e) {
      fill(out, errorBox(e));
    }
  });
  fill(el, h('h2', t('inspect.draw')), h('div.row', h('label', t('inspect.from'), from), h('label', t('inspect.to'), to),
    h('label', t('inspect.per'), per), h('span', t('inspect.strata'), ' ', strata), btn), out);
}

async function spotChecks(el, findings, openId) {
  const d = await gql(`{ spotChecks(first: 50) { edges { node { id from to plan candidates createdAt inspector { displayName } } } } }`);
  const list = d.spotChecks.edges.map((e) => e.node).reverse();
  const samples = h('div#samples');
  fill(el, h('h2', t('inspect.checks')), list.length ? h('table', h('tr', ['#', t('inspect.from'), t('inspect.to'), 'plan', 'N', ''].map((x) => h('th', x))),
    list.map((s) => h('tr', h('td', s.id), h('td', s.from), h('td', s.to), h('td', s.plan), h('td', s.candidates),
      h('td', h('button.link', { type: 'button', dataset: { spotCheck: s.id }, onclick: () => guard(samples, () => items(samples, s.id, findings)) },
        t('inspect.samples')))))) : h('p.muted', t('inspect.none')), samples);
  const first = openId || (list[0] && list[0].id);
  if (first) await guard(samples, () => items(samples, first, findings));
}

async function items(el, id, findings) {
  const d = await gql(`query($id: ID!) { spotCheck(id: $id) { id items(first: 50) { edges { node { id date stratum
    user { id username displayName } findings { id outcome } } } } } }`, { id });
  const rows = d.spotCheck.items.edges.map((e) => e.node);
  fill(el, h('h3', t('inspect.samples'), ' #', id), h('table#sample-table', h('tr', [t('col.cadre'), t('col.date'), t('col.stratum'), t('col.findings'), ''].map((x) => h('th', x))),
    rows.map((it) => {
      const cell = h('td');
      const outcome = h('select', ['CONFIRMED', 'DISCREPANCY', 'UNVERIFIABLE'].map((o) => h('option', { value: o }, t('outcome.' + o))));
      const notes = h('input', { placeholder: t('inspect.notes') });
      const btn = h('button', { type: 'button', dataset: { item: it.id } }, t('inspect.finding'));
      btn.addEventListener('click', async () => {
        try {
          await gql(`mutation($i: FindingInput!) { recordFinding(input: $i) { finding { id } } }`,
            { i: { clientId: clientId('finding'), itemId: it.id, outcome: outcome.value, notes: notes.value } });
          fill(cell, h('span.ok.recorded', t('inspect.recorded')));
          await guard(findings, () => findingList(findings));
        } catch (e) {
          cell.append(errorBox(e));
        }
      });
      fill(cell, outcome, ' ', notes, ' ', btn);
      return h('tr', h('td', it.user ? `${it.user.displayName} (${it.user.username})` : ''), h('td', it.date), h('td', it.stratum),
        h('td', it.findings.map((f) => t('outcome.' + f.outcome)).join('、')), cell);
    })));
}

async function findingList(el) {
  const d = await gql(`{ findings(first: 50) { edges { node { id outcome notes createdAt subject { displayName username }
    item { date } inspector { displayName } } } } }`);
  const list = d.findings.edges.map((e) => e.node).reverse();
  fill(el, h('h2', t('inspect.findings')), list.length ? h('table#finding-table', list.map((f) => h('tr', h('td', fmtTime(f.createdAt)),
    h('td', f.subject ? f.subject.displayName : ''), h('td', f.item ? f.item.date : ''), h('td', t('outcome.' + f.outcome)), h('td', f.notes)))) : h('p.muted', t('inspect.none')));
}

async function ranking(el) {
  const d = await gql(`query($f: String!, $t: String!) { riskRanking(from: $f, to: $t, first: 20) { edges { node { score discrepancies
    user { id displayName username } anomalies { kind count of value limit detail } } } } }`, { f: daysAgo(180), t: today() });
  const list = d.riskRanking.edges.map((e) => e.node);
  fill(el, h('h2', t('inspect.risk')), list.length ? h('table#risk-table', h('tr', [t('col.cadre'), t('col.score'), t('col.discrepancies'), t('col.anomalies')].map((x) => h('th', x))),
    list.map((r) => h('tr', h('td', r.user ? `${r.user.displayName} (${r.user.username})` : ''), h('td', r.score.toFixed(1)), h('td', r.discrepancies),
      h('td', h('ul.flags', r.anomalies.map((a) => h('li', { title: a.detail }, a.kind, ' ', a.count, a.of ? '/' + a.of : '', ' · ', a.value, ' / ', a.limit))))))) : h('p.muted', t('inspect.none')));
}

async function checkpoint(el) {
  const d = await gql('{ ledgerCheckpoint { origin size rootHash note } }');
  const c = d.ledgerCheckpoint;
  fill(el, h('h2', t('inspect.checkpoint')), h('p', c.origin, ' · ', t('inspect.size'), ' ', h('b#ckpt-size', c.size), ' · ', t('inspect.root'), ' ', h('code', c.rootHash)),
    h('pre', c.note), h('p.muted', t('inspect.witness')));
}

async function accessLog(el) {
  const d = await gql('{ users(subtree: true, role: CADRE, first: 100) { edges { node { id username displayName } } } }');
  const pick = h('select#access-cadre', d.users.edges.map((e) => h('option', { value: e.node.id }, `${e.node.displayName} (${e.node.username})`)));
  const out = h('div#access-out');
  const show = () => guard(out, async () => {
    const r = await gql(`query($c: ID!) { accessLog(cadreId: $c, first: 50) { edges { node { at reader readerRole what query clientAddress } } } }`, { c: pick.value });
    const rows = r.accessLog.edges.map((e) => e.node);
    fill(out, rows.length ? h('table', h('tr', [t('col.time'), t('col.reader'), t('col.what'), t('col.query')].map((x) => h('th', x))),
      rows.map((a) => h('tr', h('td', fmtTime(a.at)), h('td', a.reader, '（', t('role.' + a.readerRole), '）'), h('td', t('what.' + a.what)), h('td', a.query)))) : h('p.muted', t('inspect.none')));
  });
  pick.addEventListener('change', show);
  fill(el, h('h2', t('inspect.access')), h('label', t('inspect.pickCadre'), ' ', pick), out);
  if (pick.value) await show();
}
