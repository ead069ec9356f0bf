// The API client: the one way the app reaches the server (no private route). The token is
// kept for the tab in sessionStorage; a 401 sends the user back to the login panel.

const KEY = 'irisops.token';

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(KEY, t.trim());
  else sessionStorage.removeItem(KEY);
}

/// An answer that is not 2xx: its status and the server's `{"error", "field", "problems"}`.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `HTTP ${status}`);
    this.status = status;
    this.field = body?.field;
    this.problems = body?.problems || [];
    this.body = body;
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(f) {
  onUnauthorized = f;
}

/// Counts the calls made, per path (the benchmark reports the API calls per view).
export const calls = [];

/// `GET`/`POST` a route; JSON answers are parsed, others returned as text (or a Blob when
/// `opts.blob`). `opts.etag` receives the answer's ETag.
export async function api(path, opts = {}) {
  const headers = { Authorization: `Bearer ${token()}`, ...(opts.headers || {}) };
  let body = opts.body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Blob)) {
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  calls.push(path.split('?')[0]);
  const r = await fetch(path, {
    method: opts.method || (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
    signal: opts.signal,
  });
  const type = r.headers.get('content-type') || '';
  if (opts.meta) opts.meta.etag = r.headers.get('etag');
  if (!r.ok) {
    const err = type.includes('json') ? await r.json().catch(() => null) : { error: await r.text() };
    if (r.status === 401) onUnauthorized();
    throw new ApiError(r.status, err);
  }
  if (opts.blob) return r.blob();
  if (type.includes('json')) return r.json();
  return r.text();
}

/// The query string of `params` (undefined and null left out, arrays repeated).
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v == null || v === '') continue;
    for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
