/**
 * Service deployments gated by container health checks, StopServiceDeployment, and the
 * registration of service tasks with load balancers over the bus (with and without elbv2).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import pino from 'pino';
import {
  CreateClusterCommand,
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesByNamespaceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Service,
} from '@aws-sdk/client-ecs';
import { loadModel, type DocksidePlugin } from '@dockside/core';
import { generateModel } from '@dockside/core/dist/model/generate';
import { ecs } from '@dockside/ecs';
import { startTestGateway, waitFor, type TestGateway } from '@dockside/testing';
import { BUSYBOX } from './helpers';
import { waitForService } from './service-wait';

const sleeper = (extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: 'app',
  image: BUSYBOX,
  memory: 32,
  command: ['sleep', '3600'],
  stopTimeout: 1,
  ...extra,
});

function helpers(t: TestGateway) {
  const client = t.client(ECSClient);
  const describe1 = async (cluster: string, service: string): Promise<Service> =>
    (await client.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0];
  const waitService = (cluster: string, service: string, check: (s: Service) => boolean, what: string) =>
    waitForService(client, cluster, service, check, what);
  const running = async (cluster: string, serviceName: string) => {
    const arns = (await client.send(new ListTasksCommand({ cluster, serviceName }))).taskArns ?? [];
    return arns.length
      ? (await client.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!.filter(
          (x) => x.lastStatus === 'RUNNING',
        )
      : [];
  };
  return { client, describe1, waitService, running };
}

describe('deployments gated by health checks', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 500 })],
    });
  });
  afterAll(() => t.stop());

  it('old tasks stay while new ones are not healthy; StopServiceDeployment rolls back', async () => {
    const { client, waitService, running } = helpers(t);
    await client.send(new CreateClusterCommand({ clusterName: 'gate' }));
    const v1 = (
      await client.send(new RegisterTaskDefinitionCommand({ family: 'gate', containerDefinitions: [sleeper()] }))
    ).taskDefinition!.taskDefinitionArn!;
    // Never healthy within the test: the first verdict comes after 10 failures 5 s apart.
    const v2 = (
      await client.send(
        new RegisterTaskDefinitionCommand({
          family: 'gate',
          containerDefinitions: [
            sleeper({ healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, retries: 10, timeout: 2 } }),
          ],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    await client.send(
      new CreateServiceCommand({ cluster: 'gate', serviceName: 'svc', taskDefinition: v1, desiredCount: 2 }),
    );
    await waitService(
      'gate',
      'svc',
      (s) => s.deployments![0].rolloutState === 'COMPLETED' && s.runningCount === 2,
      'v1 steady',
    );
    const old = (await running('gate', 'svc')).map((x) => x.taskArn).sort();

    await client.send(new UpdateServiceCommand({ cluster: 'gate', service: 'svc', taskDefinition: v2 }));
    // Both new tasks run, but with health UNKNOWN they are not healthy: minimumHealthyPercent 100 keeps both old ones.
    await waitFor(async () => ((await running('gate', 'svc')).length === 4 ? true : undefined), {
      what: '4 tasks running',
    });
    const mid = await waitService('gate', 'svc', (s) => s.runningCount === 4, '4 running');
    expect(mid.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    await new Promise((r) => setTimeout(r, 1000)); // a few scheduler cycles
    const still = (await running('gate', 'svc'))
      .filter((x) => x.taskDefinitionArn === v1)
      .map((x) => x.taskArn)
      .sort();
    expect(still).toEqual(old);
    const fresh = (await running('gate', 'svc')).filter((x) => x.taskDefinitionArn === v2);
    expect(fresh.map((x) => x.healthStatus)).toEqual(['UNKNOWN', 'UNKNOWN']);

    const [target] = (
      await client.send(
        new DescribeServiceDeploymentsCommand({
          serviceDeploymentArns: [await latestDeploymentArn(client, 'gate', 'svc')],
        }),
      )
    ).serviceDeployments!;
    expect(target.status).toBe('IN_PROGRESS');
    await client.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: target.serviceDeploymentArn, stopType: 'ROLLBACK' }),
    );
    const back = await waitService(
      'gate',
      'svc',
      (s) => s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED' && s.runningCount === 2,
      'rolled back',
    );
    expect(back.taskDefinition).toBe(v1);
    expect((await running('gate', 'svc')).map((x) => x.taskDefinitionArn)).toEqual([v1, v1]);
    const [after] = (
      await client.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [target.serviceDeploymentArn!] }),
      )
    ).serviceDeployments!;
    expect(after).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      rollback: { reason: 'Service deployment rolled back because of a StopServiceDeployment request.' },
    });
    await client.send(new DeleteServiceCommand({ cluster: 'gate', service: 'svc', force: true }));
  });
});

test('a service whose tasks keep dying at start is throttled, as ECS throttles it', async () => {
  const t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 100, serviceStabilityMs: 500 })],
  });
  const { client, waitService } = helpers(t);
  try {
    await client.send(new CreateClusterCommand({ clusterName: 'loop' }));
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'crash',
        containerDefinitions: [sleeper({ command: ['sh', '-c', 'exit 1'] })],
      }),
    );
    const launches: number[] = [];
    t.gateway.bus.subscribe('ecs.task', (e) => void (e.lastStatus === 'PROVISIONING' && launches.push(Date.now())));
    const actions: string[] = [];
    t.gateway.bus.subscribe(
      'ecs.service-action',
      (e) => void actions.push(`${e.serviceArn.split('/').pop()} ${e.eventName}`),
    );
    await client.send(
      new CreateServiceCommand({ cluster: 'loop', serviceName: 'crash', taskDefinition: 'crash', desiredCount: 1 }),
    );
    await waitService(
      'loop',
      'crash',
      (s) =>
        s.events!.some(
          (e) =>
            e.message ===
            '(service crash) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
        ),
      'the throttle event',
    );
    await waitFor(async () => (launches.length >= 5 ? true : undefined), { what: 'five launches' });
    // How long the throttle holds each launch is unit-tested on a driven clock (scheduler.test.ts):
    // gaps measured here would be wall-clock readings, which a loaded machine bends.
    // EventBridge-bound "ECS Service Action", as ECS sends it for a throttled service.
    expect(actions).toContain('crash SERVICE_TASK_START_IMPAIRED');
    await client.send(new DeleteServiceCommand({ cluster: 'loop', service: 'crash', force: true }));
  } finally {
    await t.stop();
  }
});

test('a BLUE_GREEN deployment pauses at a PAUSE hook until ContinueServiceDeployment continues or rolls it back', async () => {
  const t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 100, serviceStabilityMs: 300 })],
  });
  const { client, waitService, running } = helpers(t);
  try {
    await client.send(new CreateClusterCommand({ clusterName: 'bgn' }));
    const td = async (v: string) =>
      (
        await client.send(
          new RegisterTaskDefinitionCommand({
            family: 'bgn',
            containerDefinitions: [sleeper({ environment: [{ name: 'V', value: v }] })],
          }),
        )
      ).taskDefinition!.taskDefinitionArn!;
    const [v1, v2, v3] = [await td('1'), await td('2'), await td('3')];
    await expect(
      client.send(
        new CreateServiceCommand({
          cluster: 'bgn',
          serviceName: 'x',
          taskDefinition: v1,
          deploymentConfiguration: {
            strategy: 'BLUE_GREEN',
            lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }],
          },
        }),
      ),
    ).rejects.toThrow('PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages.');
    await client.send(
      new CreateServiceCommand({
        cluster: 'bgn',
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount: 2,
        deploymentConfiguration: {
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 0,
          lifecycleHooks: [
            {
              targetType: 'PAUSE',
              lifecycleStages: ['POST_SCALE_UP'],
              timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' },
            },
          ],
        },
      }),
    );
    await waitService(
      'bgn',
      'web',
      (s) => s.deployments![0].rolloutState === 'COMPLETED' && s.runningCount === 2,
      'v1 steady',
    );
    const blue = (await running('bgn', 'web')).map((x) => x.taskArn).sort();

    const paused = async (target: string) => {
      await client.send(new UpdateServiceCommand({ cluster: 'bgn', service: 'web', taskDefinition: target }));
      const arn = await latestDeploymentArn(client, 'bgn', 'web');
      return waitFor(
        async () => {
          const [sd] = (await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })))
            .serviceDeployments!;
          return sd.lifecycleStage === 'POST_SCALE_UP' && sd.lifecycleHookDetails?.[0]?.status === 'AWAITING_ACTION'
            ? sd
            : undefined;
        },
        { what: 'the deployment to pause at POST_SCALE_UP' },
      );
    };

    // Paused after green scaled up: blue and green both run in full.
    const first = await paused(v2);
    expect(first.lifecycleHookDetails![0]).toMatchObject({
      targetType: 'PAUSE',
      timeoutAction: 'ROLLBACK',
      hookId: expect.stringMatching(/^ecs-pause-/),
    });
    const both = await running('bgn', 'web');
    expect(both.map((x) => x.taskDefinitionArn).sort()).toEqual([v1, v1, v2, v2]);
    await new Promise((r) => setTimeout(r, 500)); // still paused after scheduler cycles
    expect((await running('bgn', 'web')).length).toBe(4);
    await expect(
      client.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: first.serviceDeploymentArn,
          hookId: 'ecs-pause-nope',
        }),
      ),
    ).rejects.toThrow(/does not exist/);
    await client.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: first.serviceDeploymentArn,
        hookId: first.lifecycleHookDetails![0].hookId,
        action: 'CONTINUE',
      }),
    );
    await expect(
      client.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: first.serviceDeploymentArn,
          hookId: first.lifecycleHookDetails![0].hookId,
        }),
      ),
    ).rejects.toThrow(/not AWAITING_ACTION/);
    const green = await waitService(
      'bgn',
      'web',
      (s) => s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED' && s.runningCount === 2,
      'v2 complete',
    );
    expect(green.taskDefinition).toBe(v2);
    const [done] = (
      await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [first.serviceDeploymentArn!] }))
    ).serviceDeployments!;
    expect(done).toMatchObject({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' });
    const greenTasks = (await running('bgn', 'web')).map((x) => x.taskArn).sort();
    expect(greenTasks.some((a) => blue.includes(a))).toBe(false);

    // The next one is rolled back at the hook: the tasks of v2 never stopped and stay.
    const second = await paused(v3);
    await client.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: second.serviceDeploymentArn,
        hookId: second.lifecycleHookDetails![0].hookId,
        action: 'ROLLBACK',
      }),
    );
    const back = await waitService(
      'bgn',
      'web',
      (s) => s.deployments!.length === 1 && s.runningCount === 2 && s.taskDefinition === v2,
      'back on v2',
    );
    expect(back.deployments![0].taskDefinition).toBe(v2);
    expect((await running('bgn', 'web')).map((x) => x.taskArn).sort()).toEqual(greenTasks);
    const rolled = await waitFor(
      async () => {
        const [sd] = (
          await client.send(
            new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [second.serviceDeploymentArn!] }),
          )
        ).serviceDeployments!;
        return sd.status === 'ROLLBACK_SUCCESSFUL' ? sd : undefined;
      },
      { what: 'ROLLBACK_SUCCESSFUL' },
    );
    expect(rolled.rollback).toMatchObject({
      reason: 'Service deployment rolled back because of a ContinueServiceDeployment request.',
      serviceRevisionArn: done.targetServiceRevision!.arn,
    });
    await client.send(new DeleteServiceCommand({ cluster: 'bgn', service: 'web', force: true }));
  } finally {
    await t.stop();
  }
});

describe('container health in services', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 500 })],
    });
  });
  afterAll(() => t.stop());

  it('replaces a task that fails its health checks, but not within healthCheckGracePeriodSeconds', async () => {
    const { client, waitService, running } = helpers(t);
    await client.send(new CreateClusterCommand({ clusterName: 'health' }));
    // UNHEALTHY after one failed check, about 5 s after start.
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'sick',
        containerDefinitions: [
          sleeper({ healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, retries: 1, timeout: 2 } }),
        ],
      }),
    );
    await client.send(
      new CreateServiceCommand({ cluster: 'health', serviceName: 'strict', taskDefinition: 'sick', desiredCount: 1 }),
    );
    await client.send(
      new CreateServiceCommand({
        cluster: 'health',
        serviceName: 'patient',
        taskDefinition: 'sick',
        desiredCount: 1,
        healthCheckGracePeriodSeconds: 600,
      }),
    );
    await waitService(
      'health',
      'strict',
      (s) => s.events!.some((e) => / failed container health checks\.$/.test(e.message!)),
      'strict to replace its task',
    );
    const strictTasks = await client.send(
      new ListTasksCommand({ cluster: 'health', serviceName: 'strict', desiredStatus: 'STOPPED' }),
    );
    const [replaced] = (
      await client.send(new DescribeTasksCommand({ cluster: 'health', tasks: strictTasks.taskArns! }))
    ).tasks!;
    expect(replaced).toMatchObject({
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed container health checks',
    });
    // The patient service's task is just as unhealthy, and still running.
    const patient = await waitFor(
      async () => {
        const [x] = await running('health', 'patient');
        return x?.healthStatus === 'UNHEALTHY' ? x : undefined;
      },
      { what: 'the patient task to be UNHEALTHY' },
    );
    await new Promise((r) => setTimeout(r, 600)); // a few scheduler cycles
    expect((await running('health', 'patient')).map((x) => x.taskArn)).toEqual([patient.taskArn]);
    for (const s of ['strict', 'patient'])
      await client.send(new DeleteServiceCommand({ cluster: 'health', service: s, force: true }));
  });
});

async function latestDeploymentArn(client: ECSClient, cluster: string, service: string): Promise<string> {
  const { ListServiceDeploymentsCommand } = await import('@aws-sdk/client-ecs');
  return (await client.send(new ListServiceDeploymentsCommand({ cluster, service }))).serviceDeployments![0]
    .serviceDeploymentArn!;
}

/**
 * A stand-in for the elbv2 plugin: a plugin on the real bus that answers RegisterTargets /
 * DeregisterTargets and records them. It checks ECS's side of the contract alone (the real
 * plugin with real traffic is in packages/elbv2/test/ecs-services.test.ts).
 */
function recordingElbv2() {
  const calls: { op: string; input: { TargetGroupArn: string; Targets: { Id: string; Port?: number }[] } }[] = [];
  let model: ReturnType<typeof loadModel> | undefined;
  const plugin: DocksidePlugin = {
    name: 'elbv2-recorder',
    protocols: [
      {
        signingName: 'elasticloadbalancing',
        protocol: 'awsQuery',
        apiVersion: '2015-12-01',
        xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
        model: () => (model ??= generateModel('@aws-sdk/client-elastic-load-balancing-v2', __dirname)),
        validationErrorCode: 'ValidationError',
      },
    ],
    operations: {
      RegisterTargets: (input) => {
        calls.push({ op: 'RegisterTargets', input });
        return {};
      },
      DeregisterTargets: (input) => {
        calls.push({ op: 'DeregisterTargets', input });
        return {};
      },
    },
  };
  return { plugin, calls };
}

describe('loadBalancers', () => {
  const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
  /** Cluster `lb`, and service `web` of 2 bridge tasks behind target group TG (port 8080). */
  const createWebService = async (client: ECSClient) => {
    await client.send(new CreateClusterCommand({ clusterName: 'lb' }));
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [sleeper({ portMappings: [{ containerPort: 8080, hostPort: 0 }] })],
      }),
    );
    await client.send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 2,
        loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }],
      }),
    );
  };

  it('registers each RUNNING task (host port for bridge) and deregisters it while draining', async () => {
    const elb = recordingElbv2();
    const t = await startTestGateway({
      plugins: [
        ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 500 }),
        elb.plugin,
      ],
    });
    const { client, waitService, running } = helpers(t);
    try {
      await createWebService(client);
      await waitService('lb', 'web', (s) => s.runningCount === 2, '2 running');
      const tasks = await running('lb', 'web');
      await waitFor(async () => (elb.calls.length >= 2 ? true : undefined), { what: 'two registrations' });
      const ports = tasks.map((x) => x.containers![0].networkBindings![0].hostPort).sort();
      // bridge tasks register as the cluster's (one, local) container instance and their host port
      const instance = elb.calls[0].input.Targets[0].Id;
      expect(instance).toMatch(/^i-[0-9a-f]{17}$/);
      expect(elb.calls.map((c) => [c.op, c.input.TargetGroupArn, c.input.Targets[0].Id]).sort()).toEqual([
        ['RegisterTargets', TG, instance],
        ['RegisterTargets', TG, instance],
      ]);
      expect(elb.calls.map((c) => c.input.Targets[0].Port).sort()).toEqual(ports);
      const svc = await waitService(
        'lb',
        'web',
        (s) =>
          s.events!.filter((e) => e.message === `(service web) registered 1 targets in (target-group ${TG})`).length ===
          2,
        'registration events',
      );
      expect(svc.loadBalancers).toEqual([{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }]);

      await client.send(new UpdateServiceCommand({ cluster: 'lb', service: 'web', desiredCount: 1 }));
      await waitFor(async () => (elb.calls.some((c) => c.op === 'DeregisterTargets') ? true : undefined), {
        what: 'a deregistration',
      });
      const dereg = elb.calls.filter((c) => c.op === 'DeregisterTargets');
      expect(dereg).toHaveLength(1);
      expect(ports).toContain(dereg[0].input.Targets[0].Port);
      await waitService(
        'lb',
        'web',
        (s) => s.events!.some((e) => e.message === '(service web) has begun draining connections on 1 tasks.'),
        'draining event',
      );
    } finally {
      await t.stop();
    }
  });

  it('registrations are kept in the store: after a restart from --data-dir the re-adopted tasks deregister the same targets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-lb-'));
    const opts = { pullPolicy: 'never' as const, serviceResyncMs: 200, serviceStabilityMs: 500 };
    const elb1 = recordingElbv2();
    const t1 = await startTestGateway({
      plugins: [ecs({ instancesPerCluster: 1, ...opts }), elb1.plugin],
      dataDir: dir,
    });
    let registered: string[];
    let arns: string[];
    try {
      const { client, waitService, running } = helpers(t1);
      await createWebService(client);
      await waitService('lb', 'web', (s) => s.runningCount === 2, '2 running');
      await waitFor(async () => (elb1.calls.length >= 2 ? true : undefined), { what: 'two registrations' });
      registered = elb1.calls.map((c) => `${c.input.Targets[0].Id}:${c.input.Targets[0].Port}`).sort();
      arns = (await running('lb', 'web')).map((t) => t.taskArn!).sort();
    } finally {
      // With --data-dir the tasks keep running for the next start.
      await t1.stop();
    }
    const elb2 = recordingElbv2();
    const t2 = await startTestGateway({
      plugins: [ecs({ instancesPerCluster: 1, ...opts }), elb2.plugin],
      dataDir: dir,
    });
    try {
      const { client, waitService, running } = helpers(t2);
      await waitService('lb', 'web', (s) => s.runningCount === 2, '2 running after the restart');
      expect((await running('lb', 'web')).map((t) => t.taskArn!).sort()).toEqual(arns);
      // Re-adopted, not re-registered: the load balancer already has them.
      expect(elb2.calls.filter((c) => c.op === 'RegisterTargets')).toEqual([]);
      await client.send(new DeleteServiceCommand({ cluster: 'lb', service: 'web', force: true }));
      await waitFor(
        async () => (elb2.calls.filter((c) => c.op === 'DeregisterTargets').length >= 2 ? true : undefined),
        { what: 'two deregistrations' },
      );
      const deregistered = elb2.calls
        .filter((c) => c.op === 'DeregisterTargets')
        .map((c) => `${c.input.Targets[0].Id}:${c.input.Targets[0].Port}`);
      expect(deregistered.sort()).toEqual(registered);
      await waitService('lb', 'web', (s) => s.status === 'INACTIVE', 'INACTIVE');
    } finally {
      await t2.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a Fargate (awsvpc) service registers each task by its ENI address and container port', async () => {
    const elb = recordingElbv2();
    const t = await startTestGateway({
      plugins: [
        ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 500 }),
        elb.plugin,
      ],
    });
    const { client, waitService, running } = helpers(t);
    try {
      await client.send(new CreateClusterCommand({ clusterName: 'fg' }));
      await client.send(
        new RegisterTaskDefinitionCommand({
          family: 'api',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [sleeper({ memory: undefined, portMappings: [{ containerPort: 9000 }] })],
        }),
      );
      await expect(
        client.send(
          new CreateServiceCommand({
            cluster: 'fg',
            serviceName: 'api',
            taskDefinition: 'api',
            desiredCount: 1,
            launchType: 'FARGATE',
          }),
        ),
      ).rejects.toThrow("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      const svc = (
        await client.send(
          new CreateServiceCommand({
            cluster: 'fg',
            serviceName: 'api',
            taskDefinition: 'api',
            desiredCount: 2,
            launchType: 'FARGATE',
            networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a0a0a0a'] } },
            loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 9000 }],
          }),
        )
      ).service!;
      expect(svc).toMatchObject({ launchType: 'FARGATE', platformVersion: 'LATEST', platformFamily: 'Linux' });
      await waitService('fg', 'api', (s) => s.runningCount === 2, '2 running');
      const tasks = await running('fg', 'api');
      const ips = tasks
        .map(
          (x) =>
            x
              .attachments!.find((a) => a.type === 'ElasticNetworkInterface')!
              .details!.find((d) => d.name === 'privateIPv4Address')!.value,
        )
        .sort();
      for (const x of tasks) expect(x).toMatchObject({ launchType: 'FARGATE', platformVersion: '1.4.0' });
      await waitFor(async () => (elb.calls.length >= 2 ? true : undefined), { what: 'two registrations' });
      expect(elb.calls.map((c) => c.input.Targets[0]).sort((a, b) => (a.Id < b.Id ? -1 : 1))).toEqual(
        ips.map((ip) => ({ Id: ip, Port: 9000 })),
      );
      await client.send(new DeleteServiceCommand({ cluster: 'fg', service: 'api', force: true }));
    } finally {
      await t.stop();
    }
  });

  it('without the elbv2 plugin the service runs and Dockside says so once in its log', async () => {
    let log = '';
    const sink = new Writable({ write: (c, _e, done) => ((log += c.toString()), done()) });
    const t = await startTestGateway({
      plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200 })],
      logger: pino({ level: 'warn' }, sink),
    });
    const { client, waitService } = helpers(t);
    try {
      await createWebService(client);
      await waitService('lb', 'web', (s) => s.runningCount === 2, '2 running');
      await waitFor(async () => (log.includes('elbv2 plugin is not loaded') ? true : undefined), {
        what: 'the warning',
      });
      expect(log.match(/elbv2 plugin is not loaded/g)).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });
});

test("shutting down stops a service's tasks without the scheduler replacing them", async () => {
  const t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 50 })],
  });
  const { client, waitService } = helpers(t);
  await client.send(new CreateClusterCommand({ clusterName: 'bye' }));
  await client.send(new RegisterTaskDefinitionCommand({ family: 'bye', containerDefinitions: [sleeper()] }));
  await client.send(
    new CreateServiceCommand({ cluster: 'bye', serviceName: 'svc', taskDefinition: 'bye', desiredCount: 2 }),
  );
  await waitService('bye', 'svc', (s) => s.runningCount === 2, '2 running');
  const launched: string[] = [];
  t.gateway.bus.subscribe('ecs.task', (e) => void (e.lastStatus === 'PROVISIONING' && launched.push(e.taskArn)));
  await t.stop();
  expect(launched).toEqual([]);
  const left = await new Docker().listContainers({
    all: true,
    filters: { label: [`com.amazonaws.ecs.cluster=arn:aws:ecs:${t.region}:000000000000:cluster/bye`] },
  });
  expect(left).toEqual([]);
});

test('after a restart from --data-dir a service keeps its re-adopted task: no duplicate, exits still observed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-services-'));
  const start = () =>
    startTestGateway({
      plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 100, serviceStabilityMs: 300 })],
      dataDir: dir,
    });
  try {
    const first = await start();
    const a = helpers(first);
    await a.client.send(new CreateClusterCommand({ clusterName: 'keep' }));
    await a.client.send(new RegisterTaskDefinitionCommand({ family: 'keep', containerDefinitions: [sleeper()] }));
    await a.client.send(
      new CreateServiceCommand({ cluster: 'keep', serviceName: 'svc', taskDefinition: 'keep', desiredCount: 1 }),
    );
    await a.waitService('keep', 'svc', (s) => s.runningCount === 1, '1 running');
    const [before] = await a.running('keep', 'svc');
    await first.stop();

    const second = await start();
    const b = helpers(second);
    try {
      const svc = await b.waitService('keep', 'svc', (s) => s.runningCount === 1, '1 running after the restart');
      expect(svc).toMatchObject({ status: 'ACTIVE', desiredCount: 1 });
      const [after] = await b.running('keep', 'svc');
      expect(after.taskArn).toBe(before.taskArn);
      expect(after.containers![0].runtimeId).toBe(before.containers![0].runtimeId);
      // Its container dies under it: the exit is observed and the service replaces the task.
      await new Docker().getContainer(after.containers![0].runtimeId!).kill();
      await waitFor(
        async () => {
          const now = await b.running('keep', 'svc');
          return now.length === 1 && now[0].taskArn !== before.taskArn ? true : undefined;
        },
        { what: 'a replacement task' },
      );
      const old = (await b.client.send(new DescribeTasksCommand({ cluster: 'keep', tasks: [before.taskArn!] })))
        .tasks![0];
      expect(old).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
      expect(old.containers![0].exitCode).toBe(137);
      await b.client.send(new DeleteServiceCommand({ cluster: 'keep', service: 'svc', force: true }));
      await b.waitService('keep', 'svc', (s) => s.status === 'INACTIVE', 'INACTIVE');
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ListServicesByNamespace finds services by their Service Connect namespace', async () => {
  const t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' })] });
  const client = t.client(ECSClient);
  try {
    await client.send(new CreateClusterCommand({ clusterName: 'ns' }));
    await client.send(new RegisterTaskDefinitionCommand({ family: 'ns', containerDefinitions: [sleeper()] }));
    await client.send(
      new CreateServiceCommand({
        cluster: 'ns',
        serviceName: 'a',
        taskDefinition: 'ns',
        desiredCount: 0,
        serviceConnectConfiguration: { enabled: true, namespace: 'shop' },
      }),
    );
    await client.send(
      new CreateServiceCommand({ cluster: 'ns', serviceName: 'b', taskDefinition: 'ns', desiredCount: 0 }),
    );
    const r = await client.send(new ListServicesByNamespaceCommand({ namespace: 'shop' }));
    expect(r.serviceArns!.map((a) => a.split('/').pop())).toEqual(['a']);
    expect((await client.send(new ListServicesByNamespaceCommand({ namespace: 'other' }))).serviceArns).toEqual([]);
  } finally {
    await t.stop();
  }
});
