// The review queue: pending check-ins, activities, make-up requests and
// submitted summaries, one list, driven by the keyboard.
import { gql, fetchBlob, currentUser } from './api.js';
import { t } from './i18n.js';
import { h, fill, guard, badge, fmtTime, currentPeriod, errorBox } from './ui.js';
import { newMap, outline, fixes } from './geo.js';
import { flagList } from './map.js';

const FLAGS = 'flags { code value limit unit detail blocking }';
const QUERIES = {
  checkin: `{ checkIns(status: PENDING, first: 25) { edges { node { id lat lon accuracy coordSystem occurredAt localDate status verdict
    edgeDistanceM region { id name } user { id username displayName } ${FLAGS} } } } }`,
  activity: `{ activities(pending: true, first: 10) { edges { node { id kind topic lat lon accuracy coordSystem occurredAt localDate
    status verdict region { id name } user { id username displayName } ${FLAGS} photos { url sha256 } } } } }`,
  makeup: `{ makeUps(status: PENDING, first: 20) { edges { node { id date reason witnessName witnessTitle region { id name }
    user { id username displayName } photos { url takenOnDay } } } } }`,
};

// Each kind's list, as the queue names it.
const LISTS = { checkin: 'review.checkins', activity: 'review.activities', makeup: 'review.makeups', summary: 'review.summaries' };

let items = [];
let selected = 0;
let keyHandler = null;

export async function render(view) {
  delete view.dataset.ready;
  const list = h('ol#queue-list', { tabindex: 0 });
  const detail = h('div.detail#detail');
  const notes = h('div#queue-errors');
  fill(view, h('h1', t('review.title')), h('p.muted', t('review.keys')), notes, h('div.queue', list, detail));
  await guard(detail, async () => {
    items = [];
    for (const [kind, q] of Object.entries(QUERIES)) {
      try {
        const data = await gql(q);
        const conn = Object.values(data)[0];
        items.push(...conn.edges.map((e) => ({ kind, node: e.node })));
      } catch (e) {
        notes.append(h('div', t(LISTS[kind]), '：', errorBox(e)));
      }
    }
    try {
      items.push(...(await summaries()));
    } catch (e) {
      notes.append(h('div', t('review.summaries'), '：', errorBox(e)));
    }
    selected = 0;
    drawList(list, detail);
    view.dataset.ready = 'review';
  });
  if (keyHandler) document.removeEventListener('keydown', keyHandler);
  keyHandler = (ev) => onKey(ev, list, detail);
  document.addEventListener('keydown', keyHandler);
  window.addEventListener('hashchange', () => document.removeEventListener('keydown', keyHandler), { once: true });
}

// summaries are the submitted summaries of this quarter and the one before, of the caller's unit's subtree.
async function summaries() {
  const me = currentUser();
  const out = [];
  const { year, quarter } = currentPeriod();
  const prev = quarter === 1 ? { year: year - 1, quarter: 4 } : { year, quarter: quarter - 1 };
  for (const p of [prev, { year, quarter }]) {
    const data = await gql(`query($u: ID!, $y: Int!, $q: Int) { summaries(orgUnitId: $u, year: $y, quarter: $q, status: SUBMITTED, first: 10) {
      edges { node { id period status late user { id username displayName } versions { number late submittedAt content { text } } } } } }`,
    { u: me.orgUnit.id, y: p.year, q: p.quarter });
    out.push(...data.summaries.edges.map((e) => ({ kind: 'summary', node: e.node })));
  }
  return out;
}

function title(it) {
  const n = it.node;
  switch (it.kind) {
    case 'checkin': return [n.localDate, ' ', n.region ? n.region.name : t('verdict.OUTSIDE')];
    case 'activity': return [n.localDate, ' ', t('kind.' + n.kind), ' ', n.topic];
    case 'makeup': return [n.date, ' ', n.region.name, ' ', t('review.makeups')];
    default: return [n.period, ' ', t('review.summaries')];
  }
}

function drawList(list, detail) {
  if (!items.length) {
    fill(list);
    fill(detail, h('p.muted', t('review.empty')));
    return;
  }
  selected = Math.min(selected, items.length - 1);
  fill(list, items.map((it, i) => h('li' + (i === selected ? '.sel' : ''), { dataset: { kind: it.kind, id: it.node.id,
    region: it.node.region ? '1' : '' }, onclick: () => select(i, list, detail) },
  h('div', it.node.user.displayName, ' (', it.node.user.username, ')'), h('div.what', t(LISTS[it.kind]), ' · ', title(it)))));
  showDetail(detail, list);
}

function select(i, list, detail) {
  selected = Math.max(0, Math.min(i, items.length - 1));
  list.querySelectorAll('li').forEach((li, j) => li.classList.toggle('sel', j === selected));
  const li = list.querySelectorAll('li')[selected];
  if (li) li.scrollIntoView({ block: 'nearest' });
  showDetail(detail, list);
}

function onKey(ev, list, detail) {
  const reason = document.getElementById('reason');
  if (ev.target === reason) {
    if (ev.key === 'Escape') reason.blur();
    if (ev.key === 'Enter' && ev.ctrlKey) decide(true, list, detail);
    return;
  }
  if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const keys = { j: () => select(selected + 1, list, detail), k: () => select(selected - 1, list, detail),
    c: () => decide(true, list, detail), r: () => decide(false, list, detail), e: () => reason && reason.focus() };
  if (keys[ev.key] && items.length) {
    ev.preventDefault();
    keys[ev.key]();
  }
}

const labels = { checkin: ['review.confirm', 'review.reject'], activity: ['review.confirm', 'review.reject'],
  makeup: ['review.approve', 'review.refuse'], summary: ['review.accept', 'review.return'] };

function showDetail(detail, list) {
  const it = items[selected];
  if (!it) return;
  const n = it.node;
  const evidence = h('div.evidence');
  const reason = h('textarea#reason', { placeholder: t('review.reason'), 'aria-label': t('review.reason') });
  const [yes, no] = labels[it.kind];
  fill(detail, h('h2', n.user.displayName, ' · ', title(it)), evidence, h('label', t('review.reason'), reason), h('div#decide-out'),
    h('div.actions', h('button.primary#confirm', { type: 'button', onclick: () => decide(true, list, detail) }, t(yes)),
      h('button#reject', { type: 'button', onclick: () => decide(false, list, detail) }, t(no))));
  guard(evidence, () => drawEvidence(evidence, it));
}

async function drawEvidence(el, it) {
  const n = it.node;
  const parts = [];
  if (it.kind === 'checkin' || it.kind === 'activity') {
    parts.push(h('p', fmtTime(n.occurredAt), ' · ', t('verdict.' + n.verdict), n.edgeDistanceM !== undefined ? ' · ' + t('review.edge', Math.round(n.edgeDistanceM)) : '',
      ' · ', t('col.accuracy'), ' ', Math.round(n.accuracy), ' m ', badge(n.status)), flagList(n.flags));
  }
  if (it.kind === 'makeup') parts.push(h('p', n.reason), h('p', t('review.witness', n.witnessName, n.witnessTitle)));
  if (it.kind === 'summary') {
    const v = n.versions[n.versions.length - 1];
    parts.push(h('p', t('review.version', v.number), ' · ', fmtTime(v.submittedAt), v.late ? ' · ' + t('review.late') : ''), h('pre.summary', v.content.text));
  }
  const dayLine = h('p#day-count');
  if (it.kind === 'checkin' && n.region) parts.push(dayLine);
  const mapEl = h('div.mini-map');
  if (it.kind === 'checkin' || it.kind === 'activity') parts.push(mapEl);
  const photos = h('div.photos');
  parts.push(photos);
  fill(el, parts);
  if (it.kind === 'checkin' && n.region) {
    const c = await dayCount(n);
    dayLine.dataset.count = c;
    fill(dayLine, t('review.day', n.localDate, n.region.name, c));
  }
  if (mapEl.isConnected) {
    const map = newMap(mapEl);
    const pts = fixes([n], n.region ? 'GCJ02' : n.coordSystem).addTo(map);
    if (n.region) {
      const g = await gql('query($id: ID!) { region(id: $id) { datum geometry(toleranceM: 20) } }', { id: n.region.id });
      outline(g.region.geometry, { color: '#37474f', weight: 2, fill: false }).addTo(map);
    }
    map.fitBounds(pts.getBounds().pad(3), { maxZoom: 16 });
  }
  for (const p of n.photos || []) {
    const img = h('img', { alt: p.sha256 || '', title: p.takenOnDay === false ? t('review.notOnDay') : p.takenOnDay ? t('review.onDay') : '' });
    photos.append(img);
    fetchBlob(p.url).then((b) => { img.src = URL.createObjectURL(b); }).catch(() => img.replaceWith(h('span.muted', '×')));
  }
}

// dayCount is how many counting check-ins the cadre's day at the check-in's region holds.
async function dayCount(n) {
  const [y, m] = n.localDate.split('-').map(Number);
  const data = await gql('query($u: ID!, $y: Int!, $q: Int!) { presence(userId: $u, year: $y, quarter: $q) { days { date checkIns region { id } } } }',
    { u: n.user.id, y, q: Math.floor((m - 1) / 3) + 1 });
  const d = data.presence.days.find((x) => x.date === n.localDate && x.region.id === n.region.id);
  return d ? d.checkIns : 0;
}

async function decide(yes, list, detail) {
  const it = items[selected];
  const reasonEl = document.getElementById('reason');
  const out = document.getElementById('decide-out');
  if (!it || !reasonEl) return;
  const reason = reasonEl.value.trim();
  if (!reason && !(it.kind === 'summary' && yes)) {
    fill(out, h('p.error', t('review.needReason')));
    reasonEl.focus();
    return;
  }
  const n = it.node;
  try {
    const before = document.getElementById('day-count');
    const was = before && before.dataset.count !== undefined ? Number(before.dataset.count) : null;
    if (it.kind === 'checkin') {
      await gql('mutation($id: ID!, $d: ReviewDecision!, $r: String!) { reviewCheckIn(id: $id, decision: $d, reason: $r) { id } }',
        { id: n.id, d: yes ? 'CONFIRM' : 'REJECT', r: reason });
    } else if (it.kind === 'activity') {
      await gql('mutation($id: ID!, $d: ReviewDecision!, $r: String!) { reviewActivity(id: $id, decision: $d, reason: $r) { decision } }',
        { id: n.id, d: yes ? 'CONFIRM' : 'REJECT', r: reason });
    } else if (it.kind === 'makeup') {
      await gql('mutation($id: ID!, $d: MakeUpDecision!, $r: String!) { decideMakeUp(id: $id, decision: $d, reason: $r) { id } }',
        { id: n.id, d: yes ? 'APPROVE' : 'REFUSE', r: reason });
    } else {
      const v = n.versions[n.versions.length - 1].number;
      await gql('mutation($id: ID!, $d: SummaryDecision!, $c: String, $v: Int) { reviewSummary(id: $id, decision: $d, comment: $c, version: $v) { id } }',
        { id: n.id, d: yes ? 'ACCEPT' : 'RETURN', c: reason, v });
    }
    let done = t('review.done');
    let count = null;
    if (it.kind === 'checkin' && n.region) {
      count = await dayCount(n);
      done = t('review.dayChange', n.localDate, n.region.name, was, count);
    }
    items.splice(selected, 1);
    drawList(list, detail);
    const flash = h('p.ok#decided', { dataset: { before: was ?? '', after: count ?? '' } }, done);
    detail.prepend(flash);
  } catch (e) {
    fill(out, errorBox(e));
  }
}
