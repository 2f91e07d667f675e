// Same-origin JSON API calls. Errors carry the API's English message and its stable `code`, which
// the page translates; the English message stays available as the detail.

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code ?? null;
  }
}

export async function getJSON(path, params = {}) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== '' && v !== undefined && v !== null),
  );
  const response = await fetch(query.size ? `${path}?${query}` : path, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`, body.code);
  return body;
}

/** JSON to the API (POST, PUT, DELETE); resolves to the body, or throws with the API's message, code and issues. */
export async function sendJSON(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new ApiError(response.status, json.error ?? `HTTP ${response.status}`, json.code), {
      issues: json.issues ?? [],
    });
  return json;
}

/**
 * A failure in the page's language: the catalog's sentence for the API's code; in English, or for a
 * code the catalog does not know, the API's own message (it names what to fix).
 */
export function describeApiError(error, i18n) {
  if (error instanceof TypeError) return i18n.t('apiError.network');
  const code = error instanceof ApiError ? error.code : null;
  if (i18n.locale === 'en' || !code || !i18n.has(`apiError.${code}`)) return error.message;
  return i18n.t(`apiError.${code}`);
}
