/**
 * With the EC2 plugin loaded, load balancers live in EC2's subnets and security groups: the VPC
 * and zones come from the subnets, bad subnets and groups get ELB's errors, and an ALB without
 * groups gets its VPC's default group. Real SDK clients.
 */
import * as EC2 from '@aws-sdk/client-ec2';
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ec2 } from '@dockside/ec2';
import { elbv2 } from '@dockside/elbv2';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ec2(), elbv2({ timeScale: 0.01 })] }));
const ec2c = gw.sdk(EC2.EC2Client);
const elb = gw.sdk(ELB.ElasticLoadBalancingV2Client);
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

test('load balancers take their VPC and zones from EC2 subnets; bad subnets and groups are refused', async () => {
  const vpcId = (await ec2c.send(new EC2.CreateVpcCommand({ CidrBlock: '10.70.0.0/16' }))).Vpc!.VpcId!;
  const sub = async (cidr: string, zone: string) =>
    (await ec2c.send(new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!
      .SubnetId!;
  const [a, b, a2] = [
    await sub('10.70.1.0/24', 'us-east-1a'),
    await sub('10.70.2.0/24', 'us-east-1b'),
    await sub('10.70.3.0/24', 'us-east-1a'),
  ];
  const { LoadBalancers } = await elb.send(new ELB.CreateLoadBalancerCommand({ Name: 'in-vpc', Subnets: [a, b] }));
  const [defaultGroup] = (
    await ec2c.send(
      new EC2.DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    )
  ).SecurityGroups!;
  expect(LoadBalancers![0]).toMatchObject({
    VpcId: vpcId,
    SecurityGroups: [defaultGroup.GroupId],
    AvailabilityZones: expect.arrayContaining([
      expect.objectContaining({ SubnetId: a, ZoneName: 'us-east-1a' }),
      expect.objectContaining({ SubnetId: b, ZoneName: 'us-east-1b' }),
    ]),
  });
  expect(
    await fails(
      elb.send(new ELB.CreateLoadBalancerCommand({ Name: 'bad-subnet', Subnets: [a, 'subnet-0123456789abcdef0'] })),
    ),
  ).toMatchObject({
    name: 'SubnetNotFoundException',
  });
  expect(
    await fails(elb.send(new ELB.CreateLoadBalancerCommand({ Name: 'same-zone', Subnets: [a, a2] }))),
  ).toMatchObject({
    name: 'InvalidConfigurationRequestException',
  });
  const otherVpcGroup = (
    await ec2c.send(new EC2.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }))
  ).SecurityGroups!.find((g) => g.VpcId !== vpcId)!.GroupId!;
  expect(
    await fails(
      elb.send(
        new ELB.CreateLoadBalancerCommand({ Name: 'bad-group', Subnets: [a, b], SecurityGroups: [otherVpcGroup] }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidSecurityGroupException' });
  // Without subnets, the default VPC's default subnets.
  const { LoadBalancers: dflt } = await elb.send(new ELB.CreateLoadBalancerCommand({ Name: 'default-vpc' }));
  const { Vpcs } = await ec2c.send(
    new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
  );
  expect(dflt![0].VpcId).toBe(Vpcs![0].VpcId);
});
