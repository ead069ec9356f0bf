// The engineer view: the busiest circuits (now or by their 30-day p95), the devices' health
// (failures first; a wifi controller shows its access points and clients), a device's ports and
// a port's traffic chart, the drift between the cadastre and the live network, and the optical
// levels. The URL holds the selection: `sort`, `top`, `dev`, `port`, `range`. Devices and
// circuits refresh every 30 s.

import { api, query } from './api.js';
import { add, t, num, pct, bps, dateTime } from './i18n.js';
import { alertsCard } from './view-engineer-alerts.js';
import { h, table, legend } from './ui.js';
import { ubar, badge, ago, utilClasses, portsCard, chartCard, RANGES } from './view-engineer-port.js';
import { driftCard, opticsCard } from './view-engineer-drift.js';

add({
  en: {
    'view.engineer': 'Network',
    'eng.kpi.devices': 'Devices',
    'eng.kpi.devices.sub': '{ok} polled · {bad} failing',
    'eng.kpi.measured': 'Circuits measured',
    'eng.kpi.measured.sub': 'of {n} in the cadastre',
    'eng.kpi.busiest': 'Busiest circuit',
    'eng.kpi.drift': 'Cabling to check',
    'eng.kpi.drift.sub': '{wrong} wrong ports · {missing} silent · {loss} lossy',
    'eng.kpi.wifi': 'Access points up',
    'eng.kpi.wifi.sub': '{clients} clients now',
    'eng.links.title': 'Busiest circuits',
    'eng.links.sort': 'Sort by',
    'eng.links.sort.now': 'now',
    'eng.links.sort.p95': 'p95 ({days} days)',
    'eng.links.top': 'Show',
    'eng.links.footer':
      '{measured} of {n} circuits measured (the busier direction of the port at an end; p95 of the 5-minute averages over {days} days). Click a circuit for its port’s traffic.',
    'eng.links.none':
      'No circuit measured yet: the figures appear once the collector has rolled up its first five minutes.',
    'eng.links.circuit': 'Circuit',
    'eng.links.ends': 'Ends',
    'eng.links.port': 'Measured at',
    'eng.links.now': 'Now',
    'eng.links.p95': 'p95',
    'eng.links.rate': 'Rate',
    'eng.dev.title': 'Device health',
    'eng.dev.summary': '{n} devices · {bad} failing · {stale} not polled for over 5 minutes',
    'eng.dev.name': 'Device',
    'eng.dev.last': 'Last poll',
    'eng.dev.error': 'Error',
    'eng.dev.ports': 'Ports',
    'eng.dev.aps': '{n} APs ({up} up) · {clients} clients',
    'eng.dev.descr': 'System',
    'eng.dev.help': 'Click a device for its ports.',
    'eng.status.ok': 'ok',
    'eng.status.stale': 'stale',
    'eng.failed': 'Could not load: {error}',
    'eng.updated': 'Updated {time}',
  },
  fr: {
    'view.engineer': 'Réseau',
    'eng.kpi.devices': 'Équipements',
    'eng.kpi.devices.sub': '{ok} interrogés · {bad} en échec',
    'eng.kpi.measured': 'Circuits mesurés',
    'eng.kpi.measured.sub': 'sur {n} au cadastre',
    'eng.kpi.busiest': 'Circuit le plus chargé',
    'eng.kpi.drift': 'Câblage à vérifier',
    'eng.kpi.drift.sub': '{wrong} ports erronés · {missing} muets · {loss} avec pertes',
    'eng.kpi.wifi': 'Points d’accès actifs',
    'eng.kpi.wifi.sub': '{clients} clients actuellement',
    'eng.links.title': 'Circuits les plus chargés',
    'eng.links.sort': 'Trier par',
    'eng.links.sort.now': 'maintenant',
    'eng.links.sort.p95': 'p95 ({days} jours)',
    'eng.links.top': 'Afficher',
    'eng.links.footer':
      '{measured} des {n} circuits mesurés (le sens le plus chargé du port à une extrémité ; p95 des moyennes sur 5 minutes sur {days} jours). Cliquez sur un circuit pour le trafic de son port.',
    'eng.links.none':
      'Aucun circuit mesuré pour l’instant : les chiffres apparaissent dès que le collecteur a agrégé ses cinq premières minutes.',
    'eng.links.circuit': 'Circuit',
    'eng.links.ends': 'Extrémités',
    'eng.links.port': 'Mesuré sur',
    'eng.links.now': 'Maintenant',
    'eng.links.p95': 'p95',
    'eng.links.rate': 'Débit',
    'eng.dev.title': 'État des équipements',
    'eng.dev.summary': '{n} équipements · {bad} en échec · {stale} non interrogés depuis plus de 5 minutes',
    'eng.dev.name': 'Équipement',
    'eng.dev.last': 'Dernière interrogation',
    'eng.dev.error': 'Erreur',
    'eng.dev.ports': 'Ports',
    'eng.dev.aps': '{n} PA ({up} actifs) · {clients} clients',
    'eng.dev.descr': 'Système',
    'eng.dev.help': 'Cliquez sur un équipement pour ses ports.',
    'eng.status.ok': 'ok',
    'eng.status.stale': 'en retard',
    'eng.failed': 'Chargement impossible : {error}',
    'eng.updated': 'Mis à jour à {time}',
  },
  nl: {
    'view.engineer': 'Netwerk',
    'eng.kpi.devices': 'Toestellen',
    'eng.kpi.devices.sub': '{ok} bevraagd · {bad} in storing',
    'eng.kpi.measured': 'Gemeten circuits',
    'eng.kpi.measured.sub': 'van de {n} in het kadaster',
    'eng.kpi.busiest': 'Drukste circuit',
    'eng.kpi.drift': 'Te controleren bekabeling',
    'eng.kpi.drift.sub': '{wrong} verkeerde poorten · {missing} stil · {loss} met verlies',
    'eng.kpi.wifi': 'Actieve toegangspunten',
    'eng.kpi.wifi.sub': '{clients} clients nu',
    'eng.links.title': 'Drukste circuits',
    'eng.links.sort': 'Sorteren op',
    'eng.links.sort.now': 'nu',
    'eng.links.sort.p95': 'p95 ({days} dagen)',
    'eng.links.top': 'Tonen',
    'eng.links.footer':
      '{measured} van de {n} circuits gemeten (de drukste richting van de poort aan een uiteinde; p95 van de vijfminutengemiddelden over {days} dagen). Klik op een circuit voor het verkeer van zijn poort.',
    'eng.links.none':
      'Nog geen circuit gemeten: de cijfers verschijnen zodra de collector zijn eerste vijf minuten heeft samengevat.',
    'eng.links.circuit': 'Circuit',
    'eng.links.ends': 'Uiteinden',
    'eng.links.port': 'Gemeten op',
    'eng.links.now': 'Nu',
    'eng.links.p95': 'p95',
    'eng.links.rate': 'Debiet',
    'eng.dev.title': 'Toestand van de toestellen',
    'eng.dev.summary': '{n} toestellen · {bad} in storing · {stale} al meer dan 5 minuten niet bevraagd',
    'eng.dev.name': 'Toestel',
    'eng.dev.last': 'Laatste bevraging',
    'eng.dev.error': 'Fout',
    'eng.dev.ports': 'Poorten',
    'eng.dev.aps': '{n} TP ({up} actief) · {clients} clients',
    'eng.dev.descr': 'Systeem',
    'eng.dev.help': 'Klik op een toestel voor zijn poorten.',
    'eng.status.ok': 'ok',
    'eng.status.stale': 'achterstand',
    'eng.failed': 'Kon niet laden: {error}',
    'eng.updated': 'Bijgewerkt om {time}',
  },
});

const TOPS = [10, 20, 50, 100];
const STALE_MS = 5 * 60e3;
const REFRESH_MS = 30e3;

const kpi = (id, label, value, sub) =>
  h('div.kpi', { id }, h('span.muted', {}, label), h('b', {}, value), h('small.muted', {}, sub));
const failedBox = (e) => h('p.error', {}, t('eng.failed', { error: e.message }));

export default {
  id: 'engineer',
  title: 'view.engineer',
  allowed: (me) => !!me.permissions['monitoring:read'],
  async mount(el, ctx) {
    const { params, setParams } = ctx;
    const state = {
      sort: params.get('sort') === 'p95' ? 'p95' : 'now',
      top: TOPS.includes(+params.get('top')) ? +params.get('top') : 20,
      dev: params.get('dev') || null,
      port: params.get('port') || null,
      range: params.get('range') || '24h',
    };
    if (!RANGES[state.range] && !/^\d+-\d+$/.test(state.range)) state.range = '24h';
    const safe = (p) => p.catch((e) => ({ error: e }));
    const [devices, wifi, links, drift, optics] = await Promise.all([
      safe(api('/api/v1/devices')),
      safe(api('/api/v1/wifi')),
      safe(api(`/api/v1/links${query({ sort: state.sort, top: state.top })}`)),
      safe(api('/api/v1/topology/drift')),
      safe(api('/api/v1/optics')),
    ]);
    let devs = devices.devices || [];
    let ctrls = wifi.controllers || [];
    let linkAnswer = links;

    // Key figures.
    const kpis = h('div.kpis', { id: 'eng-kpis' });
    const drawKpis = () => {
      const bad = devs.filter((d) => d.status !== 'ok').length;
      const top = linkAnswer.links?.[0];
      const aps = ctrls.reduce((s, c) => s + c.aps_total, 0);
      kpis.replaceChildren(
        ...[
          kpi(
            'kpi-devices',
            t('eng.kpi.devices'),
            num(devs.length),
            t('eng.kpi.devices.sub', { ok: num(devs.length - bad), bad: num(bad) }),
          ),
          linkAnswer.links
            ? kpi(
                'kpi-measured',
                t('eng.kpi.measured'),
                num(linkAnswer.n_measured),
                t('eng.kpi.measured.sub', { n: num(linkAnswer.n_circuits) }),
              )
            : null,
          top
            ? kpi(
                'kpi-busiest',
                t('eng.kpi.busiest'),
                pct(state.sort === 'now' ? top.utilisation_now : top.utilisation_p95),
                `${top.allocation} · ${top.device} ${top.port}`,
              )
            : null,
          drift.error
            ? null
            : kpi(
                'kpi-drift',
                t('eng.kpi.drift'),
                num(drift.wrong_port.length + drift.no_live_neighbour.length + drift.loss_excess.length),
                t('eng.kpi.drift.sub', {
                  wrong: drift.wrong_port.length,
                  missing: drift.no_live_neighbour.length,
                  loss: drift.loss_excess.length,
                }),
              ),
          aps
            ? kpi(
                'kpi-wifi',
                t('eng.kpi.wifi'),
                `${num(ctrls.reduce((s, c) => s + c.aps_up, 0))} / ${num(aps)}`,
                t('eng.kpi.wifi.sub', { clients: num(ctrls.reduce((s, c) => s + c.clients_total, 0)) }),
              )
            : null,
        ].filter(Boolean),
      );
    };

    // The busiest circuits.
    const linksBody = h('div', { id: 'eng-links-body' });
    const days = () => linkAnswer.window_days ?? 30;
    const sortButtons = h('div.seg', { role: 'group', id: 'eng-links-sort' });
    const drawSortButtons = () =>
      sortButtons.replaceChildren(
        ...['now', 'p95'].map((s) =>
          h(
            'button',
            {
              type: 'button',
              class: s === state.sort ? 'secondary on' : 'secondary',
              dataset: { sort: s },
              'aria-pressed': s === state.sort ? 'true' : 'false',
              onclick: () => {
                state.sort = s;
                setParams({ sort: s });
                drawSortButtons();
                reloadLinks();
              },
            },
            t(`eng.links.sort.${s}`, { days: days() }),
          ),
        ),
      );
    const topSelect = h(
      'select',
      {
        id: 'eng-links-top',
        onchange: (e) => {
          state.top = +e.target.value;
          setParams({ top: state.top });
          reloadLinks();
        },
      },
      TOPS.map((n) => h('option', { value: n, selected: n === state.top }, num(n))),
    );
    const drawLinks = () => {
      if (linkAnswer.error) return linksBody.replaceChildren(failedBox(linkAnswer.error));
      const rows = linkAnswer.links.map((l, i) => ({ ...l, rank: i + 1 }));
      const rateKey = state.sort === 'now' ? 'now_bps' : 'p95_bps';
      linksBody.replaceChildren(
        rows.length
          ? h(
              'div.scroll',
              {},
              table(
                [
                  { key: 'rank', label: '#', num: true },
                  {
                    key: 'allocation',
                    label: t('eng.links.circuit'),
                    fmt: (v, l) =>
                      h('span', { title: l.party || '' }, h('b', {}, v), h('small.muted.block', {}, l.party || '')),
                  },
                  {
                    key: 'ends',
                    label: t('eng.links.ends'),
                    value: (l) => `${l.from_site ?? '?'} – ${l.to_site ?? '?'}`,
                  },
                  { key: 'port', label: t('eng.links.port'), value: (l) => `${l.device} ${l.port}` },
                  { key: 'speed_bps', label: t('eng.speed'), num: true, fmt: (v) => bps(v) },
                  { key: 'utilisation_now', label: t('eng.links.now'), num: true, fmt: (v) => ubar(v) },
                  { key: 'utilisation_p95', label: t('eng.links.p95'), num: true, fmt: (v) => ubar(v) },
                  { key: rateKey, label: t('eng.links.rate'), num: true, fmt: (v) => bps(v) },
                ],
                rows,
                {
                  id: 'eng-links-table',
                  rowId: (l) => l.allocation,
                  rowClass: (l) => (l.device === state.dev && l.port === state.port ? 'sel' : null),
                  onRow: (l) => selectPort(l.device, l.port, true),
                },
              ),
            )
          : h('p.muted', { id: 'eng-links-none' }, t('eng.links.none')),
        h(
          'p.muted.small',
          { id: 'eng-links-footer' },
          t('eng.links.footer', { measured: num(linkAnswer.n_measured), n: num(linkAnswer.n_circuits), days: days() }),
        ),
        legend(utilClasses.items),
      );
      drawKpis();
    };
    let linkSeq = 0;
    const reloadLinks = async () => {
      const mine = ++linkSeq;
      const r = await safe(api(`/api/v1/links${query({ sort: state.sort, top: state.top })}`));
      if (mine !== linkSeq) return;
      linkAnswer = r;
      drawLinks();
    };
    const linksCard = h(
      'section.card',
      { id: 'eng-links' },
      h(
        'div.card-head',
        {},
        h('h2', {}, t('eng.links.title')),
        h('span.muted', {}, t('eng.links.sort')),
        sortButtons,
        h('label', {}, `${t('eng.links.top')} `, topSelect),
      ),
      linksBody,
    );

    // Device health.
    const devBody = h('div', { id: 'eng-devices-body' });
    const devSummary = h('p.muted', { id: 'eng-devices-summary' });
    const updated = h('span.muted.small', { id: 'eng-updated' });
    const ctrlOf = (name) => ctrls.find((c) => c.device === name);
    const rank = (d, now) => (d.status !== 'ok' ? 0 : now - (d.last_poll_ms ?? 0) > STALE_MS ? 1 : 2);
    let devTable = null;
    const devRows = () => {
      const now = Date.now();
      return [...devs].sort(
        (a, b) => rank(a, now) - rank(b, now) || a.name.localeCompare(b.name, undefined, { numeric: true }),
      );
    };
    const drawDevices = () => {
      if (devices.error) return devBody.replaceChildren(failedBox(devices.error));
      const now = Date.now();
      const bad = devs.filter((d) => d.status !== 'ok').length;
      const stale = devs.filter((d) => d.status === 'ok' && now - (d.last_poll_ms ?? 0) > STALE_MS).length;
      devSummary.textContent = `${t('eng.dev.summary', { n: num(devs.length), bad: num(bad), stale: num(stale) })}. ${t('eng.dev.help')}`;
      updated.textContent = t('eng.updated', { time: dateTime(now) });
      if (devTable) return devTable.update(devRows());
      devTable = table(
        [
          { key: 'name', label: t('eng.dev.name') },
          {
            key: 'status',
            label: t('common.status'),
            value: (d) => `${rank(d, Date.now())} ${d.status}`,
            fmt: (_, d) =>
              d.status !== 'ok'
                ? badge(d.status, 'bad')
                : Date.now() - (d.last_poll_ms ?? 0) > STALE_MS
                  ? badge(t('eng.status.stale'), 'warn')
                  : badge(t('eng.status.ok'), 'ok'),
          },
          {
            key: 'last_poll_ms',
            label: t('eng.dev.last'),
            num: true,
            fmt: (v) => h('span', { title: dateTime(v) }, ago(v)),
          },
          { key: 'error', label: t('eng.dev.error'), fmt: (v) => (v ? h('span.error', {}, v) : '') },
          {
            key: 'n_ports',
            label: t('eng.dev.ports'),
            num: true,
            value: (d) => ctrlOf(d.name)?.aps_total ?? d.n_ports,
            fmt: (v, d) => {
              const c = ctrlOf(d.name);
              return c
                ? t('eng.dev.aps', { n: num(c.aps_total), up: num(c.aps_up), clients: num(c.clients_total) })
                : num(v);
            },
          },
          {
            key: 'sys_descr',
            label: t('eng.dev.descr'),
            fmt: (v) => h('span.muted.clip', { title: v || '' }, v || ''),
          },
        ],
        devRows(),
        {
          id: 'eng-devices-table',
          rowId: (d) => d.name,
          rowClass: (d) => [d.status !== 'ok' ? 'bad' : '', d.name === state.dev ? 'sel' : ''].join(' ').trim() || null,
          onRow: (d) => selectDevice(d.name, true),
        },
      );
      devBody.replaceChildren(h('div.scroll', {}, devTable));
    };
    const devCard = h(
      'section.card',
      { id: 'eng-devices' },
      h('div.card-head', {}, h('h2', {}, t('eng.dev.title')), updated),
      devSummary,
      devBody,
    );

    // A device's ports and a port's chart.
    const portArea = h('div.port-area', { id: 'eng-port-area' });
    let chart = null;
    let portsEl = null;
    const markSel = (tableId, id) => {
      for (const tr of el.querySelectorAll(`#${tableId} tbody tr`)) tr.classList.toggle('sel', tr.dataset.id === id);
    };
    const drawChart = (scroll) => {
      chart?.destroy();
      chart = null;
      portArea.querySelector('#eng-chart')?.remove();
      if (!state.dev || !state.port) {
        if (!state.dev) portArea.append(h('p.card.muted', { id: 'eng-chart' }, t('eng.chart.pick')));
        return;
      }
      if (portsEl?.dataset.device === state.dev && portsEl.keys && !portsEl.keys.has(state.port)) {
        const missing = h(
          'p.card.error',
          { id: 'eng-chart', dataset: { device: state.dev, port: state.port, missing: '' } },
          t('eng.chart.noport', { device: state.dev, port: state.port }),
        );
        portArea.prepend(missing);
        if (scroll) missing.scrollIntoView({ block: 'start', behavior: 'smooth' });
        return;
      }
      chart = chartCard({ device: state.dev, port: state.port, range: state.range }, (r) => {
        state.range = r;
        setParams({ range: r });
      });
      portArea.prepend(chart);
      if (scroll) chart.scrollIntoView({ block: 'start', behavior: 'smooth' });
      chart.ready.catch((e) => chart?.append(failedBox(e)));
    };
    const drawPorts = async () => {
      if (!state.dev) return portsEl?.remove();
      const dev = state.dev;
      let card;
      try {
        if (!devs.some((d) => d.name === dev)) throw new Error(t('eng.ports.unknown', { device: dev }));
        card = await portsCard(dev, ctrlOf(dev), state.port, (key) => selectPort(dev, key, true));
      } catch (e) {
        card = h(
          'section.card',
          { id: 'eng-ports', dataset: { device: dev } },
          h('h2', {}, t('eng.ports.title', { device: dev })),
          failedBox(e),
        );
        card.keys = new Set();
      }
      if (dev !== state.dev) return;
      portsEl?.remove();
      portsEl = card;
      portArea.append(card);
    };
    const selectDevice = (name, scroll) => {
      state.dev = name;
      state.port = null;
      setParams({ dev: name, port: null, range: null });
      state.range = '24h';
      markSel('eng-devices-table', name);
      drawChart(false);
      drawPorts().then(() => scroll && portsEl?.scrollIntoView({ block: 'start', behavior: 'smooth' }));
    };
    const selectPort = async (dev, port, scroll) => {
      const newDev = dev !== state.dev;
      state.dev = dev;
      state.port = port;
      setParams({ dev, port, range: state.range });
      markSel('eng-devices-table', dev);
      markSel(
        'eng-links-table',
        [...(linkAnswer.links || [])].find((l) => l.device === dev && l.port === port)?.allocation,
      );
      if (newDev) await drawPorts();
      else markSel('eng-ports-table', port);
      if (dev === state.dev && port === state.port) drawChart(scroll);
    };

    // Cabling.
    const lossy = new Set();
    for (const x of drift.loss_excess || []) for (const e of [x.from, x.to]) lossy.add(`${e.device} ${e.port}`);
    const driftEl = drift.error
      ? h('section.card', { id: 'eng-drift' }, h('h2', {}, t('eng.drift.title')), failedBox(drift.error))
      : driftCard(drift, (d, p) => selectPort(d, p, true));
    const opticsEl = optics.error
      ? h('section.card', { id: 'eng-optics' }, h('h2', {}, t('eng.optics.title')), failedBox(optics.error))
      : opticsCard(optics.optics, lossy, (d, p) => selectPort(d, p, true));

    // The alerts, firing first, above everything else.
    const alerts = alertsCard(ctx.me, (d, p) => selectPort(d, p, true));
    el.append(
      kpis,
      alerts.el,
      h('div.eng-grid', {}, linksCard, devCard),
      portArea,
      h('div.eng-grid', {}, driftEl, opticsEl),
    );
    await alerts.refresh();
    setParams({ sort: state.sort, top: state.top });
    drawSortButtons();
    drawLinks();
    drawDevices();
    drawKpis();
    if (state.dev) await drawPorts();
    drawChart(false);
    if (chart) await chart.ready.catch(() => {});

    // Live: devices, controllers and circuits every 30 s while the tab is visible.
    const timer = setInterval(async () => {
      if (document.hidden) return;
      const [d, w] = await Promise.all([safe(api('/api/v1/devices')), safe(api('/api/v1/wifi'))]);
      if (!d.error) devs = d.devices;
      if (!w.error) ctrls = w.controllers;
      drawDevices();
      await Promise.all([reloadLinks(), alerts.refresh()]);
    }, REFRESH_MS);
    return () => {
      clearInterval(timer);
      chart?.destroy();
    };
  },
};
