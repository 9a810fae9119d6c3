// The console's shell: sign-in, navigation by hash, the language toggle.
import { login, logout, changePassword, currentUser, onSession } from './api.js';
import { t, lang, setLang, onLang } from './i18n.js';
import { h, fill, errorBox } from './ui.js';

const pages = {
  map: { load: () => import('./map.js'), roles: ['SUPERVISOR', 'DISCIPLINE', 'ADMIN', 'CADRE'] },
  report: { load: () => import('./report.js'), roles: ['SUPERVISOR', 'DISCIPLINE', 'ADMIN'] },
  review: { load: () => import('./review.js'), roles: ['SUPERVISOR', 'ADMIN'] },
  inspect: { load: () => import('./inspect.js'), roles: ['DISCIPLINE', 'ADMIN'] },
};

const view = document.getElementById('view');

function deviceId() {
  // Not a secret: it names this browser to the server, as a phone's id does.
  let id = localStorage.getItem('onsite.device');
  if (!id) {
    id = 'console-' + crypto.randomUUID().slice(0, 8);
    localStorage.setItem('onsite.device', id);
  }
  return id;
}

function loginPage() {
  const user = h('input#username', { name: 'username', autocomplete: 'username', required: true });
  const pw = h('input#password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const dev = h('input#device', { name: 'device', value: deviceId(), required: true });
  const out = h('div#login-error');
  const form = h('form.login#login', h('h1', t('app.title')), h('label', t('login.username'), user), h('label', t('login.password'), pw),
    h('label', t('login.device'), dev), h('p.muted', t('login.deviceHint')), h('button#login-submit', { type: 'submit' }, t('login.submit')), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fill(out);
    try {
      localStorage.setItem('onsite.device', dev.value);
      const r = await login(user.value, pw.value, dev.value);
      if (r.mustChangePassword) changePasswordForm(out, r.token, pw.value);
    } catch (e) {
      fill(out, errorBox(e));
    }
  });
  fill(view, form);
  user.focus();
}

function changePasswordForm(out, token, old) {
  const np = h('input#new-password', { type: 'password', autocomplete: 'new-password' });
  const btn = h('button', { type: 'button', onclick: async () => {
    try {
      await changePassword(token, old, np.value);
      fill(out, h('p', t('login.changed')));
    } catch (e) {
      fill(out, errorBox(e));
    }
  } }, t('login.change'));
  fill(out, h('p', t('login.mustChange')), np, btn);
}

function header() {
  const me = currentUser();
  fill(document.getElementById('brand'), t('app.title'));
  fill(document.getElementById('lang'), lang() === 'zh' ? 'English' : '中文');
  const logoutBtn = document.getElementById('logout');
  logoutBtn.hidden = !me;
  fill(logoutBtn, t('nav.logout'));
  fill(document.getElementById('who'), me ? `${me.displayName}（${t('role.' + me.role)} · ${me.orgUnit.name}）` : '');
  const current = location.hash.slice(2) || 'map';
  fill(document.getElementById('nav'), me ? Object.entries(pages).filter(([, p]) => p.roles.includes(me.role))
    .map(([name]) => h('a' + (name === current ? '.active' : ''), { href: '#/' + name, id: 'nav-' + name }, t('nav.' + name))) : null);
}

async function route() {
  header();
  const me = currentUser();
  if (!me) return loginPage();
  const name = location.hash.slice(2) || 'map';
  const page = pages[name];
  delete view.dataset.ready;
  if (!page) return fill(view, h('p', t('err.nopage')));
  try {
    const mod = await page.load();
    await mod.render(view);
  } catch (e) {
    console.error(e);
    fill(view, errorBox(e));
  }
}

document.getElementById('lang').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
document.getElementById('logout').addEventListener('click', () => logout());
window.addEventListener('hashchange', route);
onSession(() => route());
onLang(() => route());
route();
