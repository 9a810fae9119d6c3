// The quarter report: the unit's compliance table (rules × cadres), its
// totals, the xlsx download and closing the quarter. Coded against the
// complianceReport contract of the report API.
import { gql, download, currentUser } from './api.js';
import { t, msg } from './i18n.js';
import { h, fill, guard, fmtTime, currentPeriod, periodSelect, errorBox } from './ui.js';

const HEAD = `orgUnit { id name } year quarter period cadres closedAt closedBy { displayName } policyVersions exportUrl
  totals { rule item cadres met onTrack atRisk missed exempt }`;
const ROWS = `rows(first: 20, after: $after, onlyFailing: $failing, rule: $rule) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { user { id username displayName } changedSinceClosing { __typename }
    rules { rule item status message messageEn } } } }`;

let filter = { failing: false, atRisk: false, rule: null };

export async function render(view) {
  delete view.dataset.ready;
  const me = currentUser();
  const { year, quarter } = currentPeriod();
  const body = h('div#report');
  fill(view, h('h1', t('report.title', year, quarter)), h('div.toolbar', periodSelect(() => render(view))), body);
  await guard(body, async () => {
    const vars = { u: me.orgUnit.id, y: year, q: quarter, after: null, failing: filter.failing, rule: filter.rule };
    const d = await gql(`query($u: ID!, $y: Int!, $q: Int!, $after: String, $failing: Boolean, $rule: String) {
      complianceReport(orgUnitId: $u, year: $y, quarter: $q) { ${HEAD} ${ROWS} } }`, vars);
    const r = d.complianceReport;
    const table = h('table#report-table');
    const more = h('div#report-more');
    const rules = [...new Set(r.totals.map((x) => x.rule))];
    let conn = r.rows;
    const rows = [];
    const draw = () => drawTable(table, rules, rows, r.rows.totalCount);
    const addPage = (c) => {
      rows.push(...c.edges.map((e) => e.node));
      draw();
      fill(more, c.pageInfo.hasNextPage ? h('button#next-page', { type: 'button', onclick: async () => {
        try {
          const n = await gql(`query($u: ID!, $y: Int!, $q: Int!, $after: String, $failing: Boolean, $rule: String) {
            complianceReport(orgUnitId: $u, year: $y, quarter: $q) { ${ROWS} } }`, { ...vars, after: c.pageInfo.endCursor });
          addPage(n.complianceReport.rows);
        } catch (e) {
          fill(more, errorBox(e));
        }
      } }, t('report.more')) : null);
    };
    fill(body, header(view, r, rules), totals(r), table, more);
    addPage(conn);
    view.dataset.ready = 'report';
  });
}

function header(view, r, rules) {
  const failing = h('input#only-failing', { type: 'checkbox', checked: filter.failing });
  failing.addEventListener('change', () => { filter.failing = failing.checked; render(view); });
  const atRisk = h('input#only-risk', { type: 'checkbox', checked: filter.atRisk });
  atRisk.addEventListener('change', () => { filter.atRisk = atRisk.checked; render(view); });
  const rule = h('select#rule-filter', h('option', { value: '' }, t('report.all')), rules.map((x) => h('option', { value: x, selected: x === filter.rule }, x)));
  rule.addEventListener('change', () => { filter.rule = rule.value || null; render(view); });
  const out = h('div#report-out');
  const dl = h('button#download', { type: 'button', onclick: async () => {
    try {
      await download(r.exportUrl, `compliance-${r.orgUnit.name}-${r.period}.xlsx`);
    } catch (e) {
      fill(out, errorBox(e));
    }
  } }, t('report.download'));
  const close = h('button#close-quarter', { type: 'button', disabled: !!r.closedAt, onclick: async () => {
    if (!window.confirm(t('report.closeAsk'))) return;
    try {
      await gql('mutation($u: ID!, $y: Int!, $q: Int!) { closeQuarter(orgUnitId: $u, year: $y, quarter: $q) { closedAt } }',
        { u: r.orgUnit.id, y: r.year, q: r.quarter });
      render(view);
    } catch (e) {
      fill(out, errorBox(e));
    }
  } }, t('report.close'));
  return [h('p', r.orgUnit.name, ' · ', r.period, ' · ', t('report.cadres', r.cadres), ' · ',
    h('span#closed', r.closedAt ? t('report.closed', fmtTime(r.closedAt), r.closedBy ? r.closedBy.displayName : '') : t('report.open')),
    ' · ', t('report.policy', r.policyVersions.join(', '))),
  h('div.toolbar', h('label', failing, t('report.onlyFailing')), h('label', atRisk, t('report.onlyRisk')), h('label', t('report.rule'), ' ', rule), dl, close), out];
}

function totals(r) {
  const cols = ['met', 'onTrack', 'atRisk', 'missed', 'exempt'];
  return [h('h2', t('report.totals')), h('table#totals', h('tr', h('th', t('col.rule')), h('th', t('col.cadre')), cols.map((c) => h('th', t('report.' + c)))),
    r.totals.map((x) => h('tr', h('td', x.rule, x.item ? ' ' + x.item : ''), h('td', x.cadres), cols.map((c) => h('td', x[c])))))];
}

function drawTable(table, rules, rows, total) {
  const shown = filter.atRisk ? rows.filter((row) => row.rules.some((x) => x.status === 'AT_RISK')) : rows;
  fill(table, h('caption', t('report.rows', total)), h('tr', h('th', t('col.cadre')), rules.map((x) => h('th', x))),
    shown.map((row) => h('tr', { dataset: { user: row.user.username } }, h('td', row.user.displayName, ' (', row.user.username, ')',
      row.changedSinceClosing.length ? h('span.badge.s-at_risk', { title: t('report.changed') }, '!') : null),
    rules.map((rule) => {
      const rs = row.rules.filter((x) => x.rule === rule);
      if (!rs.length) return h('td');
      const worst = rs.find((x) => x.status === 'MISSED') || rs.find((x) => x.status === 'AT_RISK') || rs[0];
      return h('td.cell.s-' + worst.status.toLowerCase(), { title: rs.map(msg).join('\n'), dataset: { rule, status: worst.status } },
        t('status.' + worst.status));
    }))));
}
