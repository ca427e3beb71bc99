/**
 * ECS awsvpc tasks with the EC2 plugin loaded: a Fargate service placed in a VPC's subnets gets
 * real EC2 network interfaces (found with DescribeNetworkInterfaces, addresses from the subnet's
 * CIDR, the task's security groups), the subnet's free-address count moves with the tasks, a
 * subnet in use cannot be deleted, unknown subnets and groups fail as ECS fails them, and the
 * interfaces go when the tasks stop. Real containers.
 */
import * as EC2 from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import { ec2 } from '@dockside/ec2';
import { ecs } from '@dockside/ecs';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX } from './helpers';

const gw = useTestGateway(() => ({
  plugins: [ec2(), ecs({ pullPolicy: 'never', serviceResyncMs: 100, serviceStabilityMs: 200 })],
}));
const ec2c = gw.sdk(EC2.EC2Client);
const ecsc = gw.sdk(ECS.ECSClient);
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

test('a Fargate service in created subnets gets EC2 ENIs from those subnets, released when it stops', async () => {
  const vpcId = (await ec2c.send(new EC2.CreateVpcCommand({ CidrBlock: '10.61.0.0/16' }))).Vpc!.VpcId!;
  const subnets = [
    (
      await ec2c.send(
        new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.61.1.0/28', AvailabilityZone: 'us-east-1a' }),
      )
    ).Subnet!,
    (
      await ec2c.send(
        new EC2.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.61.2.0/28', AvailabilityZone: 'us-east-1b' }),
      )
    ).Subnet!,
  ];
  const sg = (
    await ec2c.send(new EC2.CreateSecurityGroupCommand({ GroupName: 'svc', Description: 'svc', VpcId: vpcId }))
  ).GroupId!;
  await ecsc.send(new ECS.CreateClusterCommand({ clusterName: 'net' }));
  await ecsc.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'net',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: BUSYBOX, command: ['sleep', '600'], stopTimeout: 1 }],
    }),
  );
  const awsvpc = { subnets: [subnets[0].SubnetId!], securityGroups: [sg] };

  const unknown: Array<[ECS.AwsVpcConfiguration, string]> = [
    [{ subnets: ['subnet-0123456789abcdef0'], securityGroups: [sg] }, 'InvalidSubnetID.NotFound'],
    [{ subnets: awsvpc.subnets, securityGroups: ['sg-0123456789abcdef0'] }, 'InvalidGroup.NotFound'],
  ];
  for (const [cfg, code] of unknown) {
    const err = await fails(
      ecsc.send(
        new ECS.RunTaskCommand({
          cluster: 'net',
          taskDefinition: 'net',
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: cfg },
        }),
      ),
    );
    expect(err).toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining(`(ErrorCode: ${code})`),
    });
  }

  await ecsc.send(
    new ECS.CreateServiceCommand({
      cluster: 'net',
      serviceName: 'svc',
      taskDefinition: 'net',
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: awsvpc },
    }),
  );
  const tasks = await waitFor(
    async () => {
      const arns = (await ecsc.send(new ECS.ListTasksCommand({ cluster: 'net', serviceName: 'svc' }))).taskArns ?? [];
      if (arns.length !== 2) return undefined;
      const { tasks: t } = await ecsc.send(new ECS.DescribeTasksCommand({ cluster: 'net', tasks: arns }));
      return t!.every((x) => x.lastStatus === 'RUNNING') ? t : undefined;
    },
    { what: 'two running service tasks', timeoutMs: 90_000 },
  );
  try {
    const eniIds = tasks!.map((t) => t.attachments![0].details!.find((d) => d.name === 'networkInterfaceId')!.value!);
    const { NetworkInterfaces } = await ec2c.send(
      new EC2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: eniIds }),
    );
    expect(NetworkInterfaces).toHaveLength(2);
    for (const n of NetworkInterfaces!) {
      expect(n).toMatchObject({
        SubnetId: subnets[0].SubnetId,
        VpcId: vpcId,
        Status: 'in-use',
        InterfaceType: 'interface',
        RequesterManaged: true,
        Groups: [expect.objectContaining({ GroupId: sg })],
      });
      // 10.61.1.0/28: AWS keeps .0–.3 and .15; tasks get .4 onwards.
      expect(n.PrivateIpAddress).toMatch(/^10\.61\.1\.([4-9]|1[0-4])$/);
      expect(n.Description).toMatch(/^arn:aws:ecs:us-east-1:000000000000:attachment\//);
    }
    const byTask = tasks!.map((t) => t.containers![0].networkInterfaces![0].privateIpv4Address).sort();
    expect(byTask).toEqual(NetworkInterfaces!.map((n) => n.PrivateIpAddress).sort());
    const found = await ec2c.send(
      new EC2.DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'group-id', Values: [sg] },
          { Name: 'requester-managed', Values: ['true'] },
        ],
      }),
    );
    expect(found.NetworkInterfaces).toHaveLength(2);
    const [s] = (await ec2c.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [subnets[0].SubnetId!] }))).Subnets!;
    expect(s.AvailableIpAddressCount).toBe(16 - 5 - 2);
    expect(await fails(ec2c.send(new EC2.DeleteSubnetCommand({ SubnetId: subnets[0].SubnetId })))).toMatchObject({
      name: 'DependencyViolation',
    });
    expect(await fails(ec2c.send(new EC2.DeleteSecurityGroupCommand({ GroupId: sg })))).toMatchObject({
      name: 'DependencyViolation',
    });
  } finally {
    await ecsc.send(new ECS.DeleteServiceCommand({ cluster: 'net', service: 'svc', force: true }));
  }
  await waitFor(
    async () => {
      const { NetworkInterfaces } = await ec2c.send(
        new EC2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnets[0].SubnetId!] }] }),
      );
      return NetworkInterfaces!.length === 0 ? true : undefined;
    },
    { what: 'the ENIs to go with the tasks', timeoutMs: 60_000 },
  );
  const [after] = (await ec2c.send(new EC2.DescribeSubnetsCommand({ SubnetIds: [subnets[0].SubnetId!] }))).Subnets!;
  expect(after.AvailableIpAddressCount).toBe(11);
  await ec2c.send(new EC2.DeleteSubnetCommand({ SubnetId: subnets[0].SubnetId }));
});

test('an EC2 instance whose user data sets ECS_CLUSTER registers as a container instance and takes EC2 tasks', async () => {
  await ecsc.send(new ECS.CreateClusterCommand({ clusterName: 'fleet' }));
  const { Vpcs } = await ec2c.send(
    new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
  );
  const [subnet] = (
    await ec2c.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [Vpcs![0].VpcId!] }] }))
  ).Subnets!;
  const userData = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=fleet >> /etc/ecs/ecs.config\n').toString('base64');
  const run = await ec2c.send(
    new EC2.RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: 't3.medium',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnet.SubnetId,
      UserData: userData,
    }),
  );
  const instanceId = run.Instances![0].InstanceId!;
  const { containerInstanceArns } = await ecsc.send(new ECS.ListContainerInstancesCommand({ cluster: 'fleet' }));
  expect(containerInstanceArns).toHaveLength(1);
  const [ci] = (
    await ecsc.send(
      new ECS.DescribeContainerInstancesCommand({ cluster: 'fleet', containerInstances: containerInstanceArns }),
    )
  ).containerInstances!;
  expect(ci).toMatchObject({ ec2InstanceId: instanceId, status: 'ACTIVE', agentConnected: true });
  expect(ci.registeredResources!.find((r) => r.name === 'CPU')!.integerValue).toBe(2048);
  expect(ci.attributes).toEqual(
    expect.arrayContaining([
      { name: 'ecs.instance-type', value: 't3.medium' },
      { name: 'ecs.availability-zone', value: subnet.AvailabilityZone },
    ]),
  );

  await ecsc.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'onit',
      containerDefinitions: [
        { name: 'c', image: BUSYBOX, cpu: 512, memory: 64, command: ['sleep', '600'], stopTimeout: 1 },
      ],
    }),
  );
  const task = await ecsc.send(new ECS.RunTaskCommand({ cluster: 'fleet', taskDefinition: 'onit' }));
  expect(task.tasks![0].containerInstanceArn).toBe(ci.containerInstanceArn);
  await ecsc.send(new ECS.StopTaskCommand({ cluster: 'fleet', task: task.tasks![0].taskArn }));

  // A stopped instance's agent is disconnected (nothing is placed there); terminating deregisters it.
  await ec2c.send(new EC2.StopInstancesCommand({ InstanceIds: [instanceId] }));
  const [stopped] = (
    await ecsc.send(
      new ECS.DescribeContainerInstancesCommand({ cluster: 'fleet', containerInstances: containerInstanceArns }),
    )
  ).containerInstances!;
  expect(stopped.agentConnected).toBe(false);
  const refused = await ecsc.send(new ECS.RunTaskCommand({ cluster: 'fleet', taskDefinition: 'onit' }));
  expect(refused.failures).toEqual([{ arn: ci.containerInstanceArn, reason: 'AGENT' }]);
  await ec2c.send(new EC2.TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  const after = await ecsc.send(new ECS.ListContainerInstancesCommand({ cluster: 'fleet' }));
  expect(after.containerInstanceArns).toEqual([]);
});
