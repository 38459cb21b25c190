import fs from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CommandInvalid, fold } from '../../../src/core/index.ts';
import {
  reciterDecider,
  reciterDomain,
  reciterRefusalEventTypes,
  type ReciterCommand,
  type ReciterEvent,
} from '../../../demo/reciter/index.ts';
import { command, deciderSpecification } from '../../../src/testing/deciderSpecification.ts';

const RECITER = 'reciter-1';
const AVATAR = 'https://cdn.example.com/reciters/reciter-1.png';

const reciter = <Type extends ReciterCommand['commandType'], Data extends object>(type: Type, data: Data) =>
  command(type, 'Reciter', RECITER, { reciter_uuid: RECITER, ...data });
const create = (name: string, description: string | null = null) => reciter('CreateReciter', { name, description });
const modify = (name: string | null, description: string | null) => reciter('ModifyReciter', { name, description });
const remove = () => reciter('DeleteReciter', {});
const uploadAvatar = (avatar_url: string) => reciter('UploadReciterAvatar', { avatar_url });

const created = (name = 'Nadeem Sarwar', description: string | null = 'From Karachi'): ReciterEvent => ({
  type: 'ReciterCreated',
  data: { reciter_uuid: RECITER, name, description },
});
const modified = (name: string | null, description: string | null): ReciterEvent => ({
  type: 'ReciterModified',
  data: { reciter_uuid: RECITER, name, description },
});
const deleted: ReciterEvent = { type: 'ReciterDeleted', data: { reciter_uuid: RECITER } };
const avatarUploaded = (avatar_url = AVATAR): ReciterEvent => ({
  type: 'ReciterAvatarUploaded',
  data: { reciter_uuid: RECITER, avatar_url },
});
const alreadyExists: ReciterEvent = { type: 'ReciterAlreadyExists', data: { reciter_uuid: RECITER } };
const notFound = (command_type: ReciterCommand['commandType']): ReciterEvent => ({
  type: 'ReciterNotFound',
  data: { reciter_uuid: RECITER, command_type },
});

const spec = deciderSpecification(reciterDecider);

const scenarios: { name: string; given: ReciterEvent[]; when: ReciterCommand; then: ReciterEvent[] }[] = [
  { name: 'creates a reciter', given: [], when: create('Nadeem Sarwar', 'From Karachi'), then: [created()] },
  {
    name: 'trims the name and stores a blank description as none',
    given: [],
    when: create('  Nadeem Sarwar ', '  '),
    then: [created('Nadeem Sarwar', null)],
  },
  { name: 'refuses to create a reciter twice', given: [created()], when: create('Someone'), then: [alreadyExists] },
  { name: 'refuses to create a deleted reciter again', given: [created(), deleted], when: create('Someone'), then: [alreadyExists] },
  { name: 'renames a reciter', given: [created()], when: modify('Nadeem', null), then: [modified('Nadeem', null)] },
  { name: 'changes a description', given: [created()], when: modify(null, 'Born 1960'), then: [modified(null, 'Born 1960')] },
  {
    name: 'records only the fields that change',
    given: [created()],
    when: modify('Nadeem Sarwar', 'Born 1960'),
    then: [modified(null, 'Born 1960')],
  },
  {
    name: 'modifies from the latest details',
    given: [created(), modified('Nadeem', null)],
    when: modify('Nadeem Sarwar', 'From Karachi'),
    then: [modified('Nadeem Sarwar', null)],
  },
  { name: 'refuses to modify a reciter never created', given: [], when: modify('X', null), then: [notFound('ModifyReciter')] },
  { name: 'refuses to modify a deleted reciter', given: [created(), deleted], when: modify('X', null), then: [notFound('ModifyReciter')] },
  { name: 'deletes a reciter', given: [created(), avatarUploaded()], when: remove(), then: [deleted] },
  { name: 'refuses to delete a reciter never created', given: [], when: remove(), then: [notFound('DeleteReciter')] },
  { name: 'refuses to delete a reciter twice', given: [created(), deleted], when: remove(), then: [notFound('DeleteReciter')] },
  { name: 'records an uploaded avatar', given: [created()], when: uploadAvatar(AVATAR), then: [avatarUploaded()] },
  {
    name: 'records a second upload to the same address (the image may differ)',
    given: [created(), avatarUploaded()],
    when: uploadAvatar(AVATAR),
    then: [avatarUploaded()],
  },
  {
    name: 'refuses an avatar for a reciter never created',
    given: [alreadyExists],
    when: uploadAvatar(AVATAR),
    then: [notFound('UploadReciterAvatar')],
  },
  {
    name: 'refuses an avatar for a deleted reciter',
    given: [created(), deleted],
    when: uploadAvatar(AVATAR),
    then: [notFound('UploadReciterAvatar')],
  },
];

describe('reciter decider', () => {
  it.each(scenarios)('$name', ({ given, when, then }) => spec.given(given).when(when).then(then));

  it('emits nothing for a modification that changes nothing', () => spec.given([created()]).when(modify(null, null)).thenNothing());

  it('emits nothing for a modification to the current details', () =>
    spec.given([created(), modified('Nadeem', null)]).when(modify(' Nadeem ', 'From Karachi')).thenNothing());

  it.each([
    ['a blank name on create', create('  ')],
    ['a blank name on modify', modify(' ', null)],
    ['a blank description on modify (null keeps it)', modify(null, '  ')],
    ['an avatar address that is not an absolute URL', uploadAvatar('reciter-1.png')],
  ])('finds %s invalid', (_, when) => spec.given([created()]).when(when).thenThrows(CommandInvalid));

  it('finds a command invalid before looking for the reciter', () =>
    spec
      .given([created(), deleted])
      .when(modify('', null))
      .thenThrows(CommandInvalid, (e) => e.reasons.join() === 'name is empty'));

  it('finds a command whose reciter_uuid is not its aggregate invalid', () =>
    spec
      .given([])
      .when({ ...create('Nadeem Sarwar'), aggregateUuid: 'reciter-2' })
      .thenThrows(CommandInvalid, (e) => e.message.includes('reciter_uuid')));

  it('lists its refusals for the worker', () => {
    expect(reciterRefusalEventTypes).toEqual(['ReciterAlreadyExists', 'ReciterNotFound']);
    expect(reciterDomain.refusalTypes).toBe(reciterRefusalEventTypes);
  });
});

describe('reciter schemas', () => {
  const schemaOf = (type: string) =>
    avro.Type.forSchema(JSON.parse(fs.readFileSync(new URL(`../../../avro/reciter/${type}.avsc`, import.meta.url), 'utf8')));
  const problemsOf = (type: string, data: object) => {
    const problems: string[] = [];
    schemaOf(type).isValid(data, { noUndeclaredFields: true, errorHook: (path) => problems.push(`${type}: ${path.join('.')}`) });
    return problems;
  };

  it.each([...reciterDomain.commandTypes, ...reciterDomain.eventTypes])('%s has a record of that name', (type) =>
    expect(schemaOf(type).name).toBe(`streamfold.reciter.${type}`));

  it('fits every command of the scenarios and every event the decider emits', () => {
    for (const { given, when } of scenarios) {
      expect(problemsOf(when.commandType, when.data)).toEqual([]);
      for (const event of reciterDecider.decide(when, fold(reciterDecider, given))) expect(problemsOf(event.type, event.data)).toEqual([]);
    }
  });

  it('the scenarios cover every command and event type', () => {
    expect(new Set(scenarios.map((s) => s.when.commandType))).toEqual(new Set(reciterDomain.commandTypes));
    expect(new Set(scenarios.flatMap((s) => s.then.map((e) => e.type)))).toEqual(new Set(reciterDomain.eventTypes));
  });
});
