/**
 * EC2 records an ECS network declares beside its VPC, through the real EC2 client: VPC endpoints
 * (a gateway endpoint routing its prefix list, an interface endpoint taking an address in each
 * subnet), AWS-managed and customer prefix lists with versions, and launch templates with versions
 * that RunInstances launches from.
 */
import * as EC2 from '@aws-sdk/client-ec2';
import { ec2 } from '@dockside/ec2';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ec2()] }), { resetEach: true });
const client = gw.sdk(EC2.EC2Client);

async function network() {
  const vpc = (await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!;
  const subnet = (zone: string, cidr: string) =>
    client.send(new EC2.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: cidr, AvailabilityZone: zone }));
  const a = (await subnet('us-east-1a', '10.9.1.0/24')).Subnet!;
  const b = (await subnet('us-east-1b', '10.9.2.0/24')).Subnet!;
  const rt = (await client.send(new EC2.CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!;
  return { vpc, a, b, rt };
}

test('gateway and interface endpoints: routes to the prefix list, an address per subnet, and their errors', async () => {
  const { vpc, a, b, rt } = await network();
  const { PrefixLists } = await client.send(
    new EC2.DescribePrefixListsCommand({
      Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.us-east-1.s3'] }],
    }),
  );
  const s3List = PrefixLists![0].PrefixListId!;
  expect(s3List).toMatch(/^pl-[0-9a-f]{8}$/);
  expect(PrefixLists![0].Cidrs!.length).toBeGreaterThan(0);

  const gateway = (
    await client.send(
      new EC2.CreateVpcEndpointCommand({
        VpcId: vpc.VpcId,
        ServiceName: 'com.amazonaws.us-east-1.s3',
        RouteTableIds: [rt.RouteTableId!],
        TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'Name', Value: 's3' }] }],
      }),
    )
  ).VpcEndpoint!;
  expect(gateway).toMatchObject({ VpcEndpointType: 'Gateway', State: 'available', RouteTableIds: [rt.RouteTableId] });
  expect(JSON.parse(gateway.PolicyDocument!).Statement[0]).toMatchObject({ Effect: 'Allow', Action: '*' });
  const routes = (await client.send(new EC2.DescribeRouteTablesCommand({ RouteTableIds: [rt.RouteTableId!] })))
    .RouteTables![0].Routes!;
  expect(routes).toContainEqual(
    expect.objectContaining({ DestinationPrefixListId: s3List, GatewayId: gateway.VpcEndpointId }),
  );

  const freeBefore = (await client.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [a.SubnetId!] }))).Subnets![0]
    .AvailableIpAddressCount!;
  const iface = (
    await client.send(
      new EC2.CreateVpcEndpointCommand({
        VpcId: vpc.VpcId,
        ServiceName: 'com.amazonaws.us-east-1.ecr.dkr',
        VpcEndpointType: 'Interface',
        SubnetIds: [a.SubnetId!, b.SubnetId!],
      }),
    )
  ).VpcEndpoint!;
  expect(iface).toMatchObject({
    VpcEndpointType: 'Interface',
    PrivateDnsEnabled: true,
    SubnetIds: [a.SubnetId, b.SubnetId],
  });
  expect(iface.NetworkInterfaceIds).toHaveLength(2);
  expect(iface.DnsEntries![0].DnsName).toMatch(/\.ecr\.dkr\.us-east-1\.vpce\.amazonaws\.com$/);
  const enis = (
    await client.send(new EC2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: iface.NetworkInterfaceIds }))
  ).NetworkInterfaces!;
  expect(enis.map((n) => n.InterfaceType)).toEqual(['vpc_endpoint', 'vpc_endpoint']);
  expect(
    (await client.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [a.SubnetId!] }))).Subnets![0]
      .AvailableIpAddressCount,
  ).toBe(freeBefore - 1);
  const listed = await client.send(
    new EC2.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-type', Values: ['Interface'] }] }),
  );
  expect(listed.VpcEndpoints!.map((e) => e.VpcEndpointId)).toEqual([iface.VpcEndpointId]);
  expect(
    (
      await client.send(new EC2.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'tag:Name', Values: ['s3'] }] }))
    ).VpcEndpoints!.map((e) => e.VpcEndpointId),
  ).toEqual([gateway.VpcEndpointId]);

  // Errors: an unknown service, a second subnet in one zone, the VPC in use.
  const unknown = await rejection(
    client.send(new EC2.CreateVpcEndpointCommand({ VpcId: vpc.VpcId, ServiceName: 'com.amazonaws.us-east-1.nope' })),
  );
  expect([unknown.name, unknown.message]).toEqual([
    'InvalidServiceName',
    "The Vpc Endpoint Service 'com.amazonaws.us-east-1.nope' does not exist",
  ]);
  const a2 = (
    await client.send(
      new EC2.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.9.3.0/24', AvailabilityZone: 'us-east-1a' }),
    )
  ).Subnet!;
  const sameZone = await rejection(
    client.send(new EC2.ModifyVpcEndpointCommand({ VpcEndpointId: iface.VpcEndpointId, AddSubnetIds: [a2.SubnetId!] })),
  );
  expect(sameZone.name).toBe('DuplicateSubnetsInSameZone');
  expect((await rejection(client.send(new EC2.DeleteVpcCommand({ VpcId: vpc.VpcId })))).name).toBe(
    'DependencyViolation',
  );

  // Removing the endpoints gives back the addresses and the route.
  const deleted = await client.send(
    new EC2.DeleteVpcEndpointsCommand({
      VpcEndpointIds: [gateway.VpcEndpointId!, iface.VpcEndpointId!, 'vpce-0123456789abcdef0'],
    }),
  );
  expect(deleted.Unsuccessful!.map((u) => u.ResourceId)).toEqual(['vpce-0123456789abcdef0']);
  expect(
    (await client.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [a.SubnetId!] }))).Subnets![0]
      .AvailableIpAddressCount,
  ).toBe(freeBefore);
  const after = (await client.send(new EC2.DescribeRouteTablesCommand({ RouteTableIds: [rt.RouteTableId!] })))
    .RouteTables![0].Routes!;
  expect(after.some((r) => r.GatewayId === gateway.VpcEndpointId)).toBe(false);
  expect(
    (await rejection(client.send(new EC2.DescribeVpcEndpointsCommand({ VpcEndpointIds: [gateway.VpcEndpointId!] }))))
      .name,
  ).toBe('InvalidVpcEndpointId.NotFound');
});

test('customer-managed prefix lists: versions, entries by version, a version mismatch, deletion', async () => {
  const created = (
    await client.send(
      new EC2.CreateManagedPrefixListCommand({
        PrefixListName: 'offices',
        AddressFamily: 'IPv4',
        MaxEntries: 5,
        Entries: [{ Cidr: '198.51.100.0/24', Description: 'hq' }],
      }),
    )
  ).PrefixList!;
  expect(created).toMatchObject({ State: 'create-complete', Version: 1, MaxEntries: 5, OwnerId: '000000000000' });
  const id = created.PrefixListId!;
  const modified = await client.send(
    new EC2.ModifyManagedPrefixListCommand({
      PrefixListId: id,
      CurrentVersion: 1,
      AddEntries: [{ Cidr: '192.0.2.0/24', Description: 'branch' }],
    }),
  );
  expect(modified.PrefixList).toMatchObject({ Version: 2, State: 'modify-complete' });
  const entries = (v?: number) =>
    client.send(new EC2.GetManagedPrefixListEntriesCommand({ PrefixListId: id, TargetVersion: v }));
  expect((await entries()).Entries!.map((e) => e.Cidr)).toEqual(['198.51.100.0/24', '192.0.2.0/24']);
  expect((await entries(1)).Entries!.map((e) => e.Cidr)).toEqual(['198.51.100.0/24']);
  const stale = await rejection(
    client.send(
      new EC2.ModifyManagedPrefixListCommand({
        PrefixListId: id,
        CurrentVersion: 1,
        RemoveEntries: [{ Cidr: '192.0.2.0/24' }],
      }),
    ),
  );
  expect(stale.name).toBe('PrefixListVersionMismatch');
  const lists = await client.send(new EC2.DescribeManagedPrefixListsCommand({}));
  expect(lists.PrefixLists!.map((p) => p.OwnerId)).toEqual(['AWS', 'AWS', '000000000000']);
  await client.send(new EC2.DeleteManagedPrefixListCommand({ PrefixListId: id }));
  expect((await rejection(entries())).name).toBe('InvalidPrefixListID.NotFound');
});

test('launch templates: versions, the default version, and RunInstances from a template', async () => {
  const { LaunchTemplate } = await client.send(
    new EC2.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'ecs-nodes',
      VersionDescription: 'first',
      LaunchTemplateData: {
        ImageId: 'ami-0123456789abcdef0',
        InstanceType: 't3.micro',
        UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=web >> /etc/ecs/ecs.config\n').toString('base64'),
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'ops' }] }],
    }),
  );
  expect(LaunchTemplate).toMatchObject({
    LaunchTemplateName: 'ecs-nodes',
    DefaultVersionNumber: 1,
    LatestVersionNumber: 1,
    CreatedBy: 'arn:aws:iam::000000000000:root',
    Tags: [{ Key: 'team', Value: 'ops' }],
  });
  const id = LaunchTemplate!.LaunchTemplateId!;
  expect(id).toMatch(/^lt-[0-9a-f]{17}$/);
  const dup = await rejection(
    client.send(
      new EC2.CreateLaunchTemplateCommand({
        LaunchTemplateName: 'ecs-nodes',
        LaunchTemplateData: { InstanceType: 't3.micro' },
      }),
    ),
  );
  expect([dup.name, dup.message]).toEqual([
    'InvalidLaunchTemplateName.AlreadyExistsException',
    'Launch template name already in use.',
  ]);

  const v2 = await client.send(
    new EC2.CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: id,
      SourceVersion: '1',
      VersionDescription: 'bigger',
      LaunchTemplateData: { InstanceType: 'm5.large' },
    }),
  );
  expect(v2.LaunchTemplateVersion).toMatchObject({
    VersionNumber: 2,
    DefaultVersion: false,
    LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 'm5.large' },
  });
  await client.send(new EC2.ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '2' }));
  const versions = await client.send(
    new EC2.DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'ecs-nodes', Versions: ['$Latest', '1'] }),
  );
  expect(versions.LaunchTemplateVersions!.map((v) => [v.VersionNumber, v.DefaultVersion])).toEqual([
    [1, false],
    [2, true],
  ]);
  const del = await client.send(
    new EC2.DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['2', '1'] }),
  );
  expect(del.UnsuccessfullyDeletedLaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([2]);
  expect(del.SuccessfullyDeletedLaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([1]);

  // RunInstances takes what the request leaves out from the template's default version.
  const { Instances } = await client.send(
    new EC2.RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: 'ecs-nodes' } }),
  );
  expect(Instances![0]).toMatchObject({ ImageId: 'ami-0123456789abcdef0', InstanceType: 'm5.large' });
  const missing = await rejection(
    client.send(new EC2.DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] })),
  );
  expect([missing.name, missing.message]).toEqual([
    'InvalidLaunchTemplateName.NotFoundException',
    'At least one of the launch templates specified in the request does not exist.',
  ]);
  await client.send(new EC2.DeleteLaunchTemplateCommand({ LaunchTemplateId: id }));
  expect((await client.send(new EC2.DescribeLaunchTemplatesCommand({}))).LaunchTemplates).toEqual([]);
});
