import Module from 'node:module';

/**
 * Modules dockerode and docker-modem require when they load but only use for features Dockside
 * never asks for: Docker over SSH (ssh2), BuildKit sessions (gRPC, protobufjs). Loading them cost
 * the gateway ~10 MiB of RSS and 150 modules at its first RunTask (measured requiring dockerode
 * alone: 61.4 → 50.8 MiB, 208 → 57 modules); the packed CLI leaves them out at bundle time
 * (apps/dockside/scripts/bundle.mjs), this does the same for the workspace build and embedders.
 */
export const RARELY_USED = ['ssh2', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Loader };

/**
 * Runs `load` (a `require` written out, so bundlers still see it) with each of `lazy` replaced by a stand-in that loads the real module the first
 * time one of its members is constructed, called or read from. The stand-in's members are
 * themselves stand-ins, since docker-modem reads `require('ssh2').Client` as it loads.
 */
export function requireWithLazy<T>(load: () => T, lazy: readonly string[] = RARELY_USED): T {
  const original = loader._load;
  loader._load = function (this: unknown, request, parent, isMain) {
    if (!lazy.includes(request)) return original.call(this, request, parent, isMain);
    return standIn(() => original.call(Module, request, parent, isMain) as Record<PropertyKey, unknown>);
  };
  try {
    return load();
  } finally {
    loader._load = original;
  }
}

function standIn(load: () => Record<PropertyKey, unknown>): object {
  let real: Record<PropertyKey, unknown> | undefined;
  const get = () => (real ??= load());
  const member = (k: PropertyKey) => {
    const of = () => get()[k] as (...args: unknown[]) => unknown;
    return new Proxy(function () {}, {
      construct: (_t, args) => Reflect.construct(of(), args),
      apply: (_t, self, args) => Reflect.apply(of(), self, args),
      get: (_t, p) => (of() as unknown as Record<PropertyKey, unknown>)[p],
    });
  };
  return new Proxy(
    {},
    {
      // Interop probes (`__esModule`, symbols) are answered without loading anything.
      get: (_t, k) => (real ? real[k] : typeof k === 'symbol' || k === '__esModule' ? undefined : member(k)),
    },
  );
}
