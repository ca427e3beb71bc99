/**
 * The circuit breaker rolls back to the last completed service revision even when that
 * revision's deployment has already drained away (found as a user: a service scaled 2 → 1, then
 * updated to a revision that exits at once, was left with no tasks).
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway } from '@dockside/testing';
import { BUSYBOX } from './helpers';
import { waitForService } from './service-wait';

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

const waitService = (service: string, check: (s: Service) => boolean, what: string) =>
  waitForService(client, 'rb', service, check, what, 90_000);

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
