// The quarter report: complianceReport of the user's org unit, its totals,
// the rules × cadres table (a cell's title is the verdict's sentence),
// filters, paging, the xlsx download and closing the quarter.
import { gql, download, currentUser } from './api.js';
import { t, lang } from './i18n.js';
import { h, fill, guard, fmtTime, currentPeriod, periodSelect, errorBox } from './ui.js';

const PAGE = 15;
const STATUSES = ['met', 'onTrack', 'atRisk', 'missed', 'exempt'];
const STATUS_CLASS = { met: 'met', onTrack: 'on_track', atRisk: 'at_risk', missed: 'missed', exempt: 'exempt' };

const HEAD = `orgUnit { id name } year quarter period cadres closedAt closedBy { displayName } policyVersions exportUrl
  totals { rule item cadres met onTrack atRisk missed exempt }`;
const ROWS = `rows(first: ${PAGE}, after: $after, onlyFailing: $failing, rule: $rule) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { user { id username displayName }
    rules { rule item status message messageEn }
    changedSinceClosing { rule item closed now closedMessage } } } }`;
const VARS = '$u: ID!, $y: Int!, $q: Int!, $after: String, $failing: Boolean, $rule: String';

// The filters outlive a re-render (a new quarter, another language).
const filter = { failing: false, rule: null };
// Only the latest render fills the page: an answer to an earlier one is dropped.
let generation = 0;

export async function render(view) {
  delete view.dataset.ready;
  const mine = ++generation;
  const me = currentUser();
  const { year, quarter } = currentPeriod();
  const body = h('div#report');
  fill(view, h('h1', t('report.title', year, quarter)), h('div.toolbar', periodSelect(() => render(view))), body);
  await guard(body, async () => {
    const vars = { u: me.orgUnit.id, y: year, q: quarter, after: null, failing: filter.failing, rule: filter.rule };
    const d = await gql(`query(${VARS}) { complianceReport(orgUnitId: $u, year: $y, quarter: $q) { ${HEAD} ${ROWS} } }`, vars);
    if (mine !== generation) return;
    const r = d.complianceReport;
    const rules = [...new Set(r.totals.map((x) => x.rule))];
    if (filter.rule && !rules.includes(filter.rule)) rules.push(filter.rule);
    const table = h('table#report-table');
    const more = h('div#report-more');
    const rows = [];
    const addPage = (conn) => {
      rows.push(...conn.edges.map((e) => e.node));
      drawTable(table, rules, rows, conn.totalCount);
      const next = async () => {
        const btn = more.querySelector('button');
        if (btn) btn.disabled = true;
        try {
          const n = await gql(`query(${VARS}) { complianceReport(orgUnitId: $u, year: $y, quarter: $q) { ${ROWS} } }`,
            { ...vars, after: conn.pageInfo.endCursor });
          addPage(n.complianceReport.rows);
        } catch (e) {
          fill(more, errorBox(e));
        }
      };
      fill(more, conn.pageInfo.hasNextPage ? h('button#next-page', { type: 'button', onclick: next }, t('report.more')) : null);
      more.dataset.more = conn.pageInfo.hasNextPage ? 'yes' : 'no';
    };
    fill(body, header(view, r, rules), totals(r), h('h2', t('report.cadresTable')), table, more);
    addPage(r.rows);
    view.dataset.ready = 'report';
  });
}

function header(view, r, rules) {
  const failing = h('input#only-failing', { type: 'checkbox', checked: filter.failing });
  failing.addEventListener('change', () => { filter.failing = failing.checked; render(view); });
  const rule = h('select#rule-filter', h('option', { value: '' }, t('report.all')),
    rules.map((x) => h('option', { value: x, selected: x === filter.rule }, x)));
  rule.addEventListener('change', () => { filter.rule = rule.value || null; render(view); });
  const out = h('div#report-out');
  const dl = h('button#download', { type: 'button', onclick: async () => {
    fill(out);
    dl.disabled = true;
    try {
      await download(r.exportUrl, `compliance-${r.orgUnit.name}-${r.period}.xlsx`);
      fill(out, h('p.ok#downloaded', t('report.downloaded')));
    } catch (e) {
      fill(out, errorBox(e));
    } finally {
      dl.disabled = false;
    }
  } }, t('report.download'));
  const close = h('button#close-quarter', { type: 'button', disabled: !!r.closedAt, onclick: async () => {
    if (!window.confirm(t('report.closeAsk', r.orgUnit.name, r.period))) return;
    fill(out);
    close.disabled = true;
    try {
      await gql('mutation($u: ID!, $y: Int!, $q: Int!) { closeQuarter(orgUnitId: $u, year: $y, quarter: $q) { closedAt } }',
        { u: r.orgUnit.id, y: r.year, q: r.quarter });
      render(view);
    } catch (e) {
      close.disabled = false;
      fill(out, errorBox(e));
    }
  } }, t('report.close'));
  const state = r.closedAt
    ? h('span.badge.s-confirmed#closed', { dataset: { closed: r.closedAt } }, t('report.closed', fmtTime(r.closedAt), r.closedBy ? r.closedBy.displayName : '—'))
    : h('span.badge.s-on_track#closed', t('report.open'));
  return [
    h('p#report-head', r.orgUnit.name, ' · ', r.period, ' · ', t('report.cadres', r.cadres), ' · ', state),
    r.policyVersions.length ? h('p.muted', t('report.policy', r.policyVersions.join(', '))) : null,
    h('div.toolbar', h('label', failing, ' ', t('report.onlyFailing')), h('label', t('report.rule'), ' ', rule), dl, close),
    out,
  ];
}

function totals(r) {
  return [h('h2', t('report.totals')), h('table#totals',
    h('tr', h('th', t('col.rule')), h('th', t('report.withVerdict')), STATUSES.map((c) => h('th', h('span.swatch.s-' + STATUS_CLASS[c]), ' ', t('report.' + c)))),
    r.totals.map((x) => h('tr', { dataset: { rule: x.rule, item: x.item } }, h('td', x.rule, x.item ? ' · ' + x.item : ''), h('td', x.cadres),
      STATUSES.map((c) => h('td', { dataset: { status: c } }, x[c] ? t('report.ofCadres', x[c], x.cadres) : '0')))))];
}

// The sentence of one verdict for a cell's title: the server's Chinese
// sentence, after the English one in English.
function sentence(x, many) {
  const lines = lang() === 'en' ? [x.messageEn, x.message] : [x.message];
  return (many && x.item ? x.item + '：' : '') + lines.filter(Boolean).join('\n');
}

function drawTable(table, rules, rows, total) {
  fill(table, h('caption', t('report.rows', rows.length, total)),
    h('tr', h('th', t('col.cadre')), rules.map((x) => h('th', x))),
    rows.map((row) => {
      const changed = row.changedSinceClosing;
      return h('tr', { dataset: { user: row.user.username } },
        h('td', row.user.displayName, ' (', row.user.username, ')',
          changed.length ? h('span.badge.s-at_risk.changed-mark', { title: t('report.changed') }, ' ', t('report.changedShort')) : null),
        rules.map((rule) => cell(row, rule, changed.filter((c) => c.rule === rule))));
    }));
}

function cell(row, rule, changes) {
  const rs = row.rules.filter((x) => x.rule === rule);
  if (!rs.length) return h('td.none', '—');
  const worst = rs.find((x) => x.status === 'MISSED') || rs.find((x) => x.status === 'AT_RISK') ||
    rs.find((x) => x.status === 'ON_TRACK') || rs[0];
  const lines = rs.map((x) => sentence(x, rs.length > 1));
  for (const c of changes) {
    lines.push(t('report.changedCell', c.item ? c.rule + ' ' + c.item : c.rule, t('status.' + c.closed), t('status.' + c.now), c.closedMessage));
  }
  return h('td.cell.s-' + worst.status.toLowerCase() + (changes.length ? '.changed' : ''),
    { title: lines.join('\n'), dataset: { rule, status: worst.status } },
    t('status.' + worst.status), rs.length > 1 ? ` (${rs.length})` : '', changes.length ? ' *' : '');
}
