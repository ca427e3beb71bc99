/** The ELBv2 plugin's error catalogue: one constructor per AWS error it returns, in AWS's wording. */
import { ServiceError } from '@dockside/core';

export const invalid = (message: string) => new ServiceError('ValidationError', message);
export const lbNotFound = (message = 'One or more load balancers not found') =>
  new ServiceError('LoadBalancerNotFoundException', message);
export const tgNotFound = (message = 'One or more target groups not found') =>
  new ServiceError('TargetGroupNotFoundException', message);
export const listenerNotFound = (message = 'One or more listeners not found') =>
  new ServiceError('ListenerNotFoundException', message);
export const ruleNotFound = (message = 'One or more rules not found') =>
  new ServiceError('RuleNotFoundException', message);
export const trustStoreNotFound = (message = 'One or more trust stores not found') =>
  new ServiceError('TrustStoreNotFoundException', message);
export const sslPolicyNotFound = (message = 'One or more SSL policies not found') =>
  new ServiceError('SSLPolicyNotFoundException', message);
export const priorityInUse = (priority: number) =>
  new ServiceError('PriorityInUseException', `Priority '${priority}' is currently in use`);
export const notPermitted = (message: string) => new ServiceError('OperationNotPermittedException', message);
export const resourceInUse = (message: string) => new ServiceError('ResourceInUseException', message);
export const invalidTarget = (message: string) => new ServiceError('InvalidTargetException', message);
export const invalidConfig = (message: string) => new ServiceError('InvalidConfigurationRequestException', message);
export const invalidAction = (message: string) => new ServiceError('InvalidLoadBalancerActionException', message);
export const incompatibleProtocols = (message: string) => new ServiceError('IncompatibleProtocolsException', message);
export const unsupportedProtocol = (message: string) => new ServiceError('UnsupportedProtocolException', message);
export const duplicateListener = () =>
  new ServiceError('DuplicateListenerException', 'A listener already exists on this port for this load balancer');
export const duplicateLbName = (name: string) =>
  new ServiceError(
    'DuplicateLoadBalancerNameException',
    `A load balancer with the same name '${name}' exists, but with different settings`,
  );
export const duplicateTgName = (name: string) =>
  new ServiceError(
    'DuplicateTargetGroupNameException',
    `A target group with the same name '${name}' exists, but with different settings`,
  );
export const tooManyTags = () =>
  new ServiceError('TooManyTagsException', 'The tag count exceeds the limit of 50 tags per resource');
export const duplicateTagKeys = (key: string) =>
  new ServiceError('DuplicateTagKeysException', `Duplicate tag key '${key}' found`);
export const certificateNotFound = (message = 'Certificate not found') =>
  new ServiceError('CertificateNotFoundException', message);
export const resourceNotFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
