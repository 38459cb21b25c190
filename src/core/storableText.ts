/**
 * Text Postgres can store. `jsonb` and `text` refuse U+0000, and `jsonb` refuses a lone UTF-16
 * surrogate; either fails the whole transaction it arrives in, so both are refused at the door.
 */
export function unstorableTextProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds the character U+0000, which Postgres cannot store';
  if (!text.isWellFormed()) return 'holds a lone UTF-16 surrogate, which Postgres cannot store';
  return undefined;
}

/** Every string in a JSON value (keys included) Postgres cannot store, as "path: why". */
export function unstorableTextProblems(value: unknown, path = ''): string[] {
  // Every message's data passes here; nearly all is storable, and saying so allocates nothing.
  return holdsUnstorableText(value) ? problemsIn(value, path) : [];
}

function holdsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return unstorableTextProblem(value) !== undefined;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsUnstorableText(item)) return true;
    return false;
  }
  if (value && typeof value === 'object') {
    for (const key in value) {
      if (Object.hasOwn(value, key) && (holdsUnstorableText(key) || holdsUnstorableText((value as Record<string, unknown>)[key]))) return true;
    }
  }
  return false;
}

function problemsIn(value: unknown, path: string): string[] {
  const where = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof value === 'string') {
    const problem = unstorableTextProblem(value);
    return problem ? [`${path || '(the value)'}: ${problem}`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => problemsIn(item, where(String(i))));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const keyProblem = unstorableTextProblem(key);
      return [...(keyProblem ? [`${where(JSON.stringify(key))}: the key ${keyProblem}`] : []), ...problemsIn(item, where(key))];
    });
  }
  return [];
}

/** The value with every unstorable character replaced by U+FFFD: how a refused command is archived. */
export function toStorableText<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD').toWellFormed() as T;
  if (Array.isArray(value)) return value.map(toStorableText) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [toStorableText(key), toStorableText(item)])) as T;
  }
  return value;
}
