/** The Logs plugin's error catalogue: one constructor per AWS error it returns, in AWS's wording. */
import { ServiceError } from '@dockside/core';

export const invalid = (message: string) => new ServiceError('InvalidParameterException', message);
export const groupNotFound = () =>
  new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
export const streamNotFound = () =>
  new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
