/** The EventBridge plugin's error catalogue, in AWS's wording. */
import { ServiceError } from '@dockside/core';

export const validation = (message: string) => new ServiceError('ValidationException', message);
export const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
export const alreadyExists = (message: string) => new ServiceError('ResourceAlreadyExistsException', message);
export const invalidPattern = (message: string) => new ServiceError('InvalidEventPatternException', message);
export const limitExceeded = (message: string) => new ServiceError('LimitExceededException', message);
export const illegalStatus = (message: string) => new ServiceError('IllegalStatusException', message);
export const managedRule = (message: string) => new ServiceError('ManagedRuleException', message);
export const concurrentModification = (message: string) => new ServiceError('ConcurrentModificationException', message);
