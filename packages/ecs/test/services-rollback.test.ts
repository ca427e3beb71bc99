/**
 * The circuit breaker rolls back to the last completed service revision even when that
 * revision's deployment has already drained away (found as a user: a service scaled 2 → 1, then
 * updated to a revision that exits at once, was left with no tasks).
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX } from './helpers';

const gw = useTestGateway(() => ({
  plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' })],
}));
const client = gw.sdk(ECSClient);

const register = async (family: string, command: string[]) =>
  (
    await client.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: 'app', image: BUSYBOX, memory: 32, command, stopTimeout: 1 }],
      }),
    )
  ).taskDefinition!.taskDefinitionArn!;

/** A service as a line, for a timeout's message: its deployments and newest events. */
const summary = (s: Service | undefined) =>
  s
    ? JSON.stringify({
        taskDefinition: s.taskDefinition?.split('/').pop(),
        running: s.runningCount,
        pending: s.pendingCount,
        deployments: s.deployments?.map((d) =>
          [d.status, d.rolloutState, d.taskDefinition?.split('/').pop(), d.runningCount, d.failedTasks].join(' '),
        ),
        events: s.events?.slice(0, 6).map((e) => e.message),
      })
    : 'none';

const waitService = async (service: string, check: (s: Service) => boolean, what: string) => {
  let last: Service | undefined;
  try {
    return await waitFor(
      async () => {
        last = (await client.send(new DescribeServicesCommand({ cluster: 'rb', services: [service] }))).services![0];
        return check(last) ? last : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100, what },
    );
  } catch (e) {
    // An intermittent CI timeout here left no trace of the service's state: name it.
    throw new Error(`${(e as Error).message}; the service last: ${summary(last)}`, { cause: e });
  }
};

test.each([100, 0])(
  'scaled 2 → 1, then a crashing revision: rolled back (minimumHealthyPercent %i)',
  async (minimumHealthyPercent) => {
    await client.send(new CreateClusterCommand({ clusterName: 'rb' }));
    const name = `web-${minimumHealthyPercent}`;
    const good = await register(`rb-good-${minimumHealthyPercent}`, ['sleep', '3600']);
    const bad = await register(`rb-bad-${minimumHealthyPercent}`, ['sh', '-c', 'exit 1']);
    await client.send(
      new CreateServiceCommand({
        cluster: 'rb',
        serviceName: name,
        taskDefinition: good,
        desiredCount: 2,
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          minimumHealthyPercent,
          maximumPercent: 200,
        },
      }),
    );
    await waitService(
      name,
      (s) => s.runningCount === 2 && s.deployments![0].rolloutState === 'COMPLETED',
      'two running, completed',
    );
    await client.send(new UpdateServiceCommand({ cluster: 'rb', service: name, desiredCount: 1 }));
    await waitService(name, (s) => s.runningCount === 1 && s.deployments!.length === 1, 'scaled to one');
    await client.send(new UpdateServiceCommand({ cluster: 'rb', service: name, taskDefinition: bad }));
    const back = await waitService(
      name,
      (s) =>
        s.taskDefinition === good &&
        s.deployments!.length === 1 &&
        s.deployments![0].rolloutState === 'COMPLETED' &&
        s.runningCount === 1,
      'rolled back to the good revision with one task',
    );
    expect(back.deployments![0].taskDefinition).toBe(good);
    expect(back.events!.some((e) => e.message?.includes('rolling back to deployment'))).toBe(true);
    await client.send(new UpdateServiceCommand({ cluster: 'rb', service: name, desiredCount: 0 }));
    await waitService(name, (s) => s.runningCount === 0 && s.pendingCount === 0, 'scaled to zero');
    await client.send(new (await import('@aws-sdk/client-ecs')).DeleteServiceCommand({ cluster: 'rb', service: name }));
  },
  180_000,
);
