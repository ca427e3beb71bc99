import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { waitFor } from '@dockside/testing';

/** A service as one line, for a timeout's message: counts, deployments, newest events. */
export function serviceSummary(s: Service | undefined): string {
  if (!s) return 'none';
  return JSON.stringify({
    taskDefinition: s.taskDefinition?.split('/').pop(),
    desired: s.desiredCount,
    running: s.runningCount,
    pending: s.pendingCount,
    deployments: s.deployments?.map((d) =>
      [d.status, d.rolloutState, d.taskDefinition?.split('/').pop(), d.runningCount, d.failedTasks].join(' '),
    ),
    events: s.events?.slice(0, 6).map((e) => e.message),
  });
}

/** The tasks of a cluster (running and recently stopped) as one line each: id, statuses, who started it. */
export async function tasksSummary(client: ECSClient, cluster: string): Promise<string> {
  const arns = [
    ...((await client.send(new ListTasksCommand({ cluster }))).taskArns ?? []),
    ...((await client.send(new ListTasksCommand({ cluster, desiredStatus: 'STOPPED' }))).taskArns ?? []),
  ];
  if (!arns.length) return 'no tasks';
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100)
    tasks.push(...(await client.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks!);
  return tasks
    .map((t) =>
      [
        t.taskArn!.split('/').pop()!.slice(0, 8),
        t.lastStatus,
        t.desiredStatus,
        t.startedBy ?? '-',
        t.stopCode ?? '',
        t.createdAt?.toISOString().slice(11, 23),
      ].join(' '),
    )
    .join('; ');
}

/** `wait`, whose failure also names the cluster's tasks (and `more`, when given). */
export async function explained<T>(
  client: ECSClient,
  cluster: string,
  wait: Promise<T>,
  more: () => string = () => '',
): Promise<T> {
  try {
    return await wait;
  } catch (e) {
    const tasks = await tasksSummary(client, cluster).catch((err: unknown) => String(err));
    throw new Error(`${(e as Error).message}${more()}; tasks: ${tasks}`, { cause: e });
  }
}

/**
 * Polls DescribeServices until `check` holds. On a timeout the error names the service's last
 * state and its cluster's tasks, so an intermittent failure says where the scheduler stood.
 */
export function waitForService(
  client: ECSClient,
  cluster: string,
  service: string,
  check: (s: Service) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Service> {
  let last: Service | undefined;
  const wait = waitFor(
    async () => {
      last = (await client.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0];
      return check(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 100, what },
  );
  return explained(client, cluster, wait, () => `; the service last: ${serviceSummary(last)}`);
}
