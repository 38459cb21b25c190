import fs from 'node:fs';
import { isUuid } from '../core/index.ts';
import { UsageError } from './usageError.ts';

// The CLI's door: each function turns one argument or option into a typed value, or throws a
// UsageError naming it (main.ts prints one line and exits 2), before anything reaches Postgres or Kafka.

/** The value as the message shows it: quoted, escaped onto one line, and cut short when long. */
export function shown(value: string): string {
  const quoted = JSON.stringify(value);
  return quoted.length > 60 ? `${quoted.slice(0, 57)}…"` : quoted;
}

/** `name` is how the user wrote it: `--aggregate`, `<command uuid>`. */
export function uuidArgument(name: string, value: string): string {
  if (!isUuid(value)) throw new UsageError(`${name}: ${shown(value)} is not a uuid (like 3f0c2b9e-8d1a-4c57-9e0b-2a6d5f4c1e7a)`);
  return value;
}

export function optionalUuid(name: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : uuidArgument(name, value);
}

/** A JSON object given inline or as `@file.json`; the parser's own words say where it broke. */
export function jsonArgument(name: string, raw: string, readFile = (file: string) => fs.readFileSync(file, 'utf8')): Record<string, unknown> {
  const source = raw.startsWith('@') ? `${name} ${raw}` : name;
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFile(raw.slice(1));
    } catch (error) {
      throw new UsageError(`${source} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ');
    const where = /position \d+/.test(message) ? '' : ` at position ${text.length}`;
    throw new UsageError(`${source} is not JSON: ${message}${where}`, { cause: error });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`${source} is not a JSON object: give one like '{"name":"x"}', or @file.json`);
  }
  return data as Record<string, unknown>;
}

/** A whole number from 1: digits only, so `1e3`, `0x10` and `2.5` are refused rather than guessed at. */
export function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) throw new UsageError(`${name}: ${shown(raw)} is not a whole number from 1`);
  return value;
}

/**
 * The names asked for (every known one when none were), each checked against what the config
 * has, e.g. `knownNames('--domains', 'domain', ['roster'], config.domains.map((d) => d.name))`.
 */
export function knownNames(name: string, kind: string, asked: readonly string[] | undefined, known: readonly string[]): readonly string[] {
  if (asked === undefined) return known;
  const has = `the config has ${known.join(', ') || 'none'}`;
  if (asked.length === 0) throw new UsageError(`${name} names no ${kind}; ${has}`);
  const unknown = asked.filter((a) => !known.includes(a));
  if (unknown.length > 0) throw new UsageError(`${name}: no ${kind} named ${unknown.map(shown).join(', ')}; ${has}`);
  return asked;
}
