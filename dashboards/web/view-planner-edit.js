// One feature's panel: its properties (a form when the role may write), a small map of its
// geometry (a Point moves by a click or by its coordinates), and the save: one change set
// `POST /api/v1/cadastre/changes` with `If-Match: "<the version the form was built from>"` and
// a reason. The server judges: its 422 problems are shown at their fields (those on other
// features listed apart), a 412 is a conflict (nothing saved; reload and redo), a 201 the new
// version.

import { api } from './api.js';
import { t, num } from './i18n.js';
import { h } from './ui.js';
import { label, valueLabel, fmt } from './view-planner-model.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/// A number typed in any of the app's locales (`1,5` or `1.5`); what is not a number is sent
/// as typed, for the server to name.
function parseNum(s) {
  const x = s.trim().replace(',', '.');
  return NUMBER.test(x) ? Number(x) : s.trim();
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/// An input for one property: `raw` (what is typed, strings), `value()` (the property's new
/// value; undefined = left out), `show(message)` an error at it.
function widget(field, original, opts) {
  const { key, type, optional } = field;
  const idOf = (suffix = '') => `pf-${key}${suffix}`;
  const ro = !opts.canWrite || type === 'id';
  let inputs;
  let value;
  const text = (v, extra = {}) =>
    h('input', {
      id: idOf(extra.suffix),
      name: key,
      type: extra.type || 'text',
      value: v ?? '',
      readonly: ro,
      inputmode: extra.inputmode || null,
      list: extra.list || null,
      autocomplete: 'off',
      'aria-label': extra.aria || null,
    });
  if (type === 'enum') {
    const values = [
      ...new Set([...(optional ? [''] : []), ...field.values, ...(opts.distinct(key) || []), original ?? '']),
    ];
    const sel = h(
      'select',
      { id: idOf(), name: key, disabled: ro },
      values
        .filter((v) => v !== '' || optional || original == null)
        .map((v) => h('option', { value: v, selected: v === (original ?? '') }, v ? valueLabel(v) : '–')),
    );
    inputs = [sel];
    value = () => (sel.value === '' && optional ? undefined : sel.value);
  } else if (type === 'port') {
    const dev = text(original?.device, { suffix: '-device', aria: `${label(key)} ${t('plan.f.device')}` });
    const port = text(original?.port, { suffix: '-port', aria: `${label(key)} ${t('plan.f.port')}` });
    dev.placeholder = t('plan.f.device');
    port.placeholder = t('plan.f.port');
    inputs = [dev, port];
    value = () =>
      !dev.value.trim() && !port.value.trim() ? undefined : { device: dev.value.trim(), port: port.value.trim() };
  } else if (type === 'json') {
    const ta = h(
      'textarea',
      { id: idOf(), name: key, rows: 2, readonly: ro },
      original == null ? '' : JSON.stringify(original),
    );
    inputs = [ta];
    value = () => {
      if (!ta.value.trim()) return undefined;
      try {
        return JSON.parse(ta.value);
      } catch {
        return ta.value;
      }
    };
  } else {
    const list = opts.datalist(key);
    const shown =
      type === 'list' || type === 'intlist' ? (original || []).join(', ') : original == null ? '' : String(original);
    const input = text(shown, {
      inputmode: type === 'int' ? 'numeric' : type === 'number' ? 'decimal' : null,
      list: list && type === 'text' ? list : null,
    });
    if (type === 'date') input.placeholder = t('plan.date.placeholder');
    inputs = [input];
    value = () => {
      const s = input.value;
      if (!s.trim()) {
        if (optional) return undefined;
        return type === 'int' || type === 'number' ? null : type.endsWith('list') ? [] : '';
      }
      if (type === 'int' || type === 'number') return parseNum(s);
      if (type === 'list')
        return s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      if (type === 'intlist')
        return s
          .split(/[\s,;]+/)
          .filter(Boolean)
          .map(parseNum);
      return type === 'text' ? s.trim() : s;
    };
  }
  const error = h('div.field-error', { hidden: true });
  const wide = type === 'list' || type === 'json' || type === 'port' || ['name', 'address', 'notes'].includes(key);
  const el = h(
    wide ? 'div.fld.wide' : 'div.fld',
    { dataset: { field: key } },
    h(
      'label',
      { for: inputs[0].id },
      label(key),
      ' ',
      h('code.key', {}, key),
      optional ? h('span.muted', {}, ` · ${t('plan.optional')}`) : null,
      type === 'list' || type === 'intlist' ? h('span.muted', {}, ` · ${t('plan.list.help')}`) : null,
    ),
    h(inputs.length > 1 ? 'div.pair' : 'div', {}, inputs),
    error,
  );
  return {
    key,
    el,
    inputs,
    value,
    get raw() {
      return inputs.map((i) => i.value);
    },
    set raw(v) {
      inputs.forEach((i, n) => (i.value = v[n] ?? ''));
    },
    changed: () => !same(value(), original),
    show(message) {
      error.hidden = !message;
      error.textContent = message || '';
      el.classList.toggle('invalid', !!message);
      for (const i of inputs) i.setAttribute('aria-invalid', message ? 'true' : 'false');
    },
  };
}

/// The small map: the feature over the routes (drawn faintly for context); `onPick([lon, lat])`
/// when a Point may move.
function miniMap(box, feature, context, onPick) {
  let map = null;
  let marker = null;
  let gone = false;
  requestAnimationFrame(async () => {
    if (gone || !box.isConnected) return;
    const renderer = L.canvas({ padding: 0.3 });
    map = L.map(box, { renderer, preferCanvas: true, attributionControl: false, zoomControl: true });
    // The view first (Leaflet draws nothing on a map without one), then the routes around, then
    // the feature on top.
    const g = feature.geometry;
    const isPoint = g?.type === 'Point';
    const ll = isPoint ? [g.coordinates[1], g.coordinates[0]] : null;
    const shape = isPoint
      ? L.circleMarker(ll, { renderer, radius: 7, color: '#fff', weight: 2, fillColor: '#e0115f', fillOpacity: 1 })
      : L.geoJSON(feature, {
          renderer,
          interactive: false,
          style: { color: '#e0115f', weight: 4, opacity: 0.9, fillOpacity: 0.2 },
        });
    if (isPoint) map.setView(ll, 16);
    else map.fitBounds(shape.getBounds(), { padding: [16, 16], maxZoom: 17 });
    const around = await context().catch(() => []);
    if (gone) return;
    L.geoJSON(
      { type: 'FeatureCollection', features: around },
      { renderer, interactive: false, style: { color: '#9aa5ae', weight: 1.5, opacity: 0.8 } },
    ).addTo(map);
    shape.addTo(map);
    if (isPoint) {
      marker = shape;
      if (onPick) {
        box.classList.add('picking');
        map.on('click', (e) => {
          marker.setLatLng(e.latlng);
          onPick([Number(e.latlng.lng.toFixed(7)), Number(e.latlng.lat.toFixed(7))]);
        });
      }
    }
  });
  return {
    move([lon, lat]) {
      if (marker && Number.isFinite(lon) && Number.isFinite(lat)) {
        marker.setLatLng([lat, lon]);
        map.panTo([lat, lon]);
      }
    },
    remove() {
      gone = true;
      map?.remove();
    },
  };
}

/// A geometry in words: `LineString, 12 vertices`.
function geometrySummary(g) {
  if (!g) return t('plan.geometry.none');
  const count = (c) => (typeof c[0] === 'number' ? 1 : c.reduce((s, x) => s + count(x), 0));
  if (g.type === 'Point') return `${g.coordinates[0].toFixed(6)}, ${g.coordinates[1].toFixed(6)}`;
  return t('plan.geometry.summary', { type: g.type, n: num(count(g.coordinates || [])) });
}

/// Problems as a list (`layer id · field: message`).
export function problemList(problems, id) {
  return h(
    'ul.problems',
    { id },
    problems.map((p) =>
      h(
        'li',
        { dataset: { layer: p.layer || '', id: p.id || '', field: p.field || '' } },
        h('b', {}, [p.layer, p.id].filter(Boolean).join(' ')),
        p.field ? h('code', {}, ` ${p.field}`) : null,
        `: ${p.message}`,
        p.severity === 'warning' ? h('span.muted', {}, ` (${t('plan.severity.warning')})`) : null,
      ),
    ),
  );
}

/// The panel of `feature` (of `layer`, read at `version`). `opts`: {fields, canWrite,
/// distinct(key), context() (features drawn faintly on the small map), notice, pending (the
/// values a conflict left unsaved, offered back), onSaved(version, message),
/// onDeleted(version, message), onReload(pending), onShowMap}.
export function featurePanel(layer, feature, version, opts) {
  const p = feature.properties || {};
  const dl = new Map();
  const datalist = (key) => {
    const values = opts.distinct(key);
    if (!values || !values.length || !opts.canWrite) return null;
    const listId = `dl-${key}`;
    dl.set(
      listId,
      h(
        'datalist',
        { id: listId },
        values.map((v) => h('option', { value: v })),
      ),
    );
    return listId;
  };
  const widgets = opts.fields
    .filter((f) => f.type !== 'id')
    .map((f) => widget(f, p[f.key], { canWrite: opts.canWrite, distinct: opts.distinct, datalist }));
  const byKey = new Map(widgets.map((w) => [w.key, w]));
  const banner = h('div.banner-box');
  const status = h('span.muted', { id: 'planner-dirty' });
  const reason = h('input', { id: 'planner-reason', name: 'reason', type: 'text', autocomplete: 'off' });
  const reasonError = h('div.field-error', { hidden: true });
  const save = h('button', { type: 'submit', id: 'planner-save', disabled: true }, t('plan.save'));
  const reset = h('button.secondary', { type: 'button', id: 'planner-reset', disabled: true }, t('plan.reset'));

  // The geometry: a Point's coordinates as two inputs (and a click on the small map).
  const g = feature.geometry;
  const isPoint = g?.type === 'Point';
  const coord = (i, key) =>
    h('input', {
      id: `pf-${key}`,
      name: key,
      type: 'text',
      inputmode: 'decimal',
      value: isPoint ? String(g.coordinates[i]) : '',
      readonly: !opts.canWrite,
      'aria-label': t(`plan.f.${key}`),
    });
  const lon = isPoint ? coord(0, 'lon') : null;
  const lat = isPoint ? coord(1, 'lat') : null;
  const geomError = h('div.field-error', { hidden: true });
  const mapBox = h('div.minimap', { id: 'planner-minimap' });
  const newGeometry = () =>
    isPoint ? { type: 'Point', coordinates: [parseNum(lon.value), parseNum(lat.value)] } : feature.geometry;
  const geomChanged = () => isPoint && !same(newGeometry().coordinates, g.coordinates);
  const mini = g
    ? miniMap(
        mapBox,
        feature,
        opts.context,
        isPoint && opts.canWrite
          ? ([x, y]) => {
              lon.value = String(x);
              lat.value = String(y);
              refresh();
            }
          : null,
      )
    : null;
  const geomBlock = h(
    'div.fld.wide',
    { dataset: { field: 'geometry' } },
    h('label', {}, isPoint ? t('plan.geometry.point') : t('plan.f.geometry'), ' ', h('code.key', {}, 'geometry')),
    isPoint
      ? h('div.pair', {}, h('label.inline', {}, t('plan.f.lon'), lon), h('label.inline', {}, t('plan.f.lat'), lat))
      : h('div.muted', {}, geometrySummary(g)),
    geomError,
    g ? mapBox : null,
    isPoint && opts.canWrite ? h('div.muted.small', {}, t('plan.geometry.click')) : null,
  );

  const dirty = () =>
    widgets
      .filter((w) => w.changed())
      .map((w) => w.key)
      .concat(geomChanged() ? ['geometry'] : []);
  function refresh() {
    const d = dirty();
    for (const w of widgets) w.el.classList.toggle('dirty', d.includes(w.key));
    geomBlock.classList.toggle('dirty', d.includes('geometry'));
    status.textContent = d.length ? t('plan.changed', { n: d.length }) : t('plan.unchanged');
    save.disabled = !d.length;
    reset.disabled = !d.length;
  }
  const clearErrors = () => {
    for (const w of widgets) w.show(null);
    geomError.hidden = true;
    reasonError.hidden = true;
    reason.removeAttribute('aria-invalid');
    banner.replaceChildren();
  };
  /// What the user typed, to put back after a reload.
  const pendingValues = () => ({
    props: Object.fromEntries(widgets.filter((w) => w.changed()).map((w) => [w.key, w.raw])),
    geometry: geomChanged() ? [lon.value, lat.value] : null,
    reason: reason.value,
  });
  const applyPending = (pending) => {
    for (const [k, raw] of Object.entries(pending.props || {})) {
      const w = byKey.get(k);
      if (w) w.raw = raw;
    }
    if (pending.geometry && isPoint) {
      [lon.value, lat.value] = pending.geometry;
      mini?.move(newGeometry().coordinates);
    }
    if (pending.reason) reason.value = pending.reason;
    refresh();
  };

  const showProblems = (problems) => {
    const mine = [];
    const others = [];
    for (const pr of problems) {
      const own = pr.layer === layer && (pr.id === feature.id || pr.id == null);
      const key = (pr.field || '').split(/[.[]/)[0];
      if (own && byKey.has(key)) mine.push([byKey.get(key), pr]);
      else if (own && key === 'geometry') {
        geomError.hidden = false;
        geomError.textContent = pr.message;
        geomBlock.classList.add('invalid');
      } else others.push(pr);
    }
    const byWidget = new Map();
    for (const [w, pr] of mine) byWidget.set(w, [...(byWidget.get(w) || []), pr.message]);
    for (const [w, msgs] of byWidget) w.show(msgs.join(' · '));
    banner.replaceChildren(
      h(
        'div.banner.bad',
        { id: 'planner-refused', dataset: { problems: String(problems.length) } },
        h('b', {}, t('plan.refused', { n: problems.length })),
        others.length ? h('div', {}, t('plan.refused.other'), problemList(others, 'planner-other-problems')) : null,
      ),
    );
    (byWidget.keys().next().value?.inputs[0] || banner).scrollIntoView?.({ block: 'nearest' });
  };

  const showConflict = (e) => {
    const pending = pendingValues();
    const mineList = Object.entries(pending.props).map(([k, raw]) =>
      h('li', {}, h('b', {}, label(k)), `: ${fmt(null, p[k])} → ${raw.filter(Boolean).join(' ') || '–'}`),
    );
    if (pending.geometry)
      mineList.push(h('li', {}, h('b', {}, t('plan.f.geometry')), `: ${pending.geometry.join(', ')}`));
    banner.replaceChildren(
      h(
        'div.banner.warn',
        { id: 'planner-conflict', role: 'alert' },
        h('b', {}, t('plan.conflict.title')),
        h('p', {}, t('plan.conflict', { mine: version })),
        h('p.muted.small', {}, e.message),
        mineList.length ? h('div', {}, t('plan.conflict.yours'), h('ul', {}, mineList)) : null,
        h(
          'button',
          { type: 'button', id: 'planner-reload', onclick: () => opts.onReload(pending) },
          t('plan.conflict.reload'),
        ),
      ),
    );
  };

  const send = async (changes, onOk) => {
    clearErrors();
    save.disabled = true;
    save.textContent = t('plan.saving');
    try {
      const r = await api('/api/v1/cadastre/changes', {
        body: { reason: reason.value, changes },
        headers: { 'If-Match': `"${version}"` },
      });
      onOk(r.version);
    } catch (e) {
      save.textContent = t('plan.save');
      refresh();
      if (e.status === 412) showConflict(e);
      else if (e.status === 422) showProblems(e.problems);
      else if (e.field === 'reason') {
        reasonError.hidden = false;
        reasonError.textContent = e.message;
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
      } else banner.replaceChildren(h('div.banner.bad', { id: 'planner-error' }, e.message));
    }
  };

  const form = h(
    'form.feature-form',
    {
      id: 'planner-form',
      dataset: { layer, id: feature.id, version: String(version) },
      onsubmit: (e) => {
        e.preventDefault();
        if (save.disabled) return;
        const props = { ...p };
        for (const w of widgets) {
          const v = w.value();
          if (v === undefined) delete props[w.key];
          else props[w.key] = v;
        }
        const f = { type: 'Feature', id: feature.id, geometry: newGeometry(), properties: props };
        send([{ op: 'change', layer, feature: f }], (v) => opts.onSaved(v, t('plan.saved', { v })));
      },
      oninput: () => refresh(),
      onchange: () => refresh(),
    },
    [...dl.values()],
    widgets.map((w) => w.el),
    geomBlock,
  );
  if (isPoint) {
    for (const i of [lon, lat]) i.addEventListener('input', () => mini?.move(newGeometry().coordinates));
  }
  reset.addEventListener('click', () => {
    for (const w of widgets) {
      const f = opts.fields.find((x) => x.key === w.key);
      const o = p[w.key];
      w.raw =
        f.type === 'port'
          ? [o?.device ?? '', o?.port ?? '']
          : f.type === 'list' || f.type === 'intlist'
            ? [(o || []).join(', ')]
            : f.type === 'json'
              ? [o == null ? '' : JSON.stringify(o)]
              : [o == null ? '' : String(o)];
    }
    if (isPoint) {
      lon.value = String(g.coordinates[0]);
      lat.value = String(g.coordinates[1]);
      mini?.move(g.coordinates);
    }
    clearErrors();
    refresh();
  });
  const remove = h(
    'button.secondary.danger',
    {
      type: 'button',
      id: 'planner-delete',
      onclick: () => {
        if (!confirm(t('plan.delete.confirm', { layer: t(`plan.layer.${layer}`), id: feature.id }))) return;
        send([{ op: 'delete', layer, id: feature.id }], (v) =>
          opts.onDeleted(v, t('plan.deleted', { id: feature.id, v })),
        );
      },
    },
    t('plan.delete'),
  );
  if (opts.canWrite) {
    form.append(
      h(
        'div.fld.wide.reason',
        { dataset: { field: 'reason' } },
        h('label', { for: 'planner-reason' }, t('plan.reason'), ' ', h('span.muted', {}, `· ${t('plan.reason.help')}`)),
        reason,
        reasonError,
      ),
      h('div.row.actions.wide', {}, save, reset, status, h('span.spacer'), remove),
    );
  }
  const el = h(
    'div.feature-panel',
    { id: 'planner-feature', dataset: { layer, id: feature.id } },
    h(
      'div.panel-head',
      {},
      h('h2', {}, h('span.muted', {}, t(`plan.layer.${layer}`)), ' ', feature.id),
      h('span.spacer'),
      g && opts.onShowMap ? h('button.secondary', { type: 'button', onclick: opts.onShowMap }, t('plan.onmap')) : null,
    ),
    opts.notice || null,
    opts.canWrite ? null : h('p.muted.small', { id: 'planner-readonly' }, t('plan.readonly')),
    banner,
    form,
  );
  refresh();
  if (opts.pending && opts.canWrite) {
    // After a conflict's reload: the current data in the form, the user's values offered back.
    const pend = opts.pending;
    const items = Object.entries(pend.props || {}).map(([k, raw]) =>
      h('li', {}, h('b', {}, label(k)), `: ${raw.filter(Boolean).join(' ') || '–'}`),
    );
    if (pend.geometry) items.push(h('li', {}, h('b', {}, t('plan.f.geometry')), `: ${pend.geometry.join(', ')}`));
    const box = h(
      'div.banner.info',
      { id: 'planner-pending' },
      h('div', {}, t('plan.conflict.yours')),
      h('ul', {}, items),
      h(
        'button.secondary',
        {
          type: 'button',
          id: 'planner-reapply',
          onclick: () => {
            applyPending(pend);
            box.remove();
          },
        },
        t('plan.conflict.reapply'),
      ),
    );
    if (items.length) banner.replaceChildren(box);
  }
  el.destroy = () => mini?.remove();
  return el;
}
