// The demo application: both seeds' domains, their read models and one reactor.
// A team's own config looks the same, importing from 'streamfold' instead of './src/index.ts'.
import { defineConfig } from './src/index.ts';
import { albumDomain, reciterDomain, rosterDomain, studentProfileDomain } from './src/domain/index.ts';
import { albumsTable, recitersTable } from './src/domain/projections/catalog.ts';
import { revisionsProjection } from './src/domain/projections/revisions.ts';
import { rosterView } from './src/domain/projections/rosterView.ts';
import { deleteAlbumsOfDeletedReciter } from './src/domain/reactors.ts';

export default defineConfig({
  app: process.env.STREAMFOLD_APP ?? 'streamfold-demo',
  avroDir: 'avro',
  topicsDir: 'topics',
  domains: [rosterDomain, studentProfileDomain, reciterDomain, albumDomain],
  projections: [rosterView, recitersTable, albumsTable, revisionsProjection],
  reactors: [deleteAlbumsOfDeletedReciter],
});
