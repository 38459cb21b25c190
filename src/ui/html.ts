/** Markup the UI built itself; anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export const escapeHtml = (text: string) => text.replace(/[&<>"'`]/g, (c) => entities[c] as string);

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Date) return escapeHtml(value.toISOString());
  return escapeHtml(String(value));
}

/**
 * The only way the UI makes markup: every interpolated value is escaped unless it is itself
 * `html`, so event data, ids and error messages cannot become tags or attributes.
 *
 *   html`<td>${event.data.name}</td>`   // "<script>" arrives as &lt;script&gt;
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] as string;
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] as string);
  });
  return new SafeHtml(out);
}

/** A path under /ui with each segment percent-encoded (ids and names never break out of the href). */
export const uiPath = (...segments: (string | number | bigint)[]) => `/ui/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;

/** Data as indented JSON, bigints as strings. */
export const prettyJson = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
