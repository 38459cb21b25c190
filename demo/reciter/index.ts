import { defineDomain } from 'streamfold/core';
import { reciterDecider, type ReciterCommand, type ReciterEvent, type ReciterRefusal } from './decider.ts';

export * from './decider.ts';

// Records rather than arrays, so the compiler insists that every type is listed exactly once.
const commands = {
  CreateReciter: true,
  ModifyReciter: true,
  DeleteReciter: true,
  UploadReciterAvatar: true,
} satisfies Record<ReciterCommand['commandType'], true>;
const isRefusal = {
  ReciterCreated: false,
  ReciterModified: false,
  ReciterDeleted: false,
  ReciterAvatarUploaded: false,
  ReciterAlreadyExists: true,
  ReciterNotFound: true,
} satisfies Record<ReciterEvent['type'], boolean>;

export const reciterEventTypes = Object.keys(isRefusal) as ReciterEvent['type'][];
/** Events that record a refused command: the worker marks that command's outcome `rejected`. */
export const reciterRefusalEventTypes = reciterEventTypes.filter(
  (type): type is ReciterRefusal['type'] => isRefusal[type],
);

export const reciterDomain = defineDomain({
  name: 'reciter',
  aggregateType: 'Reciter',
  commandTypes: Object.keys(commands) as ReciterCommand['commandType'][],
  eventTypes: reciterEventTypes,
  refusalTypes: reciterRefusalEventTypes,
  decider: reciterDecider,
});
