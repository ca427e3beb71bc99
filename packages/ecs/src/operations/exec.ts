/**
 * ExecuteCommand (ECS Exec): checks the task as ECS does, then opens a session whose data channel
 * is a WebSocket on the gateway (../exec/sessions.ts). Only interactive sessions, as on ECS.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { OperationMap, RequestContext } from '@dockside/core';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import { findTask } from '../domain/tasks';
import { invalidParameter } from '../errors';
import { type ExecSessions, splitCommand } from '../exec/sessions';

const NOT_ENABLED =
  'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.';

export function execOperations(d: EcsDomain, sessions: ExecSessions, endpoint: () => string | undefined): OperationMap {
  return {
    ExecuteCommand(input: ECS.ExecuteCommandRequest, ctx: RequestContext): ECS.ExecuteCommandResponse {
      if (!input.interactive) throw invalidParameter('Interactive is the only mode supported currently.');
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const ref = input.task!;
      const id = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
      if (id.length !== 32 && id.length !== 36) throw invalidParameter('task length should be one of [32,36]');
      const task = findTask(state, ctx, cluster, ref);
      if (!task) throw invalidParameter('The specified task is not found.');
      const containers = task.containers ?? [];
      let container = containers[0];
      if (input.container) {
        container = containers.find((c) => c.name === input.container)!;
        if (!container) throw invalidParameter(`The container ${input.container} does not exist in the task.`);
      } else if (containers.length > 1) {
        throw invalidParameter('The container name must be specified for a task with more than one container.');
      }
      const command = splitCommand(input.command ?? '');
      if (!command.length) throw invalidParameter('The command must not be empty.');
      const running = task.lastStatus === 'RUNNING' && container?.lastStatus === 'RUNNING' && container.runtimeId;
      if (!task.enableExecuteCommand || !running) throw invalidParameter(NOT_ENABLED);
      const url = endpoint();
      if (!url) throw invalidParameter(NOT_ENABLED);
      const session = sessions.create(
        {
          accountId: ctx.accountId,
          region: ctx.region,
          taskArn: task.taskArn,
          containerName: container.name!,
          containerId: container.runtimeId!,
          command,
          target: `ecs:${cluster.clusterName}_${id}_${container.runtimeId}`,
        },
        url,
      );
      return {
        clusterArn: cluster.clusterArn,
        containerArn: container.containerArn,
        containerName: container.name,
        interactive: true,
        session: { sessionId: session.sessionId, streamUrl: session.streamUrl, tokenValue: session.token },
        taskArn: task.taskArn,
      };
    },
  };
}
