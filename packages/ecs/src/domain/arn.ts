import { ServiceError, type RequestContext } from '@dockside/core';
import { invalidParameter } from '../errors';

/** `arn:aws:ecs:<region>:<account>:<resource>` for the caller's account and region. */
export const ecsArn = (ctx: Pick<RequestContext, 'region' | 'accountId'>, resource: string) =>
  `arn:aws:ecs:${ctx.region}:${ctx.accountId}:${resource}`;

export interface ParsedArn {
  region: string;
  accountId: string;
  /** `cluster`, `task`, `task-definition`, `service`, `container-instance`, … */
  type: string;
  /** Everything after `type/`. */
  id: string;
}

const ARN = /^arn:aws[\w-]*:ecs:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

export function parseEcsArn(arn: string): ParsedArn | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1], accountId: m[2], type: m[3], id: m[4] } : undefined;
}

/**
 * The name part of a `name-or-ARN` parameter. An ARN for another account or region names a
 * resource that cannot exist here, so `notFound` is thrown.
 */
export function nameFromArnOrName(
  ctx: Pick<RequestContext, 'region' | 'accountId'>,
  value: string,
  type: string,
  notFound: () => ServiceError,
): string {
  if (!value.startsWith('arn:')) return value;
  const p = parseEcsArn(value);
  if (!p || p.type !== type) throw invalidParameter(`Invalid ${type} ARN: ${value}`);
  if (p.region !== ctx.region || p.accountId !== ctx.accountId) throw notFound();
  return p.id;
}
