import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { GiveUp, waitFor } from '@dockside/testing';

/** Polls DescribeTasks until the task reaches `status` (or any status past it for STOPPED). */
export function waitForTask(
  client: ECSClient,
  taskArn: string,
  status: string,
  { cluster, timeoutMs = 60_000 }: { cluster?: string; timeoutMs?: number } = {},
): Promise<Task> {
  return waitFor(
    async () => {
      const t = (await client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
      return t && (t.lastStatus === status || (status !== 'STOPPED' && t.lastStatus === 'STOPPED' && fail(t)))
        ? t
        : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `task ${taskArn.split('/').pop()} to be ${status}` },
  );
}

function fail(t: Task): never {
  throw new GiveUp(
    `task stopped early: ${t.stopCode}: ${t.stoppedReason} ${JSON.stringify(t.containers?.map((c) => [c.name, c.exitCode, c.reason]))}`,
  );
}

export const BUSYBOX = 'dockside-test/busybox:latest';
export const NODE = 'dockside-test/node:latest';

/**
 * This file's gateway with the ECS plugin (images never pulled) and a default cluster, started
 * before its tests and stopped after: the ECS client and the introspection client for it.
 */
export function useEcs(options: import('@dockside/ecs').EcsOptions = {}) {
  // Required lazily, so a file's imports stay cheap until its tests run.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { ecs } = require('@dockside/ecs') as typeof import('@dockside/ecs');
  const { useTestGateway } = require('@dockside/testing') as typeof import('@dockside/testing');
  const { DocksideClient } = require('@dockside/client') as typeof import('@dockside/client');
  const { ECSClient, CreateClusterCommand } = require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const gw = useTestGateway(() => ({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', ...options })] }), {
    ready: (t) => t.client(ECSClient).send(new CreateClusterCommand({})),
  });
  return {
    gw,
    client: gw.sdk(ECSClient),
    /** The typed introspection client of the running gateway. */
    api: () => new DocksideClient(gw.endpoint),
  };
}

/** A gateway with the ECS plugin (images never pulled), an SDK client, the introspection client, and a default cluster. */
export async function startEcs(options: import('@dockside/ecs').EcsOptions = {}) {
  const { ecs } = await import('@dockside/ecs');
  const { startTestGateway } = await import('@dockside/testing');
  const { DocksideClient } = await import('@dockside/client');
  const { ECSClient, CreateClusterCommand } = await import('@aws-sdk/client-ecs');
  const t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', ...options })] });
  const client = t.client(ECSClient);
  await client.send(new CreateClusterCommand({}));
  return { t, client, api: new DocksideClient(t.endpoint) };
}

/**
 * After the file's gateway stopped: removes the Docker networks Dockside made for these subnets
 * (awsvpc tasks), should any be left. Only this file's subnets: another file may be using its own.
 */
export function removeSubnetNetworksAfterAll(...subnetIds: string[]) {
  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Docker = require('dockerode') as typeof import('dockerode');
    const docker = new Docker();
    for (const id of subnetIds)
      for (const n of await docker.listNetworks({ filters: { label: [`dockside.subnet-id=${id}`] } }))
        await docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined);
  });
}
