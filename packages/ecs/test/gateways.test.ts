/**
 * ECS gateways through the real SDK: a gateway with ECS's defaults, associated with a cluster
 * (at most five per cluster), two awsvpc services connected to it whose routes' URLs reach
 * their own busybox httpd containers through the gateway's shared load balancer; deletion
 * protection; a disassociation pending until the services drop their connectors; the load
 * balancer gone with the last route; and ECS's errors for bad input.
 */
import * as ECS from '@aws-sdk/client-ecs';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ecs } from '@dockside/ecs';
import { elbv2 } from '@dockside/elbv2';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX, removeSubnetNetworksAfterAll } from './helpers';

afterAll(async () => {
  const arns = (await client.send(new ECS.ListServicesCommand({ cluster: 'gw' }))).serviceArns ?? [];
  await Promise.all(
    arns.map((service) => client.send(new ECS.DeleteServiceCommand({ cluster: 'gw', service, force: true }))),
  );
}, 60_000);
const gw = useTestGateway(
  () => ({
    plugins: [
      ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 300 }),
      elbv2({ timeScale: 0.01 }),
    ],
  }),
  { ready: (t) => t.client(ECS.ECSClient).send(new ECS.CreateClusterCommand({ clusterName: 'gw' })) },
);
jest.setTimeout(120_000);
removeSubnetNetworksAfterAll('subnet-0aaaaaaaaaaaaaaa1');
const client = gw.sdk(ECS.ECSClient);
const elb = gw.sdk(ELB.ElasticLoadBalancingV2Client);
const ROLE = 'arn:aws:iam::000000000000:role/ecsInfrastructureRole';
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

/** An awsvpc task definition answering `text` on the container port named `web` (8080). */
async function webTaskDefinition(family: string, text: string, networkMode: ECS.NetworkMode = 'awsvpc') {
  const { taskDefinition } = await client.send(
    new ECS.RegisterTaskDefinitionCommand({
      family,
      networkMode,
      requiresCompatibilities: networkMode === 'awsvpc' ? ['FARGATE'] : ['EC2'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: BUSYBOX,
          stopTimeout: 1,
          portMappings: [{ name: 'web', containerPort: 8080 }],
          command: ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www`],
        },
      ],
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}

const connected = (serviceName: string, taskDefinition: string): ECS.CreateServiceCommandInput => ({
  cluster: 'gw',
  serviceName,
  taskDefinition,
  desiredCount: 1,
  launchType: 'FARGATE',
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaaaaaaaaaaaaaa1'] } },
  gatewayConnectors: [{ portName: 'web', healthCheck: { healthCheckPath: '/' } }],
});

async function body(url: string) {
  const res = await fetch(url).catch(() => undefined);
  return res ? (await res.text()).trim() : undefined;
}

test('a gateway routes real requests to two connected services, each at its own route URL', async () => {
  const created = await client.send(
    new ECS.CreateGatewayCommand({
      name: 'edge',
      infrastructureRoleArn: ROLE,
      configuration: { hostSharedAlb: {} },
      tags: [{ key: 'team', value: 'a' }],
    }),
  );
  expect(created).toMatchObject({ name: 'edge', status: 'ACTIVE' });
  expect(created.gatewayArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:gateway\/edge\/[0-9a-f]{32}$/);
  const { gateway } = await client.send(new ECS.DescribeGatewayCommand({ gateway: 'edge' }));
  expect(gateway).toMatchObject({
    gatewayArn: created.gatewayArn,
    deletionProtection: true,
    accessType: 'PUBLIC',
    propagateTags: 'GATEWAY',
    infrastructureRoleArn: ROLE,
    tags: [{ key: 'team', value: 'a' }],
    configuration: {
      hostSharedAlb: {
        scheme: 'internet-facing',
        port: 443,
        protocol: 'HTTPS',
        maxAlbCount: 10,
        currentAlbCount: 0,
        httpDesync: 'defensive',
        networkConfiguration: { ipAddressType: 'dualstack' },
      },
    },
  });

  // A connector needs an ACTIVE gateway associated with the cluster, and awsvpc.
  const a = await webTaskDefinition('gw-a', 'alpha');
  const b = await webTaskDefinition('gw-b', 'bravo');
  expect(await fails(client.send(new ECS.CreateServiceCommand(connected('a', a))))).toMatchObject({
    name: 'InvalidParameterException',
    message: expect.stringMatching(/gateway/),
  });
  expect(await client.send(new ECS.AssociateGatewayWithClusterCommand({ gateway: 'edge', cluster: 'gw' }))).toEqual(
    expect.objectContaining({ gatewayArn: created.gatewayArn, status: 'ACTIVE' }),
  );
  const bridge = await webTaskDefinition('gw-bridge', 'x', 'bridge');
  expect(
    await fails(
      client.send(
        new ECS.CreateServiceCommand({
          ...connected('br', bridge),
          launchType: 'EC2',
          networkConfiguration: undefined,
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/awsvpc/) });
  expect(
    await fails(
      client.send(new ECS.CreateServiceCommand({ ...connected('np', a), gatewayConnectors: [{ portName: 'nope' }] })),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/nope/) });
  expect((await client.send(new ECS.ListServicesCommand({ cluster: 'gw' }))).serviceArns).toEqual([]);

  await client.send(new ECS.CreateServiceCommand(connected('a', a)));
  await client.send(new ECS.CreateServiceCommand(connected('b', b)));
  const { gatewayRoutes } = await client.send(new ECS.ListGatewayRoutesCommand({ gateway: 'edge' }));
  expect(gatewayRoutes!.map((r) => r.serviceArn!.split('/').pop()).sort()).toEqual(['a', 'b']);
  const urls: Record<string, string> = {};
  for (const summary of gatewayRoutes!) {
    expect(summary).toMatchObject({
      gatewayArn: created.gatewayArn,
      serviceContainerPortName: 'web',
      status: 'ACTIVE',
    });
    const { gatewayRoute } = await client.send(
      new ECS.DescribeGatewayRouteCommand({ gatewayRouteArn: summary.gatewayRouteArn }),
    );
    expect(gatewayRoute!.gatewayRouteArn).toMatch(/:gateway-route\/edge\/[0-9a-f]{32}\/[0-9a-f]{32}$/);
    expect(gatewayRoute!.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    urls[summary.serviceArn!.split('/').pop()!] = gatewayRoute!.serviceUrl!;
  }
  expect(urls.a).not.toBe(urls.b);
  await waitFor(async () => ((await body(urls.a)) === 'alpha' && (await body(urls.b)) === 'bravo') || undefined, {
    timeoutMs: 60_000,
    what: 'each route to reach its service',
  });

  // One shared load balancer holds both routes; the service revision shows its connection.
  const { gatewayResources } = await client.send(new ECS.DescribeGatewayResourcesCommand({ gateway: 'edge' }));
  const [alb] = gatewayResources!.resources!.hostSharedAlb!;
  expect(alb.gatewayRouteArns!.sort()).toEqual(gatewayRoutes!.map((r) => r.gatewayRouteArn).sort());
  const lb = (await elb.send(new ELB.DescribeLoadBalancersCommand({ LoadBalancerArns: [alb.loadBalancerArn!] })))
    .LoadBalancers![0];
  expect(lb).toMatchObject({ Type: 'application', Scheme: 'internet-facing' });
  expect(
    (await client.send(new ECS.DescribeGatewayCommand({ gateway: 'edge' }))).gateway!.configuration!.hostSharedAlb!
      .currentAlbCount,
  ).toBe(1);
  const [svcA] = (await client.send(new ECS.DescribeServicesCommand({ cluster: 'gw', services: ['a'] }))).services!;
  expect(svcA.loadBalancers).toEqual([]);
  const [dep] = (await client.send(new ECS.ListServiceDeploymentsCommand({ cluster: 'gw', service: 'a' })))
    .serviceDeployments!;
  const [rev] = (
    await client.send(new ECS.DescribeServiceRevisionsCommand({ serviceRevisionArns: [dep.targetServiceRevisionArn!] }))
  ).serviceRevisions!;
  expect(rev.gatewayConnectors).toEqual([expect.objectContaining({ portName: 'web' })]);
  expect(rev.ecsManagedResources!.gatewayConnections).toEqual([
    expect.objectContaining({ gatewayArn: created.gatewayArn, portName: 'web', serviceUrl: urls.a, status: 'ACTIVE' }),
  ]);

  // Deletion protection, then an association, stand in the way of DeleteGateway.
  expect(await fails(client.send(new ECS.DeleteGatewayCommand({ gateway: 'edge' })))).toMatchObject({
    name: 'InvalidParameterException',
    message: expect.stringMatching(/deletion protection/),
  });
  expect(await client.send(new ECS.UpdateGatewayCommand({ gateway: 'edge', deletionProtection: false }))).toMatchObject(
    { status: 'UPDATE_IN_PROGRESS' },
  );
  await waitFor(
    async () =>
      (await client.send(new ECS.DescribeGatewayCommand({ gateway: 'edge' }))).gateway!.status === 'UPDATE_COMPLETE' ||
      undefined,
    { what: 'the update to complete' },
  );
  expect(await fails(client.send(new ECS.DeleteGatewayCommand({ gateway: 'edge' })))).toMatchObject({
    name: 'InvalidParameterException',
    message: expect.stringMatching(/associated/),
  });

  // Disassociation waits for the services to drop their connectors.
  expect(
    await client.send(new ECS.DisassociateGatewayFromClusterCommand({ gateway: 'edge', cluster: 'gw' })),
  ).toMatchObject({ status: 'DISASSOCIATING' });
  await client.send(new ECS.UpdateServiceCommand({ cluster: 'gw', service: 'a', gatewayConnectors: [] }));
  await client.send(new ECS.DeleteServiceCommand({ cluster: 'gw', service: 'b', force: true }));
  const listed = await client.send(new ECS.ListGatewayClusterAssociationsCommand({ gateway: 'edge' }));
  expect(listed.gatewayClusterAssociations).toEqual([expect.objectContaining({ status: 'DISASSOCIATING' })]);
  await waitFor(
    async () =>
      (await client.send(new ECS.ListGatewayClusterAssociationsCommand({ gateway: 'edge' })))
        .gatewayClusterAssociations!.length === 0 || undefined,
    { timeoutMs: 60_000, what: 'the routes to go and the disassociation to end' },
  );
  expect((await client.send(new ECS.ListGatewayRoutesCommand({ gateway: 'edge' }))).gatewayRoutes).toEqual([]);
  await waitFor(
    async () =>
      (await fails(elb.send(new ELB.DescribeLoadBalancersCommand({ LoadBalancerArns: [alb.loadBalancerArn!] }))))
        ?.name === 'LoadBalancerNotFoundException' || undefined,
    { what: 'the shared load balancer to be deleted with its last route' },
  );
  expect((await elb.send(new ELB.DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
  expect(await client.send(new ECS.DeleteGatewayCommand({ gateway: 'edge' }))).toMatchObject({ status: 'DELETED' });
  expect(await fails(client.send(new ECS.DescribeGatewayCommand({ gateway: 'edge' })))).toMatchObject({
    name: 'GatewayNotFoundException',
    message: expect.stringMatching(/^The specified gateway wasn't found/),
  });
});

test('at most five gateways per cluster, and ECS errors for bad input', async () => {
  await client.send(new ECS.CreateClusterCommand({ clusterName: 'five' }));
  for (let i = 1; i <= 6; i++)
    await client.send(
      new ECS.CreateGatewayCommand({
        name: `g${i}`,
        infrastructureRoleArn: ROLE,
        deletionProtection: false,
        configuration: { hostSharedAlb: { scheme: i === 6 ? 'internal' : undefined } },
      }),
    );
  for (let i = 1; i <= 5; i++)
    await client.send(new ECS.AssociateGatewayWithClusterCommand({ gateway: `g${i}`, cluster: 'five' }));
  expect(
    await fails(client.send(new ECS.AssociateGatewayWithClusterCommand({ gateway: 'g6', cluster: 'five' }))),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/at most 5/) });
  expect((await client.send(new ECS.DescribeGatewayCommand({ gateway: 'g6' }))).gateway!.accessType).toBe('PRIVATE');
  const page = await client.send(new ECS.ListGatewaysCommand({ maxResults: 4 }));
  expect(page.gateways).toHaveLength(4);
  const rest = await client.send(new ECS.ListGatewaysCommand({ maxResults: 4, nextToken: page.nextToken }));
  const names = [...page.gateways!, ...rest.gateways!].map((g) => g.name);
  expect(names.filter((n) => /^g\d$/.test(n!)).sort()).toEqual(['g1', 'g2', 'g3', 'g4', 'g5', 'g6']);
  expect(
    (await client.send(new ECS.ListGatewayClusterAssociationsCommand({ cluster: 'five', status: ['ACTIVE'] })))
      .gatewayClusterAssociations,
  ).toHaveLength(5);

  expect(
    await fails(
      client.send(
        new ECS.CreateGatewayCommand({ name: 'g1', infrastructureRoleArn: ROLE, configuration: { hostSharedAlb: {} } }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/already exists/) });
  expect(
    await fails(
      client.send(
        new ECS.CreateGatewayCommand({
          name: 'http',
          infrastructureRoleArn: ROLE,
          configuration: { hostSharedAlb: { port: 80, protocol: 'HTTP' } },
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/443/) });
  expect(
    await fails(client.send(new ECS.CreateGatewayCommand({ name: 'nocfg', infrastructureRoleArn: ROLE } as never))),
  ).toMatchObject({ name: 'InvalidParameterException' });
  expect(await fails(client.send(new ECS.DescribeGatewayCommand({ gateway: 'nope' })))).toMatchObject({
    name: 'GatewayNotFoundException',
  });
  expect(
    await fails(
      client.send(
        new ECS.DescribeGatewayRouteCommand({
          gatewayRouteArn: 'arn:aws:ecs:us-east-1:000000000000:gateway-route/g1/0/0',
        }),
      ),
    ),
  ).toMatchObject({ name: 'ResourceNotFoundException' });
  expect(
    await fails(client.send(new ECS.DisassociateGatewayFromClusterCommand({ gateway: 'g6', cluster: 'five' }))),
  ).toMatchObject({ name: 'ResourceNotFoundException' });
  expect(
    await fails(client.send(new ECS.AssociateGatewayWithClusterCommand({ gateway: 'g6', cluster: 'nocluster' }))),
  ).toMatchObject({ name: 'ClusterNotFoundException' });
  // Tags on a gateway through the generic tagging operations.
  const arn = (await client.send(new ECS.DescribeGatewayCommand({ gateway: 'g1' }))).gateway!.gatewayArn!;
  await client.send(new ECS.TagResourceCommand({ resourceArn: arn, tags: [{ key: 'k', value: 'v' }] }));
  expect((await client.send(new ECS.ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
    { key: 'k', value: 'v' },
  ]);
  for (let i = 1; i <= 5; i++)
    await client.send(new ECS.DisassociateGatewayFromClusterCommand({ gateway: `g${i}`, cluster: 'five' }));
  await waitFor(
    async () =>
      (await client.send(new ECS.ListGatewayClusterAssociationsCommand({ cluster: 'five' })))
        .gatewayClusterAssociations!.length === 0 || undefined,
    { what: 'the idle associations to end' },
  );
  for (let i = 1; i <= 6; i++) await client.send(new ECS.DeleteGatewayCommand({ gateway: `g${i}` }));
  expect((await client.send(new ECS.ListGatewaysCommand({ names: ['g1', 'g6'] }))).gateways).toEqual([]);
});
