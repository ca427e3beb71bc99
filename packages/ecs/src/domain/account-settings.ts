import type * as ECS from '@aws-sdk/client-ecs';
import { type RequestContext } from '@dockside/core';
import { invalidParameter } from '../errors';
import type { EcsState } from '../state/types';

/** The values AWS applies to an account that never set anything. */
export const AWS_DEFAULTS: Record<string, string> = {
  serviceLongArnFormat: 'enabled',
  taskLongArnFormat: 'enabled',
  containerInstanceLongArnFormat: 'enabled',
  awsvpcTrunking: 'disabled',
  containerInsights: 'disabled',
  fargateFIPSMode: 'disabled',
  tagResourceAuthorization: 'on',
  fargateTaskRetirementWaitPeriod: '7',
  guardDutyActivate: 'off',
  defaultLogDriverMode: 'non-blocking',
  fargateEventWindows: 'disabled',
};

const ALLOWED: Record<string, string[]> = {
  serviceLongArnFormat: ['enabled', 'disabled'],
  taskLongArnFormat: ['enabled', 'disabled'],
  containerInstanceLongArnFormat: ['enabled', 'disabled'],
  awsvpcTrunking: ['enabled', 'disabled'],
  containerInsights: ['enabled', 'disabled', 'enhanced'],
  fargateFIPSMode: ['enabled', 'disabled'],
  tagResourceAuthorization: ['on', 'off'],
  fargateTaskRetirementWaitPeriod: ['0', '7', '14'],
  guardDutyActivate: ['on', 'off'],
  defaultLogDriverMode: ['blocking', 'non-blocking'],
  fargateEventWindows: ['enabled', 'disabled'],
};

/** The account's root principal: what an unsigned or root caller acts as. */
export const rootPrincipal = (ctx: Pick<RequestContext, 'accountId'>) => `arn:aws:iam::${ctx.accountId}:root`;

const LONG_ARN_SETTINGS = new Set(['serviceLongArnFormat', 'taskLongArnFormat', 'containerInstanceLongArnFormat']);

export function checkValue(name: string, value: string) {
  if (LONG_ARN_SETTINGS.has(name) && value === 'disabled')
    throw invalidParameter('You can no longer disable Long Arn settings.');
  const allowed = ALLOWED[name];
  if (allowed && !allowed.includes(value)) {
    throw invalidParameter(`Invalid value '${value}' for setting ${name}. Valid values: ${allowed.join(', ')}.`);
  }
}

/** The setting in force for a principal: its own, else the account default, else AWS's. */
export function effectiveSetting(
  state: EcsState,
  ctx: RequestContext,
  name: string,
  principalArn: string,
): ECS.Setting {
  const own = state.accountSettings[principalArn]?.[name];
  if (own) return { ...own };
  const root = rootPrincipal(ctx);
  const dflt = state.accountSettings[root]?.[name];
  if (dflt) return { ...dflt, principalArn };
  return { name: name as ECS.SettingName, value: AWS_DEFAULTS[name], principalArn, type: 'aws_managed' };
}
