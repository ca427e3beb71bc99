/** The EC2 plugin's error catalogue: one constructor per EC2 error code it returns, in EC2's wording. */
import { ServiceError } from '@dockside/core';

const e = (code: string, message: string) => new ServiceError(code, message);

export const invalidParameterValue = (message: string) => e('InvalidParameterValue', message);
export const missingParameter = (name: string) =>
  e('MissingParameter', `The request must contain the parameter ${name}`);
export const vpcNotFound = (id: string) => e('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
export const subnetNotFound = (id: string) => e('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
export const groupNotFound = (id: string) => e('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
export const malformedId = (kind: string, id: string) => e(`Invalid${kind}ID.Malformed`, `Invalid id: "${id}"`);
export const dependencyViolation = (kind: string, id: string) =>
  e('DependencyViolation', `The ${kind} '${id}' has dependencies and cannot be deleted.`);
export const vpcRange = (cidr: string) => e('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`);
export const subnetRange = (cidr: string) => e('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
export const subnetConflict = (cidr: string) =>
  e('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);
export const groupDuplicate = (name: string, vpcId: string) =>
  e('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
export const permissionDuplicate = (rule: string) =>
  e('InvalidPermission.Duplicate', `the specified rule "${rule}" already exists`);
export const permissionNotFound = () =>
  e('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
export const cannotDeleteDefault = (id: string) =>
  e('CannotDelete', `the specified group: "${id}" name: "default" cannot be deleted by a user`);
