import type { DocksidePlugin } from '@dockside/core';
import type { EcrRegistryOptions } from '@dockside/ecr-registry';
import type { EcsOptions } from '@dockside/ecs';
import type { Elbv2Options } from '@dockside/elbv2';
import type { LogsOptions } from '@dockside/logs';
import type { SecretsOptions } from '@dockside/secrets';

/** Each plugin's own options, by --services name, as the CLI passes them. */
export interface PluginOptions {
  ecs?: EcsOptions;
  ecr?: EcrRegistryOptions;
  elbv2?: Elbv2Options;
  logs?: LogsOptions;
  secrets?: SecretsOptions;
}

/** Service names accepted by --services, and the package whose default export builds the plugin. */
export const KNOWN_PLUGINS: Record<string, string> = {
  ecs: '@dockside/ecs',
  logs: '@dockside/logs',
  elbv2: '@dockside/elbv2',
  eventbridge: '@dockside/eventbridge',
  secrets: '@dockside/secrets',
  ecr: '@dockside/ecr-registry',
  ec2: '@dockside/ec2',
  dashboard: '@dockside/dashboard',
};

const ALIASES: Record<string, string> = {
  secretsmanager: 'secrets',
  ssm: 'secrets',
  'ecr-registry': 'ecr',
  events: 'eventbridge',
  elasticloadbalancing: 'elbv2',
};

type PluginModule = { default?: unknown };

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * One static require per plugin, called only for the plugins asked for: a bundler (the packed CLI
 * is one esbuild file) sees each package, and a plugin not asked for is never loaded.
 */
const LOADERS: Record<string, () => PluginModule> = {
  '@dockside/ecs': () => require('@dockside/ecs'),
  '@dockside/logs': () => require('@dockside/logs'),
  '@dockside/elbv2': () => require('@dockside/elbv2'),
  '@dockside/eventbridge': () => require('@dockside/eventbridge'),
  '@dockside/secrets': () => require('@dockside/secrets'),
  '@dockside/ecr-registry': () => require('@dockside/ecr-registry'),
  '@dockside/ec2': () => require('@dockside/ec2'),
  '@dockside/dashboard': () => require('@dockside/dashboard'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Whether `pkg` is installed and is a plugin (a package that carries only a contract is not). */
const installed = (pkg: string) => {
  let mod: PluginModule;
  try {
    mod = LOADERS[pkg]();
  } catch (e) {
    // Missing is an answer; a plugin that fails while loading is a bug to show.
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(pkg))
      return false;
    throw e;
  }
  return typeof mod.default === 'function';
};

/** Loads the requested plugins (default: every installed one); unknown or missing names throw. */
export function loadPlugins(requested?: string[], options: PluginOptions = {}): DocksidePlugin[] {
  let names: string[];
  if (requested) {
    names = [...new Set(requested.map((n) => ALIASES[n] ?? n))];
    for (const n of names) {
      if (!KNOWN_PLUGINS[n]) throw new Error(`unknown service '${n}'; known: ${Object.keys(KNOWN_PLUGINS).join(', ')}`);
      if (!installed(KNOWN_PLUGINS[n]))
        throw new Error(`service '${n}' needs the plugin ${KNOWN_PLUGINS[n]}, which is not installed`);
    }
  } else {
    names = Object.keys(KNOWN_PLUGINS).filter((n) => installed(KNOWN_PLUGINS[n]));
  }
  return names.map((n) => {
    const mod = LOADERS[KNOWN_PLUGINS[n]]() as { default: (options?: object) => DocksidePlugin };
    return mod.default(options[n as keyof PluginOptions]);
  });
}
