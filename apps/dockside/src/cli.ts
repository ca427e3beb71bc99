#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { createGateway } from '@dockside/core';
import { UsageError, helpText, parseConfig } from './config';
import { releaseIdleMemory } from './idle-memory';
import { loadPlugins } from './plugins';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dockside: ${e.message}\nRun 'dockside --help' for the options.\n`);
      process.exit(2);
    }
    throw e;
  }
  if (config.help) {
    process.stdout.write(`${helpText(version)}\n`);
    return;
  }
  if (config.version) {
    process.stdout.write(`${version}\n`);
    return;
  }
  let plugins;
  try {
    plugins = loadPlugins(config.services, {
      ecs: {
        pullPolicy: config.pullPolicy,
        keepContainers: config.keepContainers,
        serviceStabilityMs: config.serviceStabilityMs,
        instancesPerCluster: config.ecsInstances,
        scaleInAfterMs: config.ecsScaleInMs,
        ...(config.dataDir ? { sharedVolumesRoot: `${config.dataDir}/shared-volumes` } : {}),
      },
      elbv2: { timeScale: config.elbv2TimeScale },
      ecr: { port: config.ecrPort, host: config.host === '0.0.0.0' ? '127.0.0.1' : config.host },
    });
  } catch (e) {
    process.stderr.write(`dockside: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const gateway = createGateway({
    plugins,
    accountId: config.accountId,
    region: config.region,
    dataDir: config.dataDir,
    remoteIntrospection: config.remoteIntrospection,
    logLevel: config.logLevel,
    version,
  });
  try {
    // Restores --data-dir state (an unreadable file stops the start, named, and is left in place).
    await gateway.start();
  } catch (e) {
    process.stderr.write(`dockside: cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  let addr;
  try {
    addr = await gateway.listen(config.port, config.host);
  } catch (e) {
    process.stderr.write(`dockside: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const ms = Math.round(performance.now());
  process.stdout.write(
    `Dockside ${version} ready on ${addr.url} in ${ms} ms\n` +
      `  services: ${gateway.services().join(', ') || '(none)'}\n` +
      `  region ${config.region}, default account ${config.accountId}${config.dataDir ? `, data in ${config.dataDir}` : ''}\n` +
      (plugins.some((p) => p.name === 'dashboard') ? `  dashboard: ${addr.url}/_dockside/ui/\n` : ''),
  );

  if (config.idleGcMs > 0) {
    releaseIdleMemory({ quietMs: config.idleGcMs }, (r) =>
      gateway.logger.debug(
        {
          heapBeforeMiB: +r.heapBeforeMiB.toFixed(1),
          heapAfterMiB: +r.heapAfterMiB.toFixed(1),
          youngAfterMiB: +r.youngAfterMiB.toFixed(1),
          ms: +r.ms.toFixed(1),
        },
        'idle: full garbage collection',
      ),
    );
  }

  // A promise nobody awaited that failed is a bug to log, not a reason to take every task's
  // gateway down with it (Node's default is to exit).
  process.on('unhandledRejection', (err) => gateway.logger.error({ err }, 'unhandled rejection'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`dockside: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
