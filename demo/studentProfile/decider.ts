import { assertAddressedTo, CommandInvalid, StreamfoldError, type CommandEnvelope, type Decider, type DomainEvent } from 'streamfold/core';

export type StudentName = {
  readonly first: string;
  readonly middle: string | null;
  readonly last: string;
};

export type ChangeStudentName = CommandEnvelope<'ChangeStudentName', { readonly student_uuid: string } & StudentName>;
export type StudentProfileCommand = ChangeStudentName;

/** The name as stored: trimmed, first letters capitalised, an empty middle name is null. */
export type StudentNameChanged = DomainEvent<'StudentNameChanged', { readonly student_uuid: string } & StudentName>;
export type StudentProfileEvent = StudentNameChanged;

export type StudentProfile = { readonly status: 'Unnamed' } | ({ readonly status: 'Named' } & StudentName);

const initialState = (): StudentProfile => ({ status: 'Unnamed' });

function decide(command: StudentProfileCommand, state: StudentProfile): readonly StudentProfileEvent[] {
  assertAddressedTo(command, 'student_uuid', command.data.student_uuid);

  switch (command.commandType) {
    case 'ChangeStudentName':
      return changeStudentName(command, state);
    default: {
      const unknown: never = command.commandType;
      throw new CommandInvalid([`unknown command type ${String(unknown)}`]);
    }
  }
}

function changeStudentName({ data }: ChangeStudentName, state: StudentProfile): StudentNameChanged[] {
  const name = normalized(data);
  if (state.status === 'Named' && sameName(state, name)) return [];
  return [{ type: 'StudentNameChanged', data: { student_uuid: data.student_uuid, ...name } }];
}

function normalized({ first, middle, last }: StudentName): StudentName {
  const name = { first: capitalised(first), middle: capitalised(middle ?? '') || null, last: capitalised(last) };
  const empty = (['first', 'last'] as const).filter((field) => name[field] === '');
  if (empty.length > 0) throw new CommandInvalid(empty.map((field) => `${field} is empty`));
  return name;
}

/** "joe " → "Joe"; the rest is kept as written (McDonald, de la Cruz). */
function capitalised(part: string): string {
  const [initial = '', ...rest] = part.trim();
  return initial.toUpperCase() + rest.join('');
}

const sameName = (a: StudentName, b: StudentName) => a.first === b.first && a.middle === b.middle && a.last === b.last;

function evolve(state: StudentProfile, event: StudentProfileEvent): StudentProfile {
  switch (event.type) {
    case 'StudentNameChanged': {
      const { first, middle, last } = event.data;
      return { status: 'Named', first, middle, last };
    }
    default: {
      const unknown: never = event.type;
      // Deciding on a state that skipped an event would be deciding on a wrong state.
      throw new StreamfoldError('UNKNOWN_TYPE', `unknown StudentProfile event type ${String(unknown)}`);
    }
  }
}

export const studentProfileDecider: Decider<StudentProfileCommand, StudentProfileEvent, StudentProfile> = {
  decide,
  evolve,
  initialState,
};
