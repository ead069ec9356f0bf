// The spare-capacity map shared by the commercial view and the operators' capacity offer: the
// routes of `GET /api/v1/spare?format=geojson` (the offer's own geometry, so an operator needs
// no cadastre route) coloured by their dark strands left, like the map view's "dark strands"
// colouring; sites to click when the caller has them; a quote's paths drawn over it (the
// primary and its diverse backups in their own colours, the other routes dimmed).

import { api } from './api.js';
import { add, t, num, km } from './i18n.js';
import { h, legend, DARK_CLASSES } from './ui.js';

add({
  en: {
    'spmap.legend': 'Dark strands left',
    'spmap.legend.quote': 'Quote',
    'spmap.primary': 'Primary path',
    'spmap.backup': 'Diverse backup',
    'spmap.backup.n': 'Diverse backup {n}',
    'spmap.route': 'Route {id} · {owner} · {km} · {dark} dark strands · {ducts} free ducts',
    'spmap.hint': 'Click a route for its figures.',
  },
  fr: {
    'spmap.legend': 'Fibres noires restantes',
    'spmap.legend.quote': 'Devis',
    'spmap.primary': 'Chemin principal',
    'spmap.backup': 'Secours diversifié',
    'spmap.backup.n': 'Secours diversifié {n}',
    'spmap.route': 'Tracé {id} · {owner} · {km} · {dark} fibres noires · {ducts} fourreaux libres',
    'spmap.hint': 'Cliquez sur un tracé pour ses chiffres.',
  },
  nl: {
    'spmap.legend': 'Resterende donkere vezels',
    'spmap.legend.quote': 'Offerte',
    'spmap.primary': 'Hoofdpad',
    'spmap.backup': 'Divers reservepad',
    'spmap.backup.n': 'Divers reservepad {n}',
    'spmap.route': 'Tracé {id} · {owner} · {km} · {dark} donkere vezels · {ducts} vrije kokers',
    'spmap.hint': 'Klik op een tracé voor de cijfers.',
  },
});

/// The colours of a quote's paths: the primary, then its diverse backups.
export const PATH_COLORS = ['#0b3d91', '#e0115f', '#6a1b9a', '#00897b'];

/// The name of a quote's path `i` (0 = the primary).
export function pathName(i, n) {
  if (i === 0) return t('spmap.primary');
  return n > 2 ? t('spmap.backup.n', { n: i }) : t('spmap.backup');
}

/// The map view's "dark strands left" classes.
const dark = DARK_CLASSES;

/// The two ends of a (Multi)LineString, `[lat, lng]`.
function ends(geometry) {
  const lines = geometry.type === 'MultiLineString' ? geometry.coordinates : [geometry.coordinates];
  const a = lines[0][0];
  const last = lines[lines.length - 1];
  const b = last[last.length - 1];
  return [
    [a[1], a[0]],
    [b[1], b[0]],
  ];
}

const dist2 = (p, q) => (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2;

/// Where a path's sites are, from its routes' geometry alone (for a caller that cannot read the
/// sites layer): the path's routes follow each other, so each site is the end one route shares
/// with the next. A path of a single route has no neighbour to tell its direction: its
/// geometry's own (from → to) order is taken.
export function siteCoords(path, routeById) {
  const out = new Map();
  const geo = path.routes.map((id) => routeById.get(id)?.geometry);
  if (geo.some((g) => !g) || path.sites.length !== geo.length + 1) return out;
  const e = geo.map(ends);
  let cur;
  if (e.length > 1) {
    // The first route's end farther from the second route is the path's start.
    const near = (p) => Math.min(dist2(p, e[1][0]), dist2(p, e[1][1]));
    cur = near(e[0][0]) > near(e[0][1]) ? e[0][0] : e[0][1];
  } else cur = e[0][0];
  out.set(path.sites[0], cur);
  e.forEach(([a, b], i) => {
    cur = dist2(a, cur) <= dist2(b, cur) ? b : a;
    out.set(path.sites[i + 1], cur);
  });
  return out;
}

/// Draws the spare map in `container`. `opts`: `routes` (the spare GeoJSON), `sites` (the sites
/// layer, or null), `label(id)` a site's name, `onSite(id)` when a site is clicked,
/// `onRoute(feature)` when a route is.
/// Returns `{map, showQuote(answer, coords), clearQuote(), highlight(id), extraSites(list),
/// remove()}`.
export async function spareMap(container, opts) {
  const config = await api('/api/v1/web/config');
  const mapEl = h('div.com-map', { id: opts.id || 'spare-map' });
  const info = h('div.com-mapinfo.muted', { id: 'spare-route' }, t('spmap.hint'));
  const legendBox = h(
    'div.com-maplegend',
    { id: 'spare-legend' },
    legend(
      dark.items.map((i) => ({ ...i })),
      t('spmap.legend'),
    ),
  );
  const quoteLegend = h('div', { id: 'spare-quote-legend' });
  legendBox.append(quoteLegend);
  container.append(h('div.com-mapwrap', {}, mapEl, legendBox), info);

  const renderer = L.canvas({ padding: 0.5, tolerance: 4 });
  const map = L.map(mapEl, {
    preferCanvas: true,
    zoomSnap: 0.25,
    renderer,
    attributionControl: !!config.tiles,
    doubleClickZoom: false,
  });
  if (config.tiles) L.tileLayer(config.tiles, { attribution: config.tiles_attribution || '', maxZoom: 19 }).addTo(map);
  if (config.background) {
    const bg = await api('/api/v1/web/background');
    L.geoJSON(bg, {
      renderer,
      interactive: false,
      style: { color: '#9aa5ae', weight: 1, fill: true, fillColor: '#e9eef2', fillOpacity: 0.5 },
    }).addTo(map);
  }

  let dimmed = false;
  const style = (f) => ({
    color: dark.color(f.properties.dark_strands),
    weight: 2.5,
    opacity: dimmed ? 0.3 : 0.9,
  });
  const routeById = new Map(opts.routes.features.map((f) => [f.properties.id, f]));
  const routes = L.geoJSON(opts.routes, { renderer, style }).addTo(map);
  const highlightLayer = L.layerGroup().addTo(map);
  const highlight = (id) => {
    highlightLayer.clearLayers();
    const f = routeById.get(id);
    if (!f) return;
    L.geoJSON(f, { renderer, interactive: false, style: { color: '#111', weight: 7, opacity: 0.45 } }).addTo(
      highlightLayer,
    );
    const p = f.properties;
    info.textContent = t('spmap.route', {
      id: p.id,
      owner: p.owner,
      km: km(p.length_m),
      dark: num(p.dark_strands),
      ducts: num(p.free_ducts),
    });
    info.dataset.id = p.id;
  };
  routes.on('click', (e) => {
    const f = e.layer?.feature;
    if (!f) return;
    L.DomEvent.stopPropagation(e);
    highlight(f.properties.id);
    opts.onRoute?.(f);
  });

  // Sites to pick (the caller's own list: the sites layer, or those a quote named).
  const sitesLayer = L.layerGroup().addTo(map);
  const siteMarker = (s) => {
    const pop = s.kind === 'pop';
    const m = L.circleMarker(s.latlng, {
      renderer,
      radius: pop ? 5 : 2.5,
      color: '#123047',
      weight: 1,
      fillColor: pop ? '#123047' : '#fff',
      fillOpacity: 1,
    });
    m.bindTooltip(s.name ? `${s.name} (${s.id})` : s.id, { direction: 'top', offset: [0, -4] });
    m.on('click', (e) => {
      L.DomEvent.stopPropagation(e);
      opts.onSite?.(s.id);
    });
    m.siteId = s.id;
    return m;
  };
  const siteIds = new Set();
  const addSites = (list) => {
    for (const s of list) {
      if (siteIds.has(s.id)) continue;
      siteIds.add(s.id);
      sitesLayer.addLayer(siteMarker(s));
    }
  };
  if (opts.sites) addSites(opts.sites);

  const quoteLayer = L.layerGroup().addTo(map);
  const dimSites = (on) =>
    sitesLayer.eachLayer((m) => m.setStyle({ opacity: on ? 0.35 : 1, fillOpacity: on ? 0.35 : 1 }));
  const clearQuote = () => {
    quoteLayer.clearLayers();
    dimSites(false);
    quoteLegend.replaceChildren();
    dimmed = false;
    routes.setStyle(style);
  };
  /// Draws a quote's paths; `coords` maps its sites to `[lat, lng]`.
  const showQuote = (answer, coords) => {
    clearQuote();
    dimmed = true;
    routes.setStyle(style);
    dimSites(true);
    const n = answer.paths.length;
    // The backups first, so the primary is drawn on top where they meet.
    [...answer.paths].reverse().forEach((p, j) => {
      const i = n - 1 - j;
      for (const id of p.routes) {
        const f = routeById.get(id);
        if (!f) continue;
        L.geoJSON(f, {
          renderer,
          interactive: false,
          style: {
            color: PATH_COLORS[i % PATH_COLORS.length],
            weight: i === 0 ? 6 : 5,
            opacity: 0.95,
            dashArray: i === 0 ? null : '8 6',
          },
        }).addTo(quoteLayer);
      }
      for (const s of p.sites.slice(1, -1)) {
        const c = coords.get(s);
        if (c)
          L.circleMarker(c, {
            renderer,
            radius: 3.5,
            color: PATH_COLORS[i % PATH_COLORS.length],
            weight: 2,
            fillColor: '#fff',
            fillOpacity: 1,
            interactive: false,
          }).addTo(quoteLayer);
      }
    });
    for (const [s, label] of [
      [answer.from, 'A'],
      [answer.to, 'B'],
    ]) {
      const c = coords.get(s);
      if (!c) continue;
      L.circleMarker(c, {
        renderer,
        radius: 8,
        color: '#fff',
        weight: 2,
        fillColor: '#111',
        fillOpacity: 1,
        interactive: false,
      })
        .bindTooltip(`${label} · ${opts.label ? opts.label(s) : s}`, {
          permanent: true,
          direction: 'right',
          offset: [8, 0],
          className: 'com-end',
        })
        .addTo(quoteLayer);
    }
    quoteLegend.replaceChildren(
      legend(
        answer.paths.map((_, i) => ({ color: PATH_COLORS[i % PATH_COLORS.length], label: pathName(i, n) })),
        t('spmap.legend.quote'),
      ),
    );
    const bounds = L.latLngBounds([]);
    for (const l of quoteLayer.getLayers()) bounds.extend(l.getBounds ? l.getBounds() : l.getLatLng());
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [40, 40], maxZoom: 16 });
  };

  if (opts.routes.features.length) map.fitBounds(routes.getBounds(), { padding: [10, 10] });
  else map.setView([50.85, 4.35], 12);
  // The map grows with the quote beside it.
  const resized = new ResizeObserver(() => map.invalidateSize());
  resized.observe(mapEl);
  window.irisopsSpareMap = map;
  return {
    map,
    routeById,
    showQuote,
    clearQuote,
    highlight,
    addSites,
    remove: () => {
      resized.disconnect();
      map.remove();
      delete window.irisopsSpareMap;
    },
  };
}
