/**
 * The ECS plugin's error catalogue: one constructor per AWS error it returns, worded as ECS
 * words them. Handlers and the domain throw these; nothing else builds ServiceErrors.
 */
import { ServiceError } from '@dockside/core';

/** InvalidParameterException: the catch-all of ECS input checks. */
export const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message);
/** ClientException: ECS's answer for bad task definitions and references to them. */
export const clientException = (message: string) => new ServiceError('ClientException', message);
export const clusterNotFound = () => new ServiceError('ClusterNotFoundException', 'Cluster not found.');
export const serviceNotFound = () => new ServiceError('ServiceNotFoundException', 'Service not found.');
export const serviceNotActive = () => new ServiceError('ServiceNotActiveException', 'Service was not ACTIVE.');
export const taskSetNotFound = () =>
  new ServiceError('TaskSetNotFoundException', 'The specified task set does not exist.');
export const taskNotFound = () => invalidParameter('The specified task is not found.');
export const taskDefinitionNotDescribable = () => clientException('Unable to describe task definition.');
export const serviceDeploymentNotFound = () =>
  new ServiceError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
export const conflict = (message: string) => new ServiceError('ConflictException', message);
export const targetNotFound = (message: string) => new ServiceError('TargetNotFoundException', message, { fields: {} });
