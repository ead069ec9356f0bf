// The planner view: the cadastre's layers as tables (virtualised, sortable, filtered by owner,
// status and free text), a feature's properties (edited by planners and administrators: one
// change set per save, based on the version shown, so a concurrent edit is a conflict, never a
// silent overwrite), the history with each change's diff and its undo, and the import and
// export of the whole cadastre. Every state is in the URL: `tab` (layers | history | import),
// `layer`, `owner`, `status`, `q`, `sort` (`-key` descending), `sel` (a feature's id), `v` (a
// change's version).

import { t, num } from './i18n.js';
import { h } from './ui.js';
import './view-planner-strings.js';
import {
  LAYERS,
  fields,
  label,
  fmt,
  matches,
  sorted,
  distinct,
  layerCache,
  currentVersion,
} from './view-planner-model.js';
import { vtable } from './view-planner-table.js';
import { featurePanel } from './view-planner-edit.js';
import { historyTab } from './view-planner-history.js';
import { importTab } from './view-planner-import.js';

const TABS = ['layers', 'history', 'import'];
/// The layers the map draws (a "show on the map" link selects the feature there).
const MAP_LAYERS = ['routes', 'sites', 'worksites', 'hotspots', 'targets'];

/// Column widths by property (px); others share what is left.
const WIDTH = {
  id: 110,
  name: 150,
  srlgs: 100,
  status: 100,
  owner: 130,
  ducts_total: 70,
  ducts_free: 80,
  fibre_count: 70,
  declared_length_m: 110,
  weight: 70,
  use: 90,
  start: 100,
  end: 100,
  deployment: 110,
  from_site: 100,
  to_site: 100,
  cable: 80,
  kind: 110,
};

export default {
  id: 'planner',
  title: 'view.planner',
  allowed: (me) => !!me.permissions['cadastre:read'],
  async mount(el, ctx) {
    const { params, setParams, me, navigate } = ctx;
    const canWrite = !!me.permissions['cadastre:write'];
    const cache = layerCache();
    let tab = TABS.includes(params.get('tab')) ? params.get('tab') : 'layers';
    let cleanup = null;

    const versionBadge = h('span.badge', { id: 'planner-version' });
    const setVersion = (v) => {
      if (v == null) return;
      versionBadge.dataset.version = String(v);
      versionBadge.textContent = t('plan.version', { v: num(v) });
    };
    const tabButtons = TABS.map((name) =>
      h(
        'button.tab',
        { type: 'button', dataset: { tab: name }, onclick: () => show(name) },
        t(name === 'import' && !canWrite ? 'plan.tab.export' : `plan.tab.${name}`),
      ),
    );
    const body = h('div.planner-body');
    el.classList.add('full', 'planner');
    el.append(
      h('div.planner-head', {}, h('div.tabs', { role: 'tablist' }, tabButtons), h('span.spacer'), versionBadge),
      body,
    );

    /// After any write: the layers are read again, the version shown is the new one.
    const written = (v) => {
      cache.clear();
      setVersion(v);
    };

    async function show(name) {
      tab = name;
      setParams({ tab: name === 'layers' ? null : name });
      for (const b of tabButtons) b.classList.toggle('on', b.dataset.tab === name);
      cleanup?.();
      cleanup = null;
      body.replaceChildren();
      const sub = { params: new URLSearchParams(location.hash.split('?')[1] || ''), setParams, canWrite, cache };
      if (name === 'layers')
        cleanup = await layersTab(body, {
          ...sub,
          setVersion,
          written,
          navigate,
          showChange: (v) => {
            setParams({ v });
            show('history');
          },
        });
      else if (name === 'history')
        cleanup = await historyTab(body, {
          ...sub,
          written,
          setVersion,
          openFeature: (layer, id) => {
            setParams({ layer, sel: id, owner: null, status: null, q: null });
            show('layers');
          },
        });
      else cleanup = await importTab(body, { ...sub, written });
    }
    setVersion(await currentVersion());
    await show(tab);
    return () => cleanup?.();
  },
};

/// The layers' tab: a layer's table with its filters, and the selected feature's panel.
async function layersTab(el, ctx) {
  const { params, setParams, canWrite, cache } = ctx;
  let layer = LAYERS.includes(params.get('layer')) ? params.get('layer') : 'routes';
  const filters = { owner: params.get('owner') || '', status: params.get('status') || '', q: params.get('q') || '' };
  const sortParam = params.get('sort') || '';
  let sort = sortParam ? { key: sortParam.replace(/^-/, ''), desc: sortParam.startsWith('-') } : null;
  let selected = params.get('sel') || null;
  let data = null; // {features, version}
  let shown = [];
  let table = null;
  let panel = null;
  let pending = null; // the values a conflict left unsaved, offered back after the reload
  let notice = null;

  const layerButtons = LAYERS.map((name) =>
    h(
      'button.seg',
      { type: 'button', dataset: { layer: name }, onclick: () => switchLayer(name) },
      t(`plan.layer.${name}`),
    ),
  );
  const ownerSel = h('select', { id: 'planner-owner', 'aria-label': t('common.owner') });
  const statusSel = h('select', { id: 'planner-status', 'aria-label': t('common.status') });
  const search = h('input', {
    id: 'planner-q',
    type: 'search',
    placeholder: t('plan.search'),
    value: filters.q,
    'aria-label': t('common.search'),
  });
  let timer = 0; // the search box's pending input (see switchLayer)
  const count = h('span.count', { id: 'planner-count' });
  const clear = h('button.secondary', { type: 'button', id: 'planner-clear' }, t('plan.clear'));
  const tableBox = h('div.table-box');
  const side = h('aside.planner-side', { id: 'planner-side' });
  el.append(
    h('div.segs', { id: 'planner-layers', role: 'group', 'aria-label': t('plan.layer') }, layerButtons),
    h('div.row.toolbar', {}, ownerSel, statusSel, search, clear, h('span.spacer'), count),
    h('div.planner-split', {}, tableBox, side),
  );

  const owners = await cache
    .get('owners')
    .then((d) => d.features)
    .catch(() => []);

  const applyFilters = () => {
    const total = data.features.length;
    shown = sorted(
      data.features.filter((f) => matches(f, filters)),
      sort?.key,
      sort?.desc,
    );
    table.setRows(shown, sort);
    count.dataset.shown = String(shown.length);
    count.dataset.total = String(total);
    count.textContent =
      shown.length === total
        ? t('plan.count', { n: num(total) })
        : t('plan.count.filtered', { n: num(shown.length), total: num(total) });
    tableBox.classList.toggle('empty', !shown.length);
    clear.disabled = !filters.owner && !filters.status && !filters.q;
    setParams({ owner: filters.owner, status: filters.status, q: filters.q });
  };

  const fillFilters = (flds) => {
    const has = (k) => flds.some((f) => f.key === k);
    const ownerIds = distinct(data.features, 'owner') || [];
    const nameOf = new Map(owners.map((o) => [o.id, o.properties?.name]));
    ownerSel.replaceChildren(
      h('option', { value: '' }, t('plan.owner.all')),
      ...ownerIds
        .sort()
        .map((o) =>
          h('option', { value: o, selected: o === filters.owner }, nameOf.get(o) ? `${nameOf.get(o)} (${o})` : o),
        ),
    );
    ownerSel.hidden = !has('owner');
    if (!has('owner')) filters.owner = '';
    const statuses = distinct(data.features, 'status') || [];
    statusSel.replaceChildren(
      h('option', { value: '' }, t('plan.status.all')),
      ...statuses.map((s) => h('option', { value: s, selected: s === filters.status }, fmt({ type: 'enum' }, s))),
    );
    statusSel.hidden = !has('status');
    if (!has('status')) filters.status = '';
  };

  const showPanel = () => {
    panel?.destroy?.();
    panel = null;
    const f = selected && data.features.find((x) => x.id === selected);
    if (!f) {
      side.replaceChildren(
        ...[
          notice,
          h('p.muted.hint', { id: 'planner-hint' }, canWrite ? t('plan.select.edit') : t('plan.select')),
        ].filter(Boolean),
      );
      notice = null;
      return;
    }
    const flds = fields(layer, data.features);
    panel = featurePanel(layer, f, data.version, {
      fields: flds,
      canWrite,
      distinct: (key) => (key === 'owner' ? owners.map((o) => o.id) : distinct(data.features, key, 800)),
      context: () =>
        cache.get('routes').then((d) => (layer === 'routes' ? d.features.filter((r) => r.id !== f.id) : d.features)),
      notice,
      pending,
      onSaved: (v, message) =>
        afterWrite(
          v,
          h('div.banner.good', { id: 'planner-saved', dataset: { version: String(v) } }, message, ' ', historyLink(v)),
        ),
      onDeleted: (v, message) => {
        selected = null;
        setParams({ sel: null });
        afterWrite(
          v,
          h('div.banner.good', { id: 'planner-saved', dataset: { version: String(v) } }, message, ' ', historyLink(v)),
        );
      },
      onReload: (values) => reload(values),
      onShowMap: MAP_LAYERS.includes(layer)
        ? () =>
            ctx.navigate('map', {
              sel: `${layer}:${f.id}`,
              layers: [...new Set(['routes', 'sites', 'worksites', 'hotspots', layer])].join(','),
            })
        : null,
    });
    notice = null;
    pending = null;
    side.replaceChildren(panel);
  };

  const historyLink = (v) =>
    h(
      'a',
      {
        href: `#/planner?tab=history&v=${v}`,
        onclick: (e) => {
          e.preventDefault();
          ctx.showChange(v);
        },
      },
      t('plan.saved.see'),
    );

  async function load() {
    data = await cache.get(layer);
    ctx.setVersion(data.version);
    for (const b of layerButtons) b.classList.toggle('on', b.dataset.layer === layer);
    const flds = fields(layer, data.features);
    table?.destroy();
    table = vtable({
      id: 'planner-table',
      columns: flds.map((f) => ({
        key: f.key,
        label: label(f.key),
        title: f.key,
        num: f.type === 'int' || f.type === 'number',
        width: WIDTH[f.key],
        cell: (row) => fmt(f, f.key === 'id' ? row.id : row.properties?.[f.key]),
      })),
      rowId: (row) => row.id,
      onSort: (key) => {
        sort = { key, desc: sort?.key === key ? !sort.desc : false };
        setParams({ sort: `${sort.desc ? '-' : ''}${key}` });
        applyFilters();
      },
      onSelect: (row) => {
        selected = row?.id ?? null;
        setParams({ sel: selected });
        showPanel();
      },
    });
    tableBox.replaceChildren(table.el, h('p.muted.empty-note', {}, t('plan.nothing')));
    fillFilters(flds);
    table.setSelected(selected);
    applyFilters();
    if (selected) table.reveal(selected);
    showPanel();
  }

  async function afterWrite(v, message) {
    ctx.written(v);
    notice = message;
    await load();
  }

  async function reload(values) {
    cache.clear();
    pending = values;
    const before = selected;
    await load();
    if (before && !data.features.some((f) => f.id === before))
      side.prepend(h('div.banner.warn', { id: 'planner-gone' }, t('plan.conflict.gone')));
  }

  function switchLayer(name) {
    if (name === layer) return;
    layer = name;
    selected = null;
    sort = null;
    // A search typed in the last 120 ms applies now: the new layer is filtered as the box says.
    clearTimeout(timer);
    filters.q = search.value.trim();
    setParams({ layer: name, sel: null, sort: null });
    load();
  }

  ownerSel.addEventListener('change', () => {
    filters.owner = ownerSel.value;
    applyFilters();
  });
  statusSel.addEventListener('change', () => {
    filters.status = statusSel.value;
    applyFilters();
  });
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      filters.q = search.value.trim();
      applyFilters();
    }, 120);
  });
  clear.addEventListener('click', () => {
    filters.owner = filters.status = filters.q = '';
    ownerSel.value = statusSel.value = search.value = '';
    applyFilters();
  });

  await load();
  return () => {
    clearTimeout(timer);
    table?.destroy();
    panel?.destroy?.();
  };
}
