import { albumDomain } from './album/index.ts';
import { reciterDomain } from './reciter/index.ts';
import { rosterDomain } from './roster/index.ts';
import { studentProfileDomain } from './studentProfile/index.ts';

export * from './album/index.ts';
export * from './reciter/index.ts';
export * from './roster/index.ts';
export * from './studentProfile/index.ts';

export const domains = [rosterDomain, studentProfileDomain, reciterDomain, albumDomain] as const;
