// The capacity offer (`commercial` = offer, outside operators): the published offer only, from
// the operator's form of `GET /api/v1/spare` (routes with their dark strands, km and free
// ducts; totals) on a map and in a table, and lease quotes (`GET /api/v1/quote`, its operator
// form: no owners' split, no operator share). Nothing internal: the page calls no route but
// `/api/v1/me`, `/api/v1/web/*`, `/api/v1/spare` and `/api/v1/quote` (an operator has 403 on
// the rest). The offer's sites are its routes' ends (`from_site`, `to_site`), placed at the
// routes' first and last points; a quote's sites are placed too (from its routes' geometry) and can
// then be clicked. URL: `by`, `from`, `to`, `pairs`, `k`.

import { api } from './api.js';
import { add, t, num, km } from './i18n.js';
import { h } from './ui.js';
import { spareMap, siteCoords } from './view-commercial-map.js';
import { quotePanel } from './view-commercial-quote.js';
import { kpis, spareSection, selectRow, styled } from './view-commercial.js';

add({
  en: {
    'view.offer': 'Capacity offer',
    'offer.title': 'Capacity offer',
    'offer.intro':
      'Dark fibre strands and free ducts on the published routes, and quotes to lease fibre pairs between two sites.',
    'offer.help': 'Click two sites on the map (the ends of the published routes) or type their identifiers.',
  },
  fr: {
    'view.offer': 'Offre de capacité',
    'offer.title': 'Offre de capacité',
    'offer.intro':
      'Fibres noires et fourreaux libres sur les tracés publiés, et devis de location de paires de fibres entre deux sites.',
    'offer.help':
      'Cliquez deux sites sur la carte (les extrémités des tracés publiés) ou saisissez leurs identifiants.',
  },
  nl: {
    'view.offer': 'Capaciteitsaanbod',
    'offer.title': 'Capaciteitsaanbod',
    'offer.intro':
      'Donkere vezels en vrije kokers op de gepubliceerde tracés, en offertes voor de huur van vezelparen tussen twee sites.',
    'offer.help':
      'Klik twee sites op de kaart aan (de uiteinden van de gepubliceerde tracés) of typ hun identificaties.',
  },
});

export default {
  id: 'offer',
  title: 'view.offer',
  allowed: (me) => me.permissions['commercial'] === 'offer',
  async mount(el, ctx) {
    const { params, setParams } = ctx;
    const by = params.get('by') === 'owner' ? 'owner' : 'route';
    const [, owners, geo] = await Promise.all([
      styled,
      api('/api/v1/spare?by=owner'),
      api('/api/v1/spare?by=route&format=geojson'),
    ]);
    const total = owners.total;
    el.append(
      h('h2.com-title', {}, t('offer.title')),
      h('p.muted.com-intro', {}, t('offer.intro')),
      kpis([
        { id: 'routes', label: t('com.routes'), value: num(total.routes) },
        { id: 'km', label: t('com.km'), value: km(total.km * 1000) },
        { id: 'dark_strands', label: t('com.dark'), value: num(total.dark_strands) },
        { id: 'dark_strand_km', label: t('com.darkkm'), value: num(total.dark_strand_km) },
        { id: 'free_ducts', label: t('com.ducts'), value: num(total.free_ducts) },
        { id: 'free_duct_km', label: t('com.ductkm'), value: num(total.free_duct_km, 1) },
      ]),
    );
    const mapCard = h('section.card.com-mapcard', {});
    const layout = h('div.com-layout', {}, mapCard);
    el.append(layout);

    // The sites known to this page: those the quotes' answers named, placed by their routes.
    const known = new Map();
    let sm;
    const quote = quotePanel({
      sites: new Map(),
      params,
      setParams,
      mapHint: false,
      help: t('offer.help'),
      onAnswer: (a) => {
        if (!a) {
          sm.clearQuote();
          return;
        }
        const coords = new Map();
        for (const p of a.paths) for (const [s, c] of siteCoords(p, sm.routeById)) coords.set(s, c);
        const learned = [...coords].filter(([s]) => !known.has(s)).map(([id, latlng]) => ({ id, latlng }));
        for (const s of learned) known.set(s.id, s);
        sm.addSites(learned);
        quote.addSites(learned.map((s) => ({ id: s.id })));
        sm.showQuote(a, coords);
      },
    });
    layout.append(quote.el);
    // The offer's sites: every route's ends (`from_site` at its first point, `to_site` at its
    // last), clickable and searchable from the start.
    const ends = [];
    for (const f of geo.features) {
      const lines = f.geometry?.type === 'MultiLineString' ? f.geometry.coordinates : [f.geometry?.coordinates || []];
      const first = lines[0]?.[0];
      const last = lines.at(-1)?.at(-1);
      const { from_site: a, to_site: b } = f.properties;
      for (const [id, at] of [
        [a, first],
        [b, last],
      ]) {
        if (!id || !at || known.has(id)) continue;
        const site = { id, latlng: [at[1], at[0]] };
        known.set(id, site);
        ends.push(site);
      }
    }
    quote.addSites(ends.map((s) => ({ id: s.id })));
    sm = await spareMap(mapCard, {
      routes: geo,
      sites: null,
      onSite: (id) => quote.pick(id),
      onRoute: (f) => selectRow(el, f.properties.id),
    });
    sm.addSites(ends);
    el.append(spareSection({ owners, routes: geo, sm, by, setParams, full: false }));
    if (params.get('from') && params.get('to')) await quote.run();
    return () => sm.remove();
  },
};
