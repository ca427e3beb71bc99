import { startTestGateway, type SdkClientConfig, type TestGateway, type TestGatewayOptions } from './gateway';

// The test runner's lifecycle hooks (jest, vitest and node:test's `describe` style all provide
// these as globals); declared here so the kit needs no runner's types.
type Hook = (fn: () => unknown, timeoutMs?: number) => void;
declare const beforeAll: Hook;
declare const afterAll: Hook;
declare const beforeEach: Hook;

export interface UseTestGatewayOptions {
  /** Clear every plugin's state before each test. */
  resetEach?: boolean;
  /** Runs once the gateway listens (create a default cluster, seed data…). */
  ready?: (t: TestGateway) => unknown;
}

/** A gateway started for the current test file; usable inside tests and hooks. */
export interface UsedTestGateway {
  /** The running gateway (throws outside the file's tests). */
  readonly t: TestGateway;
  readonly endpoint: string;
  /** An SDK client pointed at the gateway (one attempt, no retries). */
  client<C>(ctor: new (config: SdkClientConfig) => C, overrides?: Partial<SdkClientConfig>): C;
  /**
   * The same client, declared once at the top of a file (`const ecs = gw.sdk(ECSClient)`): it is
   * made on first use inside a test, when the gateway runs.
   */
  sdk<C extends object>(ctor: new (config: SdkClientConfig) => C, overrides?: Partial<SdkClientConfig>): C;
}

/**
 * The test-file bootstrap in one call: starts a gateway with these plugins before the file's
 * tests, stops it after them, and optionally resets it before each test.
 *
 * ```ts
 * const gw = useTestGateway(() => ({ plugins: [ecs()] }), { resetEach: true });
 * test('…', async () => { await gw.client(ECSClient).send(…); });
 * ```
 * Options are a function so plugin factories run when the file's tests start, not at import.
 */
export function useTestGateway(options: () => TestGatewayOptions, hooks: UseTestGatewayOptions = {}): UsedTestGateway {
  let started: TestGateway | undefined;
  beforeAll(async () => {
    started = await startTestGateway(options());
    await hooks.ready?.(started);
  });
  afterAll(async () => {
    await started?.stop();
    started = undefined;
  });
  if (hooks.resetEach) beforeEach(() => started?.gateway.reset());
  const running = (): TestGateway => {
    if (!started)
      throw new Error('useTestGateway: the gateway runs only inside the tests and hooks of the file that declared it');
    return started;
  };
  return {
    get t() {
      return running();
    },
    get endpoint() {
      return running().endpoint;
    },
    client: (ctor, overrides) => running().client(ctor, overrides),
    sdk<C extends object>(ctor: new (config: SdkClientConfig) => C, overrides?: Partial<SdkClientConfig>): C {
      let made: { for: TestGateway; client: C } | undefined;
      // Its prototype is the client's, so `instanceof ECSClient` (the SDK paginators check it) holds.
      return new Proxy(Object.create(ctor.prototype) as C, {
        get(_target, prop) {
          const g = running();
          if (made?.for !== g) made = { for: g, client: g.client(ctor, overrides) };
          const value = Reflect.get(made.client, prop) as unknown;
          return typeof value === 'function' ? value.bind(made.client) : value;
        },
      });
    },
  };
}
