/**
 * EC2 networking through the real EC2 client (ec2Query on the wire): the default VPC and zones of
 * a fresh account, VPCs, subnets and security groups with EC2's CIDR rules, filters, tags, errors
 * and DryRun, and operations without a handler answering NotImplemented.
 */
import * as EC2 from '@aws-sdk/client-ec2';
import { ec2 } from '@dockside/ec2';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ec2()] }), { resetEach: true });
const client = gw.sdk(EC2.EC2Client);
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

test('an operation without a handler answers NotImplemented naming it', async () => {
  await expect(client.send(new EC2.AcceptTransitGatewayMulticastDomainAssociationsCommand({}))).rejects.toMatchObject({
    name: 'NotImplemented',
    message: expect.stringContaining('AcceptTransitGatewayMulticastDomainAssociations'),
    $metadata: { httpStatusCode: 501 },
  });
});

test('a fresh account has a default VPC with a default subnet per zone, and the region its zones', async () => {
  const { AvailabilityZones } = await client.send(new EC2.DescribeAvailabilityZonesCommand({}));
  expect(AvailabilityZones!.map((z) => [z.ZoneName, z.ZoneId, z.State])).toEqual(
    ['a', 'b', 'c', 'd', 'e', 'f'].map((l, i) => [`us-east-1${l}`, `use1-az${i + 1}`, 'available']),
  );
  const { Vpcs } = await client.send(
    new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
  );
  expect(Vpcs).toHaveLength(1);
  expect(Vpcs![0]).toMatchObject({
    CidrBlock: '172.31.0.0/16',
    IsDefault: true,
    State: 'available',
    OwnerId: '000000000000',
  });
  const { Subnets } = await client.send(
    new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
  );
  expect(Subnets!.map((s) => s.CidrBlock).sort()).toEqual(
    ['172.31.0.0/20', '172.31.16.0/20', '172.31.32.0/20', '172.31.48.0/20', '172.31.64.0/20', '172.31.80.0/20'].sort(),
  );
  expect(Subnets![0]).toMatchObject({
    AvailableIpAddressCount: 4091,
    MapPublicIpOnLaunch: true,
    VpcId: Vpcs![0].VpcId,
  });
  const attrs = await client.send(new EC2.DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] }));
  expect(attrs.AccountAttributes![0].AttributeValues![0].AttributeValue).toBe(Vpcs![0].VpcId);
  const sg = await client.send(
    new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [Vpcs![0].VpcId!] }] }),
  );
  expect(sg.SecurityGroups!.map((g) => g.GroupName)).toEqual(['default']);
});

test('VPCs and subnets: CIDR rules, filters and tags, dependencies on delete', async () => {
  const { Vpc } = await client.send(
    new EC2.CreateVpcCommand({
      CidrBlock: '10.20.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'app' }] }],
    }),
  );
  const vpcId = Vpc!.VpcId!;
  expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
  expect(Vpc!.Tags).toEqual([{ Key: 'Name', Value: 'app' }]);
  const a = (
    await client.send(
      new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }),
    )
  ).Subnet!;
  const b = (
    await client.send(
      new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.2.0/24', AvailabilityZone: 'us-east-1b' }),
    )
  ).Subnet!;
  expect(a).toMatchObject({
    AvailableIpAddressCount: 251,
    AvailabilityZone: 'us-east-1a',
    VpcId: vpcId,
    DefaultForAz: false,
  });

  for (const [input, code] of [
    [{ VpcId: vpcId, CidrBlock: '10.20.1.128/25' }, 'InvalidSubnet.Conflict'],
    [{ VpcId: vpcId, CidrBlock: '10.99.0.0/24' }, 'InvalidSubnet.Range'],
    [{ VpcId: vpcId, CidrBlock: '10.20.3.0/29' }, 'InvalidSubnet.Range'],
    [{ VpcId: 'vpc-00000000000000000', CidrBlock: '10.20.3.0/24' }, 'InvalidVpcID.NotFound'],
    [{ VpcId: vpcId, CidrBlock: '10.20.3.0/24', AvailabilityZone: 'us-east-1z' }, 'InvalidParameterValue'],
  ] as const) {
    expect(await fails(client.send(new EC2.CreateSubnetCommand(input)))).toMatchObject({ name: code });
  }
  expect(await fails(client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })))).toMatchObject({
    name: 'InvalidVpc.Range',
    message: "The CIDR '10.0.0.0/8' is invalid.",
  });

  await client.send(new EC2.CreateTagsCommand({ Resources: [a.SubnetId!], Tags: [{ Key: 'tier', Value: 'private' }] }));
  const tagged = await client.send(
    new EC2.DescribeSubnetsCommand({
      Filters: [
        { Name: 'tag:tier', Values: ['priv*'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  expect(tagged.Subnets!.map((s) => s.SubnetId)).toEqual([a.SubnetId]);
  const inVpc = await client.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  expect(inVpc.Subnets!.map((s) => s.SubnetId).sort()).toEqual([a.SubnetId, b.SubnetId].sort());
  const byKey = await client.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['Name'] }] }));
  expect(byKey.Vpcs!.map((v) => v.VpcId)).toEqual([vpcId]);
  const tags = await client.send(
    new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [a.SubnetId!] }] }),
  );
  expect(tags.Tags).toEqual([{ ResourceId: a.SubnetId, ResourceType: 'subnet', Key: 'tier', Value: 'private' }]);
  expect(
    await fails(client.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] }))),
  ).toMatchObject({
    name: 'InvalidParameterValue',
  });

  await client.send(new EC2.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const dns = await client.send(new EC2.DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
  expect(dns.EnableDnsHostnames).toEqual({ Value: true });
  const main = await client.send(
    new EC2.DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  expect(main.RouteTables![0].Routes).toEqual([
    expect.objectContaining({ DestinationCidrBlock: '10.20.0.0/16', GatewayId: 'local' }),
  ]);

  expect(await fails(client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject({
    name: 'DependencyViolation',
    message: `The vpc '${vpcId}' has dependencies and cannot be deleted.`,
  });
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: a.SubnetId }));
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: b.SubnetId }));
  await client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
  expect(await fails(client.send(new EC2.DescribeVpcsCommand({ VpcIds: [vpcId] })))).toMatchObject({
    name: 'InvalidVpcID.NotFound',
    message: `The vpc ID '${vpcId}' does not exist`,
  });
});

test('security groups: rules authorised and revoked, duplicates refused, references kept, DryRun', async () => {
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
  const web = await client.send(
    new EC2.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web tier', VpcId: vpcId }),
  );
  const db = await client.send(
    new EC2.CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db tier', VpcId: vpcId }),
  );
  expect(
    await fails(client.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'x', VpcId: vpcId }))),
  ).toMatchObject({
    name: 'InvalidGroup.Duplicate',
  });
  const auth = await client.send(
    new EC2.AuthorizeSecurityGroupIngressCommand({
      GroupId: web.GroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }] },
      ],
    }),
  );
  expect(auth.Return).toBe(true);
  expect(auth.SecurityGroupRules![0]).toMatchObject({
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    CidrIpv4: '0.0.0.0/0',
    IsEgress: false,
  });
  expect(
    await fails(
      client.send(
        new EC2.AuthorizeSecurityGroupIngressCommand({
          GroupId: web.GroupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidPermission.Duplicate' });
  await client.send(
    new EC2.AuthorizeSecurityGroupIngressCommand({
      GroupId: db.GroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: web.GroupId }] },
      ],
    }),
  );
  const [g] = (await client.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: [db.GroupId!] }))).SecurityGroups!;
  expect(g.IpPermissions).toEqual([
    expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      UserIdGroupPairs: [expect.objectContaining({ GroupId: web.GroupId })],
    }),
  ]);
  expect(g.IpPermissionsEgress).toEqual([
    expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
  ]);
  expect(await fails(client.send(new EC2.DeleteSecurityGroupCommand({ GroupId: web.GroupId })))).toMatchObject({
    name: 'DependencyViolation',
  });

  const rules = await client.send(
    new EC2.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [web.GroupId!] }] }),
  );
  expect(rules.SecurityGroupRules!.map((r) => [r.IsEgress, r.IpProtocol]).sort()).toEqual([
    [false, 'tcp'],
    [true, '-1'],
  ]);
  const revoked = await client.send(
    new EC2.RevokeSecurityGroupIngressCommand({
      GroupId: db.GroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: web.GroupId }] },
      ],
    }),
  );
  expect(revoked.Return).toBe(true);
  await client.send(new EC2.DeleteSecurityGroupCommand({ GroupId: web.GroupId }));

  expect(
    await fails(
      client.send(
        new EC2.CreateSecurityGroupCommand({ GroupName: 'dry', Description: 'x', VpcId: vpcId, DryRun: true }),
      ),
    ),
  ).toMatchObject({
    name: 'DryRunOperation',
  });
  expect(
    await fails(client.send(new EC2.DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000000000000'] }))),
  ).toMatchObject({
    name: 'InvalidGroup.NotFound',
  });
});

test('instances: launch into a subnet, stop, start and terminate with EC2 state codes; ECS-optimized images', async () => {
  const { Images } = await client.send(
    new EC2.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-ecs-hvm-*'] }],
    }),
  );
  expect(Images!.map((i) => i.Architecture).sort()).toEqual(['arm64', 'x86_64']);
  const ami = Images!.find((i) => i.Architecture === 'x86_64')!.ImageId!;
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.50.1.0/24' }))).Subnet!
    .SubnetId!;
  const run = await client.send(
    new EC2.RunInstancesCommand({
      ImageId: ami,
      InstanceType: 't3.medium',
      MinCount: 2,
      MaxCount: 2,
      SubnetId: subnetId,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'role', Value: 'ecs' }] }],
    }),
  );
  expect(run.Instances).toHaveLength(2);
  expect(run.Instances![0]).toMatchObject({
    State: { Code: 0, Name: 'pending' },
    SubnetId: subnetId,
    VpcId: vpcId,
    InstanceType: 't3.medium',
  });
  expect(run.Instances![0].PrivateIpAddress).toMatch(/^10\.50\.1\.\d+$/);
  const ids = run.Instances!.map((i) => i.InstanceId!);
  const running = await client.send(
    new EC2.DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:role', Values: ['ecs'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    }),
  );
  expect(running.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId)).sort()).toEqual([...ids].sort());
  const [subnet] = (await client.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets!;
  expect(subnet.AvailableIpAddressCount).toBe(256 - 5 - 2);

  const stop = await client.send(new EC2.StopInstancesCommand({ InstanceIds: [ids[0]] }));
  expect(stop.StoppingInstances![0]).toMatchObject({
    PreviousState: { Name: 'running' },
    CurrentState: { Name: 'stopping' },
  });
  const start = await client.send(new EC2.StartInstancesCommand({ InstanceIds: [ids[0]] }));
  expect(start.StartingInstances![0]).toMatchObject({
    PreviousState: { Name: 'stopped' },
    CurrentState: { Name: 'pending' },
  });
  const status = await client.send(new EC2.DescribeInstanceStatusCommand({ InstanceIds: ids }));
  expect(status.InstanceStatuses!.map((s) => s.InstanceStatus!.Status)).toEqual(['ok', 'ok']);
  await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: ids }));
  const gone = await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: ids }));
  expect(gone.Reservations![0].Instances!.map((i) => i.State)).toEqual([
    { Code: 48, Name: 'terminated' },
    { Code: 48, Name: 'terminated' },
  ]);
  expect(await fails(client.send(new EC2.StartInstancesCommand({ InstanceIds: [ids[0]] })))).toMatchObject({
    name: 'IncorrectInstanceState',
  });
  expect(
    await fails(client.send(new EC2.DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))),
  ).toMatchObject({
    name: 'InvalidInstanceID.NotFound',
  });
  expect(
    await fails(
      client.send(
        new EC2.RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, InstanceType: 'x9.huge' as never }),
      ),
    ),
  ).toMatchObject({
    name: 'InvalidParameterValue',
  });
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: subnetId }));
});

test('internet and NAT gateways, Elastic IPs and route tables, as a public/private network declares them', async () => {
  const vpcId = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.80.0.0/16' }))).Vpc!.VpcId!;
  const pub = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.80.0.0/24' }))).Subnet!
    .SubnetId!;
  const priv = (await client.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.80.1.0/24' }))).Subnet!
    .SubnetId!;
  const igw = (await client.send(new EC2.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await client.send(new EC2.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const described = await client.send(
    new EC2.DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
  );
  expect(described.InternetGateways![0].Attachments).toEqual([{ State: 'available', VpcId: vpcId }]);
  expect(await fails(client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject({
    name: 'DependencyViolation',
  });

  const publicRt = (await client.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await client.send(
    new EC2.CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }),
  );
  expect(
    await fails(
      client.send(
        new EC2.CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }),
      ),
    ),
  ).toMatchObject({ name: 'RouteAlreadyExists' });
  const assoc = await client.send(new EC2.AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: pub }));

  const eip = await client.send(new EC2.AllocateAddressCommand({ Domain: 'vpc' }));
  expect(eip.PublicIp).toMatch(/^203\.0\.113\.\d+$/);
  const nat = (await client.send(new EC2.CreateNatGatewayCommand({ SubnetId: pub, AllocationId: eip.AllocationId })))
    .NatGateway!;
  expect(nat.NatGatewayAddresses![0]).toMatchObject({ PublicIp: eip.PublicIp, AllocationId: eip.AllocationId });
  const privateRt = (await client.send(new EC2.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await client.send(
    new EC2.CreateRouteCommand({
      RouteTableId: privateRt,
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: nat.NatGatewayId,
    }),
  );
  await client.send(new EC2.AssociateRouteTableCommand({ RouteTableId: privateRt, SubnetId: priv }));
  const { RouteTables } = await client.send(
    new EC2.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [priv] }] }),
  );
  expect(RouteTables![0].Routes).toEqual([
    expect.objectContaining({ DestinationCidrBlock: '10.80.0.0/16', GatewayId: 'local' }),
    expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId, State: 'active' }),
  ]);
  const [addr] = (await client.send(new EC2.DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] })))
    .Addresses!;
  expect(addr.AssociationId).toBeDefined();
  expect(await fails(client.send(new EC2.ReleaseAddressCommand({ AllocationId: eip.AllocationId })))).toMatchObject({
    name: 'InvalidIPAddress.InUse',
  });

  // Tear down in the order EC2 requires.
  await client.send(new EC2.DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }));
  const [gone] = (await client.send(new EC2.DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] })))
    .NatGateways!;
  expect(gone.State).toBe('deleted');
  await client.send(new EC2.ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  await client.send(new EC2.DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
  for (const rt of [publicRt, privateRt]) {
    const [t] = (await client.send(new EC2.DescribeRouteTablesCommand({ RouteTableIds: [rt] }))).RouteTables!;
    for (const a of t.Associations ?? [])
      await client.send(new EC2.DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId }));
    await client.send(new EC2.DeleteRouteTableCommand({ RouteTableId: rt }));
  }
  await client.send(new EC2.DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  await client.send(new EC2.DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: pub }));
  await client.send(new EC2.DeleteSubnetCommand({ SubnetId: priv }));
  await client.send(new EC2.DeleteVpcCommand({ VpcId: vpcId }));
});
