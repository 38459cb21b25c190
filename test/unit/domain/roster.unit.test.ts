import fs from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CommandInvalid, fold } from '../../../src/core/index.ts';
import {
  rosterDecider,
  rosterDomain,
  rosterRefusalEventTypes,
  type RosterCommand,
  type RosterEvent,
} from '../../../demo/roster/index.ts';
import { command, deciderSpecification } from '../../../src/testing/deciderSpecification.ts';

const ROSTER = 'roster-7';
const [P1, P2, S1, S2] = ['period-1', 'period-2', 'student-1', 'student-2'] as const;

const roster = <Type extends RosterCommand['commandType'], Data extends object>(type: Type, data: Data) =>
  command(type, 'Roster', ROSTER, { roster_uuid: ROSTER, ...data });
const addPeriod = (period_uuid: string, name: string) => roster('AddPeriod', { period_uuid, name });
const enroll = (student_uuid: string, period_uuid: string) => roster('EnrollStudent', { student_uuid, period_uuid });
const drop = (student_uuid: string, period_uuid: string) => roster('DropStudent', { student_uuid, period_uuid });
const move = (student_uuid: string, from_period_uuid: string, to_period_uuid: string) =>
  roster('MoveStudent', { student_uuid, from_period_uuid, to_period_uuid });

const added = (period_uuid: string, name = 'First'): RosterEvent => ({
  type: 'PeriodAdded',
  data: { roster_uuid: ROSTER, period_uuid, name },
});
const enrolled = (student_uuid: string, period_uuid: string): RosterEvent => ({
  type: 'StudentEnrolled',
  data: { roster_uuid: ROSTER, student_uuid, period_uuid },
});
const dropped = (student_uuid: string, period_uuid: string): RosterEvent => ({
  type: 'StudentDropped',
  data: { roster_uuid: ROSTER, student_uuid, period_uuid },
});
const moved = (student_uuid: string, from_period_uuid: string, to_period_uuid: string): RosterEvent => ({
  type: 'StudentMoved',
  data: { roster_uuid: ROSTER, student_uuid, from_period_uuid, to_period_uuid },
});
const unknownPeriod = (period_uuid: string, command_type: RosterCommand['commandType']): RosterEvent => ({
  type: 'UnknownPeriod',
  data: { roster_uuid: ROSTER, period_uuid, command_type },
});
const alreadyEnrolled = (student_uuid: string, period_uuid: string): RosterEvent => ({
  type: 'AlreadyEnrolled',
  data: { roster_uuid: ROSTER, student_uuid, period_uuid },
});
const notEnrolled = (student_uuid: string, period_uuid: string): RosterEvent => ({
  type: 'NotEnrolled',
  data: { roster_uuid: ROSTER, student_uuid, period_uuid },
});

const spec = deciderSpecification(rosterDecider);

const scenarios: { name: string; given: RosterEvent[]; when: RosterCommand; then: RosterEvent[] }[] = [
  { name: 'adds a period', given: [], when: addPeriod(P1, 'First'), then: [added(P1, 'First')] },
  { name: 'trims the period name', given: [], when: addPeriod(P1, '  First \n'), then: [added(P1, 'First')] },
  {
    name: 'refuses a period that exists',
    given: [added(P1)],
    when: addPeriod(P1, 'Again'),
    then: [{ type: 'PeriodAlreadyExists', data: { roster_uuid: ROSTER, period_uuid: P1 } }],
  },
  { name: 'enrolls a student', given: [added(P1)], when: enroll(S1, P1), then: [enrolled(S1, P1)] },
  { name: 'enrolls a second student', given: [added(P1), enrolled(S1, P1)], when: enroll(S2, P1), then: [enrolled(S2, P1)] },
  { name: 'refuses to enroll in an unknown period', given: [], when: enroll(S1, P1), then: [unknownPeriod(P1, 'EnrollStudent')] },
  {
    name: 'refuses to enroll a student twice in a period',
    given: [added(P1), enrolled(S1, P1)],
    when: enroll(S1, P1),
    then: [alreadyEnrolled(S1, P1)],
  },
  {
    name: 'refuses to enroll a student in a second period, naming the period they are in',
    given: [added(P1), added(P2), enrolled(S1, P1)],
    when: enroll(S1, P2),
    then: [alreadyEnrolled(S1, P1)],
  },
  {
    name: 'enrolls a student whose earlier enrollment was refused',
    given: [added(P1), unknownPeriod(P2, 'EnrollStudent'), alreadyEnrolled(S1, P1)],
    when: enroll(S1, P1),
    then: [enrolled(S1, P1)],
  },
  { name: 'drops a student', given: [added(P1), enrolled(S1, P1)], when: drop(S1, P1), then: [dropped(S1, P1)] },
  { name: 'refuses to drop from an unknown period', given: [], when: drop(S1, P1), then: [unknownPeriod(P1, 'DropStudent')] },
  {
    name: 'refuses to drop a student from a period they are not in',
    given: [added(P1), added(P2), enrolled(S1, P2)],
    when: drop(S1, P1),
    then: [notEnrolled(S1, P1)],
  },
  {
    name: 'enrolls a dropped student again',
    given: [added(P1), enrolled(S1, P1), dropped(S1, P1)],
    when: enroll(S1, P1),
    then: [enrolled(S1, P1)],
  },
  {
    name: 'moves a student',
    given: [added(P1), added(P2), enrolled(S1, P1)],
    when: move(S1, P1, P2),
    then: [moved(S1, P1, P2)],
  },
  {
    name: 'refuses to move from an unknown period',
    given: [added(P2)],
    when: move(S1, P1, P2),
    then: [unknownPeriod(P1, 'MoveStudent')],
  },
  {
    name: 'refuses to move to an unknown period',
    given: [added(P1), enrolled(S1, P1)],
    when: move(S1, P1, P2),
    then: [unknownPeriod(P2, 'MoveStudent')],
  },
  {
    name: 'refuses to move a student from a period they are not in',
    given: [added(P1), added(P2), enrolled(S1, P2)],
    when: move(S1, P1, P2),
    then: [notEnrolled(S1, P1)],
  },
  {
    name: 'drops a moved student from the period they moved to',
    given: [added(P1), added(P2), enrolled(S1, P1), moved(S1, P1, P2)],
    when: drop(S1, P2),
    then: [dropped(S1, P2)],
  },
  {
    name: 'refuses to drop a moved student from the period they left',
    given: [added(P1), added(P2), enrolled(S1, P1), moved(S1, P1, P2)],
    when: drop(S1, P1),
    then: [notEnrolled(S1, P1)],
  },
];

describe('roster decider', () => {
  it.each(scenarios)('$name', ({ given, when, then }) => spec.given(given).when(when).then(then));

  it('finds a period without a name invalid', () =>
    spec
      .given([])
      .when(addPeriod(P1, '   '))
      .thenThrows(CommandInvalid, (e) => e.reasons.includes('name is empty')));

  it('finds a move to the period the student is already in invalid', () =>
    spec
      .given([added(P1), enrolled(S1, P1)])
      .when(move(S1, P1, P1))
      .thenThrows(CommandInvalid, (e) => e.message.includes('to_period_uuid')));

  it('finds a command whose roster_uuid is not its aggregate invalid', () =>
    spec
      .given([added(P1)])
      .when({ ...enroll(S1, P1), aggregateUuid: 'roster-8' })
      .thenThrows(CommandInvalid, (e) => e.message.includes('roster_uuid')));

  it('lists its refusals for the worker', () => {
    expect(rosterRefusalEventTypes).toEqual(['UnknownPeriod', 'PeriodAlreadyExists', 'AlreadyEnrolled', 'NotEnrolled']);
    expect(rosterDomain.refusalTypes).toBe(rosterRefusalEventTypes);
  });
});

describe('roster schemas', () => {
  const schemaOf = (type: string) =>
    avro.Type.forSchema(JSON.parse(fs.readFileSync(new URL(`../../../avro/roster/${type}.avsc`, import.meta.url), 'utf8')));
  const problemsOf = (type: string, data: object) => {
    const problems: string[] = [];
    schemaOf(type).isValid(data, { noUndeclaredFields: true, errorHook: (path) => problems.push(`${type}: ${path.join('.')}`) });
    return problems;
  };

  it.each([...rosterDomain.commandTypes, ...rosterDomain.eventTypes])('%s has a record of that name', (type) =>
    expect(schemaOf(type).name).toBe(`streamfold.roster.${type}`));

  it('fits every command of the scenarios and every event the decider emits', () => {
    for (const { given, when } of scenarios) {
      expect(problemsOf(when.commandType, when.data)).toEqual([]);
      for (const event of rosterDecider.decide(when, fold(rosterDecider, given))) expect(problemsOf(event.type, event.data)).toEqual([]);
    }
  });

  it('the scenarios cover every command and event type', () => {
    expect(new Set(scenarios.map((s) => s.when.commandType))).toEqual(new Set(rosterDomain.commandTypes));
    expect(new Set(scenarios.flatMap((s) => s.then.map((e) => e.type)))).toEqual(new Set(rosterDomain.eventTypes));
  });
});
