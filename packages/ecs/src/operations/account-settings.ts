import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import type { EcsState } from '../state/types';

/** The values AWS applies to an account that never set anything. */
const AWS_DEFAULTS: Record<string, string> = {
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

function checkValue(name: string, value: string) {
  const allowed = ALLOWED[name];
  if (allowed && !allowed.includes(value)) {
    throw new ServiceError('InvalidParameterException', `Invalid value '${value}' for setting ${name}. Valid values: ${allowed.join(', ')}.`);
  }
}

/** The setting in force for a principal: its own, else the account default, else AWS's. */
export function effectiveSetting(state: EcsState, ctx: RequestContext, name: string, principalArn: string): ECS.Setting {
  const own = state.accountSettings[principalArn]?.[name];
  if (own) return { ...own };
  const root = rootPrincipal(ctx);
  const dflt = state.accountSettings[root]?.[name];
  if (dflt) return { ...dflt, principalArn };
  return { name: name as ECS.SettingName, value: AWS_DEFAULTS[name], principalArn, type: 'aws_managed' };
}

export function accountSettingOperations(stateOf: (ctx: RequestContext) => EcsState): OperationMap {
  const put = (state: EcsState, principalArn: string, name: string, value: string): ECS.Setting => {
    checkValue(name, value);
    const setting: ECS.Setting = { name: name as ECS.SettingName, value, principalArn, type: 'user' };
    (state.accountSettings[principalArn] ??= {})[name] = setting;
    return { ...setting };
  };
  return {
    PutAccountSetting(input: ECS.PutAccountSettingRequest, ctx): ECS.PutAccountSettingResponse {
      return { setting: put(stateOf(ctx), input.principalArn ?? rootPrincipal(ctx), input.name!, input.value!) };
    },
    PutAccountSettingDefault(input: ECS.PutAccountSettingDefaultRequest, ctx): ECS.PutAccountSettingDefaultResponse {
      return { setting: put(stateOf(ctx), rootPrincipal(ctx), input.name!, input.value!) };
    },
    DeleteAccountSetting(input: ECS.DeleteAccountSettingRequest, ctx): ECS.DeleteAccountSettingResponse {
      const state = stateOf(ctx);
      const principalArn = input.principalArn ?? rootPrincipal(ctx);
      const own = state.accountSettings[principalArn]?.[input.name!];
      if (!own) {
        throw new ServiceError('InvalidParameterException', `The account setting ${input.name} is not set for ${principalArn}.`);
      }
      delete state.accountSettings[principalArn][input.name!];
      return { setting: { ...own } };
    },
    ListAccountSettings(input: ECS.ListAccountSettingsRequest, ctx): ECS.ListAccountSettingsResponse {
      const state = stateOf(ctx);
      const principalArn = input.principalArn ?? rootPrincipal(ctx);
      let settings: ECS.Setting[];
      if (input.effectiveSettings) {
        settings = Object.keys(AWS_DEFAULTS).map((n) => effectiveSetting(state, ctx, n, principalArn));
      } else {
        settings = Object.values(state.accountSettings[principalArn] ?? {}).map((s) => ({ ...s }));
      }
      if (input.name) settings = settings.filter((s) => s.name === input.name);
      if (input.value !== undefined) settings = settings.filter((s) => s.value === input.value);
      settings.sort((a, b) => (a.name! < b.name! ? -1 : 1));
      const { page, nextToken } = paginate(settings, (s) => s.name!, input, { defaultMax: 10, maxLimit: 10 });
      return { settings: page, ...(nextToken ? { nextToken } : {}) };
    },
  };
}
