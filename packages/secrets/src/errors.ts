/** The secrets plugin's error catalogue: one constructor per AWS error it returns, in AWS's wording. */
import { ServiceError } from '@dockside/core';

export const invalidParameter = (m: string) => new ServiceError('InvalidParameterException', m);
export const invalidRequest = (m: string) => new ServiceError('InvalidRequestException', m);
export const secretNotFound = () =>
  new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const markedForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
export const validation = (m: string) => new ServiceError('ValidationException', m);
export const parameterNotFound = (name: string) =>
  new ServiceError('ParameterNotFound', `Parameter ${name} not found.`);
export const replicaRefused = () =>
  new ServiceError(
    'InvalidRequestException',
    "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
  );
