/**
 * What the page asks beyond the snapshot: reads (GET, from the query string) and the actions
 * a person debugging takes (POST, JSON body). Each is one or two calls of the service's own API.
 */
import { ServiceError } from '@dockside/core';
import type { AwsCall } from './aws';

type Handler = (call: AwsCall, args: Record<string, string>) => Promise<unknown>;

const invalid = (message: string) => new ServiceError('InvalidParameterException', message, { httpStatus: 400 });

const need = (args: Record<string, string>, ...names: string[]) => {
  for (const n of names) {
    if (typeof args[n] !== 'string' || !args[n]) throw invalid(`${n} is required`);
  }
};

export const reads: Record<string, Handler> = {
  'task-definition': async (call, a) => {
    need(a, 'arn');
    return (await call('ecs', 'DescribeTaskDefinition', { taskDefinition: a.arn }))?.taskDefinition;
  },
  /** A service's deployments (newest first) with lifecycle stage and rollback. */
  'service-deployments': async (call, a) => {
    need(a, 'cluster', 'service');
    const list = await call('ecs', 'ListServiceDeployments', { cluster: a.cluster, service: a.service });
    const arns = (list?.serviceDeployments ?? []).map((d: { serviceDeploymentArn: string }) => d.serviceDeploymentArn);
    if (!arns.length) return [];
    const out = await call('ecs', 'DescribeServiceDeployments', { serviceDeploymentArns: arns.slice(0, 20) });
    return out?.serviceDeployments ?? [];
  },
  'log-streams': async (call, a) => {
    need(a, 'group');
    const out = await call('logs', 'DescribeLogStreams', {
      logGroupName: a.group,
      orderBy: 'LastEventTime',
      descending: true,
      limit: 50,
    });
    return out?.logStreams ?? [];
  },
  /** Events of a group (or one stream), through CloudWatch Logs' own filter-pattern matching. */
  'log-events': async (call, a) => {
    need(a, 'group');
    const out = await call('logs', 'FilterLogEvents', {
      logGroupName: a.group,
      ...(a.stream ? { logStreamNames: [a.stream] } : {}),
      ...(a.filter ? { filterPattern: a.filter } : {}),
      limit: 1000,
    });
    return out?.events ?? [];
  },
};

export const actions: Record<string, Handler> = {
  'stop-task': async (call, a) => {
    need(a, 'cluster', 'task');
    return (
      await call('ecs', 'StopTask', { cluster: a.cluster, task: a.task, reason: 'Stopped from the Dockside dashboard' })
    )?.task;
  },
  scale: async (call, a) => {
    need(a, 'cluster', 'service');
    const desiredCount = Number(a.desiredCount);
    if (!Number.isInteger(desiredCount) || desiredCount < 0)
      throw invalid('desiredCount must be a whole number, 0 or more');
    return (await call('ecs', 'UpdateService', { cluster: a.cluster, service: a.service, desiredCount }))?.service;
  },
  'force-deployment': async (call, a) => {
    need(a, 'cluster', 'service');
    return (await call('ecs', 'UpdateService', { cluster: a.cluster, service: a.service, forceNewDeployment: true }))
      ?.service;
  },
};
