import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createGateway, type DocksidePlugin, type Gateway, type GatewayOptions } from '@dockside/core';

/** The minimum an `@aws-sdk/client-*` constructor needs to point at Dockside. */
export interface SdkClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}

export interface TestGateway {
  gateway: Gateway;
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  region: string;
  /** Config to spread into any AWS SDK v3 client: `new ECSClient(t.clientConfig())`. */
  clientConfig(overrides?: Partial<SdkClientConfig>): SdkClientConfig;
  /** `t.client(ECSClient)`: an SDK client pointed at this gateway (one attempt, no retries). */
  client<C>(ctor: new (config: SdkClientConfig) => C, overrides?: Partial<SdkClientConfig>): C;
  stop(): Promise<void>;
}

export interface TestGatewayOptions extends Omit<GatewayOptions, 'plugins'> {
  plugins: DocksidePlugin[];
  host?: string;
}

/**
 * Starts a gateway with the given plugins on a free loopback port, logging only errors unless
 * a logger or level is given.
 */
export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  // DOCKSIDE_TEST_DATA_DIR=1 runs every test gateway persisted (a diagnostic sweep of the
  // journal's tracking under the whole suite; not for CI: tasks then outlive their gateways).
  const dataDir =
    options.dataDir ??
    (process.env.DOCKSIDE_TEST_DATA_DIR ? fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-test-data-')) : undefined);
  const gateway = createGateway({ logLevel: process.env.DOCKSIDE_TEST_LOG_LEVEL ?? 'error', ...options, dataDir });
  const { port, url } = await gateway.listen(0, options.host ?? '127.0.0.1');
  const region = gateway.config.region;
  const clientConfig = (overrides: Partial<SdkClientConfig> = {}): SdkClientConfig => ({
    endpoint: url,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...overrides,
  });
  return {
    gateway,
    endpoint: url,
    port,
    region,
    clientConfig,
    client: (ctor, overrides) => new ctor(clientConfig(overrides)),
    stop: () => gateway.close(),
  };
}
