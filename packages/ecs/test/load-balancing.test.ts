/**
 * ECS services behind the real ELBv2 plugin, with real containers (busybox httpd and nc) and
 * real traffic: routing by path and header to two services, a rolling deployment under
 * constant requests with no errors, blue/green and canary traffic shifts through the listener
 * rule, tasks the load balancer reports unhealthy replaced, and an NLB TCP listener.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type LoadBalancer,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ecs } from '@dockside/ecs';
import { elbv2 } from '@dockside/elbv2';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX, removeSubnetNetworksAfterAll } from './helpers';
import { waitForService } from './service-wait';

// Registered before the gateway's own afterAll, so it runs while the gateway still does.
afterAll(async () => {
  // Services go first so their containers are removed before the gateway stops.
  const { DeleteServiceCommand, ListServicesCommand } = await import('@aws-sdk/client-ecs');
  const arns = (await ecsClient.send(new ListServicesCommand({ cluster: 'lb' }))).serviceArns ?? [];
  await Promise.all(
    arns.map((service) => ecsClient.send(new DeleteServiceCommand({ cluster: 'lb', service, force: true }))),
  );
}, 60_000);

const gw = useTestGateway(
  () => ({
    plugins: [
      ecs({
        instancesPerCluster: 1,
        pullPolicy: 'never',
        serviceResyncMs: 200,
        serviceStabilityMs: 300,
        deploymentTimeScale: 0.2,
      }),
      elbv2({ timeScale: 0.05 }),
    ],
  }),
  { ready: (t) => t.client(ECSClient).send(new CreateClusterCommand({ clusterName: 'lb' })) },
);
jest.setTimeout(120_000);
removeSubnetNetworksAfterAll('subnet-0eeeeeeeeeeeeeee1');
const ecsClient = gw.sdk(ECSClient);
const elb = gw.sdk(ElasticLoadBalancingV2Client);

/** A web server task: `<text> <hostname>` at `/` and `/api/`, on container port 8080 (bridge, dynamic host port). */
async function webTask(family: string, text: string) {
  const script = [
    'mkdir -p /www/api',
    `echo "${text} $HOSTNAME" > /www/index.html`,
    'cp /www/index.html /www/api/index.html',
    'exec httpd -f -p 8080 -h /www',
  ].join(' && ');
  const { taskDefinition } = await ecsClient.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [
        {
          name: 'web',
          image: BUSYBOX,
          memory: 32,
          command: ['sh', '-c', script],
          portMappings: [{ containerPort: 8080, hostPort: 0 }],
          stopTimeout: 1,
        },
      ],
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}

async function targetGroup(name: string, extra: Record<string, unknown> = {}) {
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-0123456789abcdef0',
        TargetType: 'instance',
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 2,
        HealthyThresholdCount: 2,
        ...extra,
      }),
    )
  ).TargetGroups![0];
  // 20 s at AWS pace: 1 s here
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tg.TargetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }],
    }),
  );
  return tg.TargetGroupArn!;
}

async function alb(name: string, defaultTg: string) {
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: ['subnet-a', 'subnet-b'] })))
    .LoadBalancers![0];
  const port = await freePort();
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: defaultTg }],
      }),
    )
  ).Listeners![0];
  return { port, listenerArn: listener.ListenerArn! };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function get(
  port: number,
  path = '/',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: body.trim() }));
    });
    req.on('error', reject);
  });
}

async function service(
  name: string,
  taskDefinition: string,
  loadBalancers: LoadBalancer[],
  extra: Record<string, unknown> = {},
) {
  await ecsClient.send(
    new CreateServiceCommand({
      cluster: 'lb',
      serviceName: name,
      taskDefinition,
      desiredCount: 2,
      loadBalancers,
      ...extra,
    }),
  );
}

const describe1 = async (name: string): Promise<Service> =>
  (await ecsClient.send(new DescribeServicesCommand({ cluster: 'lb', services: [name] }))).services![0];

const waitService = (name: string, check: (s: Service) => boolean, what: string) =>
  waitForService(ecsClient, 'lb', name, check, what, 90_000);

const healthyTargets = (tgArn: string, n: number) =>
  waitFor(
    async () => {
      const d = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      const healthy = d.TargetHealthDescriptions!.filter((x) => x.TargetHealth!.State === 'healthy');
      return healthy.length === n && d.TargetHealthDescriptions!.length === n ? d.TargetHealthDescriptions! : undefined;
    },
    { timeoutMs: 60_000, what: `${n} healthy targets` },
  );

test('an ALB routes by path and by header to the tasks of two services; tasks register as the instance and host port', async () => {
  const apiTg = await targetGroup('api');
  const webTg = await targetGroup('web');
  const { port, listenerArn } = await alb('two-services', webTg);
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
      Actions: [{ Type: 'forward', TargetGroupArn: apiTg }],
    }),
  );
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 20,
      Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Service', Values: ['api'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: apiTg }],
    }),
  );
  await service('api', await webTask('api', 'api'), [
    { targetGroupArn: apiTg, containerName: 'web', containerPort: 8080 },
  ]);
  await service('web', await webTask('web', 'web'), [
    { targetGroupArn: webTg, containerName: 'web', containerPort: 8080 },
  ]);
  const targets = await healthyTargets(apiTg, 2);
  await healthyTargets(webTg, 2);
  // the cluster's container instance id and each task's published host port
  const tasks = (
    await ecsClient.send(
      new DescribeTasksCommand({
        cluster: 'lb',
        tasks: (await ecsClient.send(new ListTasksCommand({ cluster: 'lb', serviceName: 'api' }))).taskArns!,
      }),
    )
  ).tasks!;
  const hostPorts = tasks.map((t) => t.containers![0].networkBindings![0].hostPort).sort();
  expect(targets.map((t) => t.Target!.Port).sort()).toEqual(hostPorts);
  expect(new Set(targets.map((t) => t.Target!.Id))).toEqual(new Set([expect.stringMatching(/^i-[0-9a-f]{17}$/)]));
  const apiReplies = await Promise.all([get(port, '/api/'), get(port, '/api/')]);
  expect(apiReplies.map((r) => [r.status, r.body.split(' ')[0]])).toEqual([
    [200, 'api'],
    [200, 'api'],
  ]);
  // both api tasks answer in turn
  expect(new Set(apiReplies.map((r) => r.body)).size).toBe(2);
  expect((await get(port, '/', { 'X-Service': 'api' })).body).toMatch(/^api /);
  expect((await get(port, '/')).body).toMatch(/^web /);
  const svc = await describe1('api');
  expect(svc.events!.some((e) => e.message === `(service api) registered 1 targets in (target-group ${apiTg})`)).toBe(
    true,
  );
});

test('a rolling deployment behind the ALB: a client sending requests all along sees no errors; old tasks drain first', async () => {
  const tg = await targetGroup('roll');
  const { port } = await alb('rolling', tg);
  await service(
    'roll',
    await webTask('roll', 'v1'),
    [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
    {
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    },
  );
  await healthyTargets(tg, 2);
  const replies: Array<{ status: number; body: string }> = [];
  let sending = true;
  const loop = (async () => {
    while (sending) replies.push(await get(port).catch((e: Error) => ({ status: 0, body: e.message })));
  })();
  try {
    await ecsClient.send(
      new UpdateServiceCommand({ cluster: 'lb', service: 'roll', taskDefinition: await webTask('roll', 'v2') }),
    );
    await waitService(
      'roll',
      (s) => s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED',
      'v2 rolled out',
    );
    await waitFor(
      async () => (replies.length && replies[replies.length - 1].body.startsWith('v2') ? true : undefined),
      { what: 'v2 answering' },
    );
  } finally {
    sending = false;
    await loop;
  }
  const failures = replies.filter((r) => r.status !== 200);
  expect(failures).toEqual([]);
  expect(replies.some((r) => r.body.startsWith('v1'))).toBe(true);
  const svc = await describe1('roll');
  expect(svc.events!.some((e) => e.message === '(service roll) has begun draining connections on 1 tasks.')).toBe(true);
  const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
  expect(health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(['healthy', 'healthy']);
});

test('a canary blue/green deployment shifts the listener rule weights step by step, visible in the traffic', async () => {
  const blue = await targetGroup('blue');
  const green = await targetGroup('green');
  const { port, listenerArn } = await alb('bluegreen', blue);
  // as ECS blue/green asks: the production rule forwards to both groups, all weight on blue
  await elb.send(
    new ModifyListenerCommand({
      ListenerArn: listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: blue, Weight: 100 },
              { TargetGroupArn: green, Weight: 0 },
            ],
          },
        },
      ],
    }),
  );
  const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  const production = rules.Rules![0].RuleArn!;
  await service(
    'bg',
    await webTask('bg', 'v1'),
    [
      {
        targetGroupArn: blue,
        containerName: 'web',
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: green,
          productionListenerRule: production,
          roleArn: 'arn:aws:iam::000000000000:role/ecs-lb',
        },
      },
    ],
    // 1 minute of canary at a 0.2 time scale: 12 s at 50 %
    {
      deploymentConfiguration: {
        strategy: 'CANARY',
        canaryConfiguration: { canaryPercent: 50, canaryBakeTimeInMinutes: 1 },
      },
    },
  );
  await healthyTargets(blue, 2);
  expect((await get(port)).body).toMatch(/^v1 /);
  await ecsClient.send(
    new UpdateServiceCommand({ cluster: 'lb', service: 'bg', taskDefinition: await webTask('bg', 'v2') }),
  );
  const weights = async () => {
    const r = (await elb.send(new DescribeRulesCommand({ RuleArns: [production] }))).Rules![0];
    return r.Actions![0].ForwardConfig!.TargetGroups!.map((g) => [g.TargetGroupArn, g.Weight]);
  };
  // the canary step: half the traffic on green, and both versions answer
  await waitFor(
    async () =>
      JSON.stringify(await weights()) ===
      JSON.stringify([
        [blue, 50],
        [green, 50],
      ])
        ? true
        : undefined,
    {
      what: 'the 50 % canary step',
      timeoutMs: 60_000,
    },
  );
  await healthyTargets(green, 2);
  const seen = new Set<string>();
  await waitFor(
    async () => {
      seen.add((await get(port)).body.split(' ')[0]);
      return seen.has('v1') && seen.has('v2') ? true : undefined;
    },
    { what: 'v1 and v2 both answering during the canary', intervalMs: 10 },
  );
  await waitFor(
    async () =>
      JSON.stringify(await weights()) ===
      JSON.stringify([
        [blue, 0],
        [green, 100],
      ])
        ? true
        : undefined,
    {
      what: 'all traffic on green',
      timeoutMs: 60_000,
    },
  );
  await waitService(
    'bg',
    (s) => s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED',
    'the deployment completed',
  );
  for (let i = 0; i < 4; i++) expect((await get(port)).body).toMatch(/^v2 /);
});

test('tasks the load balancer reports unhealthy are replaced after the grace period, with ECS wording', async () => {
  const tg = await targetGroup('sick', { HealthCheckPath: '/health' });
  await alb('sick', tg);
  await service(
    'sick',
    await webTask('sick', 'x'),
    [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
    {
      desiredCount: 1,
      healthCheckGracePeriodSeconds: 1,
    },
  );
  const svc = await waitService(
    'sick',
    (s) => s.events!.some((e) => / is unhealthy in \(target-group /.test(e.message!)),
    'the unhealthy event',
  );
  const event = svc.events!.find((e) => / is unhealthy in /.test(e.message!))!.message!;
  expect(event).toMatch(
    new RegExp(
      `^\\(service sick\\) \\(task [0-9a-f]{32}\\) \\(port \\d+\\) is unhealthy in \\(target-group ${tg.replace(/[/.]/g, '\\$&')}\\) due to \\(reason Health checks failed with these codes: \\[404\\]\\)\\.$`,
    ),
  );
  const stopped = await waitFor(
    async () => {
      const arns = (
        await ecsClient.send(new ListTasksCommand({ cluster: 'lb', serviceName: 'sick', desiredStatus: 'STOPPED' }))
      ).taskArns!;
      return arns.length
        ? (await ecsClient.send(new DescribeTasksCommand({ cluster: 'lb', tasks: arns }))).tasks![0]
        : undefined;
    },
    { what: 'a replaced task' },
  );
  expect(stopped).toMatchObject({
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: `Task failed ELB health checks in (target-group ${tg})`,
  });
});

test('an NLB TCP listener pipes connections to an nc echo task', async () => {
  const tg = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: 'echo',
        Protocol: 'TCP',
        Port: 7000,
        VpcId: 'vpc-0123456789abcdef0',
        TargetType: 'instance',
        HealthCheckIntervalSeconds: 30,
      }),
    )
  ).TargetGroups![0].TargetGroupArn!;
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'echo', Type: 'network' }))).LoadBalancers![0];
  const port = await freePort();
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'TCP',
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
    }),
  );
  const { taskDefinition } = await ecsClient.send(
    new RegisterTaskDefinitionCommand({
      family: 'echo',
      containerDefinitions: [
        {
          name: 'echo',
          image: BUSYBOX,
          memory: 32,
          command: ['nc', '-ll', '-p', '7000', '-e', 'cat'],
          portMappings: [{ containerPort: 7000, hostPort: 0 }],
          stopTimeout: 1,
        },
      ],
    }),
  );
  await service(
    'echo',
    taskDefinition!.taskDefinitionArn!,
    [{ targetGroupArn: tg, containerName: 'echo', containerPort: 7000 }],
    { desiredCount: 1 },
  );
  await healthyTargets(tg, 1);
  const back = await new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('hello through the nlb\n'));
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n')) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
  expect(back).toBe('hello through the nlb\n');
});

test('awsvpc tasks register as ip targets at their ENI address and take traffic there', async () => {
  const tg = await targetGroup('eni', { TargetType: 'ip' });
  const { port } = await alb('eni', tg);
  const { taskDefinition } = await ecsClient.send(
    new RegisterTaskDefinitionCommand({
      family: 'eni',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: BUSYBOX,
          stopTimeout: 1,
          portMappings: [{ containerPort: 8080 }],
          command: [
            'sh',
            '-c',
            'mkdir -p /www && echo "eni $HOSTNAME" > /www/index.html && exec httpd -f -p 8080 -h /www',
          ],
        },
      ],
    }),
  );
  await service(
    'eni',
    taskDefinition!.taskDefinitionArn!,
    [{ targetGroupArn: tg, containerName: 'web', containerPort: 8080 }],
    {
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0eeeeeeeeeeeeeee1'], securityGroups: ['sg-0123456789abcdef0'] },
      },
    },
  );
  const [target] = await healthyTargets(tg, 1);
  const task = (
    await ecsClient.send(
      new DescribeTasksCommand({
        cluster: 'lb',
        tasks: (await ecsClient.send(new ListTasksCommand({ cluster: 'lb', serviceName: 'eni' }))).taskArns!,
      }),
    )
  ).tasks![0];
  const eni = task.attachments![0].details!.find((d) => d.name === 'privateIPv4Address')!.value;
  expect(target.Target).toEqual({ Id: eni, Port: 8080 });
  expect((await get(port)).body).toMatch(/^eni /);
});

test('CreateService checks its target groups as ECS does: attached to a load balancer, target type fit for the network mode', async () => {
  const td = await webTask('checked', 'x');
  const loose = await targetGroup('loose');
  const refused = await ecsClient
    .send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'loose',
        taskDefinition: td,
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: loose, containerName: 'web', containerPort: 8080 }],
      }),
    )
    .catch((e: Error) => e);
  expect(refused).toMatchObject({
    name: 'InvalidParameterException',
    message: `The target group with targetGroupArn ${loose} does not have an associated load balancer.`,
  });
  const ipGroup = await targetGroup('ip-for-bridge', { TargetType: 'ip' });
  await alb('ip-for-bridge', ipGroup);
  const mismatch = await ecsClient
    .send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'mismatch',
        taskDefinition: td,
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: ipGroup, containerName: 'web', containerPort: 8080 }],
      }),
    )
    .catch((e: Error) => e);
  expect(mismatch).toMatchObject({
    name: 'InvalidParameterException',
    message: `The provided target group ${ipGroup} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`,
  });
  const ghost = loose.replace(/\/[0-9a-f]{16}$/, '/0000000000000000');
  const missing = await ecsClient
    .send(
      new CreateServiceCommand({
        cluster: 'lb',
        serviceName: 'ghost',
        taskDefinition: td,
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: ghost, containerName: 'web', containerPort: 8080 }],
      }),
    )
    .catch((e: Error) => e);
  expect(missing).toMatchObject({
    name: 'InvalidParameterException',
    message: expect.stringMatching(/^Unable to assume role and validate the specified targetGroupArn/),
  });
});
