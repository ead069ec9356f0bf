// The map: the cadastre's own geometry drawn with Leaflet's canvas renderer (no tile server by
// default; `[web] tiles` and `[web] background` add a base), routes coloured by owner, by the p95
// utilisation of their lit circuits or by the dark strands left; sites, worksites, hotspots by
// verdict, wifi targets and the relocation plan's moves. A click shows a feature's properties
// (a route: its circuits with a sparkline of each measured one). What-if: pick routes, a
// worksite or draw a polygon → the cut's isolated sites and broken circuits, drawn and listed.
// Everything the view shows is in its URL: `layers`, `color`, `sel`, `cut`, `ws`, `area`, `at`.

import { api, query } from './api.js';
import { add, t, num, pct, km, bps } from './i18n.js';
import { h, legend, table, toast, UTIL_CLASSES, DARK_CLASSES } from './ui.js';

add({
  en: {
    'view.map': 'Map',
    'map.layers': 'Layers',
    'map.color': 'Colour routes by',
    'map.layer.routes': 'Routes',
    'map.layer.sites': 'Sites',
    'map.layer.worksites': 'Worksites',
    'map.layer.hotspots': 'Wifi hotspots',
    'map.layer.targets': 'Wifi targets',
    'map.layer.plan': 'Relocation plan',
    'map.layer.background': 'Background',
    'map.color.owner': 'owner',
    'map.color.p95': 'p95 utilisation',
    'map.color.dark': 'dark strands left',
    'map.legend.owner': 'Route owner',
    'map.legend.p95': 'p95 utilisation of lit circuits',
    'map.legend.dark': 'Dark strands left',
    'map.legend.unmeasured': 'no measured circuit',
    'map.legend.verdict': 'Hotspot verdict',
    'verdict.ok': 'ok',
    'verdict.underused': 'underused',
    'verdict.faulty': 'faulty',
    'verdict.insufficient_data': 'insufficient data',
    'map.select': 'Click a route, site or hotspot for its details.',
    'map.circuits': 'Circuits on this route ({n})',
    'map.circuit': 'Circuit',
    'map.party': 'Party',
    'map.ends': 'Ends',
    'map.port': 'Port',
    'map.p95': 'p95',
    'map.last24h': 'last 24 h',
    'map.unmeasured': 'not measured',
    'map.whatif': 'What if…',
    'map.whatif.help':
      'Pick routes (click them while “pick routes” is on), a worksite, or draw an area (click its corners, double-click to close).',
    'map.whatif.pick': 'Pick routes',
    'map.whatif.draw': 'Draw an area',
    'map.whatif.worksite': 'Worksite',
    'map.whatif.run': 'Cut',
    'map.whatif.clear': 'Clear',
    'map.whatif.picked': '{n} route(s) picked',
    'map.whatif.result':
      'Cutting {routes} route(s): {isolated} isolated site(s), {broken} broken circuit(s), {reroutable} re-routable, {lost} without another path.',
    'map.whatif.isolated': 'Isolated sites',
    'map.whatif.lost': 'Circuits without another path',
    'map.whatif.rerouted': 'Re-routable circuits',
    'map.whatif.via': 'Via',
    'map.whatif.none': 'None',
    'map.arrow': '{hotspot} → {target} ({kind}), {fibre} of fibre',
    'map.counts': '{routes} routes · {sites} sites · {km} of routes',
  },
  fr: {
    'view.map': 'Carte',
    'map.layers': 'Couches',
    'map.color': 'Colorer les tracés par',
    'map.layer.routes': 'Tracés',
    'map.layer.sites': 'Sites',
    'map.layer.worksites': 'Chantiers',
    'map.layer.hotspots': 'Bornes wifi',
    'map.layer.targets': 'Lieux cibles wifi',
    'map.layer.plan': 'Plan de déplacement',
    'map.layer.background': 'Fond',
    'map.color.owner': 'propriétaire',
    'map.color.p95': 'utilisation p95',
    'map.color.dark': 'fibres noires restantes',
    'map.legend.owner': 'Propriétaire du tracé',
    'map.legend.p95': 'Utilisation p95 des circuits allumés',
    'map.legend.dark': 'Fibres noires restantes',
    'map.legend.unmeasured': 'aucun circuit mesuré',
    'map.legend.verdict': 'Verdict de la borne',
    'verdict.ok': 'correcte',
    'verdict.underused': 'sous-utilisée',
    'verdict.faulty': 'en panne',
    'verdict.insufficient_data': 'données insuffisantes',
    'map.select': 'Cliquez sur un tracé, un site ou une borne pour ses détails.',
    'map.circuits': 'Circuits sur ce tracé ({n})',
    'map.circuit': 'Circuit',
    'map.party': 'Client',
    'map.ends': 'Extrémités',
    'map.port': 'Port',
    'map.p95': 'p95',
    'map.last24h': 'dernières 24 h',
    'map.unmeasured': 'non mesuré',
    'map.whatif': 'Et si…',
    'map.whatif.help':
      'Choisissez des tracés (cliquez-les quand « choisir des tracés » est actif), un chantier, ou dessinez une zone (cliquez ses coins, double-cliquez pour fermer).',
    'map.whatif.pick': 'Choisir des tracés',
    'map.whatif.draw': 'Dessiner une zone',
    'map.whatif.worksite': 'Chantier',
    'map.whatif.run': 'Couper',
    'map.whatif.clear': 'Effacer',
    'map.whatif.picked': '{n} tracé(s) choisi(s)',
    'map.whatif.result':
      'Coupure de {routes} tracé(s) : {isolated} site(s) isolé(s), {broken} circuit(s) coupé(s), {reroutable} ré-acheminable(s), {lost} sans autre chemin.',
    'map.whatif.isolated': 'Sites isolés',
    'map.whatif.lost': 'Circuits sans autre chemin',
    'map.whatif.rerouted': 'Circuits ré-acheminables',
    'map.whatif.via': 'Par',
    'map.whatif.none': 'Aucun',
    'map.arrow': '{hotspot} → {target} ({kind}), {fibre} de fibre',
    'map.counts': '{routes} tracés · {sites} sites · {km} de tracés',
  },
  nl: {
    'view.map': 'Kaart',
    'map.layers': 'Lagen',
    'map.color': 'Tracés kleuren volgens',
    'map.layer.routes': 'Tracés',
    'map.layer.sites': 'Sites',
    'map.layer.worksites': 'Werven',
    'map.layer.hotspots': 'Wifi-hotspots',
    'map.layer.targets': 'Wifi-doelplaatsen',
    'map.layer.plan': 'Verplaatsingsplan',
    'map.layer.background': 'Achtergrond',
    'map.color.owner': 'eigenaar',
    'map.color.p95': 'p95-bezetting',
    'map.color.dark': 'resterende donkere vezels',
    'map.legend.owner': 'Eigenaar van het tracé',
    'map.legend.p95': 'p95-bezetting van de belichte circuits',
    'map.legend.dark': 'Resterende donkere vezels',
    'map.legend.unmeasured': 'geen gemeten circuit',
    'map.legend.verdict': 'Oordeel over de hotspot',
    'verdict.ok': 'in orde',
    'verdict.underused': 'onderbenut',
    'verdict.faulty': 'defect',
    'verdict.insufficient_data': 'onvoldoende gegevens',
    'map.select': 'Klik op een tracé, site of hotspot voor de details.',
    'map.circuits': 'Circuits op dit tracé ({n})',
    'map.circuit': 'Circuit',
    'map.party': 'Klant',
    'map.ends': 'Uiteinden',
    'map.port': 'Poort',
    'map.p95': 'p95',
    'map.last24h': 'laatste 24 u',
    'map.unmeasured': 'niet gemeten',
    'map.whatif': 'Wat als…',
    'map.whatif.help':
      'Kies tracés (klik erop terwijl „tracés kiezen” aan staat), een werf, of teken een gebied (klik de hoeken, dubbelklik om te sluiten).',
    'map.whatif.pick': 'Tracés kiezen',
    'map.whatif.draw': 'Gebied tekenen',
    'map.whatif.worksite': 'Werf',
    'map.whatif.run': 'Doorknippen',
    'map.whatif.clear': 'Wissen',
    'map.whatif.picked': '{n} tracé(s) gekozen',
    'map.whatif.result':
      'Onderbreking van {routes} tracé(s): {isolated} geïsoleerde site(s), {broken} onderbroken circuit(s), {reroutable} omleidbaar, {lost} zonder ander pad.',
    'map.whatif.isolated': 'Geïsoleerde sites',
    'map.whatif.lost': 'Circuits zonder ander pad',
    'map.whatif.rerouted': 'Omleidbare circuits',
    'map.whatif.via': 'Via',
    'map.whatif.none': 'Geen',
    'map.arrow': '{hotspot} → {target} ({kind}), {fibre} vezel',
    'map.counts': '{routes} tracés · {sites} sites · {km} tracés',
  },
});

const OWNER_COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
];
const VERDICT_COLORS = { ok: '#2e9d4f', underused: '#e08a00', faulty: '#c62828', insufficient_data: '#8a96a0' };
const ALL_LAYERS = ['routes', 'sites', 'worksites', 'hotspots', 'targets', 'plan'];
const DEFAULT_LAYERS = ['routes', 'sites', 'worksites', 'hotspots'];

/// The layers' data, fetched once per mount (the cadastre's layers carry an ETag: the browser
/// revalidates them).
async function load(me) {
  const can = (p) => !!me.permissions[p];
  const layer = (name) => api(`/api/v1/cadastre/layers/${name}`).catch(() => ({ features: [] }));
  // All at once (the relocation plan, a solve, only when its layer is shown: `loadPlan`).
  const [routes, sites, cables, allocations, worksites, hotspots, targets, config, spare, links, verdicts] =
    await Promise.all([
      layer('routes'),
      layer('sites'),
      layer('cables'),
      layer('allocations'),
      layer('worksites'),
      layer('hotspots'),
      layer('targets'),
      api('/api/v1/web/config'),
      can('commercial') ? api('/api/v1/spare?by=route').catch(() => null) : null,
      can('monitoring:read') ? api('/api/v1/links?sort=p95&top=100000').catch(() => null) : null,
      can('wifi:read') ? api('/api/v1/wifi/verdicts').catch(() => null) : null,
    ]);
  return { routes, sites, cables, allocations, worksites, hotspots, targets, config, spare, links, verdicts };
}

/// Per route: its cables' circuits, the p95 utilisation of the busiest measured one, its dark
/// strands.
function index(d) {
  const cablesOfRoute = new Map();
  for (const c of d.cables.features) {
    for (const r of c.properties.routes || []) {
      if (!cablesOfRoute.has(r)) cablesOfRoute.set(r, []);
      cablesOfRoute.get(r).push(c.properties.id);
    }
  }
  const allocsOfCable = new Map();
  for (const a of d.allocations.features) {
    const c = a.properties.cable;
    if (!allocsOfCable.has(c)) allocsOfCable.set(c, []);
    allocsOfCable.get(c).push(a.properties);
  }
  const linkOf = new Map((d.links?.links || []).map((l) => [l.allocation, l]));
  const spareOf = new Map((d.spare?.routes || []).map((r) => [r.id, r]));
  const circuits = (routeId) => (cablesOfRoute.get(routeId) || []).flatMap((c) => allocsOfCable.get(c) || []);
  const p95 = new Map();
  for (const r of d.routes.features) {
    let best = null;
    for (const a of circuits(r.properties.id)) {
      const u = linkOf.get(a.id)?.utilisation_p95;
      if (u != null && (best == null || u > best)) best = u;
    }
    p95.set(r.properties.id, best);
  }
  const verdictOf = new Map((d.verdicts?.hotspots || []).map((v) => [v.id, v]));
  return { circuits, linkOf, spareOf, p95, verdictOf };
}

/// A sparkline of a port's last 24 hours (SVG, the busier direction's 5-minute averages).
async function sparkline(link) {
  const key = encodeURIComponent(link.port);
  const s = await api(
    `/api/v1/ports/${encodeURIComponent(link.device)}/${key}/series${query({ from: Date.now() - 86400000 })}`,
  );
  const pts = s.points.map((p) => Math.max(p.utilisation_in_avg ?? 0, p.utilisation_out_avg ?? 0));
  const w = 120,
    hgt = 24;
  const max = Math.max(1, ...pts);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'spark');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute(
    'points',
    pts.map((v, i) => `${(i / Math.max(1, pts.length - 1)) * w},${hgt - (v / max) * (hgt - 2) - 1}`).join(' '),
  );
  svg.append(line);
  svg.dataset.points = String(pts.length);
  return svg;
}

export default {
  id: 'map',
  title: 'view.map',
  allowed: (me) => !!me.permissions['cadastre:read'],
  async mount(el, ctx) {
    const { params, setParams, me } = ctx;
    const layersOn = new Set(
      (params.get('layers') || DEFAULT_LAYERS.join(',')).split(',').filter((l) => ALL_LAYERS.includes(l)),
    );
    let colorBy = ['owner', 'p95', 'dark'].includes(params.get('color')) ? params.get('color') : 'owner';
    const canTopology = !!me.permissions['topology:read'];

    const mapEl = h('div.map', { id: 'map' });
    const side = h('aside.side', { id: 'map-side' });
    const controls = h('div.map-controls', { id: 'map-controls' });
    el.append(h('div.map-layout', {}, h('div.map-wrap', {}, mapEl, controls), side));
    el.classList.add('full');

    const d = await load(me);
    const ix = index(d);
    const owners = [...new Set(d.routes.features.map((f) => f.properties.owner))].sort();
    const ownerColor = (o) => OWNER_COLORS[owners.indexOf(o) % OWNER_COLORS.length] || '#555';
    const p95Classes = UTIL_CLASSES;
    const darkClasses = DARK_CLASSES;

    const renderer = L.canvas({ padding: 0.5, tolerance: 4 });
    let gone = false;
    const map = L.map(mapEl, {
      preferCanvas: true,
      zoomSnap: 0.25,
      renderer,
      zoomControl: true,
      attributionControl: !!d.config.tiles,
      doubleClickZoom: false,
    });
    if (d.config.tiles)
      L.tileLayer(d.config.tiles, { attribution: d.config.tiles_attribution || '', maxZoom: 19 }).addTo(map);
    let background = null;
    if (d.config.background) {
      const bg = await api('/api/v1/web/background');
      background = L.geoJSON(bg, {
        renderer,
        interactive: false,
        style: { color: '#9aa5ae', weight: 1, fill: true, fillColor: '#e9eef2', fillOpacity: 0.5 },
      }).addTo(map);
    }

    const routeStyle = (f) => {
      const p = f.properties;
      let color;
      if (colorBy === 'owner') color = ownerColor(p.owner);
      else if (colorBy === 'p95') color = p95Classes.color(ix.p95.get(p.id));
      else color = darkClasses.color(ix.spareOf.get(p.id)?.dark_strands);
      return { color, weight: 2.5, opacity: 0.9 };
    };
    const routesLayer = L.geoJSON(d.routes, { renderer, style: routeStyle });
    const sitesLayer = L.geoJSON(d.sites, {
      renderer,
      pointToLayer: (f, ll) =>
        L.circleMarker(ll, {
          renderer,
          radius: f.properties.kind === 'pop' ? 5 : 3,
          color: '#123047',
          weight: 1,
          fillColor: f.properties.kind === 'pop' ? '#123047' : '#fff',
          fillOpacity: 1,
        }),
    });
    const worksitesLayer = L.geoJSON(d.worksites, {
      renderer,
      style: { color: '#b0007a', weight: 2, dashArray: '4 3', fillColor: '#b0007a', fillOpacity: 0.15 },
      pointToLayer: (f, ll) => L.circleMarker(ll, { renderer, radius: 6, color: '#b0007a', fillOpacity: 0.3 }),
    });
    const hotspotsLayer = L.geoJSON(d.hotspots, {
      renderer,
      pointToLayer: (f, ll) => {
        const v = ix.verdictOf.get(f.properties.id)?.verdict;
        return L.circleMarker(ll, {
          renderer,
          radius: 5,
          color: '#fff',
          weight: 1,
          fillColor: VERDICT_COLORS[v] || '#8a96a0',
          fillOpacity: 1,
        });
      },
    });
    const targetsLayer = L.geoJSON(d.targets, {
      renderer,
      pointToLayer: (f, ll) =>
        L.circleMarker(ll, {
          renderer,
          radius: 4 + Math.min(6, f.properties.weight || 0),
          color: '#6a1b9a',
          weight: 1.5,
          fillColor: '#ce93d8',
          fillOpacity: 0.6,
        }),
    });
    const planLayer = L.layerGroup();
    const hotspotById = new Map(d.hotspots.features.map((f) => [f.properties.id, f]));
    const targetById = new Map(d.targets.features.map((f) => [f.properties.id, f]));
    const canPlan = !!me.permissions['wifi:read'];
    let planLoaded = null;
    const loadPlan = () =>
      (planLoaded ??= api('/api/v1/wifi/plan')
        .then((plan) => {
          d.plan = plan;
          drawPlan(plan);
        })
        .catch((e) => toast(e.message)));
    const drawPlan = (plan) => {
      let drawn = 0;
      for (const m of plan.moves || []) {
        const from = hotspotById.get(m.hotspot)?.geometry?.coordinates;
        const to = targetById.get(m.to_target)?.geometry?.coordinates;
        if (!from || !to) continue;
        const a = [from[1], from[0]],
          b = [to[1], to[0]];
        const line = L.polyline([a, b], { renderer, color: '#6a1b9a', weight: 2.5 });
        line.feature = { properties: { kind: 'move', ...m } };
        planLayer.addLayer(line);
        drawn++;
        // The arrow's head: two short strokes at the target.
        const ang = Math.atan2(b[0] - a[0], b[1] - a[1]);
        const len = 0.0012;
        for (const da of [2.6, -2.6]) {
          planLayer.addLayer(
            L.polyline([b, [b[0] + len * Math.sin(ang + da), b[1] + len * Math.cos(ang + da)]], {
              renderer,
              color: '#6a1b9a',
              weight: 2.5,
              interactive: false,
            }),
          );
        }
      }
      mapEl.dataset.moves = String(drawn);
    };
    const layers = {
      routes: routesLayer,
      sites: sitesLayer,
      worksites: worksitesLayer,
      hotspots: hotspotsLayer,
      targets: targetsLayer,
      plan: planLayer,
    };
    for (const name of ALL_LAYERS) if (layersOn.has(name)) layers[name].addTo(map);
    if (layersOn.has('plan') && canPlan) loadPlan();

    // The view: from the URL (`at=lat,lon,zoom`), else the routes' extent.
    const at = (params.get('at') || '').split(',').map(Number);
    if (at.length === 3 && at.every(Number.isFinite)) map.setView([at[0], at[1]], at[2]);
    else if (d.routes.features.length) map.fitBounds(routesLayer.getBounds(), { padding: [10, 10] });
    else map.setView([50.85, 4.35], 12);
    map.on('moveend', () => {
      const c = map.getCenter();
      setParams({ at: `${c.lat.toFixed(5)},${c.lng.toFixed(5)},${map.getZoom()}` });
    });

    // Controls: layers, colouring, legend, what-if.
    const legendBox = h('div.legend-box', { id: 'map-legend' });
    const drawLegend = () => {
      const items =
        colorBy === 'owner'
          ? legend(
              owners.map((o) => ({ color: ownerColor(o), label: o })),
              t('map.legend.owner'),
            )
          : colorBy === 'p95'
            ? legend(
                [...p95Classes.items, { color: '#9aa5ae', label: t('map.legend.unmeasured') }],
                t('map.legend.p95'),
              )
            : legend(darkClasses.items, t('map.legend.dark'));
      const verdicts =
        layersOn.has('hotspots') && d.verdicts
          ? legend(
              Object.entries(VERDICT_COLORS).map(([v, c]) => ({
                color: c,
                label: `${t(`verdict.${v}`)} (${d.verdicts.hotspots.filter((x) => x.verdict === v).length})`,
              })),
              t('map.legend.verdict'),
            )
          : null;
      legendBox.replaceChildren(items, verdicts || '');
    };
    const layerBoxes = h(
      'fieldset.layers',
      {},
      h('legend', {}, t('map.layers')),
      ALL_LAYERS.filter((n) => n !== 'plan' || canPlan).map((name) =>
        h(
          'label',
          {},
          h('input', {
            type: 'checkbox',
            checked: layersOn.has(name),
            dataset: { layer: name },
            onchange: (e) => {
              if (e.target.checked) {
                layersOn.add(name);
                layers[name].addTo(map);
                if (name === 'plan') loadPlan();
              } else {
                layersOn.delete(name);
                map.removeLayer(layers[name]);
              }
              setParams({ layers: ALL_LAYERS.filter((l) => layersOn.has(l)).join(',') });
              drawLegend();
            },
          }),
          ` ${t(`map.layer.${name}`)}`,
        ),
      ),
      background
        ? h(
            'label',
            {},
            h('input', {
              type: 'checkbox',
              checked: true,
              onchange: (e) => (e.target.checked ? background.addTo(map) : map.removeLayer(background)),
            }),
            ` ${t('map.layer.background')}`,
          )
        : null,
    );
    const colorSelect = h(
      'select',
      {
        id: 'map-color',
        onchange: (e) => {
          colorBy = e.target.value;
          routesLayer.setStyle(routeStyle);
          setParams({ color: colorBy === 'owner' ? null : colorBy });
          drawLegend();
        },
      },
      ['owner', 'p95', 'dark']
        .filter((c) => c !== 'p95' || d.links)
        .filter((c) => c !== 'dark' || d.spare)
        .map((c) => h('option', { value: c, selected: c === colorBy }, t(`map.color.${c}`))),
    );
    controls.append(
      layerBoxes,
      h('label.block', {}, t('map.color'), ' ', colorSelect),
      legendBox,
      h(
        'div.muted',
        { id: 'map-counts' },
        t('map.counts', {
          routes: num(d.routes.features.length),
          sites: num(d.sites.features.length),
          km: km(d.routes.features.reduce((s, f) => s + (f.properties.declared_length_m || 0), 0)),
        }),
      ),
    );
    drawLegend();

    // Selection: one feature's details in the side panel.
    const highlight = L.layerGroup().addTo(map);
    const showDetails = async (layerName, f) => {
      highlight.clearLayers();
      if (f.geometry) {
        L.geoJSON(f, {
          renderer,
          style: { color: '#e0115f', weight: 6, opacity: 0.7 },
          pointToLayer: (_, ll) =>
            L.circleMarker(ll, { renderer, radius: 9, color: '#e0115f', weight: 3, fill: false }),
          interactive: false,
        }).addTo(highlight);
      }
      setParams({ sel: `${layerName}:${f.properties.id}` });
      const p = f.properties;
      const rows = Object.entries(p).filter(([, v]) => (v != null && typeof v !== 'object') || Array.isArray(v));
      const box = h(
        'div.details',
        { id: 'feature', dataset: { layer: layerName, id: p.id } },
        h('h3', {}, `${t(`map.layer.${layerName}`)} ${p.id}`),
        h(
          'table.props',
          {},
          h(
            'tbody',
            {},
            rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, Array.isArray(v) ? v.join(', ') : String(v)))),
          ),
        ),
      );
      if (layerName === 'hotspots' && ix.verdictOf.get(p.id)) {
        const v = ix.verdictOf.get(p.id);
        box.append(h('p', {}, h('b', {}, t(`verdict.${v.verdict}`)), ' — ', v.reason));
      }
      if (layerName === 'routes') {
        const list = ix.circuits(p.id);
        const tbl = table(
          [
            { key: 'id', label: t('map.circuit') },
            { key: 'party', label: t('map.party') },
            { key: 'ends', label: t('map.ends'), value: (a) => `${a.from_site ?? '?'} – ${a.to_site ?? '?'}` },
            {
              key: 'p95',
              label: t('map.p95'),
              num: true,
              value: (a) => ix.linkOf.get(a.id)?.utilisation_p95,
              fmt: (v) => (v == null ? t('map.unmeasured') : pct(v)),
            },
            { key: 'spark', label: t('map.last24h'), value: () => null, fmt: () => h('span.sparkcell') },
          ],
          list,
          { id: 'route-circuits', rowId: (a) => a.id },
        );
        box.append(h('h4', {}, t('map.circuits', { n: list.length })), tbl);
        // Sparklines for the measured circuits (one series call each, at most 12).
        const measured = [...tbl.querySelectorAll('tbody tr')]
          .filter((tr) => ix.linkOf.get(tr.dataset.id))
          .slice(0, 12);
        await Promise.all(
          measured.map(async (tr) => {
            const link = ix.linkOf.get(tr.dataset.id);
            try {
              const svg = await sparkline(link);
              svg.setAttribute('title', `${link.device} ${link.port}: ${bps(link.p95_bps)}`);
              tr.querySelector('.sparkcell').replaceChildren(svg);
            } catch {
              /* the port may have no series yet */
            }
          }),
        );
      }
      side.querySelector('#feature')?.remove();
      side.prepend(box);
    };
    const onClick = (layerName) => (e) => {
      L.DomEvent.stopPropagation(e);
      const f = e.layer?.feature || e.target?.feature;
      if (!f) return;
      if (layerName === 'routes' && picking) {
        togglePick(f.properties.id);
        return;
      }
      if (layerName === 'plan') {
        const m = f.properties;
        side.querySelector('#feature')?.remove();
        side.prepend(
          h(
            'div.details',
            { id: 'feature' },
            h('h3', {}, t('map.layer.plan')),
            h(
              'p',
              {},
              t('map.arrow', {
                hotspot: m.hotspot,
                target: m.to_target,
                kind: m.to_kind,
                fibre: `${num(m.fibre_m)} m`,
              }),
            ),
          ),
        );
        return;
      }
      showDetails(layerName, f);
    };
    for (const name of ['routes', 'sites', 'worksites', 'hotspots', 'targets', 'plan'])
      layers[name].on('click', onClick(name));

    // What-if.
    let picking = false;
    const picked = new Set((params.get('cut') || '').split(',').filter(Boolean));
    let area = (params.get('area') || '')
      .split(';')
      .filter(Boolean)
      .map((p) => p.split(' ').map(Number));
    let worksite = params.get('ws') || '';
    const cutLayer = L.layerGroup().addTo(map);
    const drawLayer = L.layerGroup().addTo(map);
    const pickedInfo = h('span.muted', { id: 'whatif-picked' });
    const result = h('div', { id: 'whatif-result' });
    const routeById = new Map(d.routes.features.map((f) => [f.properties.id, f]));
    const siteById = new Map(d.sites.features.map((f) => [f.properties.id, f]));
    const redrawPicked = () => {
      drawLayer.clearLayers();
      for (const id of picked) {
        const f = routeById.get(id);
        if (f)
          L.geoJSON(f, { renderer, interactive: false, style: { color: '#000', weight: 5, dashArray: '2 4' } }).addTo(
            drawLayer,
          );
      }
      if (area.length)
        L.polygon(
          area.map(([lon, lat]) => [lat, lon]),
          { renderer, interactive: false, color: '#000', weight: 2, dashArray: '4 4', fillOpacity: 0.08 },
        ).addTo(drawLayer);
      pickedInfo.textContent = t('map.whatif.picked', { n: picked.size });
    };
    const togglePick = (id) => {
      if (picked.has(id)) picked.delete(id);
      else picked.add(id);
      setParams({ cut: [...picked] });
      redrawPicked();
    };
    let drawing = false;
    map.on('click', (e) => {
      if (!drawing) return;
      const p = [+e.latlng.lng.toFixed(6), +e.latlng.lat.toFixed(6)];
      // The double click that closes the area also sends two clicks at its corner: one corner.
      const last = area.at(-1);
      if (last && last[0] === p[0] && last[1] === p[1]) return;
      area.push(p);
      redrawPicked();
    });
    map.on('dblclick', () => {
      if (!drawing) return;
      drawing = false;
      drawBtn.classList.remove('on');
      mapEl.classList.remove('drawing');
      setParams({ area: area.map((p) => p.join(' ')).join(';') });
      if (area.length >= 3) runCut();
    });
    const pickBtn = h(
      'button.secondary',
      {
        type: 'button',
        id: 'whatif-pick',
        onclick: () => {
          picking = !picking;
          pickBtn.classList.toggle('on', picking);
        },
      },
      t('map.whatif.pick'),
    );
    const drawBtn = h(
      'button.secondary',
      {
        type: 'button',
        id: 'whatif-draw',
        onclick: () => {
          drawing = true;
          area = [];
          drawBtn.classList.add('on');
          mapEl.classList.add('drawing');
          redrawPicked();
        },
      },
      t('map.whatif.draw'),
    );
    const wsSelect = h(
      'select',
      {
        id: 'whatif-worksite',
        onchange: (e) => {
          worksite = e.target.value;
          setParams({ ws: worksite });
        },
      },
      h('option', { value: '' }, '—'),
      d.worksites.features.map((f) =>
        h(
          'option',
          { value: f.properties.id, selected: f.properties.id === worksite },
          `${f.properties.id} ${f.properties.name || ''}`,
        ),
      ),
    );
    const runCut = async () => {
      const body = {};
      if (picked.size) body.routes = [...picked];
      if (worksite) body.worksite = worksite;
      if (area.length >= 3) body.area = { type: 'Polygon', coordinates: [[...area, area[0]]] };
      if (!Object.keys(body).length) return;
      let r;
      try {
        r = await api('/api/v1/topology/cut', { body });
      } catch (e) {
        toast(e.message);
        return;
      }
      if (gone) return;
      cutLayer.clearLayers();
      for (const id of r.removed_routes) {
        const f = routeById.get(id);
        if (f) L.geoJSON(f, { renderer, interactive: false, style: { color: '#e0115f', weight: 5 } }).addTo(cutLayer);
      }
      for (const id of r.isolated_sites) {
        const c = siteById.get(id)?.geometry?.coordinates;
        if (c)
          L.circleMarker([c[1], c[0]], {
            renderer,
            radius: 9,
            color: '#e0115f',
            weight: 3,
            fillColor: '#ffcdd2',
            fillOpacity: 0.9,
            interactive: false,
          }).addTo(cutLayer);
      }
      for (const rr of r.reroutable) {
        for (const id of rr.path.routes) {
          const f = routeById.get(id);
          if (f)
            L.geoJSON(f, { renderer, interactive: false, style: { color: '#2e7d32', weight: 4, opacity: 0.6 } }).addTo(
              cutLayer,
            );
        }
      }
      const list = (title, items, id) =>
        h(
          'div',
          { id },
          h('h4', {}, `${title} (${items.length})`),
          items.length
            ? h(
                'ul.compact',
                {},
                items.slice(0, 200).map((x) => h('li', {}, x)),
              )
            : h('p.muted', {}, t('map.whatif.none')),
        );
      const siteName = (id) =>
        `${id}${siteById.get(id)?.properties?.name ? ` — ${siteById.get(id).properties.name}` : ''}`;
      result.replaceChildren(
        h(
          'p.summary',
          { id: 'whatif-summary' },
          t('map.whatif.result', {
            routes: r.removed_routes.length,
            isolated: r.isolated_sites.length,
            broken: r.broken_allocations.length,
            reroutable: r.reroutable.length,
            lost: r.not_reroutable.length,
          }),
        ),
        list(t('map.whatif.isolated'), r.isolated_sites.map(siteName), 'whatif-isolated'),
        list(t('map.whatif.lost'), r.not_reroutable, 'whatif-lost'),
        list(
          t('map.whatif.rerouted'),
          r.reroutable.map(
            (x) =>
              `${x.allocation} — ${t('map.whatif.via')} ${x.path.routes.join(', ')} (${num(x.path.length_km, 1)} km)`,
          ),
          'whatif-rerouted',
        ),
      );
    };
    const clearBtn = h(
      'button.secondary',
      {
        type: 'button',
        id: 'whatif-clear',
        onclick: () => {
          picked.clear();
          area = [];
          worksite = '';
          wsSelect.value = '';
          cutLayer.clearLayers();
          result.replaceChildren();
          setParams({ cut: null, area: null, ws: null });
          redrawPicked();
        },
      },
      t('map.whatif.clear'),
    );
    if (canTopology) {
      side.append(
        h(
          'div.card.whatif',
          { id: 'whatif' },
          h('h3', {}, t('map.whatif')),
          h('p.muted', {}, t('map.whatif.help')),
          h('div.row', {}, pickBtn, drawBtn, pickedInfo),
          h('label.block', {}, `${t('map.whatif.worksite')} `, wsSelect),
          h(
            'div.row',
            {},
            h('button', { type: 'button', id: 'whatif-run', onclick: runCut }, t('map.whatif.run')),
            clearBtn,
          ),
          result,
        ),
      );
    }
    side.prepend(h('p.muted', { id: 'feature' }, t('map.select')));
    redrawPicked();

    // A link's selection and cut, restored.
    const sel = params.get('sel');
    if (sel) {
      const [layerName, id] = sel.split(':');
      const f = (d[layerName]?.features || []).find((x) => x.properties.id === id);
      if (f) showDetails(layerName, f);
    }
    if (canTopology && (picked.size || worksite || area.length >= 3)) runCut();
    // A stale mount (another view shown while this one loaded) is unmounted as soon as it
    // returns: the timer and the frames below must not touch its removed map.
    setTimeout(() => gone || map.invalidateSize(), 0);
    // The first full paint (every layer drawn: Leaflet's canvas draws on the next frame), for
    // the benchmark and the tests.
    requestAnimationFrame(() => requestAnimationFrame(() => gone || (window.irisopsMapPainted = performance.now())));
    window.irisopsMap = map;
    return () => {
      gone = true;
      map.remove();
      delete window.irisopsMap;
      delete window.irisopsMapPainted;
    };
  },
};
