// A virtualised table: rows of one fixed height, only those in view (and a margin) in the DOM,
// so 100,000 features scroll as fast as 100. The caller sorts (the sort is in the URL); a click
// on a header asks for it, a click on a row (or the arrow keys) selects.

import { h } from './ui.js';

const MARGIN = 15;

/// `columns`: [{key, label, num, width, cell(row) → string|Node}]; `onSort(key)`,
/// `onSelect(row)`; `rowId(row)` names a row (its `data-id`).
export function vtable({ id, columns, rowHeight = 28, onSort, onSelect, rowId }) {
  let rows = [];
  let selected = null;
  let sortKey = null;
  let desc = false;
  let frame = 0;

  const colgroup = h(
    'colgroup',
    {},
    columns.map((c) => h('col', { style: c.width ? { width: `${c.width}px` } : {} })),
  );
  const headRow = h('tr');
  const body = h('tbody');
  const tableEl = h('table.data.vt', {}, colgroup, h('thead', {}, headRow), body);
  const wrap = h('div.vtable', { id, tabindex: '0', role: 'grid' }, tableEl);

  const drawHead = () => {
    headRow.replaceChildren(
      ...columns.map((c) =>
        h(
          c.num ? 'th.num' : 'th',
          {
            dataset: { key: c.key },
            title: c.title || c.label,
            'aria-sort': sortKey === c.key ? (desc ? 'descending' : 'ascending') : null,
            onclick: () => onSort?.(c.key),
          },
          c.label,
          sortKey === c.key ? h('span.arrow', {}, desc ? ' ▼' : ' ▲') : null,
        ),
      ),
    );
  };

  const spacer = (px) => h('tr.spacer', { style: { height: `${px}px` } }, h('td', { colspan: columns.length }));

  const draw = () => {
    frame = 0;
    const top = wrap.scrollTop;
    const height = wrap.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowHeight) - MARGIN);
    const last = Math.min(rows.length, Math.ceil((top + height) / rowHeight) + MARGIN);
    const trs = [];
    for (let i = first; i < last; i++) {
      const r = rows[i];
      const rid = rowId(r);
      const tr = h(
        'tr',
        {
          class: rid === selected ? 'clickable sel' : 'clickable',
          dataset: { id: rid, index: String(i) },
          style: { height: `${rowHeight}px` },
          onclick: () => select(r),
        },
        columns.map((c) => {
          const v = c.cell(r);
          return h(c.num ? 'td.num' : 'td', { title: typeof v === 'string' && v.length > 14 ? v : null }, v);
        }),
      );
      trs.push(tr);
    }
    if (first > 0) trs.unshift(spacer(first * rowHeight));
    if (last < rows.length) trs.push(spacer((rows.length - last) * rowHeight));
    body.replaceChildren(...trs);
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };
  wrap.addEventListener('scroll', schedule, { passive: true });
  const resize = new ResizeObserver(schedule);
  resize.observe(wrap);

  const indexOf = (rid) => rows.findIndex((r) => rowId(r) === rid);
  const select = (r) => {
    selected = r ? rowId(r) : null;
    for (const tr of body.querySelectorAll('tr.sel')) tr.classList.remove('sel');
    if (selected != null) body.querySelector(`tr[data-id="${CSS.escape(selected)}"]`)?.classList.add('sel');
    onSelect?.(r);
  };
  wrap.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const i = indexOf(selected);
    const j = Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
    if (rows[j]) {
      select(rows[j]);
      reveal(rowId(rows[j]));
    }
  });

  /// Scrolls so that row `rid` is in view.
  const reveal = (rid) => {
    const i = indexOf(rid);
    if (i < 0) return;
    const head = tableEl.tHead.offsetHeight || rowHeight;
    const y = i * rowHeight;
    if (y < wrap.scrollTop) wrap.scrollTop = y;
    else if (y + rowHeight + head > wrap.scrollTop + wrap.clientHeight)
      wrap.scrollTop = y + rowHeight + head - wrap.clientHeight;
    draw();
  };

  drawHead();
  return {
    el: wrap,
    /// New rows (already filtered and sorted); the scroll position is kept.
    setRows(newRows, sort) {
      rows = newRows;
      sortKey = sort?.key ?? null;
      desc = !!sort?.desc;
      drawHead();
      draw();
    },
    setSelected(rid) {
      selected = rid;
      draw();
    },
    reveal,
    destroy() {
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
