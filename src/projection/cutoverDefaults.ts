// Apart from cutover.ts, so that the CLI shows them in `--help` without loading the Postgres client.
export const cutoverDefaults = {
  /** Events the new version may still have to apply from its topics' head when the cutover starts. */
  maxLag: 100n,
  /** How long the switch waits for the new version to reach the live one on every partition. */
  waitMs: 30_000,
} as const;
