// DOM helpers: elements are built with text nodes only (never innerHTML
// from data), dates are shown in Asia/Shanghai.
import { t, lang } from './i18n.js';

/** h('tag.class#id', {attr: value, onclick: fn}, ...children) builds an element. */
export function h(spec, attrs, ...children) {
  const [, tag, rest] = spec.match(/^([a-z0-9]+)(.*)$/i);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const shanghai = { timeZone: 'Asia/Shanghai' };

/** A time as Asia/Shanghai date and time. */
export function fmtTime(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { ...shanghai, year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** Today in Asia/Shanghai, YYYY-MM-DD. */
export function today() {
  return new Date().toLocaleDateString('en-CA', shanghai);
}

/** The Asia/Shanghai year and quarter now. */
export function thisQuarter() {
  const [y, m] = today().split('-').map(Number);
  return { year: y, quarter: Math.floor((m - 1) / 3) + 1 };
}

/** A status badge: MET, ON_TRACK, AT_RISK, MISSED, EXEMPT, PENDING, … */
export function badge(status) {
  return h('span.badge.s-' + String(status).toLowerCase(), t('status.' + status));
}

/** An error as the page shows it: FORBIDDEN says the role may not see it. */
export function errorBox(e) {
  const code = e && e.code ? e.code : 'INTERNAL';
  const text = code === 'FORBIDDEN' ? t('err.forbidden') : t('err.generic', code, e && e.message ? e.message : String(e));
  return h('p.error', { role: 'alert', dataset: { code } }, text);
}

/** Runs fn, showing a loading line in el and replacing it with an error box on failure. */
export async function guard(el, fn) {
  fill(el, h('p.muted', t('loading')));
  try {
    await fn();
  } catch (e) {
    console.error(e);
    fill(el, errorBox(e));
  }
}

/** A client id for an idempotent write. */
export function clientId(prefix) {
  return prefix + '-' + crypto.randomUUID();
}

let period = null;

/** The quarter the pages show: this one until the user picks another. */
export function currentPeriod() {
  return period || thisQuarter();
}

/** A select of this quarter and the three before it; onchange(period) after a pick. */
export function periodSelect(onchange) {
  const now = thisQuarter();
  const options = [];
  for (let i = 0; i < 4; i++) {
    let q = now.quarter - i;
    let y = now.year;
    while (q < 1) { q += 4; y -= 1; }
    options.push({ year: y, quarter: q });
  }
  const cur = currentPeriod();
  const sel = h('select#period', options.map((p) => h('option', { value: `${p.year}-${p.quarter}`,
    selected: p.year === cur.year && p.quarter === cur.quarter }, `${p.year}Q${p.quarter}`)));
  sel.addEventListener('change', () => {
    const [year, quarter] = sel.value.split('-').map(Number);
    period = { year, quarter };
    onchange(period);
  });
  return sel;
}
