// The engineer's alerts: the open ones (firing first, then pending) and the latest resolved,
// from `GET /api/v1/alerts`; a click on a port's alert shows its series' chart; an engineer or
// admin (`alerts:ack`) acknowledges one with a comment (`POST /api/v1/alerts/{id}/ack`).

import { api, query } from './api.js';
import { add, t, num, dateTime } from './i18n.js';
import { h, table, toast } from './ui.js';

add({
  en: {
    'alerts.title': 'Alerts',
    'alerts.none': 'No alert is firing or pending.',
    'alerts.state': 'State',
    'alerts.severity': 'Severity',
    'alerts.rule': 'Rule',
    'alerts.series': 'Series',
    'alerts.value': 'Value',
    'alerts.since': 'Since',
    'alerts.ack': 'Acknowledged',
    'alerts.ack.do': 'Acknowledge',
    'alerts.ack.comment': 'Comment (why, who is on it)',
    'alerts.ack.by': '{who}, {when}',
    'alerts.state.firing': 'firing',
    'alerts.state.pending': 'pending',
    'alerts.state.resolved': 'resolved',
    'alerts.resolved': 'Resolved lately',
    'alerts.counts': '{firing} firing · {pending} pending',
    'alerts.unavailable': 'This server has no alerts.',
  },
  fr: {
    'alerts.title': 'Alertes',
    'alerts.none': 'Aucune alerte active ni en attente.',
    'alerts.state': 'État',
    'alerts.severity': 'Gravité',
    'alerts.rule': 'Règle',
    'alerts.series': 'Série',
    'alerts.value': 'Valeur',
    'alerts.since': 'Depuis',
    'alerts.ack': 'Prise en charge',
    'alerts.ack.do': 'Prendre en charge',
    'alerts.ack.comment': 'Commentaire (pourquoi, qui s’en occupe)',
    'alerts.ack.by': '{who}, {when}',
    'alerts.state.firing': 'active',
    'alerts.state.pending': 'en attente',
    'alerts.state.resolved': 'résolue',
    'alerts.resolved': 'Résolues récemment',
    'alerts.counts': '{firing} active(s) · {pending} en attente',
    'alerts.unavailable': 'Ce serveur n’a pas d’alertes.',
  },
  nl: {
    'alerts.title': 'Alerts',
    'alerts.none': 'Geen actieve of wachtende alerts.',
    'alerts.state': 'Toestand',
    'alerts.severity': 'Ernst',
    'alerts.rule': 'Regel',
    'alerts.series': 'Reeks',
    'alerts.value': 'Waarde',
    'alerts.since': 'Sinds',
    'alerts.ack': 'Bevestigd',
    'alerts.ack.do': 'Bevestigen',
    'alerts.ack.comment': 'Opmerking (waarom, wie volgt het op)',
    'alerts.ack.by': '{who}, {when}',
    'alerts.state.firing': 'actief',
    'alerts.state.pending': 'wachtend',
    'alerts.state.resolved': 'opgelost',
    'alerts.resolved': 'Onlangs opgelost',
    'alerts.counts': '{firing} actief · {pending} wachtend',
    'alerts.unavailable': 'Deze server heeft geen alerts.',
  },
});

const ORDER = { firing: 0, pending: 1, resolved: 2 };

/// A series in words: device, port, lane, AP, hotspot (the labels the alert carries).
function series(a) {
  const l = a.labels || {};
  return ['device', 'port', 'lane', 'ap', 'hotspot']
    .filter((k) => l[k])
    .map((k) => l[k])
    .join(' ');
}

/// The alerts card: `{el, refresh()}`. `onSeries(device, port)` opens a port's chart.
export function alertsCard(me, onSeries) {
  const canAck = !!me.permissions['alerts:ack'];
  const body = h('div', { id: 'eng-alerts-body' });
  const counts = h('span.muted', { id: 'eng-alerts-counts' });
  const el = h(
    'section.card',
    { id: 'eng-alerts' },
    h('div.card-head', {}, h('h2', {}, t('alerts.title')), counts),
    body,
  );
  const ackForm = (a) => {
    const input = h('input', {
      type: 'text',
      maxlength: 2000,
      placeholder: t('alerts.ack.comment'),
      class: 'ack-comment',
    });
    return h(
      'form.ack',
      {
        onclick: (e) => e.stopPropagation(),
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api(`/api/v1/alerts/${a.id}/ack`, { body: input.value ? { comment: input.value } : {} });
            await refresh();
          } catch (err) {
            toast(err.message);
          }
        },
      },
      input,
      h('button.secondary', { type: 'submit' }, t('alerts.ack.do')),
    );
  };
  const columns = (withAck) => [
    {
      key: 'state',
      label: t('alerts.state'),
      value: (a) => ORDER[a.state],
      fmt: (_, a) => h(`span.badge.alert-${a.state}`, {}, t(`alerts.state.${a.state}`)),
    },
    { key: 'severity', label: t('alerts.severity') },
    {
      key: 'rule',
      label: t('alerts.rule'),
      fmt: (v, a) => h('span', { title: a.annotations?.summary || '' }, h('b', {}, v)),
    },
    { key: 'series', label: t('alerts.series'), value: series },
    { key: 'value', label: t('alerts.value'), num: true, fmt: (v) => (v == null ? '–' : num(v, 2)) },
    {
      key: 'since',
      label: t('alerts.since'),
      value: (a) => a.resolved_ms ?? a.fired_ms ?? a.pending_ms,
      fmt: (v) => dateTime(v),
    },
    {
      key: 'acked_by',
      label: t('alerts.ack'),
      fmt: (v, a) =>
        v
          ? h(
              'span',
              {},
              t('alerts.ack.by', { who: v, when: dateTime(a.acked_ms) }),
              a.ack_comment ? h('small.muted.block', {}, a.ack_comment) : null,
            )
          : withAck && canAck && a.state !== 'resolved'
            ? ackForm(a)
            : '–',
    },
  ];
  const rowsOf = (alerts, withAck, id) =>
    table(columns(withAck), alerts, {
      id,
      rowId: (a) => String(a.id),
      rowClass: (a) => (a.state === 'firing' ? 'bad' : null),
      onRow: (a) => a.labels?.device && a.labels?.port && onSeries(a.labels.device, a.labels.port),
    });
  const refresh = async () => {
    let open, resolved;
    try {
      [open, resolved] = await Promise.all([
        api('/api/v1/alerts'),
        api(`/api/v1/alerts${query({ state: 'resolved', limit: 10 })}`),
      ]);
    } catch (e) {
      body.replaceChildren(h('p.muted', {}, e.status === 404 ? t('alerts.unavailable') : e.message));
      return;
    }
    const list = [...open.alerts].sort((x, y) => ORDER[x.state] - ORDER[y.state]);
    const firing = list.filter((a) => a.state === 'firing').length;
    counts.textContent = t('alerts.counts', { firing: num(firing), pending: num(list.length - firing) });
    body.replaceChildren(
      ...[
        list.length
          ? h('div.scroll', {}, rowsOf(list, true, 'eng-alerts-table'))
          : h('p.muted', { id: 'eng-alerts-none' }, t('alerts.none')),
        resolved.alerts.length
          ? h(
              'details',
              {},
              h('summary', {}, `${t('alerts.resolved')} (${resolved.alerts.length})`),
              rowsOf(resolved.alerts, false, 'eng-alerts-resolved'),
            )
          : null,
      ].filter(Boolean),
    );
  };
  return { el, refresh };
}

/// The header's badge: the firing alerts' count, a link to the engineer's view (roles that
/// read monitoring data); refreshed every 30 s. Returns a function that stops it.
export function alertBadge(me, slot) {
  if (!me.permissions['monitoring:read']) {
    slot.replaceChildren();
    return () => {};
  }
  const draw = async () => {
    try {
      const r = await api(`/api/v1/alerts${query({ state: 'firing' })}`);
      const n = r.alerts.length;
      slot.replaceChildren(
        h(
          'a',
          { id: 'alert-badge', href: '#/engineer', class: n ? 'alert-badge firing' : 'alert-badge' },
          n === 1 ? t('app.alerts.one') : n ? t('app.alerts.firing', { n: num(n) }) : t('app.alerts.none'),
        ),
      );
    } catch {
      slot.replaceChildren();
    }
  };
  draw();
  const timer = setInterval(() => !document.hidden && draw(), 30000);
  return () => clearInterval(timer);
}
