// The capacity offer (`commercial` = offer, outside operators): the published offer only, from
// the operator's form of `GET /api/v1/spare` (routes with their dark strands, km and free
// ducts; totals) on a map and in a table, and lease quotes (`GET /api/v1/quote`, its operator
// form: no owners' split, no operator share). Nothing internal: the page calls no route but
// `/api/v1/me`, `/api/v1/web/*`, `/api/v1/spare` and `/api/v1/quote` (an operator has 403 on
// the rest). The offer names no sites, so the ends of a quote are typed as site identifiers;
// the sites a quote's answer names are placed on the map (from its routes' geometry) and can
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
    'offer.help':
      'Type the two sites’ identifiers (as in your contract or a previous quote). The sites a quote passes through are then shown on the map, where a click picks them.',
  },
  fr: {
    'view.offer': 'Offre de capacité',
    'offer.title': 'Offre de capacité',
    'offer.intro':
      'Fibres noires et fourreaux libres sur les tracés publiés, et devis de location de paires de fibres entre deux sites.',
    'offer.help':
      'Saisissez les identifiants des deux sites (ceux de votre contrat ou d’un devis précédent). Les sites traversés par un devis apparaissent ensuite sur la carte, où un clic les choisit.',
  },
  nl: {
    'view.offer': 'Capaciteitsaanbod',
    'offer.title': 'Capaciteitsaanbod',
    'offer.intro':
      'Donkere vezels en vrije kokers op de gepubliceerde tracés, en offertes voor de huur van vezelparen tussen twee sites.',
    'offer.help':
      'Typ de identificaties van de twee sites (zoals in uw contract of een vorige offerte). De sites waarlangs een offerte loopt, verschijnen daarna op de kaart, waar een klik ze kiest.',
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
    sm = await spareMap(mapCard, {
      routes: geo,
      sites: null,
      onSite: (id) => quote.pick(id),
      onRoute: (f) => selectRow(el, f.properties.id),
    });
    el.append(spareSection({ owners, routes: geo, sm, by, setParams, full: false }));
    if (params.get('from') && params.get('to')) await quote.run();
    return () => sm.remove();
  },
};
