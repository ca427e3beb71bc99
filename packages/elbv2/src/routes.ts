/** `/_dockside/elbv2/…`: where each listener really listens (typed in @dockside/client). */
import type { PluginRoutes } from '@dockside/core';
import type { DataPlane } from './dataplane/plane';

const PREFIX = '/_dockside/elbv2';

export function elbv2Routes(plane: DataPlane): PluginRoutes {
  return {
    prefixes: [`${PREFIX}/`],
    mount(router) {
      router.get(`${PREFIX}/listeners`, async (_req, res) => {
        await plane.sync();
        res.json({ listeners: plane.listeners() });
      });
    },
    byHost: (host) => plane.hostHandler(host),
  };
}
