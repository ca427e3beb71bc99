/**
 * Express gateway services through the real SDK: one call makes the task definition, log group,
 * load balancer, target group, listener and ECS service; the endpoint it returns reaches a real
 * busybox httpd container; an update rolls a new image configuration (the answers change); a
 * delete drains the service and removes everything it made. And ECS's errors for bad input.
 */
import * as CWL from '@aws-sdk/client-cloudwatch-logs';
import * as ECS from '@aws-sdk/client-ecs';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ecs } from '@dockside/ecs';
import { elbv2 } from '@dockside/elbv2';
import { logs } from '@dockside/logs';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX, removeSubnetNetworksAfterAll } from './helpers';

const gw = useTestGateway(() => ({
  plugins: [
    ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 300 }),
    // Deregistration delays of 3 s (300 s × 0.01).
    elbv2({ timeScale: 0.01 }),
    logs(),
  ],
}));
jest.setTimeout(120_000);
removeSubnetNetworksAfterAll('subnet-00000000000000001', 'subnet-00000000000000002');
const client = gw.sdk(ECS.ECSClient);
const elb = gw.sdk(ELB.ElasticLoadBalancingV2Client);
const cwl = gw.sdk(CWL.CloudWatchLogsClient);
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices';
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

/** busybox httpd on 8080 answering `text` at `/` and 200 at `/ping`, printing a line first. */
const serving = (text: string): ECS.ExpressGatewayContainer => ({
  image: BUSYBOX,
  containerPort: 8080,
  command: [
    'sh',
    '-c',
    // httpd in the background so the shell, as PID 1, ends on SIGTERM at once.
    `mkdir -p /www && echo ${text} > /www/index.html && echo ok > /www/ping && echo "serving ${text}" && trap 'kill $!; exit 0' TERM; httpd -f -p 8080 -h /www & wait`,
  ],
});

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.text()).trim() };
}

test('an Express service serves HTTP at its endpoint, rolls an update and is removed with everything it made', async () => {
  const { service } = await client.send(
    new ECS.CreateExpressGatewayServiceCommand({
      serviceName: 'web',
      infrastructureRoleArn: ROLE,
      executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      healthCheckPath: '/ping',
      primaryContainer: serving('v1'),
      tags: [{ key: 'team', value: 'a' }],
    }),
  );
  expect(service).toMatchObject({
    serviceName: 'web',
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/default/web',
    cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
    infrastructureRoleArn: ROLE,
    status: { statusCode: 'ACTIVE' },
    tags: [{ key: 'team', value: 'a' }],
  });
  const [config] = service!.activeConfigurations!;
  expect(config).toMatchObject({ cpu: '256', memory: '512', cpuArchitecture: 'X86_64', healthCheckPath: '/ping' });
  expect(config.serviceRevisionArn).toMatch(/:service-revision\/default\/web\/\d+$/);
  const endpoint = config.ingressPaths![0].endpoint!;
  expect(config.ingressPaths![0].accessType).toBe('PUBLIC');
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  await waitFor(async () => (await get(endpoint).catch(() => undefined))?.body === 'v1' || undefined, {
    timeoutMs: 60_000,
    what: 'the endpoint to answer v1',
  });

  // It is an ECS service on Fargate behind the load balancer ECS made, in the default cluster.
  const [svc] = (await client.send(new ECS.DescribeServicesCommand({ cluster: 'default', services: ['web'] })))
    .services!;
  expect(svc).toMatchObject({ launchType: 'FARGATE', desiredCount: 1, status: 'ACTIVE' });
  const tgArn = svc.loadBalancers![0].targetGroupArn!;
  expect(svc.loadBalancers![0]).toMatchObject({ containerName: 'Main', containerPort: 8080 });
  const [group] = (await elb.send(new ELB.DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] }))).TargetGroups!;
  expect(group).toMatchObject({ TargetType: 'ip', Port: 8080, HealthCheckPath: '/ping' });
  const { taskDefinition } = await client.send(
    new ECS.DescribeTaskDefinitionCommand({ taskDefinition: config.taskDefinitionArn! }),
  );
  expect(taskDefinition).toMatchObject({ networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256' });
  expect(taskDefinition!.containerDefinitions![0]).toMatchObject({
    name: 'Main',
    portMappings: [expect.objectContaining({ containerPort: 8080 })],
  });
  const logGroup = taskDefinition!.containerDefinitions![0].logConfiguration!.options!['awslogs-group'];
  expect(logGroup).toMatch(/^\/aws\/ecs\/default\/web-[0-9a-f]{4}$/);

  // The revision lists what ECS manages for it; its load balancer is the one ELB describes.
  const [rev] = (
    await client.send(new ECS.DescribeServiceRevisionsCommand({ serviceRevisionArns: [config.serviceRevisionArn!] }))
  ).serviceRevisions!;
  const managed = rev.ecsManagedResources!;
  expect(managed.ingressPaths![0]).toMatchObject({
    endpoint,
    loadBalancer: { status: 'ACTIVE', scheme: 'internet-facing' },
    targetGroups: [{ arn: tgArn, healthCheckPath: '/ping', port: 8080, status: 'ACTIVE' }],
  });
  expect(managed.logGroups).toEqual([expect.objectContaining({ logGroupName: logGroup, status: 'ACTIVE' })]);
  const lbArn = managed.ingressPaths![0].loadBalancer!.arn!;
  expect(
    (await elb.send(new ELB.DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).LoadBalancers,
  ).toHaveLength(1);

  // The container's output is in the log group ECS made.
  await waitFor(
    async () =>
      (await cwl.send(new CWL.FilterLogEventsCommand({ logGroupName: logGroup }))).events?.some(
        (e) => e.message === 'serving v1',
      ) || undefined,
    { timeoutMs: 30_000, what: 'the container output in the log group' },
  );

  expect(
    await client.send(
      new ECS.DescribeExpressGatewayServiceCommand({ serviceArn: service!.serviceArn, include: ['TAGS'] }),
    ),
  ).toMatchObject({ service: { serviceName: 'web', tags: [{ key: 'team', value: 'a' }] } });

  // Update: a new revision, rolled out; the endpoint answers with the new configuration.
  const updated = await client.send(
    new ECS.UpdateExpressGatewayServiceCommand({ serviceArn: service!.serviceArn, primaryContainer: serving('v2') }),
  );
  expect(updated.service).toMatchObject({ serviceArn: service!.serviceArn, status: { statusCode: 'ACTIVE' } });
  expect(updated.service!.targetConfiguration!.taskDefinitionArn).not.toBe(config.taskDefinitionArn);
  expect(updated.service!.targetConfiguration!.ingressPaths![0].endpoint).toBe(endpoint);
  await waitFor(async () => (await get(endpoint).catch(() => undefined))?.body === 'v2' || undefined, {
    timeoutMs: 60_000,
    what: 'the endpoint to answer v2',
  });
  await waitFor(
    async () => {
      const s = (await client.send(new ECS.DescribeExpressGatewayServiceCommand({ serviceArn: service!.serviceArn })))
        .service!;
      return s.activeConfigurations!.length === 1 ? s : undefined;
    },
    { timeoutMs: 60_000, what: 'the old configuration to be replaced' },
  ).then((s) =>
    expect(s.activeConfigurations![0].taskDefinitionArn).toBe(updated.service!.targetConfiguration!.taskDefinitionArn),
  );

  // Delete: DRAINING, then INACTIVE with the load balancer, target group and log group gone.
  const deleted = await client.send(new ECS.DeleteExpressGatewayServiceCommand({ serviceArn: service!.serviceArn }));
  expect(deleted.service!.status!.statusCode).toBe('DRAINING');
  await waitFor(
    async () =>
      (await client.send(new ECS.DescribeExpressGatewayServiceCommand({ serviceArn: service!.serviceArn }))).service!
        .status!.statusCode === 'INACTIVE' || undefined,
    { timeoutMs: 60_000, what: 'the Express service to be INACTIVE' },
  );
  expect(await fails(elb.send(new ELB.DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] })))).toMatchObject({
    name: 'LoadBalancerNotFoundException',
  });
  expect(await fails(elb.send(new ELB.DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })))).toMatchObject({
    name: 'TargetGroupNotFoundException',
  });
  expect((await cwl.send(new CWL.DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup }))).logGroups).toEqual([]);
  expect(await fails(get(endpoint))).toBeDefined();
  expect(
    await fails(
      client.send(new ECS.UpdateExpressGatewayServiceCommand({ serviceArn: service!.serviceArn, cpu: '512' })),
    ),
  ).toMatchObject({ name: 'ServiceNotActiveException' });
});

test('bad input gets ECS errors and makes nothing', async () => {
  const missing = 'arn:aws:ecs:us-east-1:000000000000:service/default/none';
  expect(await fails(client.send(new ECS.DescribeExpressGatewayServiceCommand({ serviceArn: missing })))).toMatchObject(
    { name: 'ResourceNotFoundException' },
  );
  expect(
    await fails(client.send(new ECS.UpdateExpressGatewayServiceCommand({ serviceArn: missing, cpu: '512' }))),
  ).toMatchObject({ name: 'ServiceNotFoundException' });
  expect(await fails(client.send(new ECS.DeleteExpressGatewayServiceCommand({ serviceArn: missing })))).toMatchObject({
    name: 'ServiceNotFoundException',
  });
  expect(
    await fails(client.send(new ECS.CreateExpressGatewayServiceCommand({ infrastructureRoleArn: ROLE }))),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/primaryContainer/) });
  expect(
    await fails(
      client.send(
        new ECS.CreateExpressGatewayServiceCommand({
          infrastructureRoleArn: ROLE,
          taskDefinitionArn: 'web:1',
          cpu: '512',
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/cpu/) });
  expect(
    await fails(
      client.send(
        new ECS.CreateExpressGatewayServiceCommand({
          infrastructureRoleArn: ROLE,
          cluster: 'nowhere',
          primaryContainer: { image: BUSYBOX },
        }),
      ),
    ),
  ).toMatchObject({ name: 'ClusterNotFoundException' });
  expect(
    await fails(
      client.send(
        new ECS.CreateExpressGatewayServiceCommand({
          infrastructureRoleArn: ROLE,
          primaryContainer: { image: BUSYBOX },
          scalingTarget: { minTaskCount: 3, maxTaskCount: 2 },
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/maxTaskCount/) });
  // A required member missing is a validation error, as ECS gives it.
  expect(
    await fails(
      client.send(new ECS.CreateExpressGatewayServiceCommand({ primaryContainer: { image: BUSYBOX } } as never)),
    ),
  ).toMatchObject({ name: 'InvalidParameterException' });
  // A task definition of one's own needs the Main container with one named port.
  const { taskDefinition } = await client.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'unnamed',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: BUSYBOX, portMappings: [{ containerPort: 80 }] }],
    }),
  );
  expect(
    await fails(
      client.send(
        new ECS.CreateExpressGatewayServiceCommand({
          infrastructureRoleArn: ROLE,
          taskDefinitionArn: taskDefinition!.taskDefinitionArn,
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/Main/) });
  // Nothing was left behind by the refused calls.
  expect((await elb.send(new ELB.DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
  expect((await elb.send(new ELB.DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
  expect((await client.send(new ECS.ListServicesCommand({ cluster: 'default' }))).serviceArns).toEqual([]);
});
