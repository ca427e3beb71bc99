export { parseConfig, helpText, OPTIONS, UsageError } from './config';
export type { CliConfig } from './config';
export { loadPlugins, KNOWN_PLUGINS } from './plugins';
