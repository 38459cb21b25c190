import { defineDomain } from 'streamfold/core';
import { rosterDecider, type RosterCommand, type RosterEvent, type RosterRefusal } from './decider.ts';
import { rosterFromSnapshot, rosterToSnapshot } from './rosterSnapshot.ts';

export * from './decider.ts';

// Records rather than arrays, so the compiler insists that every type is listed exactly once.
const commands = { AddPeriod: true, EnrollStudent: true, DropStudent: true, MoveStudent: true } satisfies Record<
  RosterCommand['commandType'],
  true
>;
const isRefusal = {
  PeriodAdded: false,
  StudentEnrolled: false,
  StudentDropped: false,
  StudentMoved: false,
  UnknownPeriod: true,
  PeriodAlreadyExists: true,
  AlreadyEnrolled: true,
  NotEnrolled: true,
} satisfies Record<RosterEvent['type'], boolean>;

export const rosterEventTypes = Object.keys(isRefusal) as RosterEvent['type'][];
/** Events that record a refused command: the worker marks that command's outcome `rejected`. */
export const rosterRefusalEventTypes = rosterEventTypes.filter(
  (type): type is RosterRefusal['type'] => isRefusal[type],
);

export const rosterDomain = defineDomain({
  name: 'roster',
  aggregateType: 'Roster',
  commandTypes: Object.keys(commands) as RosterCommand['commandType'][],
  eventTypes: rosterEventTypes,
  refusalTypes: rosterRefusalEventTypes,
  decider: rosterDecider,
  // A large class's roster is long: its Set and Map go into snapshots as an array and an object.
  snapshots: { every: 100, version: '1', toSnapshot: rosterToSnapshot, fromSnapshot: rosterFromSnapshot },
});
