import { createHash } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { decodePageToken, encodePageToken, pageSize, type OperationMap, type RequestContext } from '@dockside/core';
import { ecsArn } from '../domain/arn';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import { tagsOf } from '../domain/tags';
import { resolveTaskDefinition } from '../domain/task-definitions';
import {
  checkRunTask,
  createTaskRecord,
  effectiveDefinition,
  findTask,
  firstAfter,
  fixedHostPorts,
  launchTypeFor,
  taskView,
} from '../domain/tasks';
import { findContainerInstance } from '../domain/container-instances';
import { NO_INSTANCES, checkConstraints, checkStrategies, place } from '../domain/placement/place';
import { taskSlots } from '../domain/placement/slots';
import { invalidParameter } from '../errors';
import { checkAwsvpc } from '../runtime/ec2-network';
import { Runtime } from '../runtime/runtime';
import type { EcsState, TaskDefinitionRecord, TaskRecord } from '../state/types';

/** The task definition RunTask and StartTask name; ECS's not-found unless the revision is malformed. */
function runnableDefinition(state: EcsState, ctx: RequestContext, ref: string): TaskDefinitionRecord {
  try {
    return resolveTaskDefinition(state, ctx, ref);
  } catch (e) {
    if ((e as Error).message?.startsWith('Invalid revision number.')) throw e;
    throw invalidParameter('TaskDefinition not found.');
  }
}

export function taskOperations(d: EcsDomain, runtime: Runtime): OperationMap {
  const ops = syncTaskOperations(d, runtime);
  return {
    ...ops,
    // Subnets and security groups are checked against EC2 first, when the EC2 plugin is loaded.
    async RunTask(input: ECS.RunTaskRequest, ctx: RequestContext) {
      await checkAwsvpc(ctx.bus, ctx, input.networkConfiguration?.awsvpcConfiguration);
      return ops.RunTask(input, ctx);
    },
    async StartTask(input: ECS.StartTaskRequest, ctx: RequestContext) {
      await checkAwsvpc(ctx.bus, ctx, input.networkConfiguration?.awsvpcConfiguration);
      return ops.StartTask(input, ctx);
    },
  };
}

function syncTaskOperations(d: EcsDomain, runtime: Runtime): OperationMap {
  return {
    RunTask(input: ECS.RunTaskRequest, ctx): ECS.RunTaskResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const td = runnableDefinition(state, ctx, input.taskDefinition!);
      const { launchType, strategy } = launchTypeFor(input, cluster);
      checkRunTask(input, td, launchType);
      checkConstraints(input.placementConstraints, 'task');
      checkStrategies(input.placementStrategy);

      const { clientToken: _t, ...rest } = input;
      const fingerprint = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
      if (input.clientToken) {
        const seen = state.runTaskTokens[input.clientToken];
        if (seen) {
          if (seen.fingerprint !== fingerprint)
            throw invalidParameter('The clientToken was already used with different parameters.');
          return { tasks: seen.taskArns.map((a) => taskView(state, state.tasks[a], true)), failures: [] };
        }
      }

      const tags = [...(input.tags ?? [])];
      if (input.propagateTags === 'TASK_DEFINITION') {
        for (const t of tagsOf(state, td.taskDefinitionArn)) if (!tags.some((x) => x.key === t.key)) tags.push(t);
      }
      const definition = effectiveDefinition(td, input.overrides);
      const createdAt = new Date();
      const created: TaskRecord[] = [];
      const failures: ECS.Failure[] = [];
      const group = input.group ?? `family:${td.family}`;
      // EC2 tasks sit on container instances: placement picks one per task or says why not.
      const placed = taskSlots(d, state, {
        where: ctx,
        cluster,
        definition,
        count: input.count ?? 1,
        group,
        launchType,
        strategy,
        constraints: [...(td.placementConstraints ?? []), ...(input.placementConstraints ?? [])],
        placementStrategy: input.placementStrategy ?? [{ type: 'random' }],
      });
      if (placed.noInstances) throw invalidParameter(NO_INSTANCES);
      failures.push(...placed.failures);
      const count = placed.slots.length;
      // One machine runs every task: a fixed host port can be held by one live task at a time.
      const wanted = fixedHostPorts(definition);
      // Only definitions with fixed host ports need the scan of every live task.
      const held = new Set(
        wanted.length
          ? Object.values(state.tasks)
              .filter((x) => x.lastStatus !== 'STOPPED')
              .flatMap((x) => fixedHostPorts(x.definition))
          : [],
      );
      for (let i = 0; i < count; i++) {
        if (wanted.some((p) => held.has(p))) {
          failures.push({ arn: cluster.clusterArn, reason: 'RESOURCE:PORTS' });
          continue;
        }
        wanted.forEach((p) => held.add(p));
        created.push(
          createTaskRecord(state, ctx, cluster, td, definition, {
            launchType,
            createdAt,
            group,
            ...placed.slots[i],
            startedBy: input.startedBy,
            overrides: input.overrides,
            platformVersion: input.platformVersion,
            enableExecuteCommand: input.enableExecuteCommand,
            clientToken: input.clientToken,
            subnets: input.networkConfiguration?.awsvpcConfiguration?.subnets,
            securityGroups: input.networkConfiguration?.awsvpcConfiguration?.securityGroups,
            volumeConfigurations: input.volumeConfigurations,
            tags,
          }),
        );
      }
      if (input.clientToken)
        state.runTaskTokens[input.clientToken] = { fingerprint, taskArns: created.map((t) => t.taskArn) };
      const views = created.map((t) => taskView(state, t, true));
      for (const t of created) runtime.launch(t);
      return { tasks: views, failures };
    },

    StartTask(input: ECS.StartTaskRequest, ctx): ECS.StartTaskResponse {
      const refs = input.containerInstances ?? [];
      if (!refs.length) throw invalidParameter('Container instances cannot be empty.');
      if (refs.length > 10) throw invalidParameter('Container instances cannot have more than 10 elements');
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const td = runnableDefinition(state, ctx, input.taskDefinition!);
      checkRunTask({ ...input, count: 1 }, td, 'EC2');
      const failures: ECS.Failure[] = [];
      const instances = refs.flatMap((ref) => {
        const ci = findContainerInstance(state, ctx, cluster.clusterName, ref);
        if (!ci)
          failures.push({
            arn: ref.startsWith('arn:') ? ref : ecsArn(ctx, `container-instance/${cluster.clusterName}/${ref}`),
            reason: 'MISSING',
          });
        return ci ? [ci] : [];
      });
      const definition = effectiveDefinition(td, input.overrides);
      const createdAt = new Date();
      const group = input.group ?? `family:${td.family}`;
      const placed = place({
        instances,
        live: d.index.liveByInstance(state),
        definition,
        count: instances.length,
        group,
        constraints: [],
        strategy: [],
        manual: true,
      });
      failures.push(...placed.failures);
      const tags = [...(input.tags ?? [])];
      if (input.propagateTags === 'TASK_DEFINITION') {
        for (const t of tagsOf(state, td.taskDefinitionArn)) if (!tags.some((x) => x.key === t.key)) tags.push(t);
      }
      const created = placed.placed.map((ci) =>
        createTaskRecord(state, ctx, cluster, td, definition, {
          launchType: 'EC2',
          createdAt,
          group,
          startedBy: input.startedBy,
          overrides: input.overrides,
          enableExecuteCommand: input.enableExecuteCommand,
          subnets: input.networkConfiguration?.awsvpcConfiguration?.subnets,
          securityGroups: input.networkConfiguration?.awsvpcConfiguration?.securityGroups,
          volumeConfigurations: input.volumeConfigurations,
          tags,
          containerInstance: ci,
        }),
      );
      const views = created.map((t) => taskView(state, t, true));
      for (const t of created) runtime.launch(t);
      return { tasks: views, failures };
    },

    StopTask(input: ECS.StopTaskRequest, ctx): ECS.StopTaskResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const task = findTask(state, ctx, cluster, input.task!);
      if (!task) throw invalidParameter('The referenced task was not found.');
      if ((input.reason ?? '').length > 255) throw invalidParameter('reason must be at most 255 characters.');
      void runtime.stop(task, 'UserInitiated', input.reason || 'Task stopped by user');
      return { task: taskView(state, task, false) };
    },

    DescribeTasks(input: ECS.DescribeTasksRequest, ctx): ECS.DescribeTasksResponse {
      if (!(input.tasks ?? []).length) throw invalidParameter('Tasks cannot be empty.');
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      if ((input.tasks ?? []).length > 100) throw invalidParameter('Tasks cannot have more than 100 elements');
      const tasks: ECS.Task[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.tasks ?? []) {
        const t = findTask(state, ctx, cluster, ref);
        if (t) tasks.push(taskView(state, t, Boolean(input.include?.includes('TAGS'))));
        else
          failures.push({
            arn: ref.startsWith('arn:') ? ref : ecsArn(ctx, `task/${cluster.clusterName}/${ref}`),
            reason: 'MISSING',
          });
      }
      return { tasks, failures };
    },

    ListTasks(input: ECS.ListTasksRequest, ctx): ECS.ListTasksResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      if (input.family && input.serviceName) throw invalidParameter('Family and serviceName cannot both be specified.');
      const max = pageSize(input.maxResults, { defaultMax: 100, maxLimit: 100 });
      const desired = input.desiredStatus ?? 'RUNNING';
      const matches = (t: TaskRecord) =>
        t.clusterArn === cluster.clusterArn &&
        t.desiredStatus === desired &&
        (!input.family || t.definition.family === input.family) &&
        (!input.startedBy || t.startedBy === input.startedBy) &&
        (!input.serviceName || t.group === `service:${input.serviceName}`) &&
        (!input.launchType || t.launchType === input.launchType) &&
        (!input.containerInstance || t.containerInstanceArn === input.containerInstance);
      // Walk the sorted index from the token on, instead of filtering and sorting every task per page.
      const tasks = d.index.sortedTasks(state);
      let i = input.nextToken ? firstAfter(tasks, decodePageToken(input.nextToken)) : 0;
      const page: string[] = [];
      for (; i < tasks.length && page.length < max; i++) if (matches(tasks[i])) page.push(tasks[i].taskArn!);
      let more = false;
      for (let j = i; j < tasks.length && !more; j++) more = matches(tasks[j]);
      return { taskArns: page, ...(more ? { nextToken: encodePageToken(page[page.length - 1]) } : {}) };
    },
  };
}
