import fs from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CommandInvalid, fold } from '../../../src/core/index.ts';
import {
  studentProfileDecider,
  studentProfileDomain,
  studentProfileRefusalEventTypes,
  type ChangeStudentName,
  type StudentNameChanged,
} from '../../../demo/studentProfile/index.ts';
import { command, deciderSpecification } from '../../../src/testing/deciderSpecification.ts';

const STUDENT = '5526ba99-047d-49a1-8a14-3247ca1e8727';

const changeName = (first: string, middle: string | null, last: string): ChangeStudentName =>
  command('ChangeStudentName', 'StudentProfile', STUDENT, { student_uuid: STUDENT, first, middle, last });
const nameChanged = (first: string, middle: string | null, last: string): StudentNameChanged => ({
  type: 'StudentNameChanged',
  data: { student_uuid: STUDENT, first, middle, last },
});

const spec = deciderSpecification(studentProfileDecider);

const scenarios: { name: string; given: StudentNameChanged[]; when: ChangeStudentName; then: StudentNameChanged[] }[] = [
  {
    name: 'names a student, capitalised (the seed: joe → Joe)',
    given: [],
    when: changeName('joe', null, 'schmoe'),
    then: [nameChanged('Joe', null, 'Schmoe')],
  },
  {
    name: 'trims every part and capitalises the middle name too',
    given: [],
    when: changeName('  joe ', ' quincy\t', ' schmoe\n'),
    then: [nameChanged('Joe', 'Quincy', 'Schmoe')],
  },
  {
    name: 'keeps the rest of each part as written',
    given: [],
    when: changeName('mary-jane', 'de la', 'mcDonald'),
    then: [nameChanged('Mary-jane', 'De la', 'McDonald')],
  },
  { name: 'capitalises a non-ASCII initial', given: [], when: changeName('émile', null, 'zola'), then: [nameChanged('Émile', null, 'Zola')] },
  { name: 'stores a blank middle name as none', given: [], when: changeName('joe', '   ', 'schmoe'), then: [nameChanged('Joe', null, 'Schmoe')] },
  {
    name: 'renames a named student',
    given: [nameChanged('Joe', null, 'Schmoe')],
    when: changeName('Jo', null, 'Schmoe'),
    then: [nameChanged('Jo', null, 'Schmoe')],
  },
  {
    name: 'removes a middle name',
    given: [nameChanged('Joe', 'Quincy', 'Schmoe')],
    when: changeName('Joe', null, 'Schmoe'),
    then: [nameChanged('Joe', null, 'Schmoe')],
  },
  {
    name: 'decides on the latest name',
    given: [nameChanged('Joe', null, 'Schmoe'), nameChanged('Jo', null, 'Schmoe')],
    when: changeName('joe', null, 'schmoe'),
    then: [nameChanged('Joe', null, 'Schmoe')],
  },
];

describe('studentProfile decider', () => {
  it.each(scenarios)('$name', ({ given, when, then }) => spec.given(given).when(when).then(then));

  it('emits nothing for the name the student already has', () =>
    spec.given([nameChanged('Joe', null, 'Schmoe')]).when(changeName('Joe', null, 'Schmoe')).thenNothing());

  it('emits nothing for the same name written differently', () =>
    spec.given([nameChanged('Joe', 'Quincy', 'Schmoe')]).when(changeName(' joe', 'quincy ', 'schmoe')).thenNothing());

  it('emits nothing for a blank middle name when there is none', () =>
    spec.given([nameChanged('Joe', null, 'Schmoe')]).when(changeName('Joe', ' ', 'Schmoe')).thenNothing());

  it('finds an empty first name invalid, naming the field', () =>
    spec
      .given([])
      .when(changeName('  ', null, 'Schmoe'))
      .thenThrows(CommandInvalid, (e) => e.reasons.join() === 'first is empty'));

  it('finds an empty first and last name invalid, naming both', () =>
    spec
      .given([nameChanged('Joe', null, 'Schmoe')])
      .when(changeName('', 'Quincy', ' '))
      .thenThrows(CommandInvalid, (e) => e.reasons.join() === 'first is empty,last is empty'));

  it('finds a command whose student_uuid is not its aggregate invalid', () =>
    spec
      .given([])
      .when({ ...changeName('Joe', null, 'Schmoe'), aggregateUuid: 'another-student' })
      .thenThrows(CommandInvalid, (e) => e.message.includes('student_uuid')));

  it('has no refusals', () => {
    expect(studentProfileRefusalEventTypes).toEqual([]);
    expect(studentProfileDomain.refusalTypes).toBe(studentProfileRefusalEventTypes);
  });
});

describe('studentProfile schemas', () => {
  const schemaOf = (type: string) =>
    avro.Type.forSchema(
      JSON.parse(fs.readFileSync(new URL(`../../../avro/studentProfile/${type}.avsc`, import.meta.url), 'utf8')),
    );
  const problemsOf = (type: string, data: object) => {
    const problems: string[] = [];
    schemaOf(type).isValid(data, { noUndeclaredFields: true, errorHook: (path) => problems.push(`${type}: ${path.join('.')}`) });
    return problems;
  };

  it.each([...studentProfileDomain.commandTypes, ...studentProfileDomain.eventTypes])('%s has a record of that name', (type) =>
    expect(schemaOf(type).name).toBe(`streamfold.studentProfile.${type}`));

  it('fits every command of the scenarios and every event the decider emits', () => {
    for (const { given, when } of scenarios) {
      expect(problemsOf(when.commandType, when.data)).toEqual([]);
      for (const event of studentProfileDecider.decide(when, fold(studentProfileDecider, given)))
        expect(problemsOf(event.type, event.data)).toEqual([]);
    }
  });

  it('the scenarios cover every command and event type', () => {
    expect(new Set(scenarios.map((s) => s.when.commandType))).toEqual(new Set(studentProfileDomain.commandTypes));
    expect(new Set(scenarios.flatMap((s) => s.then.map((e) => e.type)))).toEqual(new Set(studentProfileDomain.eventTypes));
  });
});
