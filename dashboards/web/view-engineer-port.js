// The engineer view's device part: a device's ports (or a wifi controller's access points), and
// a port's traffic chart (uPlot: in/out, 5-minute averages and maxima, 6 h to 90 d, drag to
// zoom, the range's 95th percentile). Also the helpers the other parts share: utilisation bars,
// status badges, ages.

import { api, query } from './api.js';
import { add, t, current, num, pct, bps, dateTime } from './i18n.js';
import { h, table, UTIL_CLASSES } from './ui.js';

add({
  en: {
    'eng.ports.title': 'Ports of {device}',
    'eng.ports.count': '{n} ports · {up} up · {down} down.',
    'eng.ports.help': 'Click a port for its traffic chart.',
    'eng.ports.unknown': '{device} is not among the devices polled.',
    'eng.chart.noport':
      '{device} reports no port {port}: the cadastre names a port the device does not have (see the drift below).',
    'eng.aps.title': 'Access points of {device}',
    'eng.aps.count': '{n} access points · {up} up · {clients} clients.',
    'eng.port': 'Port',
    'eng.alias': 'Description',
    'eng.speed': 'Speed',
    'eng.in': 'In',
    'eng.out': 'Out',
    'eng.util.in': 'Utilisation in',
    'eng.util.out': 'Utilisation out',
    'eng.oper.up': 'up',
    'eng.oper.down': 'down',
    'eng.oper.admin_down': 'disabled',
    'eng.oper.other': 'state {n}',
    'eng.ap': 'Access point',
    'eng.mac': 'MAC',
    'eng.clients': 'Clients',
    'eng.chart.title': 'Traffic of {device} {port}',
    'eng.chart.pick': 'Pick a port (in the busiest circuits, or a device’s ports) to see its traffic.',
    'eng.chart.in_avg': 'in (average)',
    'eng.chart.in_max': 'in (maximum)',
    'eng.chart.out_avg': 'out (average)',
    'eng.chart.out_max': 'out (maximum)',
    'eng.chart.zoom': 'Drag across the chart to zoom in.',
    'eng.chart.zoomed': 'Zoomed in: {from} – {to}.',
    'eng.chart.reset': 'Back to {range}',
    'eng.chart.empty': 'No measurement of this port in this range.',
    'eng.chart.step': '{n} points, one per {step}.',
    'eng.chart.time': 'Time',
    'eng.chart.p95': '95th percentile over the range: in {in}, out {out} (five-minute samples: {n})',
    'eng.chart.p95none': 'No five-minute sample in this range for a 95th percentile.',
    'eng.range.6h': '6 h',
    'eng.range.24h': '24 h',
    'eng.range.7d': '7 days',
    'eng.range.30d': '30 days',
    'eng.range.90d': '90 days',
    'eng.ago': '{t} ago',
  },
  fr: {
    'eng.ports.title': 'Ports de {device}',
    'eng.ports.count': '{n} ports · {up} actifs · {down} inactifs.',
    'eng.ports.help': 'Cliquez sur un port pour son graphique de trafic.',
    'eng.ports.unknown': '{device} ne fait pas partie des équipements interrogés.',
    'eng.chart.noport':
      '{device} ne signale aucun port {port} : le cadastre cite un port que l’équipement n’a pas (voir les écarts plus bas).',
    'eng.aps.title': 'Points d’accès de {device}',
    'eng.aps.count': '{n} points d’accès · {up} actifs · {clients} clients.',
    'eng.port': 'Port',
    'eng.alias': 'Description',
    'eng.speed': 'Débit nominal',
    'eng.in': 'Entrant',
    'eng.out': 'Sortant',
    'eng.util.in': 'Utilisation entrante',
    'eng.util.out': 'Utilisation sortante',
    'eng.oper.up': 'actif',
    'eng.oper.down': 'inactif',
    'eng.oper.admin_down': 'désactivé',
    'eng.oper.other': 'état {n}',
    'eng.ap': 'Point d’accès',
    'eng.mac': 'MAC',
    'eng.clients': 'Clients',
    'eng.chart.title': 'Trafic de {device} {port}',
    'eng.chart.pick':
      'Choisissez un port (parmi les circuits les plus chargés ou les ports d’un équipement) pour voir son trafic.',
    'eng.chart.in_avg': 'entrant (moyenne)',
    'eng.chart.in_max': 'entrant (maximum)',
    'eng.chart.out_avg': 'sortant (moyenne)',
    'eng.chart.out_max': 'sortant (maximum)',
    'eng.chart.zoom': 'Faites glisser sur le graphique pour zoomer.',
    'eng.chart.zoomed': 'Zoom : {from} – {to}.',
    'eng.chart.reset': 'Revenir à {range}',
    'eng.chart.empty': 'Aucune mesure de ce port sur cette période.',
    'eng.chart.step': '{n} points, un par {step}.',
    'eng.chart.time': 'Heure',
    'eng.chart.p95': '95e percentile sur la période : entrant {in}, sortant {out} (échantillons de cinq minutes : {n})',
    'eng.chart.p95none': 'Aucun échantillon de cinq minutes sur cette période pour un 95e percentile.',
    'eng.range.6h': '6 h',
    'eng.range.24h': '24 h',
    'eng.range.7d': '7 jours',
    'eng.range.30d': '30 jours',
    'eng.range.90d': '90 jours',
    'eng.ago': 'il y a {t}',
  },
  nl: {
    'eng.ports.title': 'Poorten van {device}',
    'eng.ports.count': '{n} poorten · {up} actief · {down} inactief.',
    'eng.ports.help': 'Klik op een poort voor de verkeersgrafiek.',
    'eng.ports.unknown': '{device} hoort niet bij de bevraagde toestellen.',
    'eng.chart.noport':
      '{device} meldt geen poort {port}: het kadaster noemt een poort die het toestel niet heeft (zie de afwijkingen hieronder).',
    'eng.aps.title': 'Toegangspunten van {device}',
    'eng.aps.count': '{n} toegangspunten · {up} actief · {clients} clients.',
    'eng.port': 'Poort',
    'eng.alias': 'Beschrijving',
    'eng.speed': 'Snelheid',
    'eng.in': 'Inkomend',
    'eng.out': 'Uitgaand',
    'eng.util.in': 'Bezetting inkomend',
    'eng.util.out': 'Bezetting uitgaand',
    'eng.oper.up': 'actief',
    'eng.oper.down': 'inactief',
    'eng.oper.admin_down': 'uitgeschakeld',
    'eng.oper.other': 'toestand {n}',
    'eng.ap': 'Toegangspunt',
    'eng.mac': 'MAC',
    'eng.clients': 'Clients',
    'eng.chart.title': 'Verkeer van {device} {port}',
    'eng.chart.pick': 'Kies een poort (bij de drukste circuits of de poorten van een toestel) om het verkeer te zien.',
    'eng.chart.in_avg': 'inkomend (gemiddelde)',
    'eng.chart.in_max': 'inkomend (maximum)',
    'eng.chart.out_avg': 'uitgaand (gemiddelde)',
    'eng.chart.out_max': 'uitgaand (maximum)',
    'eng.chart.zoom': 'Sleep over de grafiek om in te zoomen.',
    'eng.chart.zoomed': 'Ingezoomd: {from} – {to}.',
    'eng.chart.reset': 'Terug naar {range}',
    'eng.chart.empty': 'Geen meting van deze poort in deze periode.',
    'eng.chart.step': '{n} punten, één per {step}.',
    'eng.chart.time': 'Tijd',
    'eng.chart.p95': '95e percentiel over de periode: inkomend {in}, uitgaand {out} (vijfminutenmetingen: {n})',
    'eng.chart.p95none': 'Geen vijfminutenmeting in deze periode voor een 95e percentiel.',
    'eng.range.6h': '6 u',
    'eng.range.24h': '24 u',
    'eng.range.7d': '7 dagen',
    'eng.range.30d': '30 dagen',
    'eng.range.90d': '90 dagen',
    'eng.ago': '{t} geleden',
  },
});

const LOCALES = { fr: 'fr-BE', nl: 'nl-BE', en: 'en-GB' };
const locale = () => LOCALES[current()] || 'en-GB';

/// The chart's ranges, in milliseconds.
export const RANGES = {
  '6h': 6 * 3600e3,
  '24h': 24 * 3600e3,
  '7d': 7 * 86400e3,
  '30d': 30 * 86400e3,
  '90d': 90 * 86400e3,
};

/// Utilisation classes, the map's p95 palette.
export const utilClasses = UTIL_CLASSES;

/// A utilisation in % as a bar and its figure.
export function ubar(v) {
  const w = v == null ? 0 : Math.max(0, Math.min(100, v));
  return h(
    'span.ubar',
    { dataset: { value: v == null ? '' : String(v) } },
    h('span.ubar-track', {}, h('i', { style: { width: `${w}%`, background: utilClasses.color(v) } })),
    h('span.ubar-val', {}, pct(v)),
  );
}

/// A status badge: `kind` is ok, bad, warn or off.
export function badge(text, kind) {
  return h(`span.badge.${kind}`, {}, text);
}

/// A duration in words, in the chosen language ("12 s", "3 min", "2 h", "4 days").
export function duration(ms) {
  const s = Math.max(0, ms / 1000);
  const [value, unit] =
    s < 90 ? [s, 'second'] : s < 5400 ? [s / 60, 'minute'] : s < 172800 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  return new Intl.NumberFormat(locale(), {
    style: 'unit',
    unit,
    unitDisplay: 'narrow',
    maximumFractionDigits: 0,
  }).format(Math.round(value));
}

export function ago(ms, now = Date.now()) {
  return ms == null ? '–' : t('eng.ago', { t: duration(now - ms) });
}

/// Ports sorted as people count them (xe-0/0/2 before xe-0/0/10).
export const natural = (a, b) => String(a).localeCompare(String(b), undefined, { numeric: true });

function operBadge(p) {
  if (p.admin_status === 2) return badge(t('eng.oper.admin_down'), 'off');
  if (p.oper_status === 1) return badge(t('eng.oper.up'), 'ok');
  if (p.oper_status === 2) return badge(t('eng.oper.down'), 'bad');
  return badge(t('eng.oper.other', { n: p.oper_status ?? '?' }), 'warn');
}

/// The ports of a device (or the access points of a wifi controller) as a card; `onPort(key)`
/// when a port is clicked.
export async function portsCard(device, controller, selected, onPort) {
  if (controller) {
    const aps = [...controller.aps].sort((a, b) =>
      a.status === b.status ? natural(a.name, b.name) : a.status === 'up' ? 1 : -1,
    );
    const card = h(
      'section.card',
      { id: 'eng-ports', dataset: { device } },
      h('h2', {}, t('eng.aps.title', { device })),
      h(
        'p.muted',
        { id: 'eng-aps-count' },
        t('eng.aps.count', {
          n: num(controller.aps_total),
          up: num(controller.aps_up),
          clients: num(controller.clients_total),
        }),
      ),
      h(
        'div.scroll',
        {},
        table(
          [
            { key: 'name', label: t('eng.ap') },
            { key: 'mac', label: t('eng.mac'), fmt: (v) => h('code', {}, v) },
            {
              key: 'status',
              label: t('common.status'),
              fmt: (v) =>
                badge(v === 'up' ? t('eng.oper.up') : v === 'down' ? t('eng.oper.down') : v, v === 'up' ? 'ok' : 'bad'),
            },
            { key: 'clients', label: t('eng.clients'), num: true, fmt: (v) => num(v) },
          ],
          aps,
          { id: 'eng-aps-table', rowId: (a) => a.name, rowClass: (a) => (a.status === 'up' ? null : 'bad') },
        ),
      ),
    );
    card.keys = new Set();
    return card;
  }
  const r = await api(`/api/v1/devices/${encodeURIComponent(device)}/ports`);
  const ports = [...r.ports].sort((a, b) => natural(a.key, b.key));
  const up = ports.filter((p) => p.oper_status === 1).length;
  const tbl = table(
    [
      { key: 'key', label: t('eng.port') },
      { key: 'alias', label: t('eng.alias'), fmt: (v) => h('span.muted', {}, v || '') },
      { key: 'speed_bps', label: t('eng.speed'), num: true, fmt: (v) => bps(v) },
      { key: 'oper_status', label: t('common.status'), fmt: (_, p) => operBadge(p) },
      { key: 'in_bps', label: t('eng.in'), num: true, fmt: (v) => bps(v) },
      { key: 'out_bps', label: t('eng.out'), num: true, fmt: (v) => bps(v) },
      { key: 'utilisation_in', label: t('eng.util.in'), num: true, fmt: (v) => ubar(v) },
      { key: 'utilisation_out', label: t('eng.util.out'), num: true, fmt: (v) => ubar(v) },
    ],
    ports,
    {
      id: 'eng-ports-table',
      rowId: (p) => p.key,
      rowClass: (p) =>
        [p.key === selected ? 'sel' : '', p.admin_status !== 2 && p.oper_status === 2 ? 'bad' : ''].join(' ').trim() ||
        null,
      onRow: (p, tr) => {
        for (const x of tr.parentNode.querySelectorAll('tr.sel')) x.classList.remove('sel');
        tr.classList.add('sel');
        onPort(p.key);
      },
    },
  );
  const card = h(
    'section.card',
    { id: 'eng-ports', dataset: { device } },
    h('h2', {}, t('eng.ports.title', { device })),
    h(
      'p.muted',
      {},
      t('eng.ports.count', { n: num(ports.length), up: num(up), down: num(ports.length - up) }),
      ' ',
      t('eng.ports.help'),
    ),
    h('div.scroll', {}, tbl),
  );
  card.keys = new Set(ports.map((p) => p.key));
  return card;
}

/// Axis labels of a time scale in the chosen language: seconds when the ticks are under a
/// minute apart, hours and minutes within two days, else dates.
function timeAxis(span) {
  const f = (opts) => new Intl.DateTimeFormat(locale(), opts);
  const secs = f({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const mins = f({ hour: '2-digit', minute: '2-digit' });
  const days = f({ day: 'numeric', month: 'short' });
  return (u, splits) => {
    const inc = splits.length > 1 ? splits[1] - splits[0] : span;
    const fmt = inc < 60 ? secs : span <= 2 * 86400 ? mins : days;
    return splits.map((s) => fmt.format(new Date(s * 1000)));
  };
}

/// The uPlot data of a series answer: seconds, then in/out avg/max; a missing stretch (more
/// than 2.5 steps between points) is drawn as a gap (a null), never as a line across.
export function chartData(series) {
  const pts = series.points;
  const dts = pts
    .slice(1)
    .map((p, i) => p.time_ms - pts[i].time_ms)
    .sort((a, b) => a - b);
  const typical = Math.max(series.step_ms || 0, dts.length ? dts[Math.floor(dts.length / 2)] : 0);
  const cols = [[], [], [], [], []];
  let gaps = 0;
  pts.forEach((p, i) => {
    if (i > 0 && p.time_ms - pts[i - 1].time_ms > 2.5 * typical) {
      cols[0].push((pts[i - 1].time_ms + p.time_ms) / 2000);
      for (let c = 1; c < 5; c++) cols[c].push(null);
      gaps++;
    }
    cols[0].push(p.time_ms / 1000);
    cols[1].push(p.in_bps_avg);
    cols[2].push(p.in_bps_max);
    cols[3].push(p.out_bps_avg);
    cols[4].push(p.out_bps_max);
  });
  return { data: cols, gaps };
}

/// The chart card of one port: `state` {device, port, range}; `onRange(range)` when the user
/// picks a range or zooms (a range is a RANGES key or "fromMs-toMs").
export function chartCard(state, onRange) {
  const { device, port } = state;
  let range = state.range;
  let lastPreset = RANGES[range] ? range : '24h';
  let plot = null;
  let resize = null;
  const box = h('div.chart.port-chart', { id: 'eng-chart-plot' });
  const info = h('p.muted', { id: 'eng-chart-info' });
  const p95 = h('p', { id: 'eng-chart-p95' });
  const buttons = h('div.seg', { id: 'eng-ranges', role: 'group' });
  const card = h(
    'section.card',
    { id: 'eng-chart', dataset: { device, port } },
    h('div.card-head', {}, h('h2', {}, t('eng.chart.title', { device, port })), buttons),
    box,
    info,
    p95,
  );
  const drawButtons = () => {
    const zoomed = !RANGES[range];
    buttons.replaceChildren(
      ...Object.keys(RANGES).map((k) =>
        h(
          'button.secondary',
          {
            type: 'button',
            class: k === range ? 'secondary on' : 'secondary',
            dataset: { range: k },
            'aria-pressed': k === range ? 'true' : 'false',
            onclick: () => go(k),
          },
          t(`eng.range.${k}`),
        ),
      ),
      ...(zoomed
        ? [
            h(
              'button.secondary',
              { type: 'button', id: 'eng-zoom-reset', onclick: () => go(lastPreset) },
              t('eng.chart.reset', { range: t(`eng.range.${lastPreset}`) }),
            ),
          ]
        : []),
    );
  };
  const bounds = () => {
    const m = /^(\d+)-(\d+)$/.exec(range || '');
    if (m && +m[2] > +m[1]) return [+m[1], +m[2]];
    const to = Date.now();
    return [to - (RANGES[range] || RANGES['24h']), to];
  };
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    const [from, to] = bounds();
    const path = `/api/v1/ports/${encodeURIComponent(device)}/${encodeURIComponent(port)}`;
    const [s, q] = await Promise.all([
      api(`${path}/series${query({ from, to })}`),
      api(`${path}/p95${query({ from, to })}`).catch(() => null),
    ]);
    if (mine !== seq) return;
    const { data, gaps } = chartData(s);
    box.dataset.points = String(s.points.length);
    box.dataset.from = String(s.from);
    box.dataset.to = String(s.to);
    info.replaceChildren(
      s.points.length
        ? t('eng.chart.step', { n: num(s.points.length), step: duration(s.step_ms) })
        : t('eng.chart.empty'),
      ' ',
      RANGES[range] ? t('eng.chart.zoom') : t('eng.chart.zoomed', { from: dateTime(from), to: dateTime(to) }),
    );
    p95.textContent =
      q && q.n_samples
        ? t('eng.chart.p95', { in: bps(q.in_bps), out: bps(q.out_bps), n: num(q.n_samples) })
        : t('eng.chart.p95none');
    const width = Math.max(300, box.clientWidth || card.clientWidth - 28);
    if (plot) plot.destroy();
    plot = new uPlot(
      {
        width,
        height: 300,
        scales: {
          x: { time: true, range: () => [from / 1000, to / 1000] },
          y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] },
        },
        axes: [
          { values: timeAxis((to - from) / 1000), stroke: '#50606e', grid: { stroke: '#eef1f4' } },
          {
            values: (u, splits) => splits.map((v) => bps(v)),
            size: 84,
            stroke: '#50606e',
            grid: { stroke: '#eef1f4' },
          },
        ],
        series: [
          { label: t('eng.chart.time'), value: (u, v) => (v == null ? '–' : dateTime(v * 1000)) },
          { label: t('eng.chart.in_avg'), stroke: '#0b6bcb', width: 1.6, fill: '#0b6bcb14', value: (u, v) => bps(v) },
          { label: t('eng.chart.in_max'), stroke: '#0b6bcb', width: 1, dash: [4, 3], value: (u, v) => bps(v) },
          { label: t('eng.chart.out_avg'), stroke: '#d9730d', width: 1.6, value: (u, v) => bps(v) },
          { label: t('eng.chart.out_max'), stroke: '#d9730d', width: 1, dash: [4, 3], value: (u, v) => bps(v) },
        ],
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 4) return;
              const a = Math.round(u.posToVal(u.select.left, 'x') * 1000);
              const b = Math.round(u.posToVal(u.select.left + u.select.width, 'x') * 1000);
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (b - a >= 60000) go(`${a}-${b}`);
            },
          ],
        },
      },
      data,
      box,
    );
    plot.irisopsGaps = gaps;
    window.irisopsPortChart = plot;
  };
  const go = (r) => {
    range = r;
    if (RANGES[r]) lastPreset = r;
    onRange(r);
    drawButtons();
    load();
  };
  drawButtons();
  resize = new ResizeObserver(() => {
    if (plot && box.clientWidth && Math.abs(plot.width - box.clientWidth) > 4)
      plot.setSize({ width: box.clientWidth, height: 300 });
  });
  resize.observe(box);
  card.ready = load();
  card.destroy = () => {
    resize.disconnect();
    plot?.destroy();
    if (window.irisopsPortChart === plot) delete window.irisopsPortChart;
  };
  return card;
}
