// What the planner view knows of the cadastre's layers: their properties (as the cadastre's
// model declares them: cadastre/src/model.rs), how a value is shown, searched and sorted, and
// the layers' cache (one GET per layer and version; the browser revalidates with the ETag).

import { api } from './api.js';
import { t, num } from './i18n.js';

export const LAYERS = ['routes', 'sites', 'cables', 'allocations', 'worksites', 'hotspots', 'targets', 'owners'];

const STATUS = ['planned', 'in_service', 'decommissioned'];

/// Per layer, its properties in order: `type` text | int | number | list | intlist | port |
/// enum | date; `optional` ones may be left empty (then left out of the feature).
export const SCHEMA = {
  owners: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text' },
    { key: 'notes', type: 'text', optional: true },
  ],
  sites: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text' },
    { key: 'kind', type: 'text' },
    { key: 'owner', type: 'text', optional: true },
    { key: 'address', type: 'text', optional: true },
    { key: 'commune', type: 'text', optional: true },
    { key: 'status', type: 'enum', values: STATUS },
  ],
  routes: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text', optional: true },
    { key: 'from_site', type: 'text' },
    { key: 'to_site', type: 'text' },
    { key: 'owner', type: 'text' },
    { key: 'deployment', type: 'enum', values: ['underground', 'aerial', 'in_building'] },
    { key: 'ducts_total', type: 'int' },
    { key: 'ducts_free', type: 'int' },
    { key: 'status', type: 'enum', values: STATUS },
    { key: 'declared_length_m', type: 'number', optional: true },
    { key: 'srlgs', type: 'list', optional: true },
  ],
  cables: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text', optional: true },
    { key: 'routes', type: 'list' },
    { key: 'fibre_count', type: 'int' },
    { key: 'fibre_type', type: 'text', optional: true },
    { key: 'owner', type: 'text' },
    { key: 'status', type: 'enum', values: STATUS },
  ],
  allocations: [
    { key: 'id', type: 'id' },
    { key: 'cable', type: 'text' },
    { key: 'strands', type: 'intlist' },
    { key: 'use', type: 'enum', values: ['internal', 'lease', 'reserved'] },
    { key: 'party', type: 'text' },
    { key: 'owner', type: 'text' },
    { key: 'from_site', type: 'text' },
    { key: 'to_site', type: 'text' },
    { key: 'a_end', type: 'port', optional: true },
    { key: 'b_end', type: 'port', optional: true },
  ],
  hotspots: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text' },
    { key: 'site', type: 'text' },
    { key: 'access_points', type: 'list' },
    { key: 'owner', type: 'text', optional: true },
  ],
  targets: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text' },
    { key: 'kind', type: 'text' },
    { key: 'weight', type: 'number' },
  ],
  worksites: [
    { key: 'id', type: 'id' },
    { key: 'name', type: 'text' },
    { key: 'nature', type: 'text' },
    { key: 'organisation', type: 'text' },
    { key: 'start', type: 'date' },
    { key: 'end', type: 'date' },
  ],
};

/// The layer's fields: its schema, then any other property its features carry (typed by value).
export function fields(layer, features) {
  const known = SCHEMA[layer] || [];
  const seen = new Set(known.map((f) => f.key));
  const extra = [];
  for (const f of features.slice(0, 2000)) {
    for (const [k, v] of Object.entries(f.properties || {})) {
      if (seen.has(k)) continue;
      seen.add(k);
      const type =
        typeof v === 'number' ? 'number' : Array.isArray(v) ? 'list' : v && typeof v === 'object' ? 'json' : 'text';
      extra.push({ key: k, type, optional: true, extra: true });
    }
  }
  return [...known, ...extra];
}

/// A property's label in the chosen language (the key itself for a property the app does not
/// know).
export function label(key) {
  const s = t(`plan.f.${key}`);
  return s === `plan.f.${key}` ? key : s;
}

/// An enumerated value's label (`in_service` → "in service"); other values as they are.
export function valueLabel(v) {
  if (typeof v !== 'string') return v;
  const s = t(`plan.v.${v}`);
  return s === `plan.v.${v}` ? v : s;
}

/// A value as the tables show it.
export function fmt(field, v) {
  if (v == null || v === '') return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? num(v) : num(v, Math.abs(v) < 10 ? 2 : 1);
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return 'device' in v ? `${v.device} ${v.port}` : JSON.stringify(v);
  if (field?.type === 'enum') return valueLabel(v);
  return String(v);
}

/// The text a free-text search looks in: the id and every value, lowercased.
const hay = new WeakMap();
export function haystack(f) {
  let s = hay.get(f);
  if (s == null) {
    const parts = [f.id];
    for (const v of Object.values(f.properties || {})) {
      if (v == null) continue;
      parts.push(typeof v === 'object' ? JSON.stringify(v) : String(v));
      if (typeof v === 'string' && v.includes('_')) parts.push(valueLabel(v));
    }
    s = parts.join(' ').toLowerCase();
    hay.set(f, s);
  }
  return s;
}

/// Whether feature `f` passes the filters.
export function matches(f, { owner, status, q }) {
  const p = f.properties || {};
  if (owner && p.owner !== owner) return false;
  if (status && p.status !== status) return false;
  if (q) {
    const s = haystack(f);
    for (const word of q.toLowerCase().split(/\s+/)) if (word && !s.includes(word)) return false;
  }
  return true;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/// `features` sorted by property `key` (ids as the tie-break), descending when `desc`; missing
/// values last.
export function sorted(features, key, desc) {
  if (!key) return features;
  const val = (f) => {
    const v = key === 'id' ? f.id : f.properties?.[key];
    return Array.isArray(v) ? v.join(', ') : v && typeof v === 'object' ? JSON.stringify(v) : v;
  };
  const dir = desc ? -1 : 1;
  return [...features].sort((a, b) => {
    const x = val(a),
      y = val(b);
    if (x == null || x === '') return y == null || y === '' ? 0 : 1;
    if (y == null || y === '') return -1;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    return d * dir || collator.compare(String(a.id), String(b.id));
  });
}

/// The distinct values of a property in `features` (strings), most frequent first; null when
/// there are more than `max`.
export function distinct(features, key, max = 400) {
  const counts = new Map();
  for (const f of features) {
    const v = f.properties?.[key];
    if (typeof v !== 'string' || !v) continue;
    counts.set(v, (counts.get(v) || 0) + 1);
    if (counts.size > max) return null;
  }
  return [...counts].sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0])).map(([v]) => v);
}

/// The version in an ETag (`"12"` or `W/"12"`).
export function etagVersion(etag) {
  const m = /(\d+)/.exec(etag || '');
  return m ? Number(m[1]) : null;
}

/// The layers of the cadastre, fetched once per version: `get(layer)` → `{features, version}`;
/// `clear()` after a write.
export function layerCache() {
  const cache = new Map();
  return {
    async get(layer) {
      if (!cache.has(layer)) {
        const meta = {};
        const p = api(`/api/v1/cadastre/layers/${layer}`, { meta }).then((d) => ({
          features: d.features || [],
          version: etagVersion(meta.etag),
        }));
        cache.set(layer, p);
        p.catch(() => cache.delete(layer));
      }
      return cache.get(layer);
    },
    clear() {
      cache.clear();
    },
  };
}

/// The cadastre's current version (the newest change in the history).
export async function currentVersion() {
  const hist = await api('/api/v1/cadastre/history?limit=1');
  return hist.changes?.[0]?.version ?? null;
}
