import { defineDomain } from 'streamfold/core';
import { studentProfileDecider, type StudentProfileCommand, type StudentProfileEvent } from './decider.ts';

export * from './decider.ts';

// Records rather than arrays, so the compiler insists that every type is listed exactly once.
const commands = { ChangeStudentName: true } satisfies Record<StudentProfileCommand['commandType'], true>;
const isRefusal = { StudentNameChanged: false } satisfies Record<StudentProfileEvent['type'], boolean>;

export const studentProfileEventTypes = Object.keys(isRefusal) as StudentProfileEvent['type'][];
/** Events that record a refused command: none, a name change is only ever invalid. */
export const studentProfileRefusalEventTypes = studentProfileEventTypes.filter((type) => isRefusal[type]);

export const studentProfileDomain = defineDomain({
  name: 'studentProfile',
  aggregateType: 'StudentProfile',
  commandTypes: Object.keys(commands) as StudentProfileCommand['commandType'][],
  eventTypes: studentProfileEventTypes,
  refusalTypes: studentProfileRefusalEventTypes,
  decider: studentProfileDecider,
});
