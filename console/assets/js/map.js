// The map page: the province's counties coloured by R2 this quarter of the
// cadres the signed-in user may see; a county's cadres; a cadre's day.
import { gql, all, currentUser } from './api.js';
import { t, msg } from './i18n.js';
import { h, fill, guard, badge, fmtTime, currentPeriod, periodSelect, errorBox } from './ui.js';
import { newMap, outline, fixes, statusColour } from './geo.js';

const worse = ['NONE', 'EXEMPT', 'MET', 'ON_TRACK', 'AT_RISK', 'MISSED'];

const COUNTIES = `query($after: String) { regions(kind: COUNTY, first: 100, after: $after) {
  edges { node { id name parentName datum geometry(toleranceM: 400) } } pageInfo { hasNextPage endCursor } } }`;
const CADRES = `query($unit: ID, $after: String) { users(orgUnitId: $unit, subtree: true, role: CADRE, first: 100, after: $after) {
  edges { node { id username displayName orgUnit { name } } } pageInfo { hasNextPage endCursor } } }`;
const R2 = 'county { id name } r2 { status message messageEn days }';

// presences reads each cadre's quarter (county and R2), ten to a request.
async function presences(cadres, year, quarter) {
  const out = new Map();
  for (let i = 0; i < cadres.length; i += 10) {
    const part = cadres.slice(i, i + 10);
    const vars = { y: year, q: quarter };
    const fields = part.map((c, j) => {
      vars['u' + j] = c.id;
      return `p${j}: presence(userId: $u${j}, year: $y, quarter: $q) { ${R2} }`;
    });
    const decl = part.map((_, j) => `$u${j}: ID!`).join(', ');
    const data = await gql(`query($y: Int!, $q: Int!, ${decl}) { ${fields.join(' ')} }`, vars);
    part.forEach((c, j) => out.set(c.id, data['p' + j]));
  }
  return out;
}

// Only the latest render fills the page: an answer to an earlier one (a
// quarter picked while the last was loading) is dropped.
let generation = 0;

export async function render(view) {
  delete view.dataset.ready;
  const mine = ++generation;
  const me = currentUser();
  const { year, quarter } = currentPeriod();
  const mapEl = h('div.map#map');
  const panel = h('aside.panel#panel');
  fill(view, h('h1', t('map.title', year, quarter)), h('div.toolbar', periodSelect(() => render(view)), h('div.legend', legend())),
    h('div.split', mapEl, panel));
  const map = newMap(mapEl);
  await guard(panel, async () => {
    let cadres;
    let pres;
    if (me.role === 'CADRE') {
      const d = await gql(`query($y: Int!, $q: Int!) { myDays(year: $y, quarter: $q) { ${R2} } }`, { y: year, q: quarter });
      cadres = [{ id: me.id, username: me.username, displayName: me.displayName, orgUnit: me.orgUnit }];
      pres = new Map([[me.id, d.myDays]]);
    } else {
      const unit = me.role === 'SUPERVISOR' ? me.orgUnit.id : null;
      cadres = await all(CADRES, { unit }, (d) => d.users, 20);
      pres = await presences(cadres, year, quarter);
    }
    const byCounty = new Map();
    for (const c of cadres) {
      const p = pres.get(c.id);
      if (!p || !p.county) continue;
      const list = byCounty.get(p.county.id) || [];
      list.push({ ...c, r2: p.r2 });
      byCounty.set(p.county.id, list);
    }
    const counties = await all(COUNTIES, {}, (d) => d.regions, 3);
    if (mine !== generation) return;
    const coloured = L.featureGroup().addTo(map);
    for (const county of counties) {
      const list = byCounty.get(county.id) || [];
      const status = list.reduce((s, c) => (worse.indexOf(c.r2.status) > worse.indexOf(s) ? c.r2.status : s), 'NONE');
      const layer = outline(county.geometry, { color: '#607d8b', weight: 1, fillColor: statusColour[status],
        fillOpacity: list.length ? 0.7 : 0.15, className: 'county s-' + status.toLowerCase() });
      layer.on('click', () => showCounty(panel, map, county, list));
      layer.bindTooltip(`${county.name}（${list.length}）`);
      layer.addTo(list.length ? coloured : map);
    }
    if (coloured.getLayers().length) map.fitBounds(coloured.getBounds(), { maxZoom: 9 });
    const list = (county) => {
      const c = byCounty.get(county.id);
      const status = c.reduce((s, x) => (worse.indexOf(x.r2.status) > worse.indexOf(s) ? x.r2.status : s), 'NONE');
      return h('li', h('button.link', { type: 'button', dataset: { county: county.name, status },
        onclick: () => showCounty(panel, map, county, c) }, county.parentName, ' ', county.name), ' ', badge(status), ' ', t('report.cadres', c.length));
    };
    fill(panel, h('p', t('map.pick', byCounty.size, cadres.length)),
      h('ul.cadres', counties.filter((c) => byCounty.has(c.id)).map(list)));
    view.dataset.ready = 'map';
  });
}

function legend() {
  return ['MET', 'ON_TRACK', 'AT_RISK', 'MISSED', 'EXEMPT'].map((s) => h('span.key', h('i.swatch.s-' + s.toLowerCase()), t('status.' + s)));
}

function showCounty(panel, map, county, list) {
  fill(panel, h('h2', county.parentName, ' ', county.name), list.length === 0 ? h('p.muted', t('map.nobody')) : null,
    h('ul.cadres', list.map((c) => h('li', h('button.link', { type: 'button', dataset: { user: c.username },
      onclick: () => showCadre(panel, map, county, c) }, c.displayName, ' (', c.username, ')'), ' ', badge(c.r2.status),
    h('div.msg', { title: msg(c.r2) }, msg(c.r2))))));
}

// showCadre draws one of the cadre's days: its check-ins with their accuracy over the county outline.
async function showCadre(panel, map, county, cadre) {
  const me = currentUser();
  const day = h('div.day');
  fill(panel, h('h2', cadre.displayName, ' · ', county.name), h('p', badge(cadre.r2.status), ' ', msg(cadre.r2)), day);
  await guard(day, async () => {
    const fields = `edges { node { id lat lon accuracy coordSystem occurredAt localDate status verdict
      region { name } flags { code value limit unit detail blocking } } } pageInfo { hasNextPage endCursor }`;
    const list = me.role === 'CADRE'
      ? await all(`query($from: Time!, $to: Time!, $after: String) { myCheckIns(from: $from, to: $to, first: 25, after: $after) { ${fields} } }`,
        { from: new Date(Date.now() - 200 * 86400e3).toISOString(), to: new Date().toISOString() }, (d) => d.myCheckIns, 40)
      : await all(`query($u: ID!, $after: String) { checkIns(userId: $u, first: 25, after: $after) { ${fields} } }`, { u: cadre.id }, (d) => d.checkIns, 40);
    const dates = [...new Set(list.map((c) => c.localDate))].sort().reverse();
    if (!dates.length) return fill(day, h('p.muted', t('map.nocheckins')));
    const select = h('select#day-select', dates.map((d) => h('option', { value: d }, d)));
    const body = h('div');
    fill(day, h('label', t('map.day'), ' ', select), body);
    const geo = await gql('query($id: ID!) { region(id: $id) { datum geometry(toleranceM: 50) } }', { id: county.id });
    let layers = null;
    const draw = () => {
      if (layers) layers.remove();
      const todays = list.filter((c) => c.localDate === select.value);
      layers = L.featureGroup([outline(geo.region.geometry, { color: '#37474f', weight: 2, fill: false }),
        fixes(todays, geo.region.datum)]).addTo(map);
      map.fitBounds(layers.getLayers()[1].getBounds().pad(0.5), { maxZoom: 15 });
      fill(body, h('table.fixes', h('tr', [t('col.time'), t('col.verdict'), t('col.status'), t('col.accuracy'), t('col.flags')].map((x) => h('th', x))),
        todays.map((c) => h('tr', h('td', fmtTime(c.occurredAt)), h('td', t('verdict.' + c.verdict)), h('td', badge(c.status)),
          h('td', Math.round(c.accuracy), ' m'), h('td', flagList(c.flags))))));
    };
    select.addEventListener('change', draw);
    draw();
    day.dataset.ready = 'day';
  });
}

/** Flags with their numbers, e.g. IMPOSSIBLE_TRAVEL 812 km/h > 300. */
export function flagList(flags) {
  if (!flags || !flags.length) return '';
  return h('ul.flags', flags.map((f) => h('li' + (f.blocking ? '.blocking' : ''), { title: f.detail },
    t('flag.' + f.code), ' ', fmtNum(f.value), ' ', f.unit, ' / ', fmtNum(f.limit), f.blocking ? ' · ' + t('flag.blocking') : '')));
}

function fmtNum(x) {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

export { errorBox };
