// Small DOM helpers shared by the views: an element builder, sortable tables, a legend, a
// toast for errors, the colour classes. No framework: the views render plain elements.

import { num } from './i18n.js';

/// `h('div.card', {onclick}, child, ...)`: an element with classes, attributes and children
/// (strings become text, never HTML).
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/// A table of `rows` with `columns` [{key, label, fmt?, num?, value?}]; a click on a header
/// sorts by it; `onRow(row, tr)` makes rows clickable; `rowClass(row)` adds a class.
export function table(columns, rows, opts = {}) {
  let sortKey = opts.sort ?? null;
  let desc = opts.desc ?? false;
  const body = h('tbody');
  const value = (c, r) => (c.value ? c.value(r) : r[c.key]);
  const render = () => {
    const sorted =
      sortKey == null
        ? rows
        : [...rows].sort((a, b) => {
            const c = columns.find((x) => x.key === sortKey);
            const x = value(c, a),
              y = value(c, b);
            const d =
              x == null ? 1 : y == null ? -1 : typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
            return desc ? -d : d;
          });
    body.replaceChildren(
      ...sorted.slice(0, opts.limit ?? Infinity).map((r) => {
        const tr = h(
          'tr',
          { class: opts.rowClass?.(r) || null },
          columns.map((c) => h(c.num ? 'td.num' : 'td', {}, c.fmt ? c.fmt(value(c, r), r) : (value(c, r) ?? '–'))),
        );
        if (opts.onRow) {
          tr.classList.add('clickable');
          tr.addEventListener('click', () => opts.onRow(r, tr));
        }
        if (opts.rowId) tr.dataset.id = opts.rowId(r);
        return tr;
      }),
    );
  };
  const head = h(
    'tr',
    {},
    columns.map((c) =>
      h(
        c.num ? 'th.num' : 'th',
        {
          onclick: () => {
            desc = sortKey === c.key ? !desc : !!c.num;
            sortKey = c.key;
            render();
          },
          title: c.title || null,
        },
        c.label,
      ),
    ),
  );
  render();
  const t = h('table.data', { id: opts.id || null }, h('thead', {}, head), body);
  t.update = (newRows) => {
    rows = newRows;
    render();
  };
  return t;
}

/// A legend: [{color, label}].
export function legend(items, title) {
  return h(
    'div.legend',
    {},
    title ? h('b', {}, title) : null,
    items.map((i) => h('span.item', {}, h('i', { style: { background: i.color } }), i.label)),
  );
}

let toastTimer;
/// Shows a message for a few seconds (errors the user should see).
export function toast(message, kind = 'error') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = ''), 6000);
}

/// A panel with a title and content.
export function card(title, ...content) {
  return h('section.card', {}, title ? h('h2', {}, title) : null, ...content);
}

/// A download link to an API route (fetched with the token, saved as `name`).
export function download(label, fetchBlob, name) {
  return h(
    'button.secondary',
    {
      type: 'button',
      onclick: async () => {
        const blob = await fetchBlob();
        const a = h('a', { href: URL.createObjectURL(blob), download: name });
        document.body.append(a);
        a.click();
        setTimeout(() => {
          URL.revokeObjectURL(a.href);
          a.remove();
        }, 1000);
      },
    },
    label,
  );
}

/// Classes of a continuous value: returns {color(v), items} for a legend.
export function classes(breaks, colors, fmt) {
  const color = (v) => {
    if (v == null) return '#9aa5ae';
    let i = 0;
    while (i < breaks.length && v >= breaks[i]) i++;
    return colors[i];
  };
  // The labels are made when asked for: in the language chosen by then.
  return {
    color,
    get items() {
      return colors.map((c, i) => ({
        color: c,
        label:
          i === 0
            ? `< ${fmt(breaks[0])}`
            : i === colors.length - 1
              ? `≥ ${fmt(breaks[i - 1])}`
              : `${fmt(breaks[i - 1])} – ${fmt(breaks[i])}`,
      }));
    },
  };
}

/// Utilisation in %: the map's p95 colouring, the engineer's bars.
export const UTIL_CLASSES = classes(
  [20, 40, 60, 80],
  ['#2b83ba', '#abdda4', '#ffd54f', '#fdae61', '#d7191c'],
  (v) => `${num(v)} %`,
);

/// Dark strands left on a route: the map's and the commercial map's colouring.
export const DARK_CLASSES = classes([12, 48, 96, 192], ['#d7191c', '#fdae61', '#ffd54f', '#a6d96a', '#1a9641'], (v) =>
  num(v),
);
