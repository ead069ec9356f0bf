// The history tab: the changes, newest first (`GET /api/v1/cadastre/history`), and one change's
// diff (`GET /api/v1/cadastre/history/{v}`: each feature before and after, the changed
// properties side by side), with its undo for planners (`POST /api/v1/cadastre/undo/{v}`,
// based on the current version; a 409 names the later change that blocks it).

import { api } from './api.js';
import { t, num, dateTime } from './i18n.js';
import { h, table } from './ui.js';
import { label, fmt, currentVersion } from './view-planner-model.js';

const PAGE = 100;
const FEATURES_PAGE = 40;

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/// A geometry shortly: a Point's coordinates, else its type and vertex count.
function geom(g) {
  if (!g) return '–';
  if (g.type === 'Point') return `${g.coordinates[0]}, ${g.coordinates[1]}`;
  const count = (c) => (typeof c[0] === 'number' ? 1 : c.reduce((s, x) => s + count(x), 0));
  return t('plan.geometry.summary', { type: g.type, n: num(count(g.coordinates || [])) });
}

/// One feature's change: its changed properties side by side, the unchanged ones folded.
function featureDiff(f, openFeature) {
  const before = f.before?.properties || {};
  const after = f.after?.properties || {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const rows = keys.map((k) => ({ key: k, before: before[k], after: after[k], changed: !same(before[k], after[k]) }));
  const gChanged = !same(f.before?.geometry ?? null, f.after?.geometry ?? null);
  const geomRow = {
    key: 'geometry',
    geom: true,
    before: f.before?.geometry,
    after: f.after?.geometry,
    changed: gChanged,
  };
  if (f.before?.geometry || f.after?.geometry) rows.push(geomRow);
  // A change: before and after side by side; an addition or a deletion: its one state.
  const show = (r, v) => (r.geom ? geom(v) : fmt(null, v));
  const line = (r) =>
    h(
      'tr',
      { class: f.op === 'changed' && r.changed ? 'changed' : null, dataset: { key: r.key } },
      h('th', {}, label(r.key), ' ', h('code.key', {}, r.key)),
      f.op === 'added' ? null : h('td.before', {}, show(r, r.before)),
      f.op === 'deleted' ? null : h('td.after', {}, show(r, r.after)),
    );
  const changed = f.op === 'changed' ? rows.filter((r) => r.changed) : rows;
  const unchanged = f.op === 'changed' ? rows.filter((r) => !r.changed) : [];
  const head = h(
    'tr',
    {},
    h('th', {}, t('common.property')),
    f.op === 'added' ? null : h('th', {}, t('plan.history.before')),
    f.op === 'deleted' ? null : h('th', {}, t('plan.history.after')),
  );
  return h(
    'div.diff',
    { dataset: { layer: f.layer, id: f.id, op: f.op } },
    h(
      'div.diff-head',
      {},
      h(`span.op.${f.op}`, {}, t(`plan.history.op.${f.op}`)),
      h('b', {}, t(`plan.layer.${f.layer}`)),
      ' ',
      h('code', {}, f.id),
      h('span.spacer'),
      f.op !== 'deleted' && openFeature
        ? h(
            'a',
            { href: '#', onclick: (e) => (e.preventDefault(), openFeature(f.layer, f.id)) },
            t('plan.history.open'),
          )
        : null,
    ),
    h('table.diff-table', {}, h('thead', {}, head), h('tbody', {}, changed.map(line))),
    unchanged.length
      ? h(
          'details',
          {},
          h('summary', {}, t('plan.history.unchangedn', { n: unchanged.length })),
          h('table.diff-table.unchanged', {}, h('tbody', {}, unchanged.map(line))),
        )
      : null,
  );
}

export async function historyTab(el, ctx) {
  const { setParams, canWrite, params } = ctx;
  let limit = PAGE;
  let selected = Number(params.get('v')) || null;
  let changes = [];
  const listBox = h('div.history-list', { id: 'planner-history' });
  const detail = h('div.history-detail', { id: 'planner-change' });
  el.append(
    h('div.planner-split.history', {}, h('section.card', {}, h('h2', {}, t('plan.history.title')), listBox), detail),
  );

  async function loadList() {
    const r = await api(`/api/v1/cadastre/history?limit=${limit}`);
    changes = r.changes || [];
    if (changes.length) ctx.setVersion(changes[0].version);
    const tbl = table(
      [
        { key: 'version', label: t('plan.history.version'), num: true, fmt: (v) => num(v) },
        { key: 'time_ms', label: t('plan.history.time'), fmt: (v) => h('span.nowrap', {}, dateTime(v)) },
        { key: 'author', label: t('plan.history.author'), fmt: (v) => h('span.nowrap', {}, v) },
        { key: 'reason', label: t('plan.history.reason') },
        { key: 'n_added', label: '+', title: t('plan.history.added'), num: true, fmt: (v) => num(v) },
        { key: 'n_changed', label: '~', title: t('plan.history.changedn'), num: true, fmt: (v) => num(v) },
        { key: 'n_deleted', label: '−', title: t('plan.history.deleted'), num: true, fmt: (v) => num(v) },
      ],
      changes,
      {
        id: 'planner-history-table',
        rowId: (c) => c.version,
        rowClass: (c) => (c.version === selected ? 'sel' : null),
        onRow: (c) => select(c.version),
      },
    );
    listBox.replaceChildren(tbl);
    if (changes.length >= limit && changes[changes.length - 1].version > 1)
      listBox.append(
        h(
          'button.secondary',
          {
            type: 'button',
            id: 'planner-history-more',
            onclick: () => {
              limit += PAGE;
              loadList();
            },
          },
          t('plan.history.more'),
        ),
      );
  }

  async function select(v, notice) {
    selected = v;
    setParams({ v });
    for (const tr of listBox.querySelectorAll('tbody tr')) tr.classList.toggle('sel', Number(tr.dataset.id) === v);
    if (v == null) {
      detail.replaceChildren(h('p.muted.hint', {}, t('plan.history.select')));
      return;
    }
    detail.replaceChildren(h('p.muted', {}, t('app.loading')));
    let c;
    try {
      c = await api(`/api/v1/cadastre/history/${v}`);
    } catch (e) {
      detail.replaceChildren(h('p.error', {}, e.message));
      return;
    }
    if (selected !== v) return;
    const features = c.features || [];
    const list = h('div.diffs', { id: 'planner-diffs' });
    let shown = 0;
    const more = h('button.secondary', { type: 'button', id: 'planner-diffs-more' });
    const note = h('p.muted.small');
    const showMore = () => {
      const next = features.slice(shown, shown + FEATURES_PAGE);
      list.append(...next.map((f) => featureDiff(f, ctx.openFeature)));
      shown += next.length;
      note.textContent =
        shown < features.length ? t('plan.history.showing', { n: num(shown), total: num(features.length) }) : '';
      more.hidden = shown >= features.length;
      more.textContent = t('plan.history.morefeatures', { n: num(Math.min(FEATURES_PAGE, features.length - shown)) });
    };
    more.addEventListener('click', showMore);
    const undoBox = canWrite ? undoPanel(c) : null;
    detail.replaceChildren(
      h(
        'section.card.change',
        { dataset: { version: String(c.version) } },
        notice || null,
        h('h2', {}, t('plan.version', { v: num(c.version) }), ' ', h('span.muted', {}, `· ${c.reason}`)),
        h(
          'p.muted',
          {},
          t('plan.history.by', { author: c.author, time: dateTime(c.time_ms) }),
          ' · ',
          t('plan.history.summary', { added: num(c.n_added), changed: num(c.n_changed), deleted: num(c.n_deleted) }),
        ),
        undoBox,
        list,
        note,
        more,
      ),
    );
    showMore();
  }

  function undoPanel(c) {
    const reason = h('input', {
      id: 'planner-undo-reason',
      type: 'text',
      value: t('plan.undo.reason', { v: c.version }),
      'aria-label': t('plan.reason'),
    });
    const out = h('div', { id: 'planner-undo-result' });
    const button = h(
      'button',
      {
        type: 'button',
        id: 'planner-undo',
        onclick: async () => {
          button.disabled = true;
          out.replaceChildren();
          try {
            const base = await currentVersion();
            const r = await api(`/api/v1/cadastre/undo/${c.version}`, {
              body: { reason: reason.value },
              headers: { 'If-Match': `"${base}"` },
            });
            ctx.written(r.version);
            await loadList();
            await select(
              r.version,
              h(
                'div.banner.good',
                { id: 'planner-undone', dataset: { version: String(r.version) } },
                t('plan.undone', { v: c.version, n: r.version }),
              ),
            );
          } catch (e) {
            button.disabled = false;
            const blocker = e.status === 409 ? /by version (\d+)/.exec(e.message)?.[1] : null;
            out.replaceChildren(
              h(
                'div.banner.bad',
                { id: 'planner-undo-refused', dataset: { status: String(e.status), blocker: blocker || '' } },
                e.status === 409 ? h('b', {}, t('plan.undo.blocked')) : null,
                h('div', {}, e.message),
                e.problems?.length
                  ? h(
                      'ul.problems',
                      {},
                      e.problems.map((p) => h('li', {}, `${p.layer} ${p.id} ${p.field}: ${p.message}`)),
                    )
                  : null,
                blocker
                  ? h(
                      'button.secondary',
                      { type: 'button', id: 'planner-undo-blocker', onclick: () => select(Number(blocker)) },
                      t('plan.undo.blocker', { v: blocker }),
                    )
                  : null,
              ),
            );
          }
        },
      },
      t('plan.undo'),
    );
    return h('div.undo-box', {}, h('p.muted.small', {}, t('plan.undo.help')), h('div.row', {}, reason, button), out);
  }

  await loadList();
  await select(selected ?? null);
  return () => {};
}
