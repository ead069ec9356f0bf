// The wifi view's relocation plan (`GET /api/v1/wifi/plan`): its summary and criteria, the moves
// as a table with their totals, the CSV and GeoJSON downloads and a link to the map showing it.

import { api } from './api.js';
import { add, t, current, num } from './i18n.js';
import { h, table, download } from './ui.js';

add({
  en: {
    'wifi.plan.title': 'Relocation plan',
    'wifi.plan.summary':
      '{movable} underused hotspots may move to {candidates} candidate places. The plan moves {moves} of them and newly serves target places weighing {covered} in all (the greedy plan: {greedy}), with {fibre} of fibre to lay.',
    'wifi.plan.optimal': 'This plan is optimal (proven, {ms} ms).',
    'wifi.plan.bounded': 'The time limit was reached: no plan can serve more than {bound} (this one: {covered}).',
    'wifi.plan.criteria': 'Criteria',
    'wifi.plan.crit.radius_m': 'Service radius',
    'wifi.plan.crit.max_fibre_m': 'Greatest distance to the fibre',
    'wifi.plan.crit.max_moves': 'Most moves',
    'wifi.plan.crit.window_days': 'Days judged',
    'wifi.plan.crit.peak_per_ap_min': 'Underused: p90 daily peak per AP below',
    'wifi.plan.crit.client_hours_per_ap_min': 'and median client-hours per AP below',
    'wifi.plan.crit.min_availability': 'Faulty: median availability below',
    'wifi.plan.crit.min_coverage': 'Judged with data on at least',
    'wifi.plan.ofdays': '{pct} % of the days',
    'wifi.plan.csv': 'CSV',
    'wifi.plan.geojson': 'GeoJSON',
    'wifi.plan.map': 'Show the plan on the map',
    'wifi.plan.hotspot': 'Hotspot',
    'wifi.plan.from': 'From site',
    'wifi.plan.to': 'To',
    'wifi.plan.kind': 'Kind',
    'wifi.plan.distance': 'Distance',
    'wifi.plan.fibre': 'Fibre',
    'wifi.plan.via': 'Fibre from',
    'wifi.plan.covers': 'Serves',
    'wifi.plan.weight': 'Weight',
    'wifi.plan.total': 'Total ({n} moves)',
    'wifi.plan.none': 'No move: no underused hotspot, or no place within reach of the fibre.',
    'wifi.plan.via.site': 'site {id}',
    'wifi.plan.via.route': 'route {id}',
    'wifi.kind.social_housing': 'social housing',
    'wifi.kind.community_centre': 'community centre',
    'wifi.kind.youth_centre': 'youth centre',
    'wifi.kind.library': 'library',
    'wifi.kind.public_digital_space': 'public digital space',
  },
  fr: {
    'wifi.plan.title': 'Plan de déplacement',
    'wifi.plan.summary':
      '{movable} bornes sous-utilisées peuvent être déplacées vers {candidates} lieux candidats. Le plan en déplace {moves} et dessert en plus des lieux cibles d’un poids total de {covered} (plan glouton : {greedy}), avec {fibre} de fibre à poser.',
    'wifi.plan.optimal': 'Ce plan est optimal (prouvé, {ms} ms).',
    'wifi.plan.bounded':
      'Le temps limite a été atteint : aucun plan ne peut desservir plus de {bound} (celui-ci : {covered}).',
    'wifi.plan.criteria': 'Critères',
    'wifi.plan.crit.radius_m': 'Rayon de desserte',
    'wifi.plan.crit.max_fibre_m': 'Distance maximale à la fibre',
    'wifi.plan.crit.max_moves': 'Nombre maximal de déplacements',
    'wifi.plan.crit.window_days': 'Jours évalués',
    'wifi.plan.crit.peak_per_ap_min': 'Sous-utilisée : pic quotidien p90 par PA sous',
    'wifi.plan.crit.client_hours_per_ap_min': 'et heures-clients médianes par PA sous',
    'wifi.plan.crit.min_availability': 'En panne : disponibilité médiane sous',
    'wifi.plan.crit.min_coverage': 'Jugée avec des données sur au moins',
    'wifi.plan.ofdays': '{pct} % des jours',
    'wifi.plan.csv': 'CSV',
    'wifi.plan.geojson': 'GeoJSON',
    'wifi.plan.map': 'Voir le plan sur la carte',
    'wifi.plan.hotspot': 'Borne',
    'wifi.plan.from': 'Site de départ',
    'wifi.plan.to': 'Vers',
    'wifi.plan.kind': 'Type',
    'wifi.plan.distance': 'Distance',
    'wifi.plan.fibre': 'Fibre',
    'wifi.plan.via': 'Fibre depuis',
    'wifi.plan.covers': 'Dessert',
    'wifi.plan.weight': 'Poids',
    'wifi.plan.total': 'Total ({n} déplacements)',
    'wifi.plan.none': 'Aucun déplacement : aucune borne sous-utilisée, ou aucun lieu à portée de la fibre.',
    'wifi.plan.via.site': 'site {id}',
    'wifi.plan.via.route': 'tracé {id}',
    'wifi.kind.social_housing': 'logement social',
    'wifi.kind.community_centre': 'centre communautaire',
    'wifi.kind.youth_centre': 'maison de jeunes',
    'wifi.kind.library': 'bibliothèque',
    'wifi.kind.public_digital_space': 'espace public numérique',
  },
  nl: {
    'wifi.plan.title': 'Verplaatsingsplan',
    'wifi.plan.summary':
      '{movable} onderbenutte hotspots kunnen verhuizen naar {candidates} mogelijke plaatsen. Het plan verplaatst er {moves} en bedient daarmee bijkomende doelplaatsen met een totaal gewicht van {covered} (het gretige plan: {greedy}), met {fibre} glasvezel aan te leggen.',
    'wifi.plan.optimal': 'Dit plan is optimaal (bewezen, {ms} ms).',
    'wifi.plan.bounded':
      'De tijdslimiet werd bereikt: geen enkel plan kan meer dan {bound} bedienen (dit plan: {covered}).',
    'wifi.plan.criteria': 'Criteria',
    'wifi.plan.crit.radius_m': 'Bedieningsstraal',
    'wifi.plan.crit.max_fibre_m': 'Grootste afstand tot de glasvezel',
    'wifi.plan.crit.max_moves': 'Maximaal aantal verplaatsingen',
    'wifi.plan.crit.window_days': 'Beoordeelde dagen',
    'wifi.plan.crit.peak_per_ap_min': 'Onderbenut: p90-dagpiek per TP onder',
    'wifi.plan.crit.client_hours_per_ap_min': 'en mediaan clienturen per TP onder',
    'wifi.plan.crit.min_availability': 'Defect: mediaan beschikbaarheid onder',
    'wifi.plan.crit.min_coverage': 'Beoordeeld met gegevens op minstens',
    'wifi.plan.ofdays': '{pct} % van de dagen',
    'wifi.plan.csv': 'CSV',
    'wifi.plan.geojson': 'GeoJSON',
    'wifi.plan.map': 'Het plan op de kaart tonen',
    'wifi.plan.hotspot': 'Hotspot',
    'wifi.plan.from': 'Van site',
    'wifi.plan.to': 'Naar',
    'wifi.plan.kind': 'Soort',
    'wifi.plan.distance': 'Afstand',
    'wifi.plan.fibre': 'Glasvezel',
    'wifi.plan.via': 'Glasvezel vanaf',
    'wifi.plan.covers': 'Bedient',
    'wifi.plan.weight': 'Gewicht',
    'wifi.plan.total': 'Totaal ({n} verplaatsingen)',
    'wifi.plan.none': 'Geen verplaatsing: geen onderbenutte hotspot, of geen plaats binnen bereik van de glasvezel.',
    'wifi.plan.via.site': 'site {id}',
    'wifi.plan.via.route': 'tracé {id}',
    'wifi.kind.social_housing': 'sociale woningen',
    'wifi.kind.community_centre': 'gemeenschapscentrum',
    'wifi.kind.youth_centre': 'jeugdhuis',
    'wifi.kind.library': 'bibliotheek',
    'wifi.kind.public_digital_space': 'openbare digitale ruimte',
  },
});

export const metres = (m) => (m == null ? '–' : `${num(m, 1)} m`);

/// A target place's kind in words (a kind the app does not know: as written, in words).
export function kindWords(kind) {
  const key = `wifi.kind.${kind}`;
  const s = t(key);
  return s === key ? String(kind || '').replaceAll('_', ' ') : s;
}

/// The map link showing the plan, with `hotspot` selected.
export function mapLink(hotspot) {
  return `#/map?layers=routes,hotspots,targets,plan${hotspot ? `&sel=hotspots:${encodeURIComponent(hotspot)}` : ''}`;
}

/// The plan's card. `names` maps hotspot and target ids to their names; `onHotspot(id)` when
/// a move is clicked; `canMap`: whether the role may open the map.
export function planCard(plan, { names, selected, onHotspot, canMap }) {
  const c = plan.criteria || {};
  const crit = [
    ['radius_m', metres(c.radius_m)],
    ['max_fibre_m', metres(c.max_fibre_m)],
    ['max_moves', num(c.max_moves)],
    ['window_days', num(c.window_days)],
    ['peak_per_ap_min', num(c.peak_per_ap_min, 1)],
    ['client_hours_per_ap_min', num(c.client_hours_per_ap_min, 1)],
    ['min_availability', num(c.min_availability, 2)],
    ['min_coverage', t('wifi.plan.ofdays', { pct: num((c.min_coverage ?? 0) * 100) })],
  ].filter(([k]) => c[k] != null);
  const moves = plan.moves;
  const via = (m) => {
    const [kind, id] = Object.entries(m.fibre_via || {})[0] || [];
    return kind ? t(`wifi.plan.via.${kind}`, { id }) : '–';
  };
  const named = (id) => {
    const n = names.get(id);
    return n ? h('span', {}, id, h('small.muted', {}, ` ${n}`)) : id;
  };
  const tbl = moves.length
    ? table(
        [
          { key: 'hotspot', label: t('wifi.plan.hotspot'), fmt: (v) => named(v) },
          { key: 'from_site', label: t('wifi.plan.from') },
          { key: 'to_target', label: t('wifi.plan.to'), fmt: (v) => named(v) },
          { key: 'to_kind', label: t('wifi.plan.kind'), fmt: (v) => kindWords(v) },
          { key: 'distance_m', label: t('wifi.plan.distance'), num: true, fmt: metres },
          { key: 'fibre_m', label: t('wifi.plan.fibre'), num: true, fmt: metres },
          { key: 'fibre_via', label: t('wifi.plan.via'), value: via },
          { key: 'covers', label: t('wifi.plan.covers'), value: (m) => m.covers.join(', ') },
          { key: 'weight', label: t('wifi.plan.weight'), num: true, fmt: (v) => num(v, 1) },
        ],
        moves,
        {
          id: 'wifi-plan-table',
          rowId: (m) => m.hotspot,
          rowClass: (m) => (m.hotspot === selected ? 'sel' : null),
          onRow: (m) => onHotspot(m.hotspot),
        },
      )
    : h('p.muted', {}, t('wifi.plan.none'));
  if (moves.length) {
    tbl.append(
      h(
        'tfoot',
        {},
        h(
          'tr',
          { id: 'wifi-plan-total' },
          h('th', { colspan: 5 }, t('wifi.plan.total', { n: num(moves.length) })),
          h('th.num', { id: 'wifi-plan-fibre' }, metres(plan.fibre_m_total)),
          h('th', { colspan: 2 }),
          h('th.num', { id: 'wifi-plan-weight' }, num(plan.covered_weight, 1)),
        ),
      ),
    );
  }
  const fetchAs = (format) => () => api(`/api/v1/wifi/plan?format=${format}`, { blob: true });
  return h(
    'section.card',
    { id: 'wifi-plan' },
    h(
      'div.card-head',
      {},
      h('h2', {}, t('wifi.plan.title')),
      h('span.muted', {}, t('common.download')),
      download(t('wifi.plan.csv'), fetchAs('csv'), 'wifi-plan.csv'),
      download(t('wifi.plan.geojson'), fetchAs('geojson'), 'wifi-plan.geojson'),
      canMap
        ? h('a.button', { id: 'wifi-plan-map', href: mapLink(selected || moves[0]?.hotspot) }, t('wifi.plan.map'))
        : null,
    ),
    h(
      'p',
      { id: 'wifi-plan-summary' },
      t('wifi.plan.summary', {
        movable: num(plan.movable),
        candidates: num(plan.candidates),
        moves: num(moves.length),
        covered: num(plan.covered_weight, 1),
        greedy: num(plan.greedy_weight, 1),
        fibre: metres(plan.fibre_m_total),
      }),
      ' ',
      plan.optimal
        ? t('wifi.plan.optimal', { ms: num(plan.solve_ms) })
        : h('b', {}, t('wifi.plan.bounded', { bound: num(plan.bound, 1), covered: num(plan.covered_weight, 1) })),
    ),
    h(
      'div.plan-criteria',
      { id: 'wifi-plan-criteria' },
      h('b', {}, `${t('wifi.plan.criteria')} :`.replace(current() === 'fr' ? '' : ' :', ':')),
      crit.map(([k, v]) =>
        h('span.crit', { dataset: { key: k } }, h('span.muted', {}, t(`wifi.plan.crit.${k}`)), ' ', h('b', {}, v)),
      ),
    ),
    h('div.scroll', {}, tbl),
  );
}
