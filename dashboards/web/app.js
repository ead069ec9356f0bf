// The app's shell: login (a token from the URL's fragment or pasted once), the views the
// token's role may use, the language switch, and the URL as the state of the page: every view
// is `#/<view>?<its parameters>`, so a link shows what its sender saw.

import { api, setToken, token, whenUnauthorized } from './api.js';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import { h, toast } from './ui.js';
import { alertBadge } from './view-engineer-alerts.js';
import mapView from './view-map.js';
import engineerView from './view-engineer.js';
import plannerView from './view-planner.js';
import commercialView from './view-commercial.js';
import offerView from './view-offer.js';
import wifiView from './view-wifi.js';
import './strings.js';

/// The views, in the navigation's order; `allowed(me)` from the caller's permissions.
const VIEWS = [mapView, engineerView, plannerView, commercialView, offerView, wifiView];

const state = { me: null, view: null, unmount: null, generation: 0, stopBadge: () => {} };

/// The header's alert badge, (re)started for the caller.
function badge() {
  state.stopBadge();
  const slot = document.getElementById('alerts-slot');
  state.stopBadge = state.me ? alertBadge(state.me, slot) : (slot.replaceChildren(), () => {});
}

/// The route of the URL's fragment: `{view, params}`.
export function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [view, q] = hash.split('?');
  return { view: view || '', params: new URLSearchParams(q || '') };
}

/// Writes `params` into the URL (merged with the current ones; null removes) without a reload
/// or a new history entry.
export function setParams(changes) {
  const { view, params } = route();
  for (const [k, v] of Object.entries(changes)) {
    if (v == null || v === '' || (Array.isArray(v) && !v.length)) params.delete(k);
    else params.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  const q = params.toString();
  history.replaceState(null, '', `#/${view}${q ? `?${q}` : ''}`);
}

/// Goes to another view (a new history entry).
export function navigate(view, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString();
  location.hash = `#/${view}${q ? `?${q}` : ''}`;
}

function takeTokenFromFragment() {
  // `#token=...` (the demo's printed URL): kept for the tab, removed from the address bar.
  const m = location.hash.match(/(?:^#|&)token=([^&]+)/);
  if (m) {
    setToken(decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search + '#/');
  }
}

function renderLangs() {
  const el = document.getElementById('langs');
  el.replaceChildren(
    ...i18n.LANGS.map((l) =>
      h(
        'button',
        {
          type: 'button',
          class: l.code === i18n.current() ? 'lang on' : 'lang',
          title: l.name,
          'aria-pressed': l.code === i18n.current() ? 'true' : 'false',
          onclick: () => i18n.setLang(l.code),
        },
        l.label,
      ),
    ),
  );
}

function renderShell() {
  renderLangs();
  document.title = `irisops — ${t('app.title')}`;
  const who = document.getElementById('who');
  const logout = document.getElementById('logout');
  if (state.me) {
    who.textContent = `${state.me.name} · ${t(`role.${state.me.role}`)}`;
    logout.hidden = false;
    logout.textContent = t('app.logout');
  } else {
    who.textContent = '';
    logout.hidden = true;
  }
  const nav = document.getElementById('nav');
  const { view } = route();
  nav.replaceChildren(
    ...(state.me ? VIEWS.filter((v) => v.allowed(state.me)) : []).map((v) =>
      h('a', { href: `#/${v.id}`, class: v.id === view ? 'on' : null, dataset: { view: v.id } }, t(v.title)),
    ),
  );
}

function loginPanel(message) {
  const input = h('textarea', {
    id: 'token-input',
    rows: 2,
    placeholder: 'irisops_…',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const form = h(
    'form.card.login',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        setToken(input.value);
        await start();
      },
    },
    h('h2', {}, t('login.title')),
    h('p', {}, t('login.help')),
    message ? h('p.error', {}, message) : null,
    input,
    h('button', { type: 'submit', id: 'login' }, t('login.submit')),
  );
  document.getElementById('view').replaceChildren(form);
}

async function show() {
  renderShell();
  if (!state.me) return;
  const allowed = VIEWS.filter((v) => v.allowed(state.me));
  let { view, params } = route();
  let v = allowed.find((x) => x.id === view);
  if (!v) {
    v = allowed[0];
    if (!v) {
      document.getElementById('view').replaceChildren(h('p.card', {}, t('app.nothing')));
      return;
    }
    history.replaceState(null, '', `#/${v.id}`);
    params = new URLSearchParams();
    renderShell();
  }
  if (state.unmount) {
    try {
      state.unmount();
    } catch (e) {
      console.warn(e);
    }
    state.unmount = null;
  }
  state.view = v.id;
  // A mount still loading when another view (or the same one, from a new link) is shown is
  // stale: its unmount runs as soon as it ends, and it never becomes the current view.
  const generation = ++state.generation;
  const el = h('div', { id: `view-${v.id}`, class: 'view' });
  document.getElementById('view').replaceChildren(el);
  let unmount = null;
  try {
    unmount = (await v.mount(el, { me: state.me, params, setParams, navigate })) || null;
  } catch (e) {
    if (generation === state.generation) el.append(h('p.error', {}, `${t('app.failed')}: ${e.message}`));
    if (e.status !== 401) console.warn(e);
  }
  if (generation === state.generation) state.unmount = unmount;
  else if (unmount) unmount();
}

async function start() {
  takeTokenFromFragment();
  if (!token()) {
    state.me = null;
    renderShell();
    loginPanel();
    return;
  }
  try {
    state.me = await api('/api/v1/me');
    badge();
  } catch (e) {
    state.me = null;
    setToken(null);
    renderShell();
    loginPanel(e.status === 401 ? t('login.refused') : e.message);
    return;
  }
  await show();
}

i18n.initial(route().params.get('lang'));
i18n.onChange(() => {
  badge();
  if (state.me) show();
  else {
    renderShell();
    loginPanel();
  }
});
whenUnauthorized(() => {
  state.me = null;
  badge();
  setToken(null);
  renderShell();
  loginPanel(t('login.expired'));
});
document.getElementById('logout').addEventListener('click', () => {
  setToken(null);
  state.me = null;
  badge();
  location.hash = '#/';
  start();
});
window.addEventListener('hashchange', () => {
  // A link followed or typed (the app's own URL updates use replaceState, which fires none).
  if (/(?:^#|&)token=/.test(location.hash)) start();
  else show();
});
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason?.status !== 401) toast(e.reason?.message || String(e.reason));
});
start();
