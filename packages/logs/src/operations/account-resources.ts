/**
 * Account-level Logs resources that are recorded and answered as AWS does: Insights query
 * definitions, resource policies, data protection policies, destinations (cross-account
 * subscriptions) and export tasks. Dockside hosts no S3, so export tasks fail with that reason.
 */
import { randomUUID } from 'node:crypto';
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import type { LogsState } from '../state/types';
import { findGroup } from './common';

const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
const MAX_RESOURCE_POLICIES = 10;

const byName = <T>(items: T[], name: (t: T) => string) => [...items].sort((a, b) => (name(a) < name(b) ? -1 : 1));

export function accountResourceOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  return {
    PutQueryDefinition(input: CWL.PutQueryDefinitionRequest, ctx): CWL.PutQueryDefinitionResponse {
      const state = stateOf(ctx);
      const id = input.queryDefinitionId ?? randomUUID();
      if (input.queryDefinitionId && !state.queryDefinitions[id]) throw notFound('Query definition does not exist.');
      state.queryDefinitions[id] = {
        queryDefinitionId: id,
        name: input.name!,
        queryString: input.queryString!,
        logGroupNames: input.logGroupNames ?? [],
        queryLanguage: input.queryLanguage ?? 'CWLI',
        lastModified: Date.now(),
      };
      return { queryDefinitionId: id };
    },
    DescribeQueryDefinitions(input: CWL.DescribeQueryDefinitionsRequest, ctx): CWL.DescribeQueryDefinitionsResponse {
      const list = byName(
        Object.values(stateOf(ctx).queryDefinitions).filter(
          (d) => !input.queryDefinitionNamePrefix || d.name.startsWith(input.queryDefinitionNamePrefix),
        ),
        (d) => `${d.name}\u0000${d.queryDefinitionId}`,
      );
      const { page, nextToken } = paginate(list, (d) => `${d.name}\u0000${d.queryDefinitionId}`, input, {
        defaultMax: 1000,
        maxLimit: 1000,
      });
      return {
        queryDefinitions: page.map((d) => ({
          ...d,
          queryLanguage: d.queryLanguage as CWL.QueryLanguage,
          logGroupNames: [...d.logGroupNames],
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DeleteQueryDefinition(input: CWL.DeleteQueryDefinitionRequest, ctx): CWL.DeleteQueryDefinitionResponse {
      const state = stateOf(ctx);
      if (!state.queryDefinitions[input.queryDefinitionId!]) throw notFound('Query definition does not exist.');
      delete state.queryDefinitions[input.queryDefinitionId!];
      return { success: true };
    },

    PutResourcePolicy(input: CWL.PutResourcePolicyRequest, ctx): CWL.PutResourcePolicyResponse {
      const state = stateOf(ctx);
      const name = input.policyName!;
      try {
        JSON.parse(input.policyDocument!);
      } catch {
        throw invalid('Policy document is not valid JSON.');
      }
      if (!state.resourcePolicies[name] && Object.keys(state.resourcePolicies).length >= MAX_RESOURCE_POLICIES) {
        throw new ServiceError('LimitExceededException', 'Resource limit exceeded.');
      }
      const policy = {
        policyName: name,
        policyDocument: input.policyDocument!,
        lastUpdatedTime: Date.now(),
        revisionId: randomUUID(),
      };
      state.resourcePolicies[name] = policy;
      return { resourcePolicy: { ...policy, policyScope: 'ACCOUNT' }, revisionId: policy.revisionId };
    },
    DescribeResourcePolicies(input: CWL.DescribeResourcePoliciesRequest, ctx): CWL.DescribeResourcePoliciesResponse {
      const list = byName(Object.values(stateOf(ctx).resourcePolicies), (p) => p.policyName);
      const { page, nextToken } = paginate(
        list,
        (p) => p.policyName,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return {
        resourcePolicies: page.map((p) => ({ ...p, policyScope: 'ACCOUNT' })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DeleteResourcePolicy(input: CWL.DeleteResourcePolicyRequest, ctx): void {
      const state = stateOf(ctx);
      if (!state.resourcePolicies[input.policyName!])
        throw notFound('Policy with name [' + input.policyName + '] does not exist.');
      delete state.resourcePolicies[input.policyName!];
    },

    PutDataProtectionPolicy(input: CWL.PutDataProtectionPolicyRequest, ctx): CWL.PutDataProtectionPolicyResponse {
      const state = stateOf(ctx);
      const g = findGroup(state, input.logGroupIdentifier);
      const entry = { policyDocument: input.policyDocument!, lastUpdatedTime: Date.now() };
      state.dataProtection[g.logGroupName] = entry;
      return { logGroupIdentifier: input.logGroupIdentifier, ...entry };
    },
    GetDataProtectionPolicy(input: CWL.GetDataProtectionPolicyRequest, ctx): CWL.GetDataProtectionPolicyResponse {
      const state = stateOf(ctx);
      const g = findGroup(state, input.logGroupIdentifier);
      const entry = state.dataProtection[g.logGroupName];
      return { logGroupIdentifier: input.logGroupIdentifier, ...(entry ?? {}) };
    },
    DeleteDataProtectionPolicy(input: CWL.DeleteDataProtectionPolicyRequest, ctx): void {
      const state = stateOf(ctx);
      const g = findGroup(state, input.logGroupIdentifier);
      if (!state.dataProtection[g.logGroupName])
        throw notFound('Data Protection Policy does not exist for the specified log group.');
      delete state.dataProtection[g.logGroupName];
    },

    PutDestination(input: CWL.PutDestinationRequest, ctx): CWL.PutDestinationResponse {
      const state = stateOf(ctx);
      const name = input.destinationName!;
      const existing = state.destinations[name];
      const d = {
        destinationName: name,
        targetArn: input.targetArn!,
        roleArn: input.roleArn!,
        ...(existing?.accessPolicy ? { accessPolicy: existing.accessPolicy } : {}),
        arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:destination:${name}`,
        creationTime: existing?.creationTime ?? Date.now(),
      };
      state.destinations[name] = d;
      return { destination: { ...d } };
    },
    PutDestinationPolicy(input: CWL.PutDestinationPolicyRequest, ctx): void {
      const d = stateOf(ctx).destinations[input.destinationName!];
      if (!d) throw notFound('The specified destination does not exist.');
      d.accessPolicy = input.accessPolicy!;
    },
    DescribeDestinations(input: CWL.DescribeDestinationsRequest, ctx): CWL.DescribeDestinationsResponse {
      const list = byName(
        Object.values(stateOf(ctx).destinations).filter(
          (d) => !input.DestinationNamePrefix || d.destinationName.startsWith(input.DestinationNamePrefix),
        ),
        (d) => d.destinationName,
      );
      const { page, nextToken } = paginate(
        list,
        (d) => d.destinationName,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return { destinations: page.map((d) => ({ ...d })), ...(nextToken ? { nextToken } : {}) };
    },
    DeleteDestination(input: CWL.DeleteDestinationRequest, ctx): void {
      const state = stateOf(ctx);
      if (!state.destinations[input.destinationName!]) throw notFound('The specified destination does not exist.');
      delete state.destinations[input.destinationName!];
    },

    CreateExportTask(input: CWL.CreateExportTaskRequest, ctx): CWL.CreateExportTaskResponse {
      const state = stateOf(ctx);
      const g = findGroup(state, input.logGroupName);
      if (input.to! < input.from!) throw invalid('The value of to must be greater than or equal to from.');
      const taskId = randomUUID();
      const now = Date.now();
      state.exportTasks[taskId] = {
        taskId,
        ...(input.taskName ? { taskName: input.taskName } : {}),
        logGroupName: g.logGroupName,
        from: input.from!,
        to: input.to!,
        destination: input.destination!,
        destinationPrefix: input.destinationPrefix ?? 'exportedlogs',
        // Recorded with AWS's statuses; there is no S3 bucket here to write to.
        status: {
          code: 'FAILED',
          message: `Dockside hosts no S3: the export to bucket ${input.destination} cannot run.`,
        },
        creationTime: now,
        completionTime: now,
      };
      return { taskId };
    },
    DescribeExportTasks(input: CWL.DescribeExportTasksRequest, ctx): CWL.DescribeExportTasksResponse {
      const list = byName(
        Object.values(stateOf(ctx).exportTasks).filter(
          (t) =>
            (!input.taskId || t.taskId === input.taskId) && (!input.statusCode || t.status.code === input.statusCode),
        ),
        (t) => t.taskId,
      );
      const { page, nextToken } = paginate(
        list,
        (t) => t.taskId,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return {
        exportTasks: page.map((t) => ({
          taskId: t.taskId,
          ...(t.taskName ? { taskName: t.taskName } : {}),
          logGroupName: t.logGroupName,
          from: t.from,
          to: t.to,
          destination: t.destination,
          destinationPrefix: t.destinationPrefix,
          status: { code: t.status.code as CWL.ExportTaskStatusCode, message: t.status.message },
          executionInfo: {
            creationTime: t.creationTime,
            ...(t.completionTime ? { completionTime: t.completionTime } : {}),
          },
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    CancelExportTask(input: CWL.CancelExportTaskRequest, ctx): void {
      const t = stateOf(ctx).exportTasks[input.taskId!];
      if (!t) throw notFound('The specified export task does not exist.');
      if (t.status.code !== 'PENDING' && t.status.code !== 'RUNNING') {
        throw new ServiceError('InvalidOperationException', 'The specified export task has already finished');
      }
      t.status = { code: 'CANCELLED', message: 'Cancelled by user' };
    },
  };
}
