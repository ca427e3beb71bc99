/**
 * Wire protocols through real AWS SDK clients: awsJson1_1 (ECS client) and awsQuery (ELBv2
 * client), against a gateway on a real port hosting small test plugins built on the real models.
 */
import {
  ClusterNotFoundException,
  DescribeClustersCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListClustersCommand,
  RunTaskCommand,
  CreateClusterCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError, type DocksidePlugin } from '@dockside/core';
import { ecsTestProtocol, elbv2TestModel } from './fixtures';
import { startTestGateway, type TestGateway } from '@dockside/testing';
import pino from 'pino';

const seen: Array<{ accountId: string; region: string; internal: boolean }> = [];

const jsonPlugin: DocksidePlugin = {
  name: 'test-ecs',
  protocols: [ecsTestProtocol()],
  operations: {
    DescribeClusters: (input: { clusters?: string[] }, ctx) => {
      seen.push({ accountId: ctx.accountId, region: ctx.region, internal: ctx.internal });
      if (input.clusters?.includes('missing')) throw new ServiceError('ClusterNotFoundException', 'Cluster not found.');
      if (input.clusters?.includes('boom')) throw new Error('a bug with a secret stack');
      return {
        clusters: [
          {
            clusterArn: `arn:aws:ecs:${ctx.region}:${ctx.accountId}:cluster/c`,
            clusterName: 'c',
            status: 'ACTIVE',
            runningTasksCount: 3,
            tags: [{ key: 'k', value: 'v' }],
          },
        ],
        failures: [],
      };
    },
    ListClusters: () => ({ clusterArns: ['a', 'b'], nextToken: 'n' }),
    CreateCluster: (input: unknown) => ({ cluster: { clusterName: JSON.stringify(input) } }),
  },
};

const lbs = new Map<
  string,
  {
    LoadBalancerArn: string;
    LoadBalancerName: string;
    CreatedTime: Date;
    AvailabilityZones: Array<{ SubnetId: string; ZoneName: string }>;
    Scheme?: string;
  }
>();
const queryPlugin: DocksidePlugin = {
  name: 'test-elbv2',
  protocols: [
    {
      signingName: 'elasticloadbalancing',
      protocol: 'awsQuery',
      apiVersion: '2015-12-01',
      xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
      model: elbv2TestModel,
      validationErrorCode: 'ValidationError',
    },
  ],
  operations: {
    CreateLoadBalancer: (input: {
      Name: string;
      Subnets?: string[];
      Scheme?: string;
      Tags?: Array<{ Key: string; Value: string }>;
    }) => {
      const lb = {
        LoadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/${input.Name}/1`,
        LoadBalancerName: input.Name,
        CreatedTime: new Date('2024-01-02T03:04:05.000Z'),
        Scheme: input.Scheme,
        AvailabilityZones: (input.Subnets ?? []).map((s, i) => ({ SubnetId: s, ZoneName: `us-east-1${'abc'[i]}` })),
      };
      lbs.set(input.Name, lb);
      return { LoadBalancers: [lb] };
    },
    DescribeLoadBalancers: (input: { Names?: string[] }) => {
      const out = [];
      for (const n of input.Names ?? [...lbs.keys()]) {
        const lb = lbs.get(n);
        if (!lb) throw new ServiceError('LoadBalancerNotFoundException', `Load balancers '[${n}]' not found`);
        out.push(lb);
      }
      return { LoadBalancers: out };
    },
  },
};

const logLines: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'error' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });

let t: TestGateway;
let ecs: ECSClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [jsonPlugin, queryPlugin], logger });
  ecs = t.client(ECSClient);
});
afterAll(() => t.stop());

const rawPost = (target: string | undefined, body: string, headers: Record<string, string> = {}) =>
  fetch(t.endpoint, {
    method: 'POST',
    headers: {
      ...(target ? { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' } : {}),
      ...headers,
    },
    body,
  });

describe('awsJson1_1', () => {
  test('a result reaches the SDK with its types intact', async () => {
    const out = await ecs.send(new DescribeClustersCommand({ clusters: ['c'] }));
    expect(out.clusters).toEqual([
      {
        clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
        clusterName: 'c',
        status: 'ACTIVE',
        runningTasksCount: 3,
        tags: [{ key: 'k', value: 'v' }],
      },
    ]);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a ServiceError becomes the SDK exception class', async () => {
    const err = await ecs.send(new DescribeClustersCommand({ clusters: ['missing'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect(err.message).toBe('Cluster not found.');
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  test('a missing required member answers the validation error naming it', async () => {
    const res = await rawPost('AmazonEC2ContainerServiceV20141113.RunTask', '{}');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'InvalidParameterException',
      message:
        "1 validation error detected: Value null at 'taskDefinition' failed to satisfy constraint: Member must not be null",
    });
  });

  test('validation through the SDK: wrong type, enum, nested path', async () => {
    const wrongType = await rawPost('AmazonEC2ContainerServiceV20141113.CreateCluster', '{"clusterName": 7}');
    expect((await wrongType.json()).message).toContain(
      "at 'clusterName' failed to satisfy constraint: Member must be of type string",
    );
    const err = await ecs
      .send(new DescribeClustersCommand({ clusters: ['c'], include: ['NOPE' as never] }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toContain(
      "Value 'NOPE' at 'include.1.member' failed to satisfy constraint: Member must satisfy enum value set",
    );
    const nested = await rawPost(
      'AmazonEC2ContainerServiceV20141113.CreateCluster',
      '{"tags":[{"key":"a"},{"value":1}]}',
    );
    expect((await nested.json()).message).toContain("'tags.2.member.value'");
  });

  test('null members are treated as absent', async () => {
    const res = await rawPost(
      'AmazonEC2ContainerServiceV20141113.CreateCluster',
      '{"clusterName": null, "tags": [{"key":"a","value":null}]}',
    );
    expect(res.status).toBe(200);
    expect((await res.json()).cluster.clusterName).toBe('{"tags":[{"key":"a"}]}');
  });

  test('garbage body answers SerializationException and the gateway keeps serving', async () => {
    for (const body of ['{not json', '[1,2]', '"str"']) {
      const res = await rawPost('AmazonEC2ContainerServiceV20141113.ListClusters', body);
      expect(res.status).toBe(400);
      expect((await res.json()).__type).toBe('SerializationException');
    }
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(['a', 'b']);
  });

  test('an unknown operation answers UnknownOperationException', async () => {
    const res = await rawPost('AmazonEC2ContainerServiceV20141113.Frobnicate', '{}');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Unrecognized operation: AmazonEC2ContainerServiceV20141113.Frobnicate',
    });
    const unknownService = await rawPost('NoSuchService_2020.Op', '{}');
    expect((await unknownService.json()).__type).toBe('UnknownOperationException');
  });

  test('a modelled but unimplemented operation names itself', async () => {
    const err = await ecs.send(new RunTaskCommand({ taskDefinition: 'x' })).catch((e) => e);
    // (input is valid, so the answer is NotImplemented rather than a validation error)
    expect(err).toBeInstanceOf(ECSServiceException);
    expect(err.name).toBe('NotImplemented');
    expect(err.$metadata.httpStatusCode).toBe(501);
    expect(err.message).toContain('RunTask');
  });

  test('a bug answers InternalFailure/500 with no stack trace', async () => {
    const res = await rawPost('AmazonEC2ContainerServiceV20141113.DescribeClusters', '{"clusters":["boom"]}');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).__type).toBe('InternalFailure');
    expect(text).not.toContain('secret stack');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    // ...but the server log has it, with the request id the client got.
    const logged = logLines.find((l) => l.msg === 'operation failed with an internal error');
    expect(logged).toMatchObject({ operation: 'DescribeClusters', requestId: res.headers.get('x-amzn-requestid') });
    expect(JSON.stringify(logged)).toContain('a bug with a secret stack');
  });

  test('region from the credential scope, account from a 12-digit key, defaults when unsigned', async () => {
    seen.length = 0;
    const west = t.client(ECSClient, {
      region: 'eu-west-3',
      credentials: { accessKeyId: '123456789012', secretAccessKey: 'x' },
    });
    const out = await west.send(new DescribeClustersCommand({ clusters: ['c'] }));
    expect(out.clusters?.[0].clusterArn).toBe('arn:aws:ecs:eu-west-3:123456789012:cluster/c');
    await t
      .client(ECSClient, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } })
      .send(new DescribeClustersCommand({ clusters: ['c'] }));
    const unsigned = await rawPost('AmazonEC2ContainerServiceV20141113.DescribeClusters', '{"clusters":["c"]}');
    expect((await unsigned.json()).clusters[0].clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/c');
    expect(seen).toEqual([
      { accountId: '123456789012', region: 'eu-west-3', internal: false },
      { accountId: '000000000000', region: 'us-east-1', internal: false },
      { accountId: '000000000000', region: 'us-east-1', internal: false },
    ]);
  });

  test('create is serialised with epoch-second timestamps', async () => {
    const res = await rawPost('AmazonEC2ContainerServiceV20141113.CreateCluster', '{"clusterName":"x"}');
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    await ecs.send(new CreateClusterCommand({ clusterName: 'x' }));
  });
});

describe('awsQuery', () => {
  let elb: ElasticLoadBalancingV2Client;
  beforeAll(() => {
    elb = t.client(ElasticLoadBalancingV2Client);
  });

  test('form lists in, XML structures/lists/timestamps out', async () => {
    const created = await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'web',
        Subnets: ['subnet-1', 'subnet-2'],
        Scheme: 'internal',
        Tags: [{ Key: 'a', Value: 'b' }],
      }),
    );
    expect(created.LoadBalancers?.[0]).toEqual({
      LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/1',
      LoadBalancerName: 'web',
      CreatedTime: new Date('2024-01-02T03:04:05.000Z'),
      Scheme: 'internal',
      AvailabilityZones: [
        { SubnetId: 'subnet-1', ZoneName: 'us-east-1a' },
        { SubnetId: 'subnet-2', ZoneName: 'us-east-1b' },
      ],
    });
    const described = await elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }));
    expect(described.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(['web']);
  });

  test('errors use the model query code and parse into the SDK class', async () => {
    const err = await elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })).catch((e) => e);
    expect(err).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(err.message).toBe("Load balancers '[nope]' not found");
    const res = await fetch(t.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=nope',
    });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain('<Code>LoadBalancerNotFound</Code>');
    expect(xml).toContain('<Type>Sender</Type>');
  });

  test('validation and type errors in form input', async () => {
    const post = (body: string) =>
      fetch(t.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const missing = await (await post('Action=CreateLoadBalancer&Version=2015-12-01')).text();
    expect(missing).toContain('<Code>ValidationError</Code>');
    // AWS names the member in lower camel case in this message, for query services too.
    expect(missing).toContain("Value null at 'name' failed to satisfy constraint");
    const badNumber = await post('Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=abc');
    expect(badNumber.status).toBe(400);
    expect(await badNumber.text()).toContain('Invalid number');
  });
});
