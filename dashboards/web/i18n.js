// Translations and locale-aware formatting. Every module registers its own strings
// (`add({en: {...}, fr: {...}, nl: {...}})`), so views own their words; `t(key, params)` looks a
// key up in the chosen language, falling back to English, then to the key itself (which a test
// would catch). The language is chosen by `setLang` (kept in localStorage and in the URL's
// `lang` parameter, so a link shows the sender's language), else the browser's.

export const LANGS = [
  { code: 'fr', label: 'FR', name: 'Français' },
  { code: 'nl', label: 'NL', name: 'Nederlands' },
  { code: 'en', label: 'EN', name: 'English' },
];

const dicts = { en: {}, fr: {}, nl: {} };
let lang = 'en';
const listeners = [];

export function add(strings) {
  for (const [code, entries] of Object.entries(strings)) {
    Object.assign((dicts[code] ??= {}), entries);
  }
}

export function current() {
  return lang;
}

export function initial(fromUrl) {
  const stored = sessionStorage.getItem('irisops.lang') || localStorage.getItem('irisops.lang');
  const browser = (navigator.language || 'en').slice(0, 2);
  const pick = [fromUrl, stored, browser].find((c) => c && dicts[c] && LANGS.some((l) => l.code === c));
  lang = pick || 'en';
  document.documentElement.lang = lang;
  return lang;
}

export function setLang(code) {
  if (!LANGS.some((l) => l.code === code) || code === lang) return;
  lang = code;
  localStorage.setItem('irisops.lang', code);
  document.documentElement.lang = code;
  for (const f of listeners) f(code);
}

export function onChange(f) {
  listeners.push(f);
}

/// The string of `key`, its `{name}` placeholders filled from `params`.
export function t(key, params = {}) {
  const s = dicts[lang]?.[key] ?? dicts.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/// Whether every language has every English key (the tests check it).
export function missing() {
  const out = [];
  for (const code of Object.keys(dicts)) {
    for (const key of Object.keys(dicts.en)) if (!(key in dicts[code])) out.push(`${code}:${key}`);
  }
  return out;
}

const locale = () => ({ fr: 'fr-BE', nl: 'nl-BE', en: 'en-GB' })[lang] || 'en-GB';

export function num(x, digits = 0) {
  if (x == null || Number.isNaN(x)) return '–';
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

export function money(x, currency = 'EUR') {
  if (x == null) return '–';
  return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(x);
}

export function pct(x, digits = 1) {
  return x == null ? '–' : `${num(x, digits)} %`;
}

/// Bits per second with a unit (kb/s .. Tb/s).
export function bps(x) {
  if (x == null) return '–';
  const units = ['b/s', 'kb/s', 'Mb/s', 'Gb/s', 'Tb/s'];
  let i = 0;
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return `${num(x, i === 0 ? 0 : 1)} ${units[i]}`;
}

export function date(ms) {
  if (ms == null) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(ms));
}

export function dateTime(ms) {
  if (ms == null) return '–';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
}

export function km(m) {
  return m == null ? '–' : `${num(m / 1000, 1)} km`;
}
