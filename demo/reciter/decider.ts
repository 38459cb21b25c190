import { assertAddressedTo, CommandInvalid, StreamfoldError, type CommandEnvelope, type Decider, type DomainEvent } from 'streamfold/core';

export type CreateReciter = CommandEnvelope<
  'CreateReciter',
  { readonly reciter_uuid: string; readonly name: string; readonly description: string | null }
>;
/** A null field is left as it is. */
export type ModifyReciter = CommandEnvelope<
  'ModifyReciter',
  { readonly reciter_uuid: string; readonly name: string | null; readonly description: string | null }
>;
export type DeleteReciter = CommandEnvelope<'DeleteReciter', { readonly reciter_uuid: string }>;
export type UploadReciterAvatar = CommandEnvelope<
  'UploadReciterAvatar',
  { readonly reciter_uuid: string; readonly avatar_url: string }
>;
export type ReciterCommand = CreateReciter | ModifyReciter | DeleteReciter | UploadReciterAvatar;

export type ReciterCreated = DomainEvent<'ReciterCreated', CreateReciter['data']>;
/** Only what changed: a null field did not change. */
export type ReciterModified = DomainEvent<'ReciterModified', ModifyReciter['data']>;
export type ReciterDeleted = DomainEvent<'ReciterDeleted', DeleteReciter['data']>;
export type ReciterAvatarUploaded = DomainEvent<'ReciterAvatarUploaded', UploadReciterAvatar['data']>;

export type ReciterAlreadyExists = DomainEvent<'ReciterAlreadyExists', { readonly reciter_uuid: string }>;
export type ReciterNotFound = DomainEvent<
  'ReciterNotFound',
  { readonly reciter_uuid: string; readonly command_type: ReciterCommand['commandType'] }
>;

export type ReciterRefusal = ReciterAlreadyExists | ReciterNotFound;
export type ReciterEvent = ReciterCreated | ReciterModified | ReciterDeleted | ReciterAvatarUploaded | ReciterRefusal;

export type Reciter =
  | { readonly status: 'Absent' }
  | {
      readonly status: 'Active';
      readonly name: string;
      readonly description: string | null;
      readonly avatar_url: string | null;
    }
  | { readonly status: 'Deleted' };

const initialState = (): Reciter => ({ status: 'Absent' });

function decide(command: ReciterCommand, state: Reciter): readonly ReciterEvent[] {
  assertAddressedTo(command, 'reciter_uuid', command.data.reciter_uuid);

  switch (command.commandType) {
    case 'CreateReciter':
      return [create(command, state)];
    case 'ModifyReciter':
      return modify(command, state);
    case 'DeleteReciter':
      return [remove(command, state)];
    case 'UploadReciterAvatar':
      return [uploadAvatar(command, state)];
    default: {
      const unknown: never = command;
      throw new CommandInvalid([`unknown command type ${(unknown as CommandEnvelope).commandType}`]);
    }
  }
}

function create({ data }: CreateReciter, state: Reciter): ReciterCreated | ReciterAlreadyExists {
  const { reciter_uuid } = data;
  const name = nameOf(data.name);
  // A deleted reciter's uuid stays taken: creating again does not undo a deletion.
  if (state.status !== 'Absent') return { type: 'ReciterAlreadyExists', data: { reciter_uuid } };
  return { type: 'ReciterCreated', data: { reciter_uuid, name, description: data.description?.trim() || null } };
}

function modify(command: ModifyReciter, state: Reciter): ReciterEvent[] {
  const { reciter_uuid } = command.data;
  const name = command.data.name === null ? null : nameOf(command.data.name);
  const description = command.data.description?.trim() ?? null;
  if (description === '') throw new CommandInvalid(['description is empty; send null to leave it as it is']);
  if (state.status !== 'Active') return [notFound(command)];

  const changes = {
    name: name === state.name ? null : name,
    description: description === state.description ? null : description,
  };
  if (changes.name === null && changes.description === null) return [];
  return [{ type: 'ReciterModified', data: { reciter_uuid, ...changes } }];
}

function remove(command: DeleteReciter, state: Reciter): ReciterDeleted | ReciterNotFound {
  if (state.status !== 'Active') return notFound(command);
  return { type: 'ReciterDeleted', data: { reciter_uuid: command.data.reciter_uuid } };
}

function uploadAvatar(command: UploadReciterAvatar, state: Reciter): ReciterAvatarUploaded | ReciterNotFound {
  const { reciter_uuid, avatar_url } = command.data;
  if (!URL.canParse(avatar_url)) throw new CommandInvalid([`avatar_url ${avatar_url} is not an absolute URL`]);
  if (state.status !== 'Active') return notFound(command);
  return { type: 'ReciterAvatarUploaded', data: { reciter_uuid, avatar_url } };
}

function nameOf(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new CommandInvalid(['name is empty']);
  return trimmed;
}

const notFound = ({ data, commandType }: ReciterCommand): ReciterNotFound => ({
  type: 'ReciterNotFound',
  data: { reciter_uuid: data.reciter_uuid, command_type: commandType },
});

function evolve(state: Reciter, event: ReciterEvent): Reciter {
  switch (event.type) {
    case 'ReciterCreated':
      return { status: 'Active', name: event.data.name, description: event.data.description, avatar_url: null };
    case 'ReciterModified':
      if (state.status !== 'Active') return state;
      return {
        ...state,
        name: event.data.name ?? state.name,
        description: event.data.description ?? state.description,
      };
    case 'ReciterAvatarUploaded':
      return state.status === 'Active' ? { ...state, avatar_url: event.data.avatar_url } : state;
    case 'ReciterDeleted':
      return { status: 'Deleted' };
    case 'ReciterAlreadyExists':
    case 'ReciterNotFound':
      return state;
    default: {
      const unknown: never = event;
      // Deciding on a state that skipped an event would be deciding on a wrong state.
      throw new StreamfoldError('UNKNOWN_TYPE', `unknown Reciter event type ${(unknown as DomainEvent).type}`);
    }
  }
}

export const reciterDecider: Decider<ReciterCommand, ReciterEvent, Reciter> = { decide, evolve, initialState };
