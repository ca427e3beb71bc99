/** `/_dockside/ecr/…`: where the registry listens, and applying lifecycle policies on demand. */
import type { PluginRoutes } from '@dockside/core';

export function ecrRoutes(deps: { applyLifecycle(): number; registryUrl(): string }): PluginRoutes {
  const prefix = '/_dockside/ecr';
  return {
    prefixes: [`${prefix}/`],
    mount(router) {
      router.get(
        `${prefix}/registry`,
        (_req, res) => void res.json({ url: deps.registryUrl(), host: deps.registryUrl().replace(/^https?:\/\//, '') }),
      );
      router.post(`${prefix}/lifecycle/run`, (_req, res) => void res.json({ affected: deps.applyLifecycle() }));
    },
  };
}
