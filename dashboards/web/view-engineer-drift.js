// The engineer view's cabling part: the drift between the cadastre and the live network (LLDP
// and optical levels: `GET /api/v1/topology/drift`) and the optical levels themselves
// (`GET /api/v1/optics`), one row per port and lane, the weakest received level first.

import { add, t, num } from './i18n.js';
import { h, table } from './ui.js';
import { ago, badge, natural } from './view-engineer-port.js';

add({
  en: {
    'eng.drift.title': 'Cadastre against the live network',
    'eng.drift.summary':
      '{confirmed} of {n} documented circuits confirmed end to end by LLDP ({devices} devices report LLDP); light loss checked on {checked} directions.',
    'eng.drift.wrong': 'Wrong ports ({n})',
    'eng.drift.missing': 'No live neighbour ({n})',
    'eng.drift.loss': 'Excess light loss ({n})',
    'eng.drift.unknown': 'Undocumented neighbours ({n})',
    'eng.drift.unobserved': 'Not observed: their devices report no LLDP table ({n})',
    'eng.drift.unknown_links': 'Circuits on a link the network does not know ({n})',
    'eng.drift.none': 'None.',
    'eng.drift.circuit': 'Circuit',
    'eng.drift.kind': 'Mismatch',
    'eng.drift.kind.far_port': 'far port',
    'eng.drift.kind.local_port': 'local port',
    'eng.drift.kind.other_device': 'other device',
    'eng.drift.documented': 'Documented',
    'eng.drift.live': 'Live',
    'eng.drift.seen_from': 'Seen from',
    'eng.drift.a_end': 'End A',
    'eng.drift.b_end': 'End B',
    'eng.drift.from': 'From (tx)',
    'eng.drift.to': 'To (rx)',
    'eng.drift.measured': 'Measured',
    'eng.drift.expected': 'Expected',
    'eng.drift.excess': 'Excess',
    'eng.drift.local': 'Local port',
    'eng.drift.remote': 'Remote',
    'eng.drift.known': 'Known device',
    'eng.drift.both': 'Seen both ways',
    'eng.yes': 'yes',
    'eng.no': 'no',
    'eng.optics.title': 'Optical levels',
    'eng.optics.count': '{n} ports and lanes read; rows in red lose more light than their route explains.',
    'eng.optics.filter': 'Filter by device or port',
    'eng.optics.lane': 'Lane',
    'eng.optics.tx': 'Transmitted',
    'eng.optics.rx': 'Received',
    'eng.optics.time': 'Read',
    'eng.optics.no_light': 'no light',
    'eng.device': 'Device',
  },
  fr: {
    'eng.drift.title': 'Cadastre et réseau réel',
    'eng.drift.summary':
      '{confirmed} des {n} circuits documentés confirmés de bout en bout par LLDP ({devices} équipements publient LLDP) ; perte optique vérifiée sur {checked} sens.',
    'eng.drift.wrong': 'Ports erronés ({n})',
    'eng.drift.missing': 'Aucun voisin actif ({n})',
    'eng.drift.loss': 'Perte optique excessive ({n})',
    'eng.drift.unknown': 'Voisins non documentés ({n})',
    'eng.drift.unobserved': 'Non observés : leurs équipements ne publient pas de table LLDP ({n})',
    'eng.drift.unknown_links': 'Circuits sur une liaison inconnue du réseau ({n})',
    'eng.drift.none': 'Aucun.',
    'eng.drift.circuit': 'Circuit',
    'eng.drift.kind': 'Écart',
    'eng.drift.kind.far_port': 'port distant',
    'eng.drift.kind.local_port': 'port local',
    'eng.drift.kind.other_device': 'autre équipement',
    'eng.drift.documented': 'Documenté',
    'eng.drift.live': 'Réel',
    'eng.drift.seen_from': 'Vu depuis',
    'eng.drift.a_end': 'Extrémité A',
    'eng.drift.b_end': 'Extrémité B',
    'eng.drift.from': 'Depuis (émission)',
    'eng.drift.to': 'Vers (réception)',
    'eng.drift.measured': 'Mesurée',
    'eng.drift.expected': 'Attendue',
    'eng.drift.excess': 'Excès',
    'eng.drift.local': 'Port local',
    'eng.drift.remote': 'Distant',
    'eng.drift.known': 'Équipement connu',
    'eng.drift.both': 'Vu des deux côtés',
    'eng.yes': 'oui',
    'eng.no': 'non',
    'eng.optics.title': 'Niveaux optiques',
    'eng.optics.count':
      '{n} ports et voies lus ; les lignes en rouge perdent plus de lumière que leur tracé ne l’explique.',
    'eng.optics.filter': 'Filtrer par équipement ou port',
    'eng.optics.lane': 'Voie',
    'eng.optics.tx': 'Émis',
    'eng.optics.rx': 'Reçu',
    'eng.optics.time': 'Lu',
    'eng.optics.no_light': 'pas de lumière',
    'eng.device': 'Équipement',
  },
  nl: {
    'eng.drift.title': 'Kadaster tegenover het werkelijke netwerk',
    'eng.drift.summary':
      '{confirmed} van de {n} gedocumenteerde circuits van begin tot eind bevestigd door LLDP ({devices} toestellen melden LLDP); lichtverlies gecontroleerd in {checked} richtingen.',
    'eng.drift.wrong': 'Verkeerde poorten ({n})',
    'eng.drift.missing': 'Geen actieve buur ({n})',
    'eng.drift.loss': 'Te groot lichtverlies ({n})',
    'eng.drift.unknown': 'Niet-gedocumenteerde buren ({n})',
    'eng.drift.unobserved': 'Niet waargenomen: hun toestellen melden geen LLDP-tabel ({n})',
    'eng.drift.unknown_links': 'Circuits op een verbinding die het netwerk niet kent ({n})',
    'eng.drift.none': 'Geen.',
    'eng.drift.circuit': 'Circuit',
    'eng.drift.kind': 'Afwijking',
    'eng.drift.kind.far_port': 'verre poort',
    'eng.drift.kind.local_port': 'lokale poort',
    'eng.drift.kind.other_device': 'ander toestel',
    'eng.drift.documented': 'Gedocumenteerd',
    'eng.drift.live': 'Werkelijk',
    'eng.drift.seen_from': 'Gezien vanaf',
    'eng.drift.a_end': 'Uiteinde A',
    'eng.drift.b_end': 'Uiteinde B',
    'eng.drift.from': 'Van (zenden)',
    'eng.drift.to': 'Naar (ontvangen)',
    'eng.drift.measured': 'Gemeten',
    'eng.drift.expected': 'Verwacht',
    'eng.drift.excess': 'Overschot',
    'eng.drift.local': 'Lokale poort',
    'eng.drift.remote': 'Andere kant',
    'eng.drift.known': 'Gekend toestel',
    'eng.drift.both': 'In beide richtingen gezien',
    'eng.yes': 'ja',
    'eng.no': 'nee',
    'eng.optics.title': 'Optische niveaus',
    'eng.optics.count': '{n} poorten en lanes gelezen; rode rijen verliezen meer licht dan hun tracé verklaart.',
    'eng.optics.filter': 'Filteren op toestel of poort',
    'eng.optics.lane': 'Lane',
    'eng.optics.tx': 'Verzonden',
    'eng.optics.rx': 'Ontvangen',
    'eng.optics.time': 'Gelezen',
    'eng.optics.no_light': 'geen licht',
    'eng.device': 'Toestel',
  },
});

const end = (e) => (e ? `${e.device} ${e.port}` : '–');
const db = (v) => (v == null ? '–' : `${num(v, 2)} dB`);
const dbm = (v) => (v == null ? '–' : `${num(v, 2)} dBm`);
/// A level at a present optic's no-light floor (`no_light`): the floor, said to be one.
const dbmOrDark = (v, dark) => (dark ? `${dbm(v)} (${t('eng.optics.no_light')})` : dbm(v));

/// One section of the drift: its title with the count, a table or "none".
function section(id, title, rows, columns, opts = {}) {
  return h(
    'div.drift-part',
    { id },
    h('h3', {}, title),
    rows.length ? h('div.hscroll', {}, table(columns, rows, opts)) : h('p.muted', {}, t('eng.drift.none')),
  );
}

/// The drift card; `onPort(device, port)` when an end is clicked.
export function driftCard(d, onPort) {
  const portLink = (e) =>
    e
      ? h(
          'a.port-link',
          {
            href: '#',
            onclick: (ev) => {
              ev.preventDefault();
              ev.stopPropagation();
              onPort(e.device, e.port);
            },
          },
          end(e),
        )
      : '–';
  const idList = (ids) => (ids.length ? h('p.idlist', {}, ids.join(', ')) : h('p.muted', {}, t('eng.drift.none')));
  return h(
    'section.card',
    { id: 'eng-drift' },
    h('h2', {}, t('eng.drift.title')),
    h(
      'p',
      { id: 'eng-drift-summary' },
      t('eng.drift.summary', {
        confirmed: num(d.confirmed.length),
        n: num(d.n_circuits),
        devices: num(d.n_lldp_devices),
        checked: num(d.loss_checked),
      }),
    ),
    section(
      'eng-drift-wrong',
      t('eng.drift.wrong', { n: d.wrong_port.length }),
      d.wrong_port,
      [
        { key: 'circuit', label: t('eng.drift.circuit') },
        { key: 'kind', label: t('eng.drift.kind'), fmt: (v) => badge(t(`eng.drift.kind.${v}`), 'warn') },
        {
          key: 'documented',
          label: t('eng.drift.documented'),
          value: (r) => end(r.documented),
          fmt: (_, r) => portLink(r.documented),
        },
        { key: 'live', label: t('eng.drift.live'), value: (r) => end(r.live), fmt: (_, r) => portLink(r.live) },
        {
          key: 'seen_from',
          label: t('eng.drift.seen_from'),
          value: (r) => end(r.seen_from),
          fmt: (_, r) => portLink(r.seen_from),
        },
      ],
      { rowId: (r) => r.circuit },
    ),
    section(
      'eng-drift-missing',
      t('eng.drift.missing', { n: d.no_live_neighbour.length }),
      d.no_live_neighbour,
      [
        { key: 'circuit', label: t('eng.drift.circuit') },
        { key: 'a_end', label: t('eng.drift.a_end'), value: (r) => end(r.a_end), fmt: (_, r) => portLink(r.a_end) },
        { key: 'b_end', label: t('eng.drift.b_end'), value: (r) => end(r.b_end), fmt: (_, r) => portLink(r.b_end) },
      ],
      { rowId: (r) => r.circuit },
    ),
    section(
      'eng-drift-loss',
      t('eng.drift.loss', { n: d.loss_excess.length }),
      d.loss_excess,
      [
        { key: 'circuit', label: t('eng.drift.circuit') },
        { key: 'from', label: t('eng.drift.from'), value: (r) => end(r.from), fmt: (_, r) => portLink(r.from) },
        { key: 'to', label: t('eng.drift.to'), value: (r) => end(r.to), fmt: (_, r) => portLink(r.to) },
        { key: 'lane', label: t('eng.optics.lane'), num: true, fmt: (v) => v ?? '–' },
        { key: 'tx_dbm', label: t('eng.optics.tx'), num: true, fmt: dbm },
        { key: 'rx_dbm', label: t('eng.optics.rx'), num: true, fmt: (v, r) => dbmOrDark(v, r.rx_no_light) },
        // A receiver at its floor: the loss is at least this.
        {
          key: 'measured_db',
          label: t('eng.drift.measured'),
          num: true,
          fmt: (v, r) => `${r.rx_no_light ? '≥ ' : ''}${db(v)}`,
        },
        { key: 'expected_db', label: t('eng.drift.expected'), num: true, fmt: db },
        { key: 'excess_db', label: t('eng.drift.excess'), num: true, fmt: (v) => h('b.error', {}, `+${db(v)}`) },
      ],
      { rowId: (r) => r.circuit, sort: 'excess_db', desc: true },
    ),
    section('eng-drift-unknown', t('eng.drift.unknown', { n: d.unknown_neighbours.length }), d.unknown_neighbours, [
      { key: 'local', label: t('eng.drift.local'), value: (r) => end(r.local), fmt: (_, r) => portLink(r.local) },
      { key: 'remote', label: t('eng.drift.remote'), value: (r) => end(r.remote) },
      { key: 'remote_known', label: t('eng.drift.known'), fmt: (v) => (v ? t('eng.yes') : t('eng.no')) },
      { key: 'seen_both_ways', label: t('eng.drift.both'), fmt: (v) => (v ? t('eng.yes') : t('eng.no')) },
    ]),
    h(
      'div.drift-part',
      { id: 'eng-drift-unobserved' },
      h('h3', {}, t('eng.drift.unobserved', { n: d.not_observed.length })),
      idList(d.not_observed),
    ),
    h(
      'div.drift-part',
      { id: 'eng-drift-unknown-links' },
      h('h3', {}, t('eng.drift.unknown_links', { n: d.unknown_links.length })),
      idList(d.unknown_links),
    ),
  );
}

/// The optical levels card: per (device, port, lane) its tx and rx, the weakest rx first;
/// the ends `lossy` (a Set of "device port") drawn in red.
export function opticsCard(optics, lossy, onPort) {
  const byKey = new Map();
  for (const o of optics) {
    const k = `${o.device}\u0000${o.port}\u0000${o.lane ?? ''}`;
    if (!byKey.has(k)) byKey.set(k, { device: o.device, port: o.port, lane: o.lane, tx: null, rx: null, time_ms: 0 });
    const r = byKey.get(k);
    const dir = o.direction === 'tx' ? 'tx' : 'rx';
    r[dir] = o.dbm;
    r[`${dir}_dark`] = o.no_light === true;
    r.time_ms = Math.max(r.time_ms, o.time_ms);
  }
  const rows = [...byKey.values()].sort(
    (a, b) => (a.rx ?? 99) - (b.rx ?? 99) || natural(`${a.device} ${a.port}`, `${b.device} ${b.port}`),
  );
  const now = Date.now();
  const tbl = table(
    [
      { key: 'device', label: t('eng.device') },
      { key: 'port', label: t('eng.port'), value: (r) => r.port },
      { key: 'lane', label: t('eng.optics.lane'), num: true, fmt: (v) => v ?? '–' },
      { key: 'tx', label: t('eng.optics.tx'), num: true, fmt: (v, r) => dbmOrDark(v, r.tx_dark) },
      { key: 'rx', label: t('eng.optics.rx'), num: true, fmt: (v, r) => dbmOrDark(v, r.rx_dark) },
      { key: 'time_ms', label: t('eng.optics.time'), num: true, fmt: (v) => ago(v, now) },
    ],
    rows,
    {
      id: 'eng-optics-table',
      rowId: (r) => `${r.device} ${r.port}${r.lane != null ? ` ${r.lane}` : ''}`,
      rowClass: (r) => (lossy.has(`${r.device} ${r.port}`) ? 'bad' : null),
      onRow: (r) => onPort(r.device, r.port),
    },
  );
  const filter = h('input', {
    type: 'search',
    id: 'eng-optics-filter',
    placeholder: t('eng.optics.filter'),
    oninput: (e) => {
      const q = e.target.value.trim().toLowerCase();
      tbl.update(q ? rows.filter((r) => `${r.device} ${r.port}`.toLowerCase().includes(q)) : rows);
    },
  });
  return h(
    'section.card',
    { id: 'eng-optics' },
    h('div.card-head', {}, h('h2', {}, t('eng.optics.title')), filter),
    h('p.muted', {}, t('eng.optics.count', { n: num(rows.length) })),
    h('div.scroll', {}, tbl),
  );
}
