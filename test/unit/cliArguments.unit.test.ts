import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonArgument, knownNames, positiveInteger, shown, uuidArgument } from '../../src/cli/arguments.ts';
import { isUsageError } from '../../src/cli/usageError.ts';

const refusal = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    expect(isUsageError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('uuidArgument', () => {
  it('passes a uuid through, in either case', () => {
    expect(uuidArgument('--aggregate', '3f0c2b9e-8d1a-4c57-9e0b-2a6d5f4c1e7a')).toBe('3f0c2b9e-8d1a-4c57-9e0b-2a6d5f4c1e7a');
    expect(uuidArgument('--aggregate', '3F0C2B9E-8D1A-4C57-9E0B-2A6D5F4C1E7A')).toBe('3F0C2B9E-8D1A-4C57-9E0B-2A6D5F4C1E7A');
  });

  it('refuses anything else on one line naming the argument', () => {
    expect(refusal(() => uuidArgument('<aggregate uuid>', 'nope'))).toBe('<aggregate uuid>: "nope" is not a uuid (like 3f0c2b9e-8d1a-4c57-9e0b-2a6d5f4c1e7a)');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        fc.pre(!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value));
        const message = refusal(() => uuidArgument('--command-uuid', value));
        expect(message.startsWith('--command-uuid: ')).toBe(true);
        expect(message).not.toContain('\n');
      }),
    );
  });
});

describe('jsonArgument', () => {
  const noFile = () => {
    throw new Error('no file expected');
  };

  it('reads an object inline or from @file', () => {
    expect(jsonArgument('--data', '{"name":"x"}', noFile)).toEqual({ name: 'x' });
    expect(jsonArgument('--data', '@period.json', (file) => (file === 'period.json' ? '{"a":1}' : ''))).toEqual({ a: 1 });
  });

  it("says the parser's position, once on one line", () => {
    expect(refusal(() => jsonArgument('--data', '{bad json', noFile))).toBe("--data is not JSON: Expected property name or '}' in JSON at position 1");
    expect(refusal(() => jsonArgument('--data', '{"a":', noFile))).toBe('--data is not JSON: Unexpected end of JSON input at position 5');
    expect(refusal(() => jsonArgument('--data', '{"a":\n\nx}', noFile))).not.toContain('\n');
    expect(refusal(() => jsonArgument('--data', '@bad.json', () => '{'))).toMatch(/^--data @bad\.json is not JSON: .* at position 1$/);
  });

  it('refuses JSON that is not an object', () => {
    for (const raw of ['[1]', '"x"', '3', 'null']) expect(refusal(() => jsonArgument('--data', raw, noFile))).toMatch(/^--data is not a JSON object/);
  });

  it('names a file it cannot read, and why', () => {
    const missing = () => {
      throw new Error("ENOENT: no such file or directory, open 'gone.json'");
    };
    expect(refusal(() => jsonArgument('--data', '@gone.json', missing))).toBe("--data @gone.json cannot be read: ENOENT: no such file or directory, open 'gone.json'");
  });

  it('turns any string into an object or a one-line refusal', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (raw) => {
        fc.pre(!raw.startsWith('@'));
        try {
          expect(typeof jsonArgument('--data', raw, noFile)).toBe('object');
        } catch (error) {
          expect(isUsageError(error)).toBe(true);
          expect((error as Error).message).not.toContain('\n');
        }
      }),
    );
  });
});

describe('positiveInteger', () => {
  it('takes digits from 1', () => {
    expect(positiveInteger('--timeout', '1')).toBe(1);
    expect(positiveInteger('--timeout', '30000')).toBe(30000);
  });

  it('refuses zero, signs, fractions, exponents, hex, blanks and unsafe sizes', () => {
    for (const raw of ['0', '-5', '2.5', '1e3', '0x10', '', ' 5', 'soon', '99999999999999999999']) {
      expect(refusal(() => positiveInteger('--timeout', raw))).toBe(`--timeout: ${shown(raw)} is not a whole number from 1`);
    }
  });
});

describe('knownNames', () => {
  const known = ['roster', 'album'];

  it('means every known name when none were asked for', () => {
    expect(knownNames('--domains', 'domain', undefined, known)).toEqual(known);
  });

  it('passes known names through', () => {
    expect(knownNames('--domains', 'domain', ['album'], known)).toEqual(['album']);
  });

  it('names every unknown one and what the config has', () => {
    expect(refusal(() => knownNames('--domains', 'domain', ['roster', 'nosuch', 'other'], known))).toBe(
      '--domains: no domain named "nosuch", "other"; the config has roster, album',
    );
    expect(refusal(() => knownNames('--reactor', 'reactor', ['x'], []))).toBe('--reactor: no reactor named "x"; the config has none');
  });

  it('refuses an empty list rather than running nothing', () => {
    expect(refusal(() => knownNames('--projection', 'projection', [], known))).toBe('--projection names no projection; the config has roster, album');
  });
});

describe('shown', () => {
  it('keeps a value on one line and short', () => {
    expect(shown('a\nb')).toBe('"a\\nb"');
    expect(shown('x'.repeat(200))).toHaveLength(59);
  });
});
