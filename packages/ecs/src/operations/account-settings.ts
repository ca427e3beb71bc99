import type * as ECS from '@aws-sdk/client-ecs';
import { paginate, type OperationMap } from '@dockside/core';
import { AWS_DEFAULTS, checkValue, effectiveSetting, rootPrincipal } from '../domain/account-settings';
import type { EcsDomain } from '../domain/context';
import { invalidParameter } from '../errors';
import type { EcsState } from '../state/types';

/** PutAccountSetting(Default), DeleteAccountSetting, ListAccountSettings. */
export function accountSettingOperations(d: EcsDomain): OperationMap {
  const put = (state: EcsState, principalArn: string, name: string, value: string): ECS.Setting => {
    checkValue(name, value);
    const setting: ECS.Setting = { name: name as ECS.SettingName, value, principalArn, type: 'user' };
    (state.accountSettings[principalArn] ??= {})[name] = setting;
    return { ...setting };
  };
  return {
    PutAccountSetting(input: ECS.PutAccountSettingRequest, ctx): ECS.PutAccountSettingResponse {
      return { setting: put(d.stateOf(ctx), input.principalArn ?? rootPrincipal(ctx), input.name!, input.value!) };
    },
    PutAccountSettingDefault(input: ECS.PutAccountSettingDefaultRequest, ctx): ECS.PutAccountSettingDefaultResponse {
      return { setting: put(d.stateOf(ctx), rootPrincipal(ctx), input.name!, input.value!) };
    },
    DeleteAccountSetting(input: ECS.DeleteAccountSettingRequest, ctx): ECS.DeleteAccountSettingResponse {
      const state = d.stateOf(ctx);
      const principalArn = input.principalArn ?? rootPrincipal(ctx);
      const own = state.accountSettings[principalArn]?.[input.name!];
      if (!own) {
        throw invalidParameter(`The account setting ${input.name} is not set for ${principalArn}.`);
      }
      delete state.accountSettings[principalArn][input.name!];
      return { setting: { ...own } };
    },
    ListAccountSettings(input: ECS.ListAccountSettingsRequest, ctx): ECS.ListAccountSettingsResponse {
      const state = d.stateOf(ctx);
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
