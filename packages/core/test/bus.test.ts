/** The typed bus: events with isolated subscribers, and internal calls through the dispatcher. */
import {
  Bus,
  DocksideError,
  ServiceError,
  ServiceNotLoadedError,
  createGateway,
  isServiceNotLoaded,
  type Call,
  type DocksidePlugin,
} from '@dockside/core';
import { ecsTestProtocol } from './fixtures';

interface Ping {
  n: number;
}
declare module '@dockside/core' {
  interface DocksideEvents {
    'test.ping': Ping;
  }
  interface DocksideServices {
    testsvc: { ListClusters: Call<{ maxResults?: number }, { clusterArns?: string[] }> };
  }
}

test('events reach every subscriber; a throwing or rejecting one is isolated', async () => {
  const errors: unknown[] = [];
  const bus = new Bus({ error: (o: unknown) => errors.push(o) } as never);
  const got: number[] = [];
  bus.subscribe('test.ping', () => {
    throw new Error('sync boom');
  });
  bus.subscribe('test.ping', async () => {
    throw new Error('async boom');
  });
  const off = bus.subscribe('test.ping', (p) => void got.push(p.n));
  expect(() => bus.publish('test.ping', { n: 1 })).not.toThrow();
  off();
  bus.publish('test.ping', { n: 2 });
  await new Promise((r) => setImmediate(r));
  expect(got).toEqual([1]);
  // The failing subscribers stay subscribed: two failures per publish, and the producer never saw one.
  expect(errors).toHaveLength(4);
});

describe('internal calls', () => {
  const seen: Array<{ internal: boolean; region: string }> = [];
  const plugin: DocksidePlugin = {
    name: 'a',
    protocols: [ecsTestProtocol({ signingName: 'testsvc' })],
    operations: {
      ListClusters: (input: { maxResults?: number }, ctx) => {
        seen.push({ internal: ctx.internal, region: ctx.region });
        if (input.maxResults === 99) throw new ServiceError('InvalidParameterException', 'too many');
        return { clusterArns: [`${ctx.accountId}/${ctx.region}`] };
      },
    },
  };
  const g = createGateway({ plugins: [plugin], logLevel: 'silent' });

  test('typed, marked internal, with the caller-given account and region', async () => {
    const out = await g.bus.call(
      'testsvc',
      'ListClusters',
      { maxResults: 5 },
      { accountId: '111122223333', region: 'ap-south-1' },
    );
    expect(out.clusterArns).toEqual(['111122223333/ap-south-1']);
    expect(seen.at(-1)).toEqual({ internal: true, region: 'ap-south-1' });
  });

  test('validated like an external request; service errors reach the caller', async () => {
    await expect(
      g.bus.call(
        'testsvc',
        'ListClusters',
        { maxResults: 'x' as never },
        { accountId: '000000000000', region: 'us-east-1' },
      ),
    ).rejects.toMatchObject({
      code: 'InvalidParameterException',
      message: expect.stringContaining("'maxResults'"),
    });
    await expect(
      g.bus.call('testsvc', 'ListClusters', { maxResults: 99 }, { accountId: '000000000000', region: 'us-east-1' }),
    ).rejects.toBeInstanceOf(ServiceError);
  });

  test('a trusted call skips the model check (the handler still runs its own); an external request never can', async () => {
    const opts = { accountId: '000000000000', region: 'us-east-1' };
    // 'x' breaks the model (maxResults is an integer): refused unless the caller vouches for its input.
    await expect(g.bus.call('testsvc', 'ListClusters', { maxResults: 'x' as never }, opts)).rejects.toMatchObject({
      code: 'InvalidParameterException',
    });
    await expect(
      g.bus.call('testsvc', 'ListClusters', { maxResults: 'x' as never }, { ...opts, trusted: true }),
    ).resolves.toEqual({ clusterArns: ['000000000000/us-east-1'] });
    await expect(
      g.bus.call('testsvc', 'ListClusters', { maxResults: 99 }, { ...opts, trusted: true }),
    ).rejects.toBeInstanceOf(ServiceError);
    // The embedding API's invoke() is an external request: `trusted` is not honoured there.
    await expect(
      g.invoke('testsvc', 'ListClusters', { maxResults: 'x' }, { trusted: true } as never),
    ).rejects.toMatchObject({ code: 'InvalidParameterException' });
  });

  test('hasSubscribers tells whether an event has listeners', () => {
    expect(g.bus.hasSubscribers('test.ping')).toBe(false);
    const off = g.bus.subscribe('test.ping', () => undefined);
    expect(g.bus.hasSubscribers('test.ping')).toBe(true);
    off();
    expect(g.bus.hasSubscribers('test.ping')).toBe(false);
  });

  test('a service that is not loaded rejects with a clear error', async () => {
    expect(g.bus.isLoaded('testsvc')).toBe(true);
    expect(g.bus.isLoaded('logs')).toBe(false);
    const err = (await g.bus
      .call('logs' as never, 'PutLogEvents' as never, {} as never, { accountId: '000000000000', region: 'us-east-1' })
      .catch((e: unknown) => e)) as ServiceNotLoadedError;
    // One coded error, recognised by type, never by its text.
    expect(err).toBeInstanceOf(ServiceNotLoadedError);
    expect(isServiceNotLoaded(err)).toBe(true);
    expect(err).toBeInstanceOf(DocksideError);
    expect(err.code).toBe('DOCKSIDE_SERVICE_NOT_LOADED');
    expect(err.service).toBe('logs');
    expect(err.operation).toBe('PutLogEvents');
  });
});
