import { assertAddressedTo, CommandInvalid, StreamfoldError, type CommandEnvelope, type Decider, type DomainEvent } from 'streamfold/core';

export type AddPeriod = CommandEnvelope<
  'AddPeriod',
  { readonly roster_uuid: string; readonly period_uuid: string; readonly name: string }
>;
export type EnrollStudent = CommandEnvelope<
  'EnrollStudent',
  { readonly roster_uuid: string; readonly student_uuid: string; readonly period_uuid: string }
>;
export type DropStudent = CommandEnvelope<
  'DropStudent',
  { readonly roster_uuid: string; readonly student_uuid: string; readonly period_uuid: string }
>;
export type MoveStudent = CommandEnvelope<
  'MoveStudent',
  {
    readonly roster_uuid: string;
    readonly student_uuid: string;
    readonly from_period_uuid: string;
    readonly to_period_uuid: string;
  }
>;
export type RosterCommand = AddPeriod | EnrollStudent | DropStudent | MoveStudent;

export type PeriodAdded = DomainEvent<'PeriodAdded', AddPeriod['data']>;
export type StudentEnrolled = DomainEvent<'StudentEnrolled', EnrollStudent['data']>;
export type StudentDropped = DomainEvent<'StudentDropped', DropStudent['data']>;
export type StudentMoved = DomainEvent<'StudentMoved', MoveStudent['data']>;

export type UnknownPeriod = DomainEvent<
  'UnknownPeriod',
  { readonly roster_uuid: string; readonly period_uuid: string; readonly command_type: RosterCommand['commandType'] }
>;
export type PeriodAlreadyExists = DomainEvent<
  'PeriodAlreadyExists',
  { readonly roster_uuid: string; readonly period_uuid: string }
>;
/** `period_uuid` is the period the student is in, which may not be the one asked for. */
export type AlreadyEnrolled = DomainEvent<
  'AlreadyEnrolled',
  { readonly roster_uuid: string; readonly student_uuid: string; readonly period_uuid: string }
>;
export type NotEnrolled = DomainEvent<
  'NotEnrolled',
  { readonly roster_uuid: string; readonly student_uuid: string; readonly period_uuid: string }
>;

export type RosterRefusal = UnknownPeriod | PeriodAlreadyExists | AlreadyEnrolled | NotEnrolled;
export type RosterEvent = PeriodAdded | StudentEnrolled | StudentDropped | StudentMoved | RosterRefusal;

/** A roster exists once it has a period, so there is no status to tell apart. */
export interface Roster {
  readonly periods: ReadonlySet<string>;
  /** student_uuid → period_uuid: a student is in at most one period of a roster. */
  readonly periodOfStudent: ReadonlyMap<string, string>;
}

const initialState = (): Roster => ({ periods: new Set(), periodOfStudent: new Map() });

function decide(command: RosterCommand, state: Roster): readonly RosterEvent[] {
  assertAddressedTo(command, 'roster_uuid', command.data.roster_uuid);

  switch (command.commandType) {
    case 'AddPeriod':
      return [addPeriod(command, state)];
    case 'EnrollStudent':
      return [enrollStudent(command, state)];
    case 'DropStudent':
      return [dropStudent(command, state)];
    case 'MoveStudent':
      return [moveStudent(command, state)];
    default: {
      const unknown: never = command;
      throw new CommandInvalid([`unknown command type ${(unknown as CommandEnvelope).commandType}`]);
    }
  }
}

function addPeriod({ data }: AddPeriod, state: Roster): PeriodAdded | PeriodAlreadyExists {
  const { roster_uuid, period_uuid } = data;
  const name = data.name.trim();
  if (name === '') throw new CommandInvalid(['name is empty']);
  if (state.periods.has(period_uuid)) return { type: 'PeriodAlreadyExists', data: { roster_uuid, period_uuid } };
  return { type: 'PeriodAdded', data: { roster_uuid, period_uuid, name } };
}

function enrollStudent({ data, commandType }: EnrollStudent, state: Roster): StudentEnrolled | RosterRefusal {
  const { roster_uuid, student_uuid, period_uuid } = data;
  if (!state.periods.has(period_uuid)) return unknownPeriod(roster_uuid, period_uuid, commandType);
  const current = state.periodOfStudent.get(student_uuid);
  if (current !== undefined)
    return { type: 'AlreadyEnrolled', data: { roster_uuid, student_uuid, period_uuid: current } };
  return { type: 'StudentEnrolled', data: { roster_uuid, student_uuid, period_uuid } };
}

function dropStudent({ data, commandType }: DropStudent, state: Roster): StudentDropped | RosterRefusal {
  const { roster_uuid, student_uuid, period_uuid } = data;
  if (!state.periods.has(period_uuid)) return unknownPeriod(roster_uuid, period_uuid, commandType);
  if (state.periodOfStudent.get(student_uuid) !== period_uuid)
    return { type: 'NotEnrolled', data: { roster_uuid, student_uuid, period_uuid } };
  return { type: 'StudentDropped', data: { roster_uuid, student_uuid, period_uuid } };
}

function moveStudent({ data, commandType }: MoveStudent, state: Roster): StudentMoved | RosterRefusal {
  const { roster_uuid, student_uuid, from_period_uuid, to_period_uuid } = data;
  if (from_period_uuid === to_period_uuid)
    throw new CommandInvalid(['to_period_uuid is the same as from_period_uuid']);
  for (const period_uuid of [from_period_uuid, to_period_uuid])
    if (!state.periods.has(period_uuid)) return unknownPeriod(roster_uuid, period_uuid, commandType);
  if (state.periodOfStudent.get(student_uuid) !== from_period_uuid)
    return { type: 'NotEnrolled', data: { roster_uuid, student_uuid, period_uuid: from_period_uuid } };
  return { type: 'StudentMoved', data: { roster_uuid, student_uuid, from_period_uuid, to_period_uuid } };
}

const unknownPeriod = (
  roster_uuid: string,
  period_uuid: string,
  command_type: RosterCommand['commandType'],
): UnknownPeriod => ({ type: 'UnknownPeriod', data: { roster_uuid, period_uuid, command_type } });

function evolve(state: Roster, event: RosterEvent): Roster {
  switch (event.type) {
    case 'PeriodAdded':
      return { ...state, periods: new Set(state.periods).add(event.data.period_uuid) };
    case 'StudentEnrolled':
      return placed(state, event.data.student_uuid, event.data.period_uuid);
    case 'StudentMoved':
      return placed(state, event.data.student_uuid, event.data.to_period_uuid);
    case 'StudentDropped': {
      const periodOfStudent = new Map(state.periodOfStudent);
      periodOfStudent.delete(event.data.student_uuid);
      return { ...state, periodOfStudent };
    }
    case 'UnknownPeriod':
    case 'PeriodAlreadyExists':
    case 'AlreadyEnrolled':
    case 'NotEnrolled':
      return state;
    default: {
      const unknown: never = event;
      // Deciding on a state that skipped an event would be deciding on a wrong state.
      throw new StreamfoldError('UNKNOWN_TYPE', `unknown Roster event type ${(unknown as DomainEvent).type}`);
    }
  }
}

const placed = (state: Roster, student_uuid: string, period_uuid: string): Roster => ({
  ...state,
  periodOfStudent: new Map(state.periodOfStudent).set(student_uuid, period_uuid),
});

export const rosterDecider: Decider<RosterCommand, RosterEvent, Roster> = { decide, evolve, initialState };
