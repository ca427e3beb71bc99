/** The typed ELBv2 introspection: where each listener is bound. */
import * as net from 'node:net';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DocksideClient } from '@dockside/client';
import { elbv2 } from '@dockside/elbv2';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [elbv2()] }));

test('elbv2.listeners() lists each listener with the port it really got', async () => {
  const elb = gw.client(ElasticLoadBalancingV2Client);
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'typed', Subnets: ['subnet-a', 'subnet-b'] })))
    .LoadBalancers![0];
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const taken = (holder.address() as net.AddressInfo).port;
  try {
    const { Listeners } = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: taken,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'typed' } }],
      }),
    );
    const [bound] = await new DocksideClient(gw.endpoint).elbv2.listeners();
    expect(bound).toMatchObject({
      listenerArn: Listeners![0].ListenerArn,
      loadBalancerName: 'typed',
      dnsName: lb.DNSName,
      protocol: 'HTTP',
      port: taken,
      mapped: true,
      host: '127.0.0.1',
    });
    expect(bound.url).toBe(`http://127.0.0.1:${bound.boundPort}`);
    expect(await (await fetch(bound.url)).text()).toBe('typed');
  } finally {
    await new Promise((r) => holder.close(r));
  }
});
