// The demo application's config (demo/): both seeds' domains, their read models and one reactor.
// A team's own config looks the same; inside this repository 'streamfold' resolves to src/ (tsconfig paths).
import { defineConfig, defineRevisionsProjection } from 'streamfold';
import { albumDomain } from './demo/album/index.ts';
import { albumsTable, recitersTable } from './demo/projections/catalog.ts';
import { rosterView } from './demo/projections/rosterView.ts';
import { deleteAlbumsOfDeletedReciter } from './demo/reactors.ts';
import { reciterDomain } from './demo/reciter/index.ts';
import { rosterDomain } from './demo/roster/index.ts';
import { studentProfileDomain } from './demo/studentProfile/index.ts';

export default defineConfig({
  app: process.env.STREAMFOLD_APP ?? 'streamfold-demo',
  avroDir: 'avro',
  topicsDir: 'topics',
  domains: [rosterDomain, studentProfileDomain, reciterDomain, albumDomain],
  projections: [rosterView, recitersTable, albumsTable, defineRevisionsProjection({ domains: [reciterDomain, albumDomain] })],
  reactors: [deleteAlbumsOfDeletedReciter],
});
