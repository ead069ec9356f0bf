// The commercial view (`commercial` = full): the spare capacity by owner and by route
// (`GET /api/v1/spare`: a table with its totals, a map of the routes coloured by their dark
// strands left, downloads in CSV, XLSX and GeoJSON) and the lease quote between two sites picked
// by name or clicked on the map (`GET /api/v1/quote`: paths drawn, km per owner, loss verdict,
// prices, the owners' revenue split and the network operator's share). URL: `by`, `from`, `to`,
// `pairs`, `k`.

import { api } from './api.js';
import { add, t, num, km, bps, pct } from './i18n.js';
import { h, table, download } from './ui.js';
import { spareMap } from './view-commercial-map.js';
import { quotePanel } from './view-commercial-quote.js';

add({
  en: {
    'view.commercial': 'Capacity & quotes',
    'com.title': 'Spare capacity and lease quotes',
    'com.spare': 'Spare capacity',
    'com.by.owner': 'By owner',
    'com.by.route': 'By route',
    'com.routes': 'Routes',
    'com.km': 'Route km',
    'com.strands': 'Strands',
    'com.allocated': 'Allocated',
    'com.dark': 'Dark strands',
    'com.darkshare': 'Dark share',
    'com.darkkm': 'Dark strand-km',
    'com.ducts': 'Free ducts',
    'com.ductkm': 'Free duct-km',
    'com.lit': 'Lit routes',
    'com.headroom': 'Lit headroom',
    'com.total': 'Total',
    'com.route': 'Route',
    'com.filter': 'Filter routes (identifier or owner)',
    'com.shown': '{n} of {total} routes',
    'com.window': 'Lit headroom over the last {days} days of measurements.',
  },
  fr: {
    'view.commercial': 'Capacité & devis',
    'com.title': 'Capacité disponible et devis de location',
    'com.spare': 'Capacité disponible',
    'com.by.owner': 'Par propriétaire',
    'com.by.route': 'Par tracé',
    'com.routes': 'Tracés',
    'com.km': 'Km de tracé',
    'com.strands': 'Fibres',
    'com.allocated': 'Attribuées',
    'com.dark': 'Fibres noires',
    'com.darkshare': 'Part noire',
    'com.darkkm': 'Fibre-km noires',
    'com.ducts': 'Fourreaux libres',
    'com.ductkm': 'Fourreau-km libres',
    'com.lit': 'Tracés allumés',
    'com.headroom': 'Marge allumée',
    'com.total': 'Total',
    'com.route': 'Tracé',
    'com.filter': 'Filtrer les tracés (identifiant ou propriétaire)',
    'com.shown': '{n} tracés sur {total}',
    'com.window': 'Marge des circuits allumés sur les {days} derniers jours de mesures.',
  },
  nl: {
    'view.commercial': 'Capaciteit & offertes',
    'com.title': 'Vrije capaciteit en huuroffertes',
    'com.spare': 'Vrije capaciteit',
    'com.by.owner': 'Per eigenaar',
    'com.by.route': 'Per tracé',
    'com.routes': 'Tracés',
    'com.km': 'Km tracé',
    'com.strands': 'Vezels',
    'com.allocated': 'Toegewezen',
    'com.dark': 'Donkere vezels',
    'com.darkshare': 'Aandeel donker',
    'com.darkkm': 'Donkere vezel-km',
    'com.ducts': 'Vrije kokers',
    'com.ductkm': 'Vrije koker-km',
    'com.lit': 'Belichte tracés',
    'com.headroom': 'Belichte reserve',
    'com.total': 'Totaal',
    'com.route': 'Tracé',
    'com.filter': 'Tracés filteren (identificatie of eigenaar)',
    'com.shown': '{n} van {total} tracés',
    'com.window': 'Reserve van de belichte circuits over de laatste {days} dagen metingen.',
  },
});

/// The stylesheet of the commercial and offer views (theirs alone, loaded once; the views wait
/// for it, so the map is sized when it is drawn).
export const styled = new Promise((resolve) =>
  document.head.append(
    h('link', { rel: 'stylesheet', href: '/web/commercial.css', onload: resolve, onerror: resolve }),
  ),
);

/// A strip of key figures: [{id, label, value}].
export function kpis(items) {
  return h(
    'div.kpis.com-kpis',
    { id: 'spare-kpis' },
    items.map((k) => h('div.kpi', { dataset: { key: k.id } }, h('b', {}, k.value), h('span.muted', {}, k.label))),
  );
}

/// A bar of the dark strands' share of a route's or owner's strands.
export function shareBar(dark, total) {
  const p = total ? (100 * dark) / total : null;
  return h(
    'span.com-share',
    { title: p == null ? '–' : pct(p) },
    h('span.com-sharebar', {}, h('i', { style: { width: `${p ?? 0}%` } })),
    p == null ? '–' : pct(p, 0),
  );
}

/// A table's footer row: `cells` [{key, text, num}].
export function footer(tbl, id, cells) {
  tbl.append(
    h(
      'tfoot',
      {},
      h(
        'tr',
        { id },
        cells.map((c) => h(c.num ? 'th.num' : 'th', { dataset: { key: c.key } }, c.text)),
      ),
    ),
  );
  return tbl;
}

/// A route table's filter: a text box that keeps the rows whose id or owner contains it.
export function routeFilter(tbl, rows, countEl) {
  const show = (list) => (countEl.textContent = t('com.shown', { n: num(list.length), total: num(rows.length) }));
  show(rows);
  return h('input.com-filter', {
    id: 'spare-filter',
    type: 'search',
    placeholder: t('com.filter'),
    oninput: (e) => {
      const q = e.target.value.trim().toLowerCase();
      const list = q ? rows.filter((r) => r.id.toLowerCase().includes(q) || r.owner.toLowerCase().includes(q)) : rows;
      tbl.update(list);
      show(list);
    },
  });
}

/// A route's row in the route table, selected and scrolled to (a click on the map).
export function selectRow(el, id) {
  const box = el.querySelector('#spare-routes');
  if (!box) return;
  box.querySelectorAll('tr.sel').forEach((x) => x.classList.remove('sel'));
  const tr = box.querySelector(`tr[data-id="${CSS.escape(id)}"]`);
  tr?.classList.add('sel');
  tr?.scrollIntoView({ block: 'nearest' });
}

/// The spare capacity's card: by owner (with the totals' row) or by route (filtered), the
/// downloads. `full`: the internal figures (strands, allocated, lit headroom) the full
/// answer has and an operator's has not.
export function spareSection({ owners, routes, sm, by, setParams, full }) {
  const total = owners.total;
  const ownerRows = Object.entries(owners.by_owner).map(([owner, v]) => ({ owner, ...v }));
  const only = (cols) => cols.filter((c) => full || !c.full);
  const share = {
    key: 'share',
    label: t('com.darkshare'),
    full: true,
    value: (r) => r.dark_strands / r.fibre_count,
    fmt: (_, r) => shareBar(r.dark_strands, r.fibre_count),
  };
  const count = (v) => num(v);
  // No lit route, no headroom to speak of (the answer says 0).
  const litHeadroom = (v, r) => (r.lit_routes ? bps(v) : '–');
  const ownerTable = () =>
    footer(
      table(
        only([
          { key: 'owner', label: t('common.owner') },
          { key: 'routes', label: t('com.routes'), num: true, fmt: count },
          { key: 'km', label: t('com.km'), num: true, fmt: (v) => num(v, 1) },
          { key: 'fibre_count', label: t('com.strands'), num: true, fmt: count, full: true },
          { key: 'allocated_strands', label: t('com.allocated'), num: true, fmt: count, full: true },
          { key: 'dark_strands', label: t('com.dark'), num: true, fmt: count },
          share,
          { key: 'dark_strand_km', label: t('com.darkkm'), num: true, fmt: count },
          { key: 'free_ducts', label: t('com.ducts'), num: true, fmt: count },
          { key: 'free_duct_km', label: t('com.ductkm'), num: true, fmt: (v) => num(v, 1) },
          { key: 'lit_routes', label: t('com.lit'), num: true, fmt: count, full: true },
          { key: 'lit_headroom_bps', label: t('com.headroom'), num: true, fmt: litHeadroom, full: true },
        ]),
        ownerRows,
        { id: 'spare-owners', rowId: (r) => r.owner, sort: 'km', desc: true },
      ),
      'spare-total',
      only([
        { key: 'owner', text: t('com.total') },
        { key: 'routes', text: num(total.routes), num: true },
        { key: 'km', text: num(total.km, 1), num: true },
        { key: 'fibre_count', text: num(total.fibre_count), num: true, full: true },
        { key: 'allocated_strands', text: num(total.allocated_strands), num: true, full: true },
        { key: 'dark_strands', text: num(total.dark_strands), num: true },
        { key: 'share', text: full ? shareBar(total.dark_strands, total.fibre_count) : '', full: true },
        { key: 'dark_strand_km', text: num(total.dark_strand_km), num: true },
        { key: 'free_ducts', text: num(total.free_ducts), num: true },
        { key: 'free_duct_km', text: num(total.free_duct_km, 1), num: true },
        { key: 'lit_routes', text: num(total.lit_routes), num: true, full: true },
        { key: 'lit_headroom_bps', text: litHeadroom(total.lit_headroom_bps, total), num: true, full: true },
      ]),
    );
  const routeRows = routes.features.map((f) => f.properties);
  const routeTable = () => {
    const tbl = table(
      only([
        { key: 'id', label: t('com.route') },
        { key: 'owner', label: t('common.owner') },
        { key: 'length_m', label: t('common.length'), num: true, fmt: km },
        { key: 'fibre_count', label: t('com.strands'), num: true, fmt: count, full: true },
        { key: 'allocated_strands', label: t('com.allocated'), num: true, fmt: count, full: true },
        { key: 'dark_strands', label: t('com.dark'), num: true, fmt: count },
        share,
        { key: 'free_ducts', label: t('com.ducts'), num: true, fmt: count },
        { key: 'lit_headroom_bps', label: t('com.headroom'), num: true, fmt: bps, full: true },
      ]),
      routeRows,
      {
        id: 'spare-routes',
        rowId: (r) => r.id,
        onRow: (r, tr) => {
          tbl.querySelectorAll('tr.sel').forEach((x) => x.classList.remove('sel'));
          tr.classList.add('sel');
          sm.highlight(r.id);
          const f = sm.routeById.get(r.id);
          if (f) sm.map.fitBounds(L.geoJSON(f).getBounds(), { padding: [60, 60], maxZoom: 16 });
        },
      },
    );
    return footer(tbl, 'spare-routes-total', [
      { key: 'id', text: t('com.total') },
      { key: 'owner', text: '' },
      { key: 'length_m', text: km(total.km * 1000), num: true },
      ...(full
        ? [
            { key: 'fibre_count', text: num(total.fibre_count), num: true },
            { key: 'allocated_strands', text: num(total.allocated_strands), num: true },
          ]
        : []),
      { key: 'dark_strands', text: num(total.dark_strands), num: true },
      ...(full ? [{ key: 'share', text: shareBar(total.dark_strands, total.fibre_count) }] : []),
      { key: 'free_ducts', text: num(total.free_ducts), num: true },
      ...(full ? [{ key: 'lit_headroom_bps', text: bps(total.lit_headroom_bps), num: true }] : []),
    ]);
  };

  const box = h('div', { id: 'spare-table' });
  const tabs = h('div.com-tabs', { role: 'tablist' });
  const downloads = h('div.com-downloads');
  const fileButton = (label, path, name, id) => {
    const b = download(label, () => api(path, { blob: true }), name);
    b.id = id;
    return b;
  };
  const draw = () => {
    tabs.replaceChildren(
      ...['owner', 'route'].map((b) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            id: `spare-by-${b}`,
            class: b === by ? 'secondary on' : 'secondary',
            'aria-selected': b === by ? 'true' : 'false',
            onclick: () => {
              by = b;
              setParams({ by: b === 'owner' ? null : b });
              draw();
            },
          },
          t(`com.by.${b}`),
        ),
      ),
    );
    downloads.replaceChildren(
      h('span.muted', {}, `${t('common.download')}:`),
      ...['csv', 'xlsx'].map((f) =>
        fileButton(f.toUpperCase(), `/api/v1/spare?by=${by}&format=${f}`, `spare-by-${by}.${f}`, `spare-${f}`),
      ),
      fileButton('GeoJSON', '/api/v1/spare?by=route&format=geojson', 'spare-routes.geojson', 'spare-geojson'),
    );
    if (by === 'owner') box.replaceChildren(h('div.com-scroll', {}, ownerTable()));
    else {
      const countEl = h('span.muted', { id: 'spare-count' });
      const tbl = routeTable();
      box.replaceChildren(
        h('div.row', {}, routeFilter(tbl, routeRows, countEl), countEl),
        h('div.com-scroll.tall', {}, tbl),
      );
    }
  };
  draw();
  return h(
    'section.card',
    { id: 'spare' },
    h('div.com-cardhead', {}, h('h2', {}, t('com.spare')), tabs, h('span.spacer'), downloads),
    box,
    full ? h('p.muted.small', {}, t('com.window', { days: 30 })) : null,
  );
}

export default {
  id: 'commercial',
  title: 'view.commercial',
  allowed: (me) => me.permissions['commercial'] === 'full',
  async mount(el, ctx) {
    const { params, setParams } = ctx;
    const by = params.get('by') === 'route' ? 'route' : 'owner';
    const [, owners, geo, sitesLayer] = await Promise.all([
      styled,
      api('/api/v1/spare?by=owner'),
      api('/api/v1/spare?by=route&format=geojson'),
      api('/api/v1/cadastre/layers/sites'),
    ]);
    const total = owners.total;
    const sites = new Map(
      sitesLayer.features.map((f) => [
        f.properties.id,
        {
          id: f.properties.id,
          name: f.properties.name,
          kind: f.properties.kind,
          latlng: [f.geometry.coordinates[1], f.geometry.coordinates[0]],
        },
      ]),
    );

    el.append(
      h('h2.com-title', {}, t('com.title')),
      kpis([
        { id: 'routes', label: t('com.routes'), value: num(total.routes) },
        { id: 'km', label: t('com.km'), value: km(total.km * 1000) },
        { id: 'dark_strands', label: t('com.dark'), value: num(total.dark_strands) },
        { id: 'dark_strand_km', label: t('com.darkkm'), value: num(total.dark_strand_km) },
        { id: 'free_ducts', label: t('com.ducts'), value: num(total.free_ducts) },
        { id: 'lit_headroom_bps', label: t('com.headroom'), value: bps(total.lit_headroom_bps) },
      ]),
    );
    const mapCard = h('section.card.com-mapcard', {});
    const layout = h('div.com-layout', {}, mapCard);
    el.append(layout);

    // The quote, its sites drawn from the sites layer.
    let sm;
    const quote = quotePanel({
      sites,
      params,
      setParams,
      mapHint: true,
      onAnswer: (a) => (a ? sm.showQuote(a, new Map([...sites].map(([id, s]) => [id, s.latlng]))) : sm.clearQuote()),
    });
    layout.append(quote.el);
    sm = await spareMap(mapCard, {
      routes: geo,
      sites: [...sites.values()],
      label: (id) => sites.get(id)?.name || id,
      onSite: (id) => quote.pick(id),
      onRoute: (f) => selectRow(el, f.properties.id),
    });

    el.append(spareSection({ owners, routes: geo, sm, by, setParams, full: true }));
    if (params.get('from') && params.get('to')) await quote.run();
    return () => sm.remove();
  },
};
