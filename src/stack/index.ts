// The local development stack (`streamfold stack`), for a service's test setup: `streamfold/stack`.
// Nothing the runtime imports reaches this folder.
export { stackUp, stackDown, stackStatus, formatStatus } from './stack.ts';
export { readStackSettings, type StackSettings } from './settings.ts';
export { StackError, isStackError, stackErrorCodes, type StackErrorCode } from './errors.ts';
