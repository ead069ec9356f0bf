// The import and export tab: the whole cadastre exported as a zip (every reader), and for
// planners an import (`POST /api/v1/cadastre/import?from=geojson|ofds&crs=&reason=`, based on
// the current version) whose refusal lists every problem with its layer, position, id and
// field.

import { api, query } from './api.js';
import { t, num } from './i18n.js';
import { h, card, download } from './ui.js';
import { currentVersion } from './view-planner-model.js';

const SHOWN = 1000;

function problemsTable(problems) {
  const shown = problems.slice(0, SHOWN);
  return h(
    'div.problems-box',
    {},
    h(
      'table.data',
      { id: 'planner-import-problems' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'plan.problem.severity',
            'plan.layer',
            'plan.problem.index',
            'plan.problem.feature',
            'plan.problem.field',
            'plan.problem.message',
          ].map((k) => h('th', {}, t(k))),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((p) =>
          h(
            'tr',
            { class: p.severity === 'warning' ? 'warning' : 'bad' },
            h('td', {}, t(`plan.severity.${p.severity === 'warning' ? 'warning' : 'error'}`)),
            h('td', {}, p.layer ? t(`plan.layer.${p.layer}`) : '–'),
            h('td.num', {}, p.index ?? '–'),
            h('td', {}, h('code', {}, p.id ?? '–')),
            h('td', {}, h('code', {}, p.field ?? '–')),
            h('td', {}, p.message),
          ),
        ),
      ),
    ),
    problems.length > SHOWN ? h('p.muted', {}, t('plan.import.shown', { n: num(SHOWN) })) : null,
  );
}

export async function importTab(el, ctx) {
  const { canWrite } = ctx;
  const exportCard = card(
    t('plan.export.title'),
    h('p.muted', {}, t('plan.export.help')),
    h(
      'div.row',
      { id: 'planner-export' },
      ['geojson', 'ofds', 'csv'].map((to) =>
        download(
          `${t('common.download')} ${to === 'geojson' ? 'GeoJSON' : to.toUpperCase()}`,
          () => api(`/api/v1/cadastre/export?to=${to}`, { blob: true }),
          `cadastre-${to}.zip`,
        ),
      ),
    ),
  );
  if (!canWrite) {
    el.append(h('div.import-layout', {}, exportCard));
    return () => {};
  }
  const file = h('input', {
    id: 'planner-import-file',
    type: 'file',
    accept: '.zip,.json,application/zip,application/json',
  });
  const from = h(
    'select',
    { id: 'planner-import-from' },
    h('option', { value: 'geojson' }, 'GeoJSON'),
    h('option', { value: 'ofds' }, 'OFDS'),
  );
  const crs = h(
    'select',
    { id: 'planner-import-crs' },
    h('option', { value: '' }, t('plan.import.crs.default')),
    h('option', { value: 'EPSG:31370' }, 'EPSG:31370 (Lambert 72)'),
    h('option', { value: 'EPSG:3812' }, 'EPSG:3812 (Lambert 2008)'),
  );
  const reason = h('input', { id: 'planner-import-reason', type: 'text', autocomplete: 'off' });
  const reasonError = h('div.field-error', { hidden: true });
  const out = h('div', { id: 'planner-import-result' });
  const run = h('button', { type: 'submit', id: 'planner-import-run' }, t('plan.import.run'));
  file.addEventListener('change', () => {
    const f = file.files[0];
    if (f && /\.json$/i.test(f.name)) from.value = 'ofds';
  });
  const form = h(
    'form.import-form',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        out.replaceChildren();
        reasonError.hidden = true;
        const f = file.files[0];
        if (!f) {
          out.replaceChildren(h('div.banner.bad', {}, t('plan.import.nofile')));
          return;
        }
        run.disabled = true;
        run.textContent = t('plan.import.running');
        try {
          const base = await currentVersion();
          const json = /\.json$/i.test(f.name);
          const r = await api(
            `/api/v1/cadastre/import${query({ from: from.value, crs: crs.value, reason: reason.value })}`,
            {
              body: f,
              headers: { 'If-Match': `"${base}"`, 'Content-Type': json ? 'application/json' : 'application/zip' },
            },
          );
          ctx.written(r.version);
          const hist = await api('/api/v1/cadastre/history?limit=1');
          const c = hist.changes?.[0] || {};
          out.replaceChildren(
            h(
              'div.banner.good',
              { id: 'planner-import-done', dataset: { version: String(r.version) } },
              t('plan.import.done', {
                v: num(r.version),
                added: num(c.n_added),
                changed: num(c.n_changed),
                deleted: num(c.n_deleted),
              }),
            ),
          );
        } catch (err) {
          if (err.field === 'reason') {
            reasonError.hidden = false;
            reasonError.textContent = err.message;
          } else if (err.problems?.length) {
            out.replaceChildren(
              h(
                'div.banner.bad',
                { id: 'planner-import-refused', dataset: { problems: String(err.problems.length) } },
                h('b', {}, t('plan.import.problems', { n: num(err.problems.length) })),
              ),
              problemsTable(err.problems),
            );
          } else out.replaceChildren(h('div.banner.bad', { id: 'planner-import-error' }, err.message));
        } finally {
          run.disabled = false;
          run.textContent = t('plan.import.run');
        }
      },
    },
    h('p.muted', {}, t('plan.import.help')),
    h(
      'div.form-grid',
      {},
      h('label', { for: 'planner-import-file' }, t('plan.import.file')),
      h('div', {}, file, h('div.muted.small', {}, t('plan.import.file.help'))),
      h('label', { for: 'planner-import-from' }, t('plan.import.from')),
      from,
      h('label', { for: 'planner-import-crs' }, t('plan.import.crs')),
      crs,
      h('label', { for: 'planner-import-reason' }, t('plan.reason')),
      h('div', {}, reason, reasonError),
    ),
    h('div.row', {}, run),
  );
  el.append(h('div.import-layout', {}, card(t('plan.import.title'), form, out), exportCard));
  return () => {};
}
