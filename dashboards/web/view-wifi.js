// The wifi view: every hotspot's verdict over the window and the rule that decided it in words
// (`GET /api/v1/wifi/verdicts`), counts and a filter per verdict, a hotspot's daily use
// (`GET /api/v1/wifi/usage`: peak clients and client-hours, with the thresholds of its verdict),
// and the relocation plan of the underused ones (view-wifi-plan.js). The URL holds `verdict`
// and `hotspot`.

import { api, query } from './api.js';
import { add, t, current, num, pct, date } from './i18n.js';
import { h, table } from './ui.js';
import { planCard, kindWords, metres, mapLink } from './view-wifi-plan.js';

add({
  en: {
    'view.wifi': 'Wifi',
    'wifi.window': 'Verdicts over the {days} whole days from {from} to {until}.',
    'wifi.all': 'All',
    'wifi.filter': 'Search a hotspot',
    'wifi.hotspot': 'Hotspot',
    'wifi.verdict': 'Verdict',
    'wifi.reason': 'Why',
    'wifi.aps': 'APs',
    'wifi.p90': 'p90 peak / AP',
    'wifi.hours': 'Client-hours / AP',
    'wifi.availability': 'Availability',
    'wifi.shown': '{n} of {total} hotspots shown. Click one for its daily use.',
    'wifi.pick': 'Click a hotspot for its daily use and its planned move.',
    'wifi.site': 'Site',
    'wifi.owner': 'Owner',
    'wifi.ap_list': 'Access points',
    'wifi.coverage': 'Days with data',
    'wifi.coverage.value': '{n} of {w} ({pct})',
    'wifi.usage': 'Daily use',
    'wifi.usage.peak': 'peak clients',
    'wifi.usage.hours': 'client-hours',
    'wifi.usage.peak_min': 'underused below (peak)',
    'wifi.usage.hours_min': 'underused below (client-hours)',
    'wifi.usage.day': 'Day',
    'wifi.usage.help':
      '{n} days; the shaded band is the verdict’s window; dashed lines: the thresholds for its {aps} APs.',
    'wifi.usage.none': 'No daily use recorded for this hotspot.',
    'wifi.move': 'Planned move: to {target} ({kind}), {distance} away, {fibre} of fibre from {via}.',
    'wifi.nomove': 'This hotspot stays where it is in the plan.',
    'wifi.onmap': 'Show on the map',
    'wifi.r.nodata': 'no day with data in the {w} days',
    'wifi.r.coverage': 'data on {d} of {w} days ({c} % < {m} %)',
    'wifi.r.faulty': 'median availability {a} < {min}: repair before judging its use',
    'wifi.r.peak': 'p90 daily peak {v} per AP {op} {min}',
    'wifi.r.hours': 'median client-hours {v} per AP {op} {min}',
    'wifi.r.avail': 'median availability {a} ≥ {min}',
    'wifi.r.avail_unknown': 'availability unknown',
  },
  fr: {
    'view.wifi': 'Wifi',
    'wifi.window': 'Verdicts sur les {days} jours complets du {from} au {until}.',
    'wifi.all': 'Toutes',
    'wifi.filter': 'Rechercher une borne',
    'wifi.hotspot': 'Borne',
    'wifi.verdict': 'Verdict',
    'wifi.reason': 'Motif',
    'wifi.aps': 'PA',
    'wifi.p90': 'Pic p90 / PA',
    'wifi.hours': 'Heures-clients / PA',
    'wifi.availability': 'Disponibilité',
    'wifi.shown': '{n} bornes affichées sur {total}. Cliquez sur une borne pour son usage quotidien.',
    'wifi.pick': 'Cliquez sur une borne pour son usage quotidien et son déplacement prévu.',
    'wifi.site': 'Site',
    'wifi.owner': 'Propriétaire',
    'wifi.ap_list': 'Points d’accès',
    'wifi.coverage': 'Jours avec données',
    'wifi.coverage.value': '{n} sur {w} ({pct})',
    'wifi.usage': 'Usage quotidien',
    'wifi.usage.peak': 'pic de clients',
    'wifi.usage.hours': 'heures-clients',
    'wifi.usage.peak_min': 'seuil de sous-utilisation (pic)',
    'wifi.usage.hours_min': 'seuil de sous-utilisation (heures-clients)',
    'wifi.usage.day': 'Jour',
    'wifi.usage.help':
      '{n} jours ; la bande grisée est la période du verdict ; en pointillés, les seuils pour ses {aps} PA.',
    'wifi.usage.none': 'Aucun usage quotidien enregistré pour cette borne.',
    'wifi.move': 'Déplacement prévu : vers {target} ({kind}), à {distance}, {fibre} de fibre depuis le {via}.',
    'wifi.nomove': 'Cette borne reste en place dans le plan.',
    'wifi.onmap': 'Voir sur la carte',
    'wifi.r.nodata': 'aucun jour avec des données sur les {w} jours',
    'wifi.r.coverage': 'données sur {d} des {w} jours ({c} % < {m} %)',
    'wifi.r.faulty': 'disponibilité médiane {a} < {min} : à réparer avant de juger son usage',
    'wifi.r.peak': 'pic quotidien p90 de {v} par PA {op} {min}',
    'wifi.r.hours': 'heures-clients médianes de {v} par PA {op} {min}',
    'wifi.r.avail': 'disponibilité médiane {a} ≥ {min}',
    'wifi.r.avail_unknown': 'disponibilité inconnue',
  },
  nl: {
    'view.wifi': 'Wifi',
    'wifi.window': 'Oordelen over de {days} volledige dagen van {from} tot {until}.',
    'wifi.all': 'Alle',
    'wifi.filter': 'Hotspot zoeken',
    'wifi.hotspot': 'Hotspot',
    'wifi.verdict': 'Oordeel',
    'wifi.reason': 'Reden',
    'wifi.aps': 'TP',
    'wifi.p90': 'p90-piek / TP',
    'wifi.hours': 'Clienturen / TP',
    'wifi.availability': 'Beschikbaarheid',
    'wifi.shown': '{n} van de {total} hotspots getoond. Klik op een hotspot voor het dagelijkse gebruik.',
    'wifi.pick': 'Klik op een hotspot voor het dagelijkse gebruik en de geplande verplaatsing.',
    'wifi.site': 'Site',
    'wifi.owner': 'Eigenaar',
    'wifi.ap_list': 'Toegangspunten',
    'wifi.coverage': 'Dagen met gegevens',
    'wifi.coverage.value': '{n} van {w} ({pct})',
    'wifi.usage': 'Dagelijks gebruik',
    'wifi.usage.peak': 'piek aan clients',
    'wifi.usage.hours': 'clienturen',
    'wifi.usage.peak_min': 'drempel onderbenut (piek)',
    'wifi.usage.hours_min': 'drempel onderbenut (clienturen)',
    'wifi.usage.day': 'Dag',
    'wifi.usage.help':
      '{n} dagen; de grijze band is de periode van het oordeel; stippellijnen: de drempels voor zijn {aps} TP.',
    'wifi.usage.none': 'Geen dagelijks gebruik geregistreerd voor deze hotspot.',
    'wifi.move': 'Geplande verplaatsing: naar {target} ({kind}), op {distance}, {fibre} glasvezel vanaf {via}.',
    'wifi.nomove': 'Deze hotspot blijft in het plan waar hij is.',
    'wifi.onmap': 'Op de kaart tonen',
    'wifi.r.nodata': 'geen dag met gegevens in de {w} dagen',
    'wifi.r.coverage': 'gegevens op {d} van de {w} dagen ({c} % < {m} %)',
    'wifi.r.faulty': 'mediaan beschikbaarheid {a} < {min}: eerst herstellen, dan het gebruik beoordelen',
    'wifi.r.peak': 'p90-dagpiek van {v} per TP {op} {min}',
    'wifi.r.hours': 'mediaan clienturen van {v} per TP {op} {min}',
    'wifi.r.avail': 'mediaan beschikbaarheid {a} ≥ {min}',
    'wifi.r.avail_unknown': 'beschikbaarheid onbekend',
  },
});

export const VERDICTS = ['ok', 'underused', 'faulty', 'insufficient_data'];
const VERDICT_COLORS = { ok: '#2e9d4f', underused: '#e08a00', faulty: '#c62828', insufficient_data: '#8a96a0' };
const BADGE = { ok: 'ok', underused: 'under', faulty: 'bad', insufficient_data: 'nodata' };
const LOCALES = { fr: 'fr-BE', nl: 'nl-BE', en: 'en-GB' };
/// Whole-number axis steps (clients and hours are counted, not measured in fractions here).
const INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000];

/// A YYYY-MM-DD day as milliseconds (noon UTC, so that every time zone shows that day).
const dayMs = (s) => {
  const [y, m, d] = s.split('-').map(Number);
  return Date.UTC(y, m - 1, d, 12);
};
const dayStr = (ms) => new Date(ms).toISOString().slice(0, 10);

/// The rule that decided a verdict, in words. English is the server's own sentence (the
/// contract); French and Dutch say the same from the verdict's figures and the criteria, in the
/// order of the rules (README, *Wifi*: coverage, availability, use).
export function reasonWords(v, c) {
  if (current() === 'en' && v.reason) return v.reason;
  const w = c.window_days;
  if (v.p90_peak_per_ap == null || v.median_client_hours_per_ap == null) return t('wifi.r.nodata', { w });
  if (v.data_coverage < c.min_coverage)
    return t('wifi.r.coverage', {
      d: v.days_with_data,
      w,
      c: num(v.data_coverage * 100),
      m: num(c.min_coverage * 100),
    });
  const a = v.median_availability;
  if (a != null && a < c.min_availability) return t('wifi.r.faulty', { a: num(a, 2), min: num(c.min_availability, 2) });
  const cmp = (x, min) => (x < min ? '<' : '≥');
  return [
    t('wifi.r.peak', {
      v: num(v.p90_peak_per_ap, 1),
      op: cmp(v.p90_peak_per_ap, c.peak_per_ap_min),
      min: num(c.peak_per_ap_min),
    }),
    t('wifi.r.hours', {
      v: num(v.median_client_hours_per_ap, 1),
      op: cmp(v.median_client_hours_per_ap, c.client_hours_per_ap_min),
      min: num(c.client_hours_per_ap_min),
    }),
    a == null ? t('wifi.r.avail_unknown') : t('wifi.r.avail', { a: num(a, 2), min: num(c.min_availability, 2) }),
  ].join(current() === 'fr' ? ' ; ' : '; ');
}

const verdictBadge = (v) => h(`span.badge.${BADGE[v] || 'off'}`, {}, t(`verdict.${v}`));

/// The usage chart of one hotspot (uPlot): daily peak clients (left axis) and client-hours
/// (right axis), the verdict's thresholds for its APs dashed, its window shaded.
function usageChart(box, days, v, verdicts) {
  const c = verdicts.criteria;
  const xs = days.map((d) => dayMs(d.date) / 1000);
  const peak = days.map((d) => d.peak_clients);
  const hours = days.map((d) => d.client_hours);
  const n = v?.n_aps || 0;
  const band = [dayMs(verdicts.from) / 1000 - 43200, dayMs(verdicts.until) / 1000 + 43200];
  const fmtDay = new Intl.DateTimeFormat(LOCALES[current()] || 'en-GB', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  const opts = {
    width: Math.max(300, box.clientWidth || 520),
    height: 260,
    scales: {
      x: { time: true },
      y: { range: (u, a, b) => [0, Math.max(1, b * 1.1)] },
      hrs: { range: (u, a, b) => [0, Math.max(1, b * 1.1)] },
    },
    axes: [
      {
        values: (u, s) => s.map((x) => fmtDay.format(new Date(x * 1000))),
        stroke: '#50606e',
        grid: { stroke: '#eef1f4' },
      },
      {
        scale: 'y',
        incrs: INCRS,
        stroke: '#0b6bcb',
        grid: { stroke: '#eef1f4' },
        values: (u, s) => s.map((x) => num(x)),
      },
      {
        scale: 'hrs',
        incrs: INCRS,
        side: 1,
        stroke: '#7b3fa0',
        grid: { show: false },
        values: (u, s) => s.map((x) => num(x)),
      },
    ],
    series: [
      { label: t('wifi.usage.day'), value: (u, x) => (x == null ? '–' : date(x * 1000)) },
      {
        label: t('wifi.usage.peak'),
        scale: 'y',
        stroke: '#0b6bcb',
        width: 1.8,
        points: { size: 4 },
        value: (u, x) => num(x),
      },
      {
        label: t('wifi.usage.hours'),
        scale: 'hrs',
        stroke: '#7b3fa0',
        width: 1.8,
        points: { size: 4 },
        value: (u, x) => num(x, 1),
      },
      {
        label: t('wifi.usage.peak_min'),
        scale: 'y',
        stroke: '#0b6bcb',
        width: 1,
        dash: [5, 4],
        points: { show: false },
        value: (u, x) => num(x, 1),
      },
      {
        label: t('wifi.usage.hours_min'),
        scale: 'hrs',
        stroke: '#7b3fa0',
        width: 1,
        dash: [5, 4],
        points: { show: false },
        value: (u, x) => num(x, 1),
      },
    ],
    hooks: {
      drawClear: [
        (u) => {
          const x0 = Math.max(u.bbox.left, u.valToPos(band[0], 'x', true));
          const x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(band[1], 'x', true));
          if (x1 <= x0) return;
          u.ctx.save();
          u.ctx.fillStyle = '#eef2f6';
          u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          u.ctx.restore();
        },
      ],
    },
  };
  const data = [xs, peak, hours, xs.map(() => c.peak_per_ap_min * n), xs.map(() => c.client_hours_per_ap_min * n)];
  return new uPlot(opts, data, box);
}

export default {
  id: 'wifi',
  title: 'view.wifi',
  allowed: (me) => !!me.permissions['wifi:read'],
  async mount(el, ctx) {
    const { params, setParams, me } = ctx;
    const canCadastre = !!me.permissions['cadastre:read'];
    let verdictFilter = VERDICTS.includes(params.get('verdict')) ? params.get('verdict') : null;
    let selected = params.get('hotspot') || null;
    const [verdicts, hotspots, targets, plan] = await Promise.all([
      api('/api/v1/wifi/verdicts'),
      canCadastre ? api('/api/v1/cadastre/layers/hotspots').catch(() => null) : null,
      canCadastre ? api('/api/v1/cadastre/layers/targets').catch(() => null) : null,
      api('/api/v1/wifi/plan').catch((e) => ({ error: e })),
    ]);
    const crit = verdicts.criteria;
    const hotspotOf = new Map((hotspots?.features || []).map((f) => [f.properties.id, f.properties]));
    const names = new Map();
    for (const f of [...(hotspots?.features || []), ...(targets?.features || [])])
      names.set(f.properties.id, f.properties.name);
    const moveOf = new Map((plan.moves || []).map((m) => [m.hotspot, m]));
    const all = verdicts.hotspots.map((v) => ({ ...v, name: hotspotOf.get(v.id)?.name || '' }));
    const byId = new Map(all.map((v) => [v.id, v]));
    const counts = Object.fromEntries(VERDICTS.map((k) => [k, all.filter((v) => v.verdict === k).length]));

    // Counts and filter.
    const chips = h('div.chips', { id: 'wifi-counts', role: 'group' });
    const drawChips = () =>
      chips.replaceChildren(
        ...[null, ...VERDICTS].map((k) =>
          h(
            'button.chip',
            {
              type: 'button',
              class: k === verdictFilter ? 'chip on' : 'chip',
              dataset: { verdict: k || 'all' },
              'aria-pressed': k === verdictFilter ? 'true' : 'false',
              onclick: () => {
                verdictFilter = k;
                setParams({ verdict: k });
                drawChips();
                drawTable();
              },
            },
            k ? h('i', { style: { background: VERDICT_COLORS[k] } }) : null,
            k ? t(`verdict.${k}`) : t('wifi.all'),
            ' ',
            h('b', {}, num(k ? counts[k] : all.length)),
          ),
        ),
      );

    // The hotspots.
    let search = '';
    const shown = h('p.muted', { id: 'wifi-shown' });
    const tableBox = h('div.scroll.tall');
    const rows = () => {
      const q = search.toLowerCase();
      return all.filter(
        (v) => (!verdictFilter || v.verdict === verdictFilter) && (!q || `${v.id} ${v.name}`.toLowerCase().includes(q)),
      );
    };
    let tbl = null;
    const drawTable = () => {
      const r = rows();
      shown.textContent = t('wifi.shown', { n: num(r.length), total: num(all.length) });
      if (tbl) return tbl.update(r);
      tbl = table(
        [
          {
            key: 'id',
            label: t('wifi.hotspot'),
            fmt: (id, v) => h('span', {}, h('b', {}, id), v.name ? h('small.muted.block', {}, v.name) : null),
          },
          {
            key: 'verdict',
            label: t('wifi.verdict'),
            value: (v) => VERDICTS.indexOf(v.verdict),
            fmt: (_, v) => verdictBadge(v.verdict),
          },
          {
            key: 'reason',
            label: t('wifi.reason'),
            value: (v) => reasonWords(v, crit),
            fmt: (s) => h('span.reason', {}, s),
          },
          { key: 'n_aps', label: t('wifi.aps'), num: true },
          { key: 'p90_peak_per_ap', label: t('wifi.p90'), num: true, fmt: (x) => num(x, 1) },
          { key: 'median_client_hours_per_ap', label: t('wifi.hours'), num: true, fmt: (x) => num(x, 1) },
          {
            key: 'median_availability',
            label: t('wifi.availability'),
            num: true,
            fmt: (x) => (x == null ? '–' : pct(x * 100, 0)),
          },
        ],
        r,
        {
          id: 'wifi-table',
          rowId: (v) => v.id,
          rowClass: (v) => (v.id === selected ? 'sel' : null),
          onRow: (v) => select(v.id, false),
        },
      );
      tableBox.replaceChildren(tbl);
    };
    const filter = h('input', {
      type: 'search',
      id: 'wifi-search',
      placeholder: t('wifi.filter'),
      oninput: (e) => {
        search = e.target.value.trim();
        drawTable();
      },
    });

    // One hotspot's details and daily use.
    const detail = h('section.card.wifi-detail', { id: 'wifi-detail' });
    let chart = null;
    let seq = 0;
    const drawDetail = async () => {
      chart?.destroy();
      chart = null;
      delete window.irisopsUsageChart;
      const v = byId.get(selected);
      if (!v) return detail.replaceChildren(h('p.muted', {}, t('wifi.pick')));
      const hs = hotspotOf.get(v.id);
      const m = moveOf.get(v.id);
      const mine = ++seq;
      const box = h('div.chart', { id: 'wifi-usage-chart' });
      const help = h('p.muted.small', { id: 'wifi-usage-help' });
      const via = m ? Object.entries(m.fibre_via || {})[0] : null;
      detail.replaceChildren(
        h(
          'div.card-head',
          {},
          h('h2', {}, v.id, v.name ? h('span.muted', {}, ` — ${v.name}`) : null),
          verdictBadge(v.verdict),
          canCadastre ? h('a.button.secondary', { href: mapLink(v.id), id: 'wifi-onmap' }, t('wifi.onmap')) : null,
        ),
        h('p.reason-full', { id: 'wifi-reason', dataset: { verdict: v.verdict } }, reasonWords(v, crit)),
        h(
          'table.props',
          {},
          h(
            'tbody',
            {},
            hs ? h('tr', {}, h('th', {}, t('wifi.site')), h('td', {}, hs.site)) : null,
            hs?.owner ? h('tr', {}, h('th', {}, t('wifi.owner')), h('td', {}, hs.owner)) : null,
            h('tr', {}, h('th', {}, t('wifi.ap_list')), h('td', {}, hs?.access_points?.join(', ') || num(v.n_aps))),
            h(
              'tr',
              {},
              h('th', {}, t('wifi.coverage')),
              h(
                'td',
                {},
                t('wifi.coverage.value', {
                  n: v.days_with_data,
                  w: verdicts.window_days,
                  pct: pct(v.data_coverage * 100, 0),
                }),
              ),
            ),
          ),
        ),
        h(
          'p',
          { id: 'wifi-move', class: m ? 'move' : 'muted' },
          m
            ? t('wifi.move', {
                target: names.get(m.to_target) ? `${m.to_target} ${names.get(m.to_target)}` : m.to_target,
                kind: kindWords(m.to_kind),
                distance: metres(m.distance_m),
                fibre: metres(m.fibre_m),
                via: via ? t(`wifi.plan.via.${via[0]}`, { id: via[1] }) : '–',
              })
            : t('wifi.nomove'),
        ),
        h('h3', {}, t('wifi.usage')),
        box,
        help,
      );
      const to = verdicts.until;
      const from = dayStr(dayMs(to) - 89 * 86400e3);
      const u = await api(`/api/v1/wifi/usage${query({ hotspot: v.id, from, to })}`);
      if (mine !== seq) return;
      const days = [...u.days].sort((a, b) => a.date.localeCompare(b.date));
      box.dataset.points = String(days.length);
      if (!days.length) return help.replaceChildren(t('wifi.usage.none'));
      help.textContent = t('wifi.usage.help', { n: num(days.length), aps: num(v.n_aps) });
      chart = usageChart(box, days, v, verdicts);
      window.irisopsUsageChart = chart;
    };
    const select = (id, scroll) => {
      selected = id;
      setParams({ hotspot: id });
      for (const tr of el.querySelectorAll('#wifi-table tbody tr, #wifi-plan-table tbody tr'))
        tr.classList.toggle('sel', tr.dataset.id === id);
      const link = el.querySelector('#wifi-plan-map');
      if (link) link.href = mapLink(id);
      drawDetail();
      if (scroll) detail.scrollIntoView({ block: 'start', behavior: 'smooth' });
    };

    const planEl = plan.error
      ? h('section.card', { id: 'wifi-plan' }, h('h2', {}, t('wifi.plan.title')), h('p.error', {}, plan.error.message))
      : planCard(plan, { names, selected, onHotspot: (id) => select(id, true), canMap: canCadastre });

    el.append(
      h(
        'section.card',
        { id: 'wifi-head' },
        h('div.card-head', {}, chips, filter),
        h(
          'p.muted',
          { id: 'wifi-window' },
          t('wifi.window', {
            days: num(verdicts.window_days),
            from: date(dayMs(verdicts.from)),
            until: date(dayMs(verdicts.until)),
          }),
        ),
      ),
      h('div.wifi-grid', {}, h('section.card', { id: 'wifi-hotspots' }, shown, tableBox), detail),
      planEl,
    );
    drawChips();
    drawTable();
    await drawDetail();
    return () => {
      chart?.destroy();
      delete window.irisopsUsageChart;
    };
  },
};
