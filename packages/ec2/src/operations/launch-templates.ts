/**
 * Launch templates (records, with versions): Create/Describe/Modify/Delete, versions
 * (Create/Describe/Delete, `$Latest` / `$Default`), and RunInstances with `LaunchTemplate`, whose
 * data fills what the request leaves out (an ECS_CLUSTER user data from a template registers the
 * instance, as an Auto Scaling group's template would).
 */
import type * as EC2 from '@aws-sdk/client-ec2';
import { clone, ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { applyFilters } from '../domain/filters';
import { newId } from '../domain/ids';
import { invalidParameterValue, missingParameter } from '../errors';
import type { Ec2State, LaunchTemplateRecord } from '../state/types';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;
const notFound = () =>
  new ServiceError(
    'InvalidLaunchTemplateId.NotFound',
    'At least one of the launch templates specified in the request does not exist.',
  );
const nameNotFound = () =>
  new ServiceError(
    'InvalidLaunchTemplateName.NotFoundException',
    'At least one of the launch templates specified in the request does not exist.',
  );

/** The template a request names by id or name (exactly one). */
export function findTemplate(state: Ec2State, input: { LaunchTemplateId?: string; LaunchTemplateName?: string }) {
  if (input.LaunchTemplateId && input.LaunchTemplateName)
    throw invalidParameterValue('Specify either a launch template ID or a launch template name, not both.');
  if (input.LaunchTemplateId) {
    const t = state.launchTemplates[input.LaunchTemplateId];
    if (!t) throw notFound();
    return t;
  }
  if (input.LaunchTemplateName) {
    const t = Object.values(state.launchTemplates).find((x) => x.name === input.LaunchTemplateName);
    if (!t) throw nameNotFound();
    return t;
  }
  throw missingParameter('The request must contain the parameter launchTemplateName or launchTemplateId');
}

/** `$Latest`, `$Default` or a number → the version's number (which must exist). */
function versionOf(t: LaunchTemplateRecord, v: string | undefined): number {
  const n = v === undefined || v === '$Default' ? t.defaultVersion : v === '$Latest' ? t.latestVersion : Number(v);
  if (!Number.isInteger(n) || !t.versions[n])
    throw new ServiceError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${v} for launch template ID ${t.launchTemplateId}`,
    );
  return n;
}

/** The data a RunInstances with `LaunchTemplate` starts from. */
export function templateData(state: Ec2State, spec: EC2.LaunchTemplateSpecification): EC2.RequestLaunchTemplateData {
  const t = findTemplate(state, spec);
  return t.versions[versionOf(t, spec.Version)].data;
}

export function launchTemplateOperations(stateOf: StateOf): OperationMap {
  const templateView = (state: Ec2State, t: LaunchTemplateRecord): EC2.LaunchTemplate => {
    const tags = tagsView(state, t.launchTemplateId);
    return {
      LaunchTemplateId: t.launchTemplateId,
      LaunchTemplateName: t.name,
      CreateTime: t.createTime,
      CreatedBy: t.createdBy,
      DefaultVersionNumber: t.defaultVersion,
      LatestVersionNumber: t.latestVersion,
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const versionView = (t: LaunchTemplateRecord, n: number): EC2.LaunchTemplateVersion => {
    const v = t.versions[n];
    return {
      LaunchTemplateId: t.launchTemplateId,
      LaunchTemplateName: t.name,
      VersionNumber: n,
      ...(v.description !== undefined ? { VersionDescription: v.description } : {}),
      CreateTime: v.createTime,
      CreatedBy: t.createdBy,
      DefaultVersion: n === t.defaultVersion,
      LaunchTemplateData: v.data as EC2.ResponseLaunchTemplateData,
    };
  };
  const addVersion = (t: LaunchTemplateRecord, data: EC2.RequestLaunchTemplateData, description?: string) => {
    const n = t.latestVersion + 1;
    t.versions[n] = { data, createTime: new Date(), ...(description !== undefined ? { description } : {}) };
    t.latestVersion = n;
    return n;
  };
  return {
    CreateLaunchTemplate(input: EC2.CreateLaunchTemplateRequest, ctx: RequestContext): EC2.CreateLaunchTemplateResult {
      const state = stateOf(ctx);
      const name = input.LaunchTemplateName ?? '';
      if (!NAME.test(name))
        throw invalidParameterValue(
          `Launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'`,
        );
      if (Object.values(state.launchTemplates).some((t) => t.name === name))
        throw new ServiceError(
          'InvalidLaunchTemplateName.AlreadyExistsException',
          `Launch template name already in use.`,
        );
      const t: LaunchTemplateRecord = {
        launchTemplateId: newId('lt'),
        name,
        createTime: new Date(),
        createdBy: `arn:aws:iam::${ctx.accountId}:root`,
        defaultVersion: 1,
        latestVersion: 0,
        versions: {},
      };
      addVersion(t, input.LaunchTemplateData ?? {}, input.VersionDescription);
      const tags = tagsFromSpecs(input.TagSpecifications, 'launch-template');
      if (Object.keys(tags).length) state.tags[t.launchTemplateId] = tags;
      state.launchTemplates[t.launchTemplateId] = t;
      return { LaunchTemplate: templateView(state, t) };
    },

    DescribeLaunchTemplates(
      input: EC2.DescribeLaunchTemplatesRequest,
      ctx: RequestContext,
    ): EC2.DescribeLaunchTemplatesResult {
      const state = stateOf(ctx);
      let list = Object.values(state.launchTemplates);
      if (input.LaunchTemplateIds?.length)
        list = input.LaunchTemplateIds.map((LaunchTemplateId) => findTemplate(state, { LaunchTemplateId }));
      if (input.LaunchTemplateNames?.length)
        list = input.LaunchTemplateNames.map((LaunchTemplateName) => findTemplate(state, { LaunchTemplateName }));
      const filtered = applyFilters(
        list,
        input.Filters,
        { 'launch-template-name': (t) => t.name, 'create-time': (t) => t.createTime.toISOString() },
        (t) => tagsOf(state, t.launchTemplateId),
      );
      const { items, NextToken } = page(filtered, input);
      return { LaunchTemplates: items.map((t) => templateView(state, t)), ...(NextToken ? { NextToken } : {}) };
    },

    CreateLaunchTemplateVersion(
      input: EC2.CreateLaunchTemplateVersionRequest,
      ctx: RequestContext,
    ): EC2.CreateLaunchTemplateVersionResult {
      const state = stateOf(ctx);
      const t = findTemplate(state, input);
      const base = input.SourceVersion ? clone(t.versions[versionOf(t, input.SourceVersion)].data) : {};
      const n = addVersion(t, { ...base, ...input.LaunchTemplateData }, input.VersionDescription);
      return { LaunchTemplateVersion: versionView(t, n) };
    },

    DescribeLaunchTemplateVersions(
      input: EC2.DescribeLaunchTemplateVersionsRequest,
      ctx: RequestContext,
    ): EC2.DescribeLaunchTemplateVersionsResult {
      const state = stateOf(ctx);
      const t = findTemplate(state, input);
      let numbers = input.Versions?.length
        ? input.Versions.map((v) => versionOf(t, v))
        : Object.keys(t.versions).map(Number);
      if (input.MinVersion !== undefined) numbers = numbers.filter((n) => n >= Number(input.MinVersion));
      if (input.MaxVersion !== undefined) numbers = numbers.filter((n) => n <= Number(input.MaxVersion));
      const views = numbers.sort((a, b) => a - b).map((n) => versionView(t, n));
      const filtered = applyFilters(
        views,
        input.Filters,
        {
          'is-default-version': (v) => String(v.DefaultVersion),
          'version-description': (v) => v.VersionDescription ?? '',
        },
        () => ({}),
      );
      const { items, NextToken } = page(filtered, input);
      return { LaunchTemplateVersions: items, ...(NextToken ? { NextToken } : {}) };
    },

    ModifyLaunchTemplate(input: EC2.ModifyLaunchTemplateRequest, ctx: RequestContext): EC2.ModifyLaunchTemplateResult {
      const state = stateOf(ctx);
      const t = findTemplate(state, input);
      if (input.DefaultVersion !== undefined) t.defaultVersion = versionOf(t, input.DefaultVersion);
      return { LaunchTemplate: templateView(state, t) };
    },

    DeleteLaunchTemplateVersions(
      input: EC2.DeleteLaunchTemplateVersionsRequest,
      ctx: RequestContext,
    ): EC2.DeleteLaunchTemplateVersionsResult {
      const state = stateOf(ctx);
      const t = findTemplate(state, input);
      const ok: EC2.DeleteLaunchTemplateVersionsResponseSuccessItem[] = [];
      const failed: EC2.DeleteLaunchTemplateVersionsResponseErrorItem[] = [];
      for (const v of input.Versions ?? []) {
        const n = Number(v);
        const item = { LaunchTemplateId: t.launchTemplateId, LaunchTemplateName: t.name, VersionNumber: n };
        if (!t.versions[n])
          failed.push({
            ...item,
            ResponseError: {
              Code: 'launchTemplateVersionDoesNotExist',
              Message: 'The specified launch template version does not exist.',
            },
          });
        else if (n === t.defaultVersion)
          failed.push({
            ...item,
            ResponseError: {
              Code: 'launchTemplateVersionIsDefault' as EC2.LaunchTemplateErrorCode,
              Message: 'The specified launch template version is the default version and cannot be deleted.',
            },
          });
        else {
          delete t.versions[n];
          ok.push(item);
        }
      }
      return {
        SuccessfullyDeletedLaunchTemplateVersions: ok,
        UnsuccessfullyDeletedLaunchTemplateVersions: failed,
      };
    },

    DeleteLaunchTemplate(input: EC2.DeleteLaunchTemplateRequest, ctx: RequestContext): EC2.DeleteLaunchTemplateResult {
      const state = stateOf(ctx);
      const t = findTemplate(state, input);
      const view = templateView(state, t);
      delete state.launchTemplates[t.launchTemplateId];
      delete state.tags[t.launchTemplateId];
      return { LaunchTemplate: view };
    },
  };
}
