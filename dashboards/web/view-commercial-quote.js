// The lease quote, shared by the commercial view and the operators' capacity offer: two sites
// (typed, picked from a searchable list, or clicked on the map), a number of fibre pairs, with
// or without a diverse backup → `GET /api/v1/quote` → the paths, their km per owner, the loss
// verdict, the monthly and annual price; the owners' revenue split and the network operator's
// share only when the answer has them (an operator's answer has neither). `from`, `to`,
// `pairs` and `k` live in the URL, so a link to a quote reproduces it.

import { api, query } from './api.js';
import { add, t, num, money, pct } from './i18n.js';
import { h, table } from './ui.js';
import { PATH_COLORS, pathName } from './view-commercial-map.js';

add({
  en: {
    'quote.title': 'Lease quote',
    'quote.from': 'From',
    'quote.to': 'To',
    'quote.swap': 'Swap the ends',
    'quote.pairs': 'Fibre pairs',
    'quote.backup': 'With a diverse backup path',
    'quote.run': 'Quote',
    'quote.clear': 'Clear',
    'quote.placeholder': 'site name or identifier',
    'quote.hint.map': 'Or click two sites on the map: the first sets From, the second To.',
    'quote.next': 'Next click on the map sets: {field}',
    'quote.ambiguous': 'Several sites are named “{name}”: pick one from the list.',
    'quote.required': 'Choose both ends.',
    'quote.summary': '{from} → {to} · {pairs}',
    'quote.pairs.one': '1 fibre pair',
    'quote.pairs.n': '{n} fibre pairs',
    'quote.diverse': 'fully diverse',
    'quote.notdiverse': 'not fully diverse: the paths share a risk',
    'quote.monthly': 'per month',
    'quote.annual': 'per year',
    'quote.paths': 'Paths',
    'quote.path': 'Path',
    'quote.km': 'Length',
    'quote.routes': 'Routes',
    'quote.sites': 'Sites',
    'quote.spare': 'Spare strands (fewest on a route)',
    'quote.loss': 'Loss / budget',
    'quote.loss.title': 'Optical loss at 1310 nm against the transceiver budget',
    'quote.verdict': 'Verdict',
    'quote.verdict.pass': 'within budget',
    'quote.verdict.warn': 'within the margin',
    'quote.verdict.fail': 'over budget',
    'quote.price.month': 'Monthly',
    'quote.price.year': 'Annual',
    'quote.owners': 'Km per owner',
    'quote.total': 'Total',
    'quote.split': 'Revenue split (monthly)',
    'quote.share': 'Share',
    'quote.operator': 'Kept by the network operator',
    'quote.none': 'No quote yet.',
    'quote.loading': 'Quoting…',
  },
  fr: {
    'quote.title': 'Devis de location',
    'quote.from': 'De',
    'quote.to': 'À',
    'quote.swap': 'Inverser les extrémités',
    'quote.pairs': 'Paires de fibres',
    'quote.backup': 'Avec un chemin de secours diversifié',
    'quote.run': 'Calculer le devis',
    'quote.clear': 'Effacer',
    'quote.placeholder': 'nom ou identifiant du site',
    'quote.hint.map': 'Ou cliquez deux sites sur la carte : le premier fixe « De », le second « À ».',
    'quote.next': 'Le prochain clic sur la carte fixe : {field}',
    'quote.ambiguous': 'Plusieurs sites s’appellent « {name} » : choisissez-en un dans la liste.',
    'quote.required': 'Choisissez les deux extrémités.',
    'quote.summary': '{from} → {to} · {pairs}',
    'quote.pairs.one': '1 paire de fibres',
    'quote.pairs.n': '{n} paires de fibres',
    'quote.diverse': 'entièrement diversifiés',
    'quote.notdiverse': 'pas entièrement diversifiés : les chemins partagent un risque',
    'quote.monthly': 'par mois',
    'quote.annual': 'par an',
    'quote.paths': 'Chemins',
    'quote.path': 'Chemin',
    'quote.km': 'Longueur',
    'quote.routes': 'Tracés',
    'quote.sites': 'Sites',
    'quote.spare': 'Fibres disponibles (minimum par tracé)',
    'quote.loss': 'Pertes / budget',
    'quote.loss.title': 'Affaiblissement optique à 1310 nm comparé au budget de l’émetteur-récepteur',
    'quote.verdict': 'Verdict',
    'quote.verdict.pass': 'dans le budget',
    'quote.verdict.warn': 'dans la marge',
    'quote.verdict.fail': 'hors budget',
    'quote.price.month': 'Mensuel',
    'quote.price.year': 'Annuel',
    'quote.owners': 'Km par propriétaire',
    'quote.total': 'Total',
    'quote.split': 'Répartition des recettes (mensuelle)',
    'quote.share': 'Part',
    'quote.operator': 'Conservé par l’opérateur du réseau',
    'quote.none': 'Pas encore de devis.',
    'quote.loading': 'Calcul du devis…',
  },
  nl: {
    'quote.title': 'Huurofferte',
    'quote.from': 'Van',
    'quote.to': 'Naar',
    'quote.swap': 'Uiteinden omwisselen',
    'quote.pairs': 'Vezelparen',
    'quote.backup': 'Met een divers reservepad',
    'quote.run': 'Offerte berekenen',
    'quote.clear': 'Wissen',
    'quote.placeholder': 'naam of identificatie van de site',
    'quote.hint.map': 'Of klik twee sites op de kaart aan: de eerste bepaalt „Van”, de tweede „Naar”.',
    'quote.next': 'De volgende klik op de kaart bepaalt: {field}',
    'quote.ambiguous': 'Meerdere sites heten „{name}”: kies er een uit de lijst.',
    'quote.required': 'Kies beide uiteinden.',
    'quote.summary': '{from} → {to} · {pairs}',
    'quote.pairs.one': '1 vezelpaar',
    'quote.pairs.n': '{n} vezelparen',
    'quote.diverse': 'volledig divers',
    'quote.notdiverse': 'niet volledig divers: de paden delen een risico',
    'quote.monthly': 'per maand',
    'quote.annual': 'per jaar',
    'quote.paths': 'Paden',
    'quote.path': 'Pad',
    'quote.km': 'Lengte',
    'quote.routes': 'Tracés',
    'quote.sites': 'Sites',
    'quote.spare': 'Vrije vezels (minimum per tracé)',
    'quote.loss': 'Demping / budget',
    'quote.loss.title': 'Optische demping bij 1310 nm tegenover het budget van de transceiver',
    'quote.verdict': 'Oordeel',
    'quote.verdict.pass': 'binnen het budget',
    'quote.verdict.warn': 'binnen de marge',
    'quote.verdict.fail': 'boven het budget',
    'quote.price.month': 'Maandelijks',
    'quote.price.year': 'Jaarlijks',
    'quote.owners': 'Km per eigenaar',
    'quote.total': 'Totaal',
    'quote.split': 'Verdeling van de opbrengsten (maandelijks)',
    'quote.share': 'Aandeel',
    'quote.operator': 'Behouden door de netwerkbeheerder',
    'quote.none': 'Nog geen offerte.',
    'quote.loading': 'Offerte wordt berekend…',
  },
});

const kmText = (x) => `${num(x, 2)} km`;

/// The answer's quote: summary, price, paths, km per owner and (when present) the split.
function renderAnswer(a, label) {
  const n = a.paths.length;
  const paths = a.paths.map((p, i) => ({ ...p, i, quote: a.quotes[i] || {} }));
  const verdict = (v) => h(`span.com-badge.${v}`, {}, t(`quote.verdict.${v}`));
  const pathsTable = table(
    [
      {
        key: 'i',
        label: t('quote.path'),
        fmt: (i) => h('span', {}, h('i.com-swatch', { style: { background: PATH_COLORS[i] } }), pathName(i, n)),
      },
      { key: 'length_km', label: t('quote.km'), num: true, fmt: kmText },
      {
        key: 'loss_db',
        label: t('quote.loss'),
        title: t('quote.loss.title'),
        num: true,
        fmt: (v, p) =>
          h('span.com-loss', {}, `${num(v, 2)} / ${num(p.loss_budget_db, 1)} dB`, h('br'), verdict(p.loss_verdict)),
      },
      {
        key: 'monthly',
        label: t('quote.price.month'),
        num: true,
        value: (p) => p.quote.monthly,
        fmt: (v) => money(v, a.currency),
      },
    ],
    paths,
    { id: 'quote-paths', rowId: (p) => p.i },
  );
  const via = paths.map((p) =>
    h(
      'details.com-via',
      { dataset: { path: p.i } },
      h(
        'summary',
        {},
        `${pathName(p.i, n)} · ${t('quote.routes')} ${p.routes.length} · ${t('quote.sites')} ${p.sites.length}`,
      ),
      h('p', {}, h('b', {}, `${t('quote.routes')}: `), p.routes.join(', ')),
      h('p', {}, h('b', {}, `${t('quote.sites')}: `), p.sites.map(label).join(' → ')),
      h(
        'p',
        {},
        h('b', {}, `${t('quote.spare')}: `),
        num(p.spare_strands),
        ' · ',
        h('b', {}, `${t('quote.price.year')}: `),
        money(p.quote.annual, a.currency),
      ),
    ),
  );

  // Km per owner, a column per path.
  const owners = [...new Set(paths.flatMap((p) => Object.keys(p.owners)))].sort();
  const ownersTable = table(
    [
      { key: 'owner', label: t('common.owner') },
      ...paths.map((p) => ({
        key: `p${p.i}`,
        label: pathName(p.i, n),
        num: true,
        value: (r) => r.km[p.i],
        fmt: (v) => (v == null ? '–' : kmText(v)),
      })),
      ...(n > 1 ? [{ key: 'total', label: t('quote.total'), num: true, fmt: kmText }] : []),
    ],
    owners.map((o) => {
      const k = paths.map((p) => p.owners[o]);
      return { owner: o, km: k, total: k.reduce((s, x) => s + (x || 0), 0) };
    }),
    { id: 'quote-owners', rowId: (r) => r.owner },
  );

  // The owners' revenue split and the network operator's share (absent from an operator's answer).
  let split = null;
  if (a.quotes.some((q) => q.owners || q.operator_kept != null)) {
    const byOwner = new Map();
    let kept = 0;
    for (const q of a.quotes) {
      for (const [o, m] of Object.entries(q.owners || {})) byOwner.set(o, (byOwner.get(o) || 0) + m);
      kept += q.operator_kept || 0;
    }
    const total = a.quotes.reduce((s, q) => s + q.monthly, 0);
    const rows = [...byOwner].sort((x, y) => y[1] - x[1]).map(([o, m]) => ({ who: o, monthly: m }));
    rows.push({ who: t('quote.operator'), monthly: kept, operator: true });
    const bar = h(
      'div.com-splitbar',
      {},
      rows.map((r, i) =>
        h('span', {
          style: { width: `${(100 * r.monthly) / total}%`, background: r.operator ? '#50606e' : SPLIT_COLORS[i % 6] },
          title: `${r.who}: ${money(r.monthly, a.currency)}`,
        }),
      ),
    );
    const tbl = table(
      [
        {
          key: 'who',
          label: t('common.owner'),
          fmt: (v, r) =>
            h(
              'span',
              {},
              h('i.com-swatch', { style: { background: r.operator ? '#50606e' : SPLIT_COLORS[rows.indexOf(r) % 6] } }),
              v,
            ),
        },
        { key: 'monthly', label: t('quote.price.month'), num: true, fmt: (v) => money(v, a.currency) },
        {
          key: 'share',
          label: t('quote.share'),
          num: true,
          value: (r) => (100 * r.monthly) / total,
          fmt: (v) => pct(v),
        },
      ],
      rows,
      { id: 'quote-split', rowId: (r) => (r.operator ? 'operator' : r.who) },
    );
    tbl.append(
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('quote.total')),
          h('th.num', {}, money(total, a.currency)),
          h('th.num', {}, pct(100)),
        ),
      ),
    );
    split = h('div', { id: 'quote-split-box' }, h('h4', {}, t('quote.split')), bar, tbl);
  }

  return h(
    'div.com-answer',
    {},
    h(
      'p.com-summary',
      { id: 'quote-summary' },
      t('quote.summary', {
        from: label(a.from),
        to: label(a.to),
        pairs: t(a.pairs === 1 ? 'quote.pairs.one' : 'quote.pairs.n', { n: a.pairs }),
      }),
      n > 1
        ? h(
            a.fully_diverse ? 'span.com-badge.pass' : 'span.com-badge.warn',
            {},
            t(a.fully_diverse ? 'quote.diverse' : 'quote.notdiverse'),
          )
        : null,
    ),
    h(
      'div.com-price',
      { id: 'quote-price' },
      h(
        'div',
        {},
        h('b', { id: 'quote-monthly' }, money(a.monthly, a.currency)),
        h('span.muted', {}, ` ${t('quote.monthly')}`),
      ),
      h(
        'div',
        {},
        h('b', { id: 'quote-annual' }, money(a.annual, a.currency)),
        h('span.muted', {}, ` ${t('quote.annual')}`),
      ),
    ),
    h('h4', {}, t('quote.paths')),
    h('div.com-scroll', {}, pathsTable),
    via,
    h('h4', {}, t('quote.owners')),
    ownersTable,
    split,
  );
}

const SPLIT_COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];

/// The quote panel. `opts`: `sites` (Map id → {id, name}; grows with `addSites`), `params`,
/// `setParams`, `onAnswer(answer | null)`, `mapHint` (whether sites can be clicked on the map).
/// Returns `{el, pick(id), run(), addSites(list)}`.
export function quotePanel(opts) {
  const { params, setParams, sites } = opts;
  const label = (id) => (sites.get(id)?.name ? `${sites.get(id).name} (${id})` : id);
  const list = h('datalist', { id: 'quote-sites' });
  const fillList = () =>
    list.replaceChildren(
      ...[...sites.values()]
        .sort((x, y) => (x.name || x.id).localeCompare(y.name || y.id))
        .map((s) => h('option', { value: label(s.id) })),
    );
  fillList();
  const input = (id, value) =>
    h('input', {
      id,
      type: 'text',
      list: 'quote-sites',
      autocomplete: 'off',
      placeholder: t('quote.placeholder'),
      value: value ? label(value) : '',
    });
  const fromIn = input('quote-from', params.get('from'));
  const toIn = input('quote-to', params.get('to'));
  const pairsIn = h('input', {
    id: 'quote-pairs',
    type: 'number',
    min: 1,
    step: 1,
    value: Math.max(1, parseInt(params.get('pairs'), 10) || 1),
  });
  const backupIn = h('input', { id: 'quote-backup', type: 'checkbox', checked: params.get('k') !== '1' });
  const err = h('p.error', { id: 'quote-error', hidden: true });
  const result = h('div', { id: 'quote-result' }, h('p.muted', {}, t('quote.none')));
  const next = h('p.muted.com-next', { id: 'quote-next' });

  /// The site an input names: `name (id)`, an identifier, or a name only one site has. Anything
  /// else goes to the API as typed (its 400 names the unknown site).
  const resolve = (text) => {
    const s = text.trim();
    if (!s) return null;
    const m = s.match(/\(([^()]+)\)\s*$/);
    if (m && sites.has(m[1])) return m[1];
    if (sites.has(s)) return s;
    const named = [...sites.values()].filter((x) => x.name && x.name.toLowerCase() === s.toLowerCase());
    if (named.length > 1) throw new Error(t('quote.ambiguous', { name: s }));
    return named.length ? named[0].id : s;
  };
  const nextField = () => (!fromIn.value.trim() ? 'from' : !toIn.value.trim() ? 'to' : 'from');
  const showNext = () => {
    next.textContent = opts.mapHint || sites.size ? t('quote.next', { field: t(`quote.${nextField()}`) }) : '';
  };
  const showError = (message) => {
    err.textContent = message;
    err.hidden = !message;
  };

  let seq = 0;
  const run = async () => {
    showError('');
    let from, to;
    try {
      from = resolve(fromIn.value);
      to = resolve(toIn.value);
    } catch (e) {
      showError(e.message);
      return;
    }
    if (!from || !to) {
      showError(t('quote.required'));
      return;
    }
    const pairs = Math.max(1, parseInt(pairsIn.value, 10) || 1);
    const k = backupIn.checked ? 2 : 1;
    setParams({ from, to, pairs, k: k === 1 ? 1 : null });
    const mine = ++seq;
    result.replaceChildren(h('p.muted', {}, t('quote.loading')));
    let answer;
    try {
      answer = await api(`/api/v1/quote${query({ from, to, pairs, k })}`);
    } catch (e) {
      if (mine !== seq) return;
      if (e.status === 401) throw e;
      showError(e.message);
      result.replaceChildren();
      opts.onAnswer(null);
      return;
    }
    if (mine !== seq) return;
    fromIn.value = label(answer.from);
    toIn.value = label(answer.to);
    opts.onAnswer(answer);
    result.replaceChildren(renderAnswer(answer, label));
    result.dataset.from = answer.from;
    result.dataset.to = answer.to;
    showNext();
  };
  const clear = () => {
    seq++;
    fromIn.value = '';
    toIn.value = '';
    showError('');
    result.replaceChildren(h('p.muted', {}, t('quote.none')));
    delete result.dataset.from;
    setParams({ from: null, to: null, pairs: null, k: null });
    opts.onAnswer(null);
    showNext();
  };
  /// A site clicked on the map: From first, then To (which runs the quote).
  const pick = (id) => {
    const field = nextField();
    if (field === 'from') {
      fromIn.value = label(id);
      toIn.value = '';
      showNext();
    } else {
      toIn.value = label(id);
      run();
    }
  };
  for (const i of [fromIn, toIn]) i.addEventListener('input', showNext);
  for (const i of [fromIn, toIn, pairsIn])
    i.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        // After the list's choice, if Enter made one, is in the field.
        e.preventDefault();
        setTimeout(run, 0);
      }
    });
  const swap = h(
    'button.secondary.com-swap',
    {
      type: 'button',
      id: 'quote-swap',
      title: t('quote.swap'),
      'aria-label': t('quote.swap'),
      onclick: () => {
        [fromIn.value, toIn.value] = [toIn.value, fromIn.value];
        if (fromIn.value && toIn.value) run();
      },
    },
    '⇅',
  );
  const el = h(
    'section.card.com-quote',
    { id: 'quote' },
    h('h2', {}, t('quote.title')),
    list,
    h(
      'div.com-ends',
      {},
      h('label', {}, h('span', {}, t('quote.from')), fromIn),
      swap,
      h('label', {}, h('span', {}, t('quote.to')), toIn),
    ),
    h(
      'div.row',
      {},
      h('label', {}, `${t('quote.pairs')} `, pairsIn),
      h('label', {}, backupIn, ` ${t('quote.backup')}`),
    ),
    h(
      'div.row',
      {},
      h('button', { type: 'button', id: 'quote-run', onclick: run }, t('quote.run')),
      h('button.secondary', { type: 'button', id: 'quote-clear', onclick: clear }, t('quote.clear')),
    ),
    opts.mapHint ? h('p.muted', {}, t('quote.hint.map')) : null,
    opts.help ? h('p.muted', {}, opts.help) : null,
    next,
    err,
    result,
  );
  showNext();
  return {
    el,
    pick,
    run,
    addSites: (more) => {
      let added = false;
      for (const s of more)
        if (!sites.has(s.id)) {
          sites.set(s.id, s);
          added = true;
        }
      if (added) fillList();
    },
  };
}
