/**
 * The ELBv2 control plane through the real SDK client over awsQuery: load balancers, target
 * groups, listeners, rules, targets, attributes, tags, SSL policies, limits, trust stores, and
 * AWS's errors for what it refuses.
 */
import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  CreateTrustStoreCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeAccountLimitsCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeSSLPoliciesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DescribeTrustStoresCommand,
  DuplicateListenerException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  IncompatibleProtocolsException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyLoadBalancerAttributesCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  OperationNotPermittedException,
  PriorityInUseException,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  ResourceInUseException,
  SetRulePrioritiesCommand,
  SSLPolicyNotFoundException,
  TargetGroupNotFoundException,
  ModifyListenerCommand,
  DescribeCapacityReservationCommand,
  ModifyCapacityReservationCommand,
  GetResourcePolicyCommand,
  ResourceNotFoundException,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2 } from '@dockside/elbv2';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [elbv2({ timeScale: 0.01 })] }), { resetEach: true });
const elb = gw.sdk(ElasticLoadBalancingV2Client);
const VPC = 'vpc-0123456789abcdef0';

async function alb(name = 'web') {
  const { LoadBalancers } = await elb.send(
    new CreateLoadBalancerCommand({
      Name: name,
      Subnets: ['subnet-a', 'subnet-b'],
      Tags: [{ Key: 'team', Value: 'x' }],
    }),
  );
  return LoadBalancers![0];
}

async function tg(name = 'tg', extra: Record<string, unknown> = {}) {
  const { TargetGroups } = await elb.send(
    new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: VPC, TargetType: 'ip', ...extra }),
  );
  return TargetGroups![0];
}

test('CreateLoadBalancer: ARN, DNS name, provisioning then active, idempotent; internal scheme prefixes the DNS name', async () => {
  const lb = await alb();
  expect(lb.LoadBalancerArn).toMatch(
    /^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web\/[0-9a-f]{16}$/,
  );
  expect(lb.DNSName).toMatch(/^web-\d+\.us-east-1\.elb\.amazonaws\.com$/);
  expect(lb).toMatchObject({
    Scheme: 'internet-facing',
    Type: 'application',
    State: { Code: 'provisioning' },
    IpAddressType: 'ipv4',
  });
  expect(lb.AvailabilityZones!.map((z) => z.SubnetId)).toEqual(['subnet-a', 'subnet-b']);
  const again = await alb();
  expect(again.LoadBalancerArn).toBe(lb.LoadBalancerArn);
  const internal = (
    await elb.send(new CreateLoadBalancerCommand({ Name: 'inner', Type: 'network', Scheme: 'internal' }))
  ).LoadBalancers![0];
  expect(internal.DNSName).toMatch(/^internal-inner-\d+\.us-east-1\.elb\.amazonaws\.com$/);
  expect(internal.LoadBalancerArn).toContain(':loadbalancer/net/inner/');
  // provisioning -> active (1 s at AWS pace, times the time scale)
  await new Promise((r) => setTimeout(r, 100));
  const d = await elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }));
  expect(d.LoadBalancers![0].State!.Code).toBe('active');
  const missing = await rejection(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })));
  expect(missing).toBeInstanceOf(LoadBalancerNotFoundException);
  const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }));
  expect(tags.TagDescriptions).toEqual([{ ResourceArn: lb.LoadBalancerArn, Tags: [{ Key: 'team', Value: 'x' }] }]);
});

test('names, subnets and attributes are checked with ValidationError in AWS wording', async () => {
  const long = await rejection(elb.send(new CreateLoadBalancerCommand({ Name: 'x'.repeat(33) })));
  expect(long).toMatchObject({
    name: 'ValidationError',
    message: `The load balancer name '${'x'.repeat(33)}' cannot be longer than '32' characters`,
  });
  expect(await rejection(elb.send(new CreateLoadBalancerCommand({ Name: 'internal-x' })))).toMatchObject({
    name: 'ValidationError',
  });
  expect(
    await rejection(elb.send(new CreateLoadBalancerCommand({ Name: 'one', Subnets: ['subnet-a'] }))),
  ).toMatchObject({
    name: 'ValidationError',
    message: 'At least two subnets in two different Availability Zones must be specified',
  });
  const lb = await alb();
  const attrs = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  expect(attrs.Attributes).toEqual(
    expect.arrayContaining([
      { Key: 'idle_timeout.timeout_seconds', Value: '60' },
      { Key: 'deletion_protection.enabled', Value: 'false' },
    ]),
  );
  const bad = await rejection(
    elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '0' }],
      }),
    ),
  );
  expect(bad).toMatchObject({ name: 'ValidationError' });
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }],
    }),
  );
  expect(
    await rejection(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }))),
  ).toBeInstanceOf(OperationNotPermittedException);
  const badArn = await rejection(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ['not-an-arn'] })));
  expect(badArn).toMatchObject({ name: 'ValidationError' });
});

test('CreateTargetGroup: health-check defaults per protocol, idempotent, DuplicateTargetGroupName on other settings', async () => {
  const http = await tg();
  expect(http).toMatchObject({
    TargetGroupName: 'tg',
    Protocol: 'HTTP',
    Port: 80,
    VpcId: VPC,
    TargetType: 'ip',
    HealthCheckProtocol: 'HTTP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    Matcher: { HttpCode: '200' },
    ProtocolVersion: 'HTTP1',
    LoadBalancerArns: [],
  });
  expect((await tg()).TargetGroupArn).toBe(http.TargetGroupArn);
  expect(await rejection(tg('tg', { Port: 8080 }))).toBeInstanceOf(DuplicateTargetGroupNameException);
  const tcp = (await elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 7, VpcId: VPC })))
    .TargetGroups![0];
  expect(tcp).toMatchObject({ HealthCheckProtocol: 'TCP', HealthCheckTimeoutSeconds: 10, TargetType: 'instance' });
  expect(tcp.HealthCheckPath).toBeUndefined();
  const lambda = (await elb.send(new CreateTargetGroupCommand({ Name: 'fn', TargetType: 'lambda' }))).TargetGroups![0];
  expect(lambda).toMatchObject({
    HealthCheckEnabled: false,
    HealthCheckIntervalSeconds: 35,
    HealthCheckTimeoutSeconds: 30,
  });
  expect(await rejection(tg('noport', { Port: undefined }))).toMatchObject({
    name: 'ValidationError',
    message: 'A port must be specified',
  });
  expect(await rejection(tg('slow', { HealthCheckTimeoutSeconds: 30 }))).toMatchObject({
    name: 'ValidationError',
    message: "Health check timeout '30' must be smaller than the interval '30'",
  });
  const modified = await elb.send(
    new ModifyTargetGroupCommand({
      TargetGroupArn: http.TargetGroupArn,
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200-299' },
    }),
  );
  expect(modified.TargetGroups![0]).toMatchObject({ HealthCheckPath: '/health', Matcher: { HttpCode: '200-299' } });
  const attrs = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: http.TargetGroupArn }));
  expect(attrs.Attributes).toEqual(
    expect.arrayContaining([
      { Key: 'deregistration_delay.timeout_seconds', Value: '300' },
      { Key: 'stickiness.type', Value: 'lb_cookie' },
      { Key: 'load_balancing.algorithm.type', Value: 'round_robin' },
    ]),
  );
  const unknown = await rejection(
    elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: http.TargetGroupArn,
        Attributes: [{ Key: 'nope', Value: '1' }],
      }),
    ),
  );
  expect(unknown).toMatchObject({
    name: 'ValidationError',
    message: "Target group attribute key 'nope' is not recognized",
  });
  const missing = await rejection(elb.send(new DescribeTargetGroupsCommand({ Names: ['ghost'] })));
  expect(missing).toBeInstanceOf(TargetGroupNotFoundException);
});

test('listeners and rules: default rule, priorities, PriorityInUse, OperationNotPermitted, SetRulePriorities, ResourceInUse', async () => {
  const lb = await alb();
  const a = await tg('a');
  const b = await tg('b');
  const { Listeners } = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 8080,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: a.TargetGroupArn }],
    }),
  );
  const listener = Listeners![0];
  expect(listener.ListenerArn).toMatch(/:listener\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
  expect(listener.DefaultActions).toEqual([
    {
      Type: 'forward',
      TargetGroupArn: a.TargetGroupArn,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    },
  ]);
  expect(
    await rejection(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: 8080,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: b.TargetGroupArn }],
        }),
      ),
    ),
  ).toBeInstanceOf(DuplicateListenerException);
  expect(
    await rejection(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'TCP',
          Port: 81,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: b.TargetGroupArn }],
        }),
      ),
    ),
  ).toMatchObject({ name: 'ValidationError', message: "Listener protocol 'TCP' must be one of 'HTTP, HTTPS'" });
  const rule = (
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: b.TargetGroupArn }],
      }),
    )
  ).Rules![0];
  expect(rule).toMatchObject({ Priority: '10', IsDefault: false });
  expect(rule.Conditions![0]).toEqual({
    Field: 'path-pattern',
    Values: ['/api/*'],
    PathPatternConfig: { Values: ['/api/*'] },
  });
  const clash = await rejection(
    elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 10,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com'] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
      }),
    ),
  );
  expect(clash).toBeInstanceOf(PriorityInUseException);
  expect(clash.message).toBe("Priority '10' is currently in use");
  const r2 = (
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 5,
        Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['beta'] } }],
        Actions: [{ Type: 'redirect', RedirectConfig: { Host: 'example.com', StatusCode: 'HTTP_301' } }],
      }),
    )
  ).Rules![0];
  const rules = await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }));
  expect(rules.Rules!.map((r) => r.Priority)).toEqual(['5', '10', 'default']);
  const def = rules.Rules![2];
  expect(def.IsDefault).toBe(true);
  expect(await rejection(elb.send(new DeleteRuleCommand({ RuleArn: def.RuleArn })))).toBeInstanceOf(
    OperationNotPermittedException,
  );
  expect(
    await rejection(
      elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r2.RuleArn, Priority: 10 }] })),
    ),
  ).toBeInstanceOf(PriorityInUseException);
  const swapped = await elb.send(
    new SetRulePrioritiesCommand({
      RulePriorities: [
        { RuleArn: r2.RuleArn, Priority: 10 },
        { RuleArn: rule.RuleArn, Priority: 5 },
      ],
    }),
  );
  expect(swapped.Rules!.map((r) => r.Priority)).toEqual(['10', '5']);
  await elb.send(
    new ModifyRuleCommand({
      RuleArn: rule.RuleArn,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }],
    }),
  );
  const after = await elb.send(new DescribeRulesCommand({ RuleArns: [rule.RuleArn!] }));
  expect(after.Rules![0].Conditions![0].PathPatternConfig!.Values).toEqual(['/v2/*']);
  // a target group a rule forwards to cannot be deleted; it lists its load balancer
  expect(await rejection(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: b.TargetGroupArn })))).toBeInstanceOf(
    ResourceInUseException,
  );
  const described = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  expect(described.TargetGroups!.map((t) => [t.TargetGroupName, t.LoadBalancerArns])).toEqual([
    ['a', [lb.LoadBalancerArn]],
    ['b', [lb.LoadBalancerArn]],
  ]);
  const tcp = (await elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 7, VpcId: VPC })))
    .TargetGroups![0];
  expect(
    await rejection(
      elb.send(
        new ModifyListenerCommand({
          ListenerArn: listener.ListenerArn,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }],
        }),
      ),
    ),
  ).toBeInstanceOf(IncompatibleProtocolsException);
  await elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
  expect(
    await rejection(elb.send(new DescribeListenersCommand({ ListenerArns: [listener.ListenerArn!] }))),
  ).toBeInstanceOf(ListenerNotFoundException);
  await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: b.TargetGroupArn }));
});

test('fixed-response and redirect configs are validated', async () => {
  const lb = await alb();
  const create = (action: Action) =>
    elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [action],
      }),
    );
  expect(await rejection(create({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }))).toMatchObject(
    { name: 'ValidationError' },
  );
  expect(
    await rejection(
      create({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'image/png' } }),
    ),
  ).toMatchObject({
    name: 'ValidationError',
  });
  expect(await rejection(create({ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }))).toMatchObject({
    name: 'ValidationError',
  });
  expect(
    await rejection(create({ Type: 'redirect', RedirectConfig: { Path: 'no-slash', StatusCode: 'HTTP_302' } })),
  ).toMatchObject({
    name: 'ValidationError',
  });
});

test('targets: registration, NotRegistered for an unregistered target asked for, NotInUse without a listener, draining', async () => {
  const group = await tg('t', { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 });
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: 9 }] }),
  );
  const health = await elb.send(
    new DescribeTargetHealthCommand({
      TargetGroupArn: group.TargetGroupArn,
      Targets: [
        { Id: '127.0.0.1', Port: 9 },
        { Id: '127.0.0.2', Port: 80 },
      ],
    }),
  );
  expect(health.TargetHealthDescriptions).toEqual([
    {
      Target: { Id: '127.0.0.1', Port: 9 },
      HealthCheckPort: '9',
      TargetHealth: {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      },
    },
    {
      Target: { Id: '127.0.0.2', Port: 80 },
      HealthCheckPort: '80',
      TargetHealth: {
        State: 'unused',
        Reason: 'Target.NotRegistered',
        Description: 'Target is not registered to the target group',
      },
    },
  ]);
  const bad = await rejection(
    elb.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: 'i-nope' }] })),
  );
  expect(bad).toMatchObject({ name: 'InvalidTargetException' });
  // not in use: deregistration is immediate
  await elb.send(
    new DeregisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: 9 }] }),
  );
  expect(
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn })))
      .TargetHealthDescriptions,
  ).toEqual([]);
});

test('tags, SSL policies, account limits, certificates, trust stores, capacity reservations, resource policies', async () => {
  const lb = await alb();
  await elb.send(new AddTagsCommand({ ResourceArns: [lb.LoadBalancerArn!], Tags: [{ Key: 'env', Value: 'dev' }] }));
  await elb.send(new RemoveTagsCommand({ ResourceArns: [lb.LoadBalancerArn!], TagKeys: ['team'] }));
  const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }));
  expect(tags.TagDescriptions![0].Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
  const policies = await elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-2016-08'] }));
  expect(policies.SslPolicies![0].SslProtocols).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2']);
  expect(await rejection(elb.send(new DescribeSSLPoliciesCommand({ Names: ['nope'] })))).toBeInstanceOf(
    SSLPolicyNotFoundException,
  );
  const limits = await elb.send(new DescribeAccountLimitsCommand({}));
  expect(limits.Limits).toContainEqual({ Name: 'application-load-balancers', Max: '50' });
  const group = await tg();
  const cert = 'arn:aws:acm:us-east-1:000000000000:certificate/abc';
  const https = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn: cert }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }],
      }),
    )
  ).Listeners![0];
  expect(https).toMatchObject({ SslPolicy: 'ELBSecurityPolicy-2016-08', Certificates: [{ CertificateArn: cert }] });
  await elb.send(
    new AddListenerCertificatesCommand({
      ListenerArn: https.ListenerArn,
      Certificates: [{ CertificateArn: `${cert}2` }],
    }),
  );
  const certs = await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: https.ListenerArn }));
  expect(certs.Certificates).toEqual([
    { CertificateArn: cert, IsDefault: true },
    { CertificateArn: `${cert}2`, IsDefault: false },
  ]);
  const ts = await elb.send(
    new CreateTrustStoreCommand({ Name: 'ca', CaCertificatesBundleS3Bucket: 'b', CaCertificatesBundleS3Key: 'k.pem' }),
  );
  expect(ts.TrustStores![0]).toMatchObject({ Name: 'ca', Status: 'ACTIVE' });
  expect((await elb.send(new DescribeTrustStoresCommand({}))).TrustStores).toHaveLength(1);
  const cap = await elb.send(
    new ModifyCapacityReservationCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      MinimumLoadBalancerCapacity: { CapacityUnits: 100 },
    }),
  );
  expect(cap.MinimumLoadBalancerCapacity).toEqual({ CapacityUnits: 100 });
  expect(
    (await elb.send(new DescribeCapacityReservationCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
      .MinimumLoadBalancerCapacity,
  ).toEqual({
    CapacityUnits: 100,
  });
  expect(await rejection(elb.send(new GetResourcePolicyCommand({ ResourceArn: lb.LoadBalancerArn })))).toBeInstanceOf(
    ResourceNotFoundException,
  );
});

test('bad input over the wire: malformed body, unknown action, missing required member', async () => {
  const post = (body: string) =>
    fetch(gw.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=x',
      },
      body,
    });
  const unknown = await post('Action=FlyToTheMoon&Version=2015-12-01');
  expect(unknown.status).toBe(400);
  expect(await unknown.text()).toMatch(/<Code>InvalidAction<\/Code>/);
  const missing = await post('Action=CreateLoadBalancer&Version=2015-12-01');
  expect(await missing.text()).toMatch(/<Code>ValidationError<\/Code>/);
  const garbage = await post('%%%&&&=%ZZ');
  expect(garbage.status).toBe(400);
  const notNumber = await post('Action=CreateRule&Version=2015-12-01&ListenerArn=x&Priority=abc');
  expect(notNumber.status).toBe(400);
  const health = await fetch(`${gw.endpoint}/_dockside/health`);
  expect(health.status).toBe(200);
});
